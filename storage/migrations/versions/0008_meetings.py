"""meetings: series, occurrence overrides, agenda items, RSVPs, reports and action items

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_start", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("repeat", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("lead_minutes", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("skip_holidays", sa.Boolean(), nullable=False),
        sa.Column("conversation_ref_id", sa.Integer(), nullable=True),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("form_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_ref_id"], ["conversation_ref.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["coordinator_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form_id"),
    )
    with op.batch_alter_table("meeting_series", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_series_conversation_ref_id"), ["conversation_ref_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meeting_series_coordinator_id"), ["coordinator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_series_project_id"), ["project_id"], unique=False)
    op.create_table(
        "meeting_occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("moved_to", sa.DateTime(), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["meeting_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("series_id", "occurrence_key", name="uq_meeting_occurrence"),
    )
    op.create_table(
        "meeting_agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("form_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["series_id"], ["meeting_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form_id"),
    )
    with op.batch_alter_table("meeting_agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_agenda_item_added_by_id"), ["added_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_agenda_item_series_id"), ["series_id"], unique=False)
    op.create_table(
        "meeting_rsvp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("attending", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["series_id"], ["meeting_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("series_id", "occurrence_key", "person_id", name="uq_meeting_rsvp"),
    )
    with op.batch_alter_table("meeting_rsvp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_rsvp_person_id"), ["person_id"], unique=False)
    op.create_table(
        "meeting_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("decisions", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["series_id"], ["meeting_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("series_id", "occurrence_key", name="uq_meeting_report"),
    )
    with op.batch_alter_table("meeting_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_report_recorded_by_id"), ["recorded_by_id"], unique=False)
    op.create_table(
        "meeting_action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["report_id"], ["meeting_report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["series_id"], ["meeting_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_action_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_action_item_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_action_item_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("meeting_action_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_action_item_project_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_action_item_owner_id"))

    op.drop_table("meeting_action_item")
    with op.batch_alter_table("meeting_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_report_recorded_by_id"))

    op.drop_table("meeting_report")
    with op.batch_alter_table("meeting_rsvp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_rsvp_person_id"))

    op.drop_table("meeting_rsvp")
    with op.batch_alter_table("meeting_agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_agenda_item_series_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_agenda_item_added_by_id"))

    op.drop_table("meeting_agenda_item")
    op.drop_table("meeting_occurrence")
    with op.batch_alter_table("meeting_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_series_project_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_series_coordinator_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_series_conversation_ref_id"))

    op.drop_table("meeting_series")
