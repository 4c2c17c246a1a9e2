"""meeting chats: a Teams meeting's own chat linked to a meeting series, and the meeting starts and ends the bot
answered there (once per occurrence and kind)

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_chat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("join_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("teams_meeting_id", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["linked_by_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["series_id"], ["meeting_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id"),
    )
    op.create_index(op.f("ix_meeting_chat_series_id"), "meeting_chat", ["series_id"], unique=False)
    op.create_table(
        "meeting_chat_event",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("handled_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["meeting_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_meeting_chat_event_series_id"), "meeting_chat_event", ["series_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_chat_event_series_id"), table_name="meeting_chat_event")
    op.drop_table("meeting_chat_event")
    op.drop_index(op.f("ix_meeting_chat_series_id"), table_name="meeting_chat")
    op.drop_table("meeting_chat")
