"""capacity: each person's availability (hours per week, working days), the weekly over-booking notices sent, and
an index for everyone's planned load by day

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_availability",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("minutes_per_week", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "capacity_notice",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("notified_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "week"),
    )
    op.create_index(
        "ix_time_entry_kind_day_person",
        "time_entry",
        ["kind", "day", "person_id", "project_id", "minutes"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_time_entry_kind_day_person", table_name="time_entry")
    op.drop_table("capacity_notice")
    op.drop_table("person_availability")
