"""SQLModel tables of the foundation: conversation references, people, bot state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class ConversationRef(SQLModel, table=True):
    """Where the bot can speak without being asked: one row per Teams conversation it has seen."""

    __tablename__ = "conversation_ref"
    __table_args__ = (UniqueConstraint("channel_id", "conversation_id", name="uq_conversation_ref_conversation"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: str = Field(max_length=64)
    conversation_id: str = Field(max_length=512)
    conversation_type: str = Field(default="personal", max_length=32)
    tenant_id: str = Field(default="", max_length=64, index=True)
    service_url: str = Field(max_length=512)
    team_id: str | None = Field(default=None, max_length=512)
    team_name: str | None = Field(default=None, max_length=256)
    teams_channel_id: str | None = Field(default=None, max_length=512)
    # The person whose personal chat this is (aad object id), so proactive messages can find it.
    user_aad_object_id: str | None = Field(default=None, max_length=64, index=True)
    bot_id: str = Field(max_length=256)
    reference: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    active: bool = Field(default=True)
    inactive_reason: str | None = Field(default=None, max_length=256)
    greeted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_seen: datetime = Field(sa_type=UTCDateTime)
    last_seen: datetime = Field(sa_type=UTCDateTime)


class Person(SQLModel, table=True):
    """Someone who talked to the bot, keyed by their Entra object id within a tenant."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("tenant_id", "aad_object_id", name="uq_person_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    aad_object_id: str = Field(max_length=64)
    teams_user_id: str = Field(default="", max_length=256)
    name: str = Field(default="", max_length=256)
    # Last seen in Teams; the person's own choice (below) wins over these.
    seen_locale: str | None = Field(default=None, max_length=16)
    seen_timezone: str | None = Field(default=None, max_length=64)
    preferred_language: str | None = Field(default=None, max_length=8)
    preferred_timezone: str | None = Field(default=None, max_length=64)
    # The address that links roles, projects, placeholders, handovers and imports to this person: only ever one that
    # Teams (the roster) or Microsoft Graph reported for this Entra object id, stored lower-case, unique. On a
    # placeholder row (see storage.directory) it is the address an import or form named, waiting for its owner.
    email: str | None = Field(default=None, max_length=320, index=True, unique=True)
    # An address the person typed in settings: shown to colleagues, never used to link, grant or match anything.
    contact_email: str | None = Field(default=None, max_length=320)
    # The person corrected their name in settings: the name Teams sends no longer overwrites it.
    name_corrected: bool = Field(default=False)
    # Set when the person's data was erased (GDPR): the row stays as the anonymous key their time entries keep.
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class BotStateItem(SQLModel, table=True):
    """Bot Framework state (dialog/user/conversation state) with an e-tag for optimistic concurrency."""

    __tablename__ = "bot_state"

    key: str = Field(primary_key=True, max_length=512)
    etag: str = Field(max_length=64)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime)
