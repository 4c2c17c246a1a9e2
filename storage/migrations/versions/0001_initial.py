"""initial schema: conversation references, people, bot state

Revision ID: 0001
Revises:
Create Date: 2026-11-28 16:55:06.641427
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "bot_state",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("etag", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "conversation_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("conversation_id", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("conversation_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tenant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("service_url", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column("team_name", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
        sa.Column("teams_channel_id", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column("user_aad_object_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("bot_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("inactive_reason", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
        sa.Column("greeted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_seen", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "conversation_id", name="uq_conversation_ref_conversation"),
    )
    with op.batch_alter_table("conversation_ref", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_ref_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conversation_ref_user_aad_object_id"), ["user_aad_object_id"], unique=False
        )

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("aad_object_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("teams_user_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("seen_locale", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("seen_timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("preferred_language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("preferred_timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "aad_object_id", name="uq_person_identity"),
    )


def downgrade() -> None:

    op.drop_table("person")
    with op.batch_alter_table("conversation_ref", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_ref_user_aad_object_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_ref_tenant_id"))

    op.drop_table("conversation_ref")
    op.drop_table("bot_state")
