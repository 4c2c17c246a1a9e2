"""The first administrator: the first person to talk to a local database without any (dev mode and the terminal chat
only; the transport decides when to ask), and the addresses an operator names in PROJECTBOT_ADMINS.

Both grant through person_role like `projectbot admin grant`; a configured address nobody holds yet gets the same
placeholder person as a pending grant, which Teams' report of the address hands over (storage.linking.link_email)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, insert, literal, select, text

from storage.audit import record_audit
from storage.db import Database
from storage.directory import PersonRole, Role, grant_in, is_placeholder, person_for_email
from storage.types import UTCDateTime
from storage.upsert import table_of

# Any fixed number: the PostgreSQL advisory lock that lets two first messages at once make only one admin.
_PG_FIRST_ADMIN_LOCK = 0x70726F6A_61646D  # "projadm"
FIRST_RUN_ACTION = "role.grant.first_run"
CONFIGURED_ACTION = "role.grant.configured"


def claim_first_admin(db: Database, person_id: int, now: datetime) -> bool:
    """Make this person admin when nobody at all is (a pending grant counts as someone); True when they became it.

    One conditional INSERT ... SELECT ... WHERE NOT EXISTS in one transaction, never read-then-write: SQLite runs
    the statement under its single write lock, and on PostgreSQL a transaction-scoped advisory lock makes a second
    claimer wait until the first has committed, so its NOT EXISTS sees the first admin."""
    with db.session() as session:
        if not db.is_sqlite:
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_FIRST_ADMIN_LOCK})
        nobody_is_admin = ~exists().where(table_of(PersonRole).c.role == Role.ADMIN.value)
        candidate = select(literal(person_id), literal(Role.ADMIN.value), literal(now, type_=UTCDateTime())).where(
            nobody_is_admin
        )
        roles = table_of(PersonRole)
        statement = insert(roles).from_select(["person_id", "role", "granted_at"], candidate).returning(roles.c.id)
        if session.execute(statement).first() is None:  # (rowcount is -1 for this on psycopg)
            return False
        record_audit(
            session, actor_id=None, action=FIRST_RUN_ACTION, entity="person", entity_id=person_id,
            fields=[Role.ADMIN.value], now=now,
        )  # fmt: skip
        return True


@dataclass(frozen=True)
class ConfiguredAdmins:
    """What applying PROJECTBOT_ADMINS did, for the start-up log (counts only: addresses stay out of logs)."""

    granted: int = 0  # newly admin (a person or a pending placeholder)
    already: int = 0  # were admin already
    pending: int = 0  # of all named, those Teams has not reported yet (placeholders)


def apply_configured_admins(db: Database, emails: Iterable[str], now: datetime) -> ConfiguredAdmins:
    """Every address becomes admin: the person Teams reported it for, or a placeholder that waits for that report
    (exactly a pending `projectbot admin grant`). Idempotent, and safe when several instances start together."""
    granted = already = pending = 0
    with db.session() as session:
        for email in dict.fromkeys(e.strip().lower() for e in emails if e.strip()):
            person = person_for_email(session, email, now=now)
            assert person.id is not None
            if grant_in(session, person.id, Role.ADMIN, actor_id=None, now=now, action=CONFIGURED_ACTION):
                granted += 1
            else:
                already += 1
            pending += is_placeholder(person)
    return ConfiguredAdmins(granted=granted, already=already, pending=pending)
