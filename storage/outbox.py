"""The outbox: every proactive message as a row, claimed atomically with a lease so it is sent once, on time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    func,
    or_,
    update,
)
from sqlmodel import Field, Session, SQLModel, col, select

from storage.db import Database
from storage.models import ConversationRef
from storage.types import UTCDateTime
from storage.upsert import insert_into, table_of


class OutboxState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    MISSED = "missed"
    CANCELLED = "cancelled"


TERMINAL_STATES = frozenset({OutboxState.SENT, OutboxState.FAILED, OutboxState.MISSED, OutboxState.CANCELLED})


class OutboxMessage(SQLModel, table=True):
    """One message to deliver, with who claimed it and what came of it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("dedup_key", name="uq_outbox_message_dedup_key"),
        Index("ix_outbox_message_state_due_at", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Chosen by the caller, e.g. "reminder:<meeting>:<occurrence>:<lead>": the same key never makes a second row.
    dedup_key: str = Field(max_length=256)
    # What sort of message this is ("meeting.reminder", ...): what people opt out of.
    kind: str = Field(max_length=64, index=True)
    tenant_id: str = Field(default="", max_length=64)
    # Either a stored conversation, or a person whose personal chat is looked up at send time.
    conversation_ref_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("conversation_ref.id", ondelete="SET NULL"), nullable=True)
    )
    target_aad_object_id: str | None = Field(default=None, max_length=64)
    # {"text": ...} | {"card": {...}} | {"builder": name, "args": {...}} (rendered when sent, so it is fresh).
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    due_at: datetime = Field(sa_type=UTCDateTime)
    not_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state: str = Field(default=OutboxState.PENDING.value, max_length=16)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=1024)
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_activity_id: str | None = Field(default=None, max_length=256)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The aad object id of whom to tell when it cannot be delivered (e.g. the meeting's coordinator).
    owner_aad_object_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


@dataclass(frozen=True)
class SentMark:
    """A row the connector accepted: what `mark_sent` records."""

    message_id: int
    activity_id: str | None
    conversation_ref_id: int | None
    at: datetime


@dataclass(frozen=True)
class Target:
    """Where a message goes: a stored conversation, or a person's personal chat (resolved when sent)."""

    tenant_id: str
    conversation_ref_id: int | None = None
    aad_object_id: str | None = None

    def __post_init__(self) -> None:
        if (self.conversation_ref_id is None) == (self.aad_object_id is None):
            raise ValueError("a target is either a conversation reference or a person, not both or neither")


def text_payload(text: str) -> dict[str, Any]:
    return {"text": text}


def card_payload(card: dict[str, Any]) -> dict[str, Any]:
    return {"card": card}


def builder_payload(builder: str, **args: Any) -> dict[str, Any]:
    return {"builder": builder, "args": args}


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Enqueue and cancel ---------------------------------------------------------------------------------

    def enqueue(
        self,
        *,
        dedup_key: str,
        kind: str,
        target: Target,
        payload: dict[str, Any],
        due_at: datetime,
        now: datetime,
        not_after: datetime | None = None,
        owner_aad_object_id: str | None = None,
    ) -> OutboxMessage:
        """Idempotent on dedup_key: a key seen before gives no second row; while that row is still pending its
        due time, deadline and payload follow the latest call (the meeting moved). Returns the row as stored."""
        with self._db.session() as session:
            return enqueue_in(
                session,
                dedup_key=dedup_key,
                kind=kind,
                target=target,
                payload=payload,
                due_at=due_at,
                now=now,
                not_after=not_after,
                owner_aad_object_id=owner_aad_object_id,
            )

    def cancel(self, *, key: str | None = None, prefix: str | None = None, now: datetime) -> int:
        """Cancel pending rows by exact key or key prefix (e.g. every reminder of a meeting). Returns how many.
        Claimed rows are left alone: they may be on the wire already."""
        if (key is None) == (prefix is None):
            raise ValueError("give a key or a prefix")
        if key is not None:
            match = col(OutboxMessage.dedup_key) == key
        else:
            assert prefix is not None
            match = col(OutboxMessage.dedup_key).like(_escape_like(prefix) + "%", escape="\\")
        with self._db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(match, col(OutboxMessage.state) == OutboxState.PENDING.value)
                .values(state=OutboxState.CANCELLED.value, updated_at=now, last_error="cancelled")
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    # Claiming -------------------------------------------------------------------------------------------

    def claim_due(self, now: datetime, owner: str, lease: timedelta, limit: int) -> list[OutboxMessage]:
        """Claim up to `limit` due rows for `owner` until now + lease, oldest due first.

        Claimable: pending and due, or claimed by someone whose lease ran out (that instance died). Claimable
        rows already past their not_after are recorded as missed instead. One statement claims: on PostgreSQL
        the candidates are locked with FOR UPDATE SKIP LOCKED, so concurrent claimers take disjoint rows
        without waiting; on SQLite the single UPDATE re-checks the claimable condition under the database's
        one write lock, and RETURNING tells exactly which rows this call won.
        """
        lease_until = now + lease
        with self._db.session() as session:
            session.execute(
                update(OutboxMessage)
                .where(
                    _claimable(now),
                    col(OutboxMessage.not_after).is_not(None),
                    col(OutboxMessage.not_after) < now,
                )
                .values(
                    state=OutboxState.MISSED.value,
                    lease_owner=None,
                    lease_until=None,
                    updated_at=now,
                    last_error="not sent before its deadline",
                )
            )
            candidates = (
                select(OutboxMessage.id)
                .where(_claimable(now), col(OutboxMessage.due_at) <= now)
                .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True)
                chosen = candidates.cte("chosen")
                statement = (
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id) == chosen.c.id)
                    .values(state=OutboxState.CLAIMED.value, lease_owner=owner, lease_until=lease_until, updated_at=now)
                    .returning(OutboxMessage)
                )
            else:
                statement = (
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_(candidates.scalar_subquery()), _claimable(now))
                    .values(state=OutboxState.CLAIMED.value, lease_owner=owner, lease_until=lease_until, updated_at=now)
                    .returning(OutboxMessage)
                )
            rows = list(session.execute(statement).scalars().all())
            rows.sort(key=lambda row: (row.due_at, row.id or 0))
            return rows

    # Outcomes -------------------------------------------------------------------------------------------

    def mark_sent(
        self, message_id: int, *, activity_id: str | None, conversation_ref_id: int | None, now: datetime
    ) -> None:
        """The connector accepted it: recorded whatever the lease says, because it is the truth."""
        self.mark_sent_many([SentMark(message_id, activity_id, conversation_ref_id, now)])

    def mark_sent_many(self, marks: Sequence[SentMark]) -> None:
        """`mark_sent` for several rows in one short transaction (one commit), in id order.

        In id order so that it takes its row locks (PostgreSQL) in the same order as `extend_claims`: two
        transactions that lock rows in the same order never deadlock.
        """
        if not marks:
            return
        with self._db.session() as session:
            session.connection().execute(MARK_SENT, mark_sent_parameters(marks))

    def extend_claims(self, message_ids: Sequence[int], owner: str, *, until: datetime) -> set[int]:
        """Move the lease of rows this owner still holds to `until`; returns the ids it still holds.

        A row someone else claimed meanwhile (its lease had run out) or that reached an end is left alone and
        not returned: its holder must not send it. The lease need not be unexpired: a row whose lease ran out
        but which nobody claimed is still this owner's, and the claim and this update are serialised by the
        database (a row lock, SQLite's one writer), so only one of them wins.
        """
        if not message_ids:
            return set()
        held = (
            select(OutboxMessage.id)
            .where(
                col(OutboxMessage.id).in_(sorted(set(message_ids))),
                col(OutboxMessage.state) == OutboxState.CLAIMED.value,
                col(OutboxMessage.lease_owner) == owner,
            )
            .order_by(col(OutboxMessage.id))
        )
        if self._db.is_sqlite:
            with self._db.session() as session:
                statement = _extend(held, until)
                return {int(row_id) for row_id in session.execute(statement).scalars().all()}
        # PostgreSQL: one statement in autocommit, so the rows' locks last as long as the statement runs on the
        # server, not until this thread gets round to a COMMIT (a send being recorded would wait for them).
        # Locked in id order, like mark_sent_many.
        with self._db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            rows = connection.execute(_extend(held.with_for_update(), until))
            return {int(row_id) for row_id in rows.scalars().all()}

    def mark_retry(self, message_id: int, owner: str, *, next_due: datetime, error: str, now: datetime) -> bool:
        """Give the row back for a later attempt (only while this owner still holds it)."""
        return self._finish_claim(
            message_id,
            owner,
            now,
            state=OutboxState.PENDING,
            due_at=next_due,
            last_error=error[:1024],
            attempts=OutboxMessage.attempts + 1,
        )

    def mark_failed(self, message_id: int, owner: str, *, error: str, now: datetime) -> bool:
        return self._finish_claim(
            message_id,
            owner,
            now,
            state=OutboxState.FAILED,
            last_error=error[:1024],
            attempts=OutboxMessage.attempts + 1,
        )

    def mark_missed(self, message_id: int, owner: str, *, now: datetime) -> bool:
        return self._finish_claim(
            message_id, owner, now, state=OutboxState.MISSED, last_error="not sent before its deadline"
        )

    def mark_cancelled(self, message_id: int, owner: str, *, reason: str, now: datetime) -> bool:
        return self._finish_claim(message_id, owner, now, state=OutboxState.CANCELLED, last_error=reason[:1024])

    def release(self, message_id: int, owner: str, *, now: datetime) -> bool:
        """Hand an unsent claimed row back at once (e.g. on shutdown) rather than wait for its lease."""
        return self._finish_claim(message_id, owner, now, state=OutboxState.PENDING)

    def release_many(self, message_ids: Sequence[int], owner: str, *, now: datetime) -> int:
        """`release` for every row given that this owner still holds (a clean shutdown hands them all back)."""
        if not message_ids:
            return 0
        with self._db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id).in_(sorted(set(message_ids))),
                    col(OutboxMessage.state) == OutboxState.CLAIMED.value,
                    col(OutboxMessage.lease_owner) == owner,
                )
                .values(state=OutboxState.PENDING.value, lease_owner=None, lease_until=None, updated_at=now)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def _finish_claim(self, message_id: int, owner: str, now: datetime, *, state: OutboxState, **values: Any) -> bool:
        with self._db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == message_id,
                    col(OutboxMessage.state) == OutboxState.CLAIMED.value,
                    col(OutboxMessage.lease_owner) == owner,
                )
                .values(state=state.value, lease_owner=None, lease_until=None, updated_at=now, **values)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    # Reading --------------------------------------------------------------------------------------------

    def get(self, message_id: int) -> OutboxMessage | None:
        with self._db.session() as session:
            return session.get(OutboxMessage, message_id)

    def by_key(self, dedup_key: str) -> OutboxMessage | None:
        with self._db.session() as session:
            return session.exec(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key)).first()

    def list(self, *, states: Sequence[str] | None = None, limit: int = 100) -> list[OutboxMessage]:
        """For the operator: newest due first."""
        query = select(OutboxMessage)
        if states:
            query = query.where(col(OutboxMessage.state).in_(list(states)))
        query = query.order_by(col(OutboxMessage.due_at).desc(), col(OutboxMessage.id).desc()).limit(limit)
        with self._db.session() as session:
            return list(session.exec(query).all())

    def count_by_state(self) -> dict[str, int]:
        with self._db.session() as session:
            rows = session.execute(select(OutboxMessage.state, func.count()).group_by(col(OutboxMessage.state))).all()
            return {str(state): int(count) for state, count in rows}

    def oldest_overdue_seconds(self, now: datetime) -> float:
        """How long the oldest due-but-unsent row has waited (0 when none): the outbox's health in one number."""
        with self._db.session() as session:
            oldest = session.execute(
                select(func.min(OutboxMessage.due_at)).where(_claimable(now), col(OutboxMessage.due_at) <= now)
            ).scalar_one_or_none()
        if oldest is None:
            return 0.0
        oldest = UTCDateTime().process_result_value(oldest, self._db.engine.dialect)
        assert oldest is not None
        return max(0.0, (now - oldest).total_seconds())

    # Operator actions -----------------------------------------------------------------------------------

    def retry(self, message_id: int, now: datetime) -> bool:
        """Send a failed, missed, cancelled (or waiting) row again, now, deadline lifted."""
        with self._db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == message_id,
                    col(OutboxMessage.state).in_(
                        [
                            OutboxState.FAILED.value,
                            OutboxState.MISSED.value,
                            OutboxState.CANCELLED.value,
                            OutboxState.PENDING.value,
                        ]
                    ),
                )
                .values(state=OutboxState.PENDING.value, due_at=now, not_after=None, attempts=0, updated_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def cancel_by_id(self, message_id: int, now: datetime) -> bool:
        with self._db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == message_id,
                    col(OutboxMessage.state).in_(
                        [OutboxState.PENDING.value, OutboxState.FAILED.value, OutboxState.MISSED.value]
                    ),
                )
                .values(state=OutboxState.CANCELLED.value, updated_at=now, last_error="cancelled by operator")
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def purge(self, before: datetime) -> int:
        """Delete rows that reached an end (sent, failed, missed, cancelled) before `before`."""
        with self._db.session() as session:
            result = session.execute(
                delete(OutboxMessage).where(
                    col(OutboxMessage.state).in_([s.value for s in TERMINAL_STATES]),
                    col(OutboxMessage.updated_at) < before,
                )
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    # Targets --------------------------------------------------------------------------------------------

    def resolve_target(self, message: OutboxMessage) -> ConversationRef | None:
        """The conversation to send to now: the stored one, or the person's most recent personal chat."""
        with self._db.session() as session:
            if message.conversation_ref_id is not None:
                return session.get(ConversationRef, message.conversation_ref_id)
            if message.target_aad_object_id is None:
                return None
            return session.exec(
                select(ConversationRef)
                .where(
                    ConversationRef.tenant_id == message.tenant_id,
                    ConversationRef.user_aad_object_id == message.target_aad_object_id,
                    ConversationRef.conversation_type == "personal",
                )
                .order_by(col(ConversationRef.active).desc(), col(ConversationRef.last_seen).desc())
            ).first()

    def resolve_targets(self, messages: Sequence[OutboxMessage]) -> dict[int, ConversationRef | None]:
        """`resolve_target` for a whole claimed batch, in two queries (by id, and by person), keyed by message id."""
        resolved: dict[int, ConversationRef | None] = {}
        ref_ids = {m.conversation_ref_id for m in messages if m.conversation_ref_id is not None}
        targets = {m.target_aad_object_id for m in messages if m.conversation_ref_id is None and m.target_aad_object_id}
        with self._db.session() as session:
            by_id: dict[int, ConversationRef] = {}
            if ref_ids:
                refs = session.exec(select(ConversationRef).where(col(ConversationRef.id).in_(sorted(ref_ids))))
                by_id = {ref.id: ref for ref in refs.all() if ref.id is not None}
            personal: dict[tuple[str, str], ConversationRef] = {}
            if targets:
                # The same order as resolve_target: active first, then the most recently seen; the first one wins.
                candidates = session.exec(
                    select(ConversationRef)
                    .where(
                        col(ConversationRef.user_aad_object_id).in_(sorted(targets)),
                        ConversationRef.conversation_type == "personal",
                    )
                    .order_by(col(ConversationRef.active).desc(), col(ConversationRef.last_seen).desc())
                ).all()
                for ref in candidates:
                    if ref.user_aad_object_id is not None:
                        personal.setdefault((ref.tenant_id or "", ref.user_aad_object_id), ref)
        for message in messages:
            assert message.id is not None
            if message.conversation_ref_id is not None:
                resolved[message.id] = by_id.get(message.conversation_ref_id)
            elif message.target_aad_object_id is None:
                resolved[message.id] = None
            else:
                resolved[message.id] = personal.get((message.tenant_id, message.target_aad_object_id))
        return resolved


def enqueue_in(
    session: Session,
    *,
    dedup_key: str,
    kind: str,
    target: Target,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
    not_after: datetime | None = None,
    owner_aad_object_id: str | None = None,
) -> OutboxMessage:
    """OutboxRepository.enqueue in the caller's transaction, with what else that transaction records (the capacity
    notice's fingerprints): both or neither."""
    if not_after is not None and not_after < due_at:
        raise ValueError("not_after is before due_at")
    values = {
        "dedup_key": dedup_key,
        "kind": kind,
        "tenant_id": target.tenant_id,
        "conversation_ref_id": target.conversation_ref_id,
        "target_aad_object_id": target.aad_object_id,
        "payload": payload,
        "due_at": due_at,
        "not_after": not_after,
        "state": OutboxState.PENDING.value,
        "attempts": 0,
        "owner_aad_object_id": owner_aad_object_id,
        "created_at": now,
        "updated_at": now,
    }
    table = table_of(OutboxMessage)
    refreshed = ("payload", "due_at", "not_after", "owner_aad_object_id", "updated_at")
    statement = insert_into(session, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["dedup_key"],
        set_={column: statement.excluded[column] for column in refreshed},
        where=table.c.state == OutboxState.PENDING.value,
    )
    session.execute(statement)
    return session.exec(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key)).one()


def _extend(held: Any, until: datetime) -> Any:
    return (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(held.scalar_subquery()))
        .values(lease_until=until)
        .returning(col(OutboxMessage.id))
    )


def _mark_sent_statement() -> Any:
    table = table_of(OutboxMessage)
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            state=OutboxState.SENT.value,
            sent_activity_id=bindparam("activity_id"),
            conversation_ref_id=bindparam("ref_id"),
            sent_at=bindparam("at", type_=UTCDateTime()),
            attempts=table.c.attempts + 1,
            lease_owner=None,
            lease_until=None,
            last_error=None,
            updated_at=bindparam("at", type_=UTCDateTime()),
        )
    )


MARK_SENT = _mark_sent_statement()


def mark_sent_parameters(marks: Sequence[SentMark]) -> list[dict[str, Any]]:
    return [
        {"row_id": m.message_id, "activity_id": m.activity_id, "ref_id": m.conversation_ref_id, "at": m.at}
        for m in sorted(marks, key=lambda m: m.message_id)
    ]


def _claimable(now: datetime) -> Any:
    return or_(
        col(OutboxMessage.state) == OutboxState.PENDING.value,
        and_(col(OutboxMessage.state) == OutboxState.CLAIMED.value, col(OutboxMessage.lease_until) < now),
    )
