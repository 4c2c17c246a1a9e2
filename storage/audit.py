"""The audit log: who changed what and when (field names only, never values or message texts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from storage.types import UTCDateTime


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    # The person who acted (None: the operator on the command line). Erasing a person keeps the row but this
    # points at their anonymous key, so the log still shows that something changed, not who.
    actor_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    action: str = Field(max_length=64)  # project.create, project.update, role.grant, ...
    entity: str = Field(max_length=32)  # project, person
    entity_id: int | None = None
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The card submission that caused it, so the same card submitted twice is recognised and recorded once.
    request_id: str | None = Field(default=None, max_length=64, index=True)


def record_audit(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    fields: Sequence[str],
    now: datetime,
    request_id: str | None = None,
) -> None:
    session.add(
        AuditLog(
            at=now,
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            fields=list(fields),
            request_id=request_id,
        )
    )


def audit_by_request(session: Session, request_id: str, action: str) -> AuditLog | None:
    return session.exec(select(AuditLog).where(AuditLog.request_id == request_id, AuditLog.action == action)).first()


def audit_rows(session: Session, **where: Any) -> list[AuditLog]:
    statement = select(AuditLog).order_by(col(AuditLog.id))
    for name, value in where.items():
        statement = statement.where(getattr(AuditLog, name) == value)
    return list(session.exec(statement))
