"""People who talk to the bot: identity, what Teams tells about them, and their own preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

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
    learnt = [("name", seen.name), ("seen_locale", seen.locale), ("seen_timezone", seen.timezone)]
    row = upsert(
        session,
        table_of(Person),
        values,
        key=("tenant_id", "aad_object_id"),
        update=["teams_user_id", "updated_at", *(column for column, value in learnt if value)],
        # A name the person corrected in settings stays; Teams' own name no longer overwrites it.
        keep_while=[("name", "name_corrected")] if seen.name else [],
        returning=True,
    )
    assert row is not None
    return Person.model_validate(row._mapping)


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
