"""People who talk to the bot: identity, what Teams tells about them, and their own preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from domain.people import PersonFacts
from storage.db import Database
from storage.models import Person
from storage.upsert import table_of, upsert


@dataclass(frozen=True)
class PersonSeen:
    tenant_id: str
    aad_object_id: str
    teams_user_id: str
    name: str | None
    locale: str | None
    timezone: str | None


def person_facts(person: Person) -> PersonFacts:
    """The row as a plain value for a turn (dialogs.kernel.turn.Request.person)."""
    return PersonFacts(
        id=person.id,
        tenant_id=person.tenant_id,
        aad_object_id=person.aad_object_id,
        name=person.name,
        preferred_timezone=person.preferred_timezone,
        seen_timezone=person.seen_timezone,
        preferred_language=person.preferred_language,
    )


def record_seen_in(session: Session, seen: PersonSeen, now: datetime) -> Person:
    """record_seen inside the caller's transaction (a turn records its conversation and person in one)."""
    values = {
        "tenant_id": seen.tenant_id,
        "aad_object_id": seen.aad_object_id,
        "teams_user_id": seen.teams_user_id,
        "name": seen.name or "",
        "seen_locale": seen.locale,
        "seen_timezone": seen.timezone,
        "name_corrected": False,
        "created_at": now,
        "updated_at": now,
    }
    row = upsert(
        session,
        table_of(Person),
        values,
        key=("tenant_id", "aad_object_id"),
        update=["teams_user_id", "updated_at", *_learnt(seen)],
        # A name the person corrected in settings stays; Teams' own name no longer overwrites it.
        keep_while=[("name", "name_corrected")] if seen.name else [],
        returning=True,
    )
    assert row is not None
    return Person.model_validate(row._mapping)


def _learnt(seen: PersonSeen) -> dict[str, str]:
    """What this activity tells that is kept: the values Teams left out are not forgotten."""
    learnt = {"name": seen.name, "seen_locale": seen.locale, "seen_timezone": seen.timezone}
    return {column: value for column, value in learnt.items() if value}


_STORED_PERSON = select(Person).where(
    col(Person.tenant_id) == bindparam("tenant_id"), col(Person.aad_object_id) == bindparam("aad_object_id")
)


def person_as_recorded(session: Session, seen: PersonSeen, now: datetime, fresh_for: timedelta) -> Person | None:
    """The stored person when recording `seen` now would change nothing but a time stamp written less than
    `fresh_for` ago; None when it must be recorded (record_seen_in)."""
    stored = session.exec(
        _STORED_PERSON, params={"tenant_id": seen.tenant_id, "aad_object_id": seen.aad_object_id}
    ).first()
    if stored is None or now - stored.updated_at >= fresh_for or stored.teams_user_id != seen.teams_user_id:
        return None
    for column, value in _learnt(seen).items():
        if getattr(stored, column) != value and not (column == "name" and stored.name_corrected):
            return None
    return stored


class PersonRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record_seen(self, seen: PersonSeen, now: datetime) -> Person:
        """Create the person or refresh what Teams just told us; values Teams left out are kept."""
        with self._db.session() as session:
            return record_seen_in(session, seen, now)

    def get(self, tenant_id: str, aad_object_id: str) -> Person | None:
        with self._db.session() as session:
            return session.exec(
                select(Person).where(Person.tenant_id == tenant_id, Person.aad_object_id == aad_object_id)
            ).first()

    def set_preferences(self, person_id: int, *, language: str | None, timezone: str | None, now: datetime) -> Person:
        """Store the person's own choice; None means 'follow Teams'."""
        with self._db.session() as session:
            person = session.get_one(Person, person_id)
            person.preferred_language = language
            person.preferred_timezone = timezone
            person.updated_at = now
            session.add(person)
            session.flush()
            return person
