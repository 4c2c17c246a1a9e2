"""Conversation references: captured from every activity, used for proactive messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import ConversationRef
from storage.upsert import table_of, upsert


@dataclass(frozen=True)
class ConversationSeen:
    """What one incoming activity tells about its conversation."""

    channel_id: str
    conversation_id: str
    conversation_type: str
    tenant_id: str
    service_url: str
    bot_id: str
    reference: dict[str, Any]
    team_id: str | None = None
    team_name: str | None = None
    teams_channel_id: str | None = None
    user_aad_object_id: str | None = None


def record_conversation_in(session: Session, seen: ConversationSeen, now: datetime) -> None:
    """ConversationRepository.record inside the caller's transaction."""
    values = {
        "channel_id": seen.channel_id,
        "conversation_id": seen.conversation_id,
        "conversation_type": seen.conversation_type,
        "tenant_id": seen.tenant_id,
        "service_url": seen.service_url,
        "bot_id": seen.bot_id,
        "reference": seen.reference,
        "team_id": seen.team_id,
        "team_name": seen.team_name,
        "teams_channel_id": seen.teams_channel_id,
        "user_aad_object_id": seen.user_aad_object_id,
        "active": True,
        "inactive_reason": None,
        "greeted_at": None,
        "first_seen": now,
        "last_seen": now,
    }
    kept = {"first_seen", "channel_id", "conversation_id", "greeted_at"}
    if seen.team_name is None:
        kept.add("team_name")  # only some activities carry the team's name; keep the one we know
    if seen.user_aad_object_id is None:
        kept.add("user_aad_object_id")
    upsert(
        session,
        table_of(ConversationRef),
        values,
        key=("channel_id", "conversation_id"),
        update=[column for column in values if column not in kept],
    )


class ConversationRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, seen: ConversationSeen, now: datetime) -> None:
        """Insert or refresh the reference; an activity from a conversation proves the bot is in it."""
        with self._db.session() as session:
            record_conversation_in(session, seen, now)

    def get(self, channel_id: str, conversation_id: str) -> ConversationRef | None:
        with self._db.session() as session:
            return session.exec(
                select(ConversationRef).where(
                    ConversationRef.channel_id == channel_id,
                    ConversationRef.conversation_id == conversation_id,
                )
            ).first()

    def personal_chat_of(self, tenant_id: str, aad_object_id: str) -> ConversationRef | None:
        with self._db.session() as session:
            return session.exec(
                select(ConversationRef)
                .where(
                    ConversationRef.tenant_id == tenant_id,
                    ConversationRef.user_aad_object_id == aad_object_id,
                    ConversationRef.conversation_type == "personal",
                )
                .order_by(col(ConversationRef.last_seen).desc())
            ).first()

    def mark_inactive(self, channel_id: str, conversation_id: str, reason: str) -> bool:
        """The bot was removed or blocked: stop sending there until it is back. True if a row changed."""
        with self._db.session() as session:
            result = session.execute(
                update(ConversationRef)
                .where(
                    col(ConversationRef.channel_id) == channel_id,
                    col(ConversationRef.conversation_id) == conversation_id,
                    col(ConversationRef.active).is_(True),
                )
                .values(active=False, inactive_reason=reason[:256], greeted_at=None)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def claim_greeting(self, channel_id: str, conversation_id: str, now: datetime) -> bool:
        """True exactly once per installation, even when Teams sends two install activities at once."""
        with self._db.session() as session:
            result = session.execute(
                update(ConversationRef)
                .where(
                    col(ConversationRef.channel_id) == channel_id,
                    col(ConversationRef.conversation_id) == conversation_id,
                    col(ConversationRef.greeted_at).is_(None),
                )
                .values(greeted_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
