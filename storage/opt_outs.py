"""Who asked to stop which kind of proactive message: for themselves, or for a whole conversation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint, and_, delete, or_
from sqlmodel import Field, SQLModel, col, select

from storage.db import Database
from storage.types import UTCDateTime
from storage.upsert import insert_into, table_of


class OutboxOptOut(SQLModel, table=True):
    """Someone asked to stop one kind of proactive message, for themselves or for a whole conversation."""

    __tablename__ = "outbox_opt_out"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "scope", "subject", name="uq_outbox_opt_out"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    kind: str = Field(max_length=64)
    scope: str = Field(max_length=16)  # "person" (subject: aad object id) or "conversation" (subject: conversation id)
    subject: str = Field(max_length=512)
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)


class OptOutRepository:
    """Who asked to stop which kind of proactive message."""

    PERSON = "person"
    CONVERSATION = "conversation"

    def __init__(self, db: Database) -> None:
        self._db = db

    def opt_out(self, *, tenant_id: str, kind: str, scope: str, subject: str, created_by: str, now: datetime) -> None:
        """Idempotent: pressing the button twice (Teams retries invokes) stores one row."""
        if scope not in (self.PERSON, self.CONVERSATION):
            raise ValueError(f"unknown opt-out scope {scope!r}")
        values = {
            "tenant_id": tenant_id,
            "kind": kind,
            "scope": scope,
            "subject": subject,
            "created_by": created_by,
            "created_at": now,
        }
        with self._db.session() as session:
            session.execute(
                insert_into(session, table_of(OutboxOptOut))
                .values(**values)
                .on_conflict_do_nothing(index_elements=["tenant_id", "kind", "scope", "subject"])
            )

    def opt_in(self, *, tenant_id: str, kind: str, scope: str, subject: str) -> bool:
        with self._db.session() as session:
            result = session.execute(
                delete(OutboxOptOut).where(
                    col(OutboxOptOut.tenant_id) == tenant_id,
                    col(OutboxOptOut.kind) == kind,
                    col(OutboxOptOut.scope) == scope,
                    col(OutboxOptOut.subject) == subject,
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def matching(self, *, tenant_ids: set[str], kinds: set[str], subjects: set[str]) -> set[tuple[str, str, str, str]]:
        """The opt-outs (tenant, kind, scope, subject) among these, in one query: for a whole batch at once."""
        if not tenant_ids or not kinds or not subjects:
            return set()
        with self._db.session() as session:
            rows = session.exec(
                select(OutboxOptOut.tenant_id, OutboxOptOut.kind, OutboxOptOut.scope, OutboxOptOut.subject).where(
                    col(OutboxOptOut.tenant_id).in_(sorted(tenant_ids)),
                    col(OutboxOptOut.kind).in_(sorted(kinds)),
                    col(OutboxOptOut.subject).in_(sorted(subjects)),
                )
            ).all()
            return {(tenant, kind, scope, subject) for tenant, kind, scope, subject in rows}

    def is_opted_out(
        self, *, tenant_id: str, kind: str, conversation_id: str | None, person_aad_object_id: str | None
    ) -> bool:
        subjects = []
        if conversation_id:
            subjects.append(
                and_(col(OutboxOptOut.scope) == self.CONVERSATION, col(OutboxOptOut.subject) == conversation_id)
            )
        if person_aad_object_id:
            subjects.append(
                and_(col(OutboxOptOut.scope) == self.PERSON, col(OutboxOptOut.subject) == person_aad_object_id)
            )
        if not subjects:
            return False
        with self._db.session() as session:
            found = session.exec(
                select(OutboxOptOut.id).where(
                    OutboxOptOut.tenant_id == tenant_id, OutboxOptOut.kind == kind, or_(*subjects)
                )
            ).first()
            return found is not None
