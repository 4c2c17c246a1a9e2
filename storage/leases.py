"""Named leases: a role (e.g. dispatching the outbox) held by one instance at a time, with an expiry it renews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, or_, update
from sqlmodel import Field, SQLModel, col, select

from storage.db import Database
from storage.types import UTCDateTime
from storage.upsert import insert_into, table_of


class Lease(SQLModel, table=True):
    """Who holds a role until when. `epoch` goes up each time the role changes hands (a fencing number)."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=64)
    holder: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    epoch: int = Field(default=0)
    acquired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    renewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(frozen=True)
class HeldLease:
    name: str
    holder: str
    lease_until: datetime
    epoch: int
    acquired_at: datetime


class LeaseRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def acquire(self, name: str, holder: str, now: datetime, duration: timedelta) -> HeldLease | None:
        """Take the lease, or renew it, until now + duration; None when someone else holds it unexpired.

        One statement (INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING): the first call makes the row; later
        calls update it only when it is free, expired or already this holder's. PostgreSQL locks the row and
        evaluates the WHERE on its latest version, SQLite has one writer: two instances never both get it.
        """
        table = table_of(Lease)
        until = now + duration
        stamp = bindparam("now", now, type_=UTCDateTime())
        same_holder = table.c.holder == holder
        with self._db.session() as session:
            values = insert_into(session, table).values(
                name=name, holder=holder, lease_until=until, epoch=1, acquired_at=now, renewed_at=now
            )
            statement = values.on_conflict_do_update(
                index_elements=["name"],
                set_={
                    "holder": holder,
                    "lease_until": until,
                    "renewed_at": now,
                    "epoch": case((same_holder, table.c.epoch), else_=table.c.epoch + 1),
                    "acquired_at": case((same_holder, table.c.acquired_at), else_=stamp),
                },
                where=or_(same_holder, table.c.holder.is_(None), table.c.lease_until < now),
            ).returning(table.c.lease_until, table.c.epoch, table.c.acquired_at)
            row = session.execute(statement).first()
        if row is None:
            return None
        lease_until, epoch, acquired_at = row
        return HeldLease(name, holder, lease_until, int(epoch), acquired_at)

    def release(self, name: str, holder: str, now: datetime) -> bool:
        """Give the lease up at once (a clean shutdown), so another instance need not wait for it to expire."""
        with self._db.session() as session:
            result = session.execute(
                update(Lease)
                .where(col(Lease.name) == name, col(Lease.holder) == holder)
                .values(holder=None, lease_until=None, renewed_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def get(self, name: str) -> Lease | None:
        with self._db.session() as session:
            return session.exec(select(Lease).where(Lease.name == name)).first()
