"""Conversation references: captured from every activity, used for proactive messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
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
        **_refreshed(seen),
        "greeted_at": None,
        "first_seen": now,
        "last_seen": now,
    }
    upsert(
        session,
        table_of(ConversationRef),
        values,
        key=("channel_id", "conversation_id"),
        update=[*_refreshed(seen), "last_seen"],
    )


def _refreshed(seen: ConversationSeen) -> dict[str, Any]:
    """What an activity from the conversation rewrites: all it tells (but a team's name or a person it does not
    tell, which some activities leave out), and that the bot is in it."""
    values = {
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
    }
    if seen.team_name is None:
        del values["team_name"]  # only some activities carry the team's name; keep the one we know
    if seen.user_aad_object_id is None:
        del values["user_aad_object_id"]
    return values


_STORED_CONVERSATION = select(ConversationRef).where(
    col(ConversationRef.channel_id) == bindparam("channel_id"),
    col(ConversationRef.conversation_id) == bindparam("conversation_id"),
)


def conversation_as_recorded(session: Session, seen: ConversationSeen, now: datetime, fresh_for: timedelta) -> bool:
    """True when recording `seen` now would change nothing but a `last_seen` written less than `fresh_for` ago (a
    conversation marked inactive, by any instance, is recorded again: an activity from it proves the bot is back)."""
    stored = session.exec(
        _STORED_CONVERSATION, params={"channel_id": seen.channel_id, "conversation_id": seen.conversation_id}
    ).first()
    if stored is None or now - stored.last_seen >= fresh_for:
        return False
    return all(getattr(stored, column) == value for column, value in _refreshed(seen).items())


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
