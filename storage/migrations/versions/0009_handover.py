"""handover: the handover plan of a project, its checklist and the stakeholders to inform

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("receiver_person_id", sa.Integer(), nullable=True),
        sa.Column("receiver_conversation_id", sa.Integer(), nullable=True),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("after_care_end", sa.Date(), nullable=True),
        sa.Column("after_care_length", _string(16), nullable=False),
        sa.Column("support_person_id", sa.Integer(), nullable=True),
        sa.Column("inform_days", sa.Integer(), nullable=False),
        sa.Column("state", _string(16), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("after_care_until", sa.Date(), nullable=True),
        sa.Column("not_yet_reason", _string(1000), nullable=False),
        sa.Column("not_yet_by_id", sa.Integer(), nullable=True),
        sa.Column("not_yet_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("form_id", _string(64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["receiver_person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["receiver_conversation_id"], ["conversation_ref.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["support_person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["not_yet_by_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id"),
        sa.UniqueConstraint("form_id"),
    )
    with op.batch_alter_table("handover", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handover_receiver_person_id"), ["receiver_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handover_support_person_id"), ["support_person_id"], unique=False)

    op.create_table(
        "handover_stakeholder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["handover_id"], ["handover.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handover_id", "person_id", name="uq_handover_stakeholder"),
    )
    with op.batch_alter_table("handover_stakeholder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handover_stakeholder_handover_id"), ["handover_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handover_stakeholder_person_id"), ["person_id"], unique=False)

    op.create_table(
        "handover_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", _string(32), nullable=True),
        sa.Column("title", _string(200), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("link", _string(1000), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("form_id", _string(64), nullable=True),
        sa.ForeignKeyConstraint(["handover_id"], ["handover.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["done_by_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form_id"),
    )
    with op.batch_alter_table("handover_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handover_item_handover_id"), ["handover_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handover_item_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    op.drop_table("handover_item")
    op.drop_table("handover_stakeholder")
    op.drop_table("handover")
