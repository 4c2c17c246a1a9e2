"""The people import's unit of work (`projectbot import people`): the rows a file gave, already read and found sound
(bot/cli_people.py), each person found by e-mail — or made the way the project import makes the people it names, a
placeholder until Teams reports the address — with their availability, in one transaction; a dry run does the same
work and rolls it back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from domain.capacity import Availability
from storage.audit import record_audit
from storage.availability import change_availability_in, stored_availability_in
from storage.db import Database
from storage.directory import NAME_MAX, normalise_email, person_for_email
from storage.models import Person
from storage.project_import import unit_of_work


@dataclass(frozen=True)
class PersonRow:
    """A row read and found sound."""

    email: str
    name: str  # "" when the file gives none
    availability: Availability


@dataclass(frozen=True)
class PersonImported:
    outcome: Literal["created", "updated", "unchanged"]
    changed: tuple[str, ...] = ()  # the columns that changed something


def import_people_rows(
    db: Database, rows: Sequence[PersonRow | None], *, now: datetime, dry_run: bool = False
) -> list[PersonImported | None]:
    """All rows in one transaction (None: a row with nothing to write, blank or refused); what each did, in order."""
    with unit_of_work(db, dry_run=dry_run) as session:
        return [_import_person(session, row, now) if row is not None else None for row in rows]


def _import_person(session: Session, row: PersonRow, now: datetime) -> PersonImported:
    address = normalise_email(row.email)
    known = session.exec(select(Person.id).where(Person.email == address, col(Person.forgotten_at).is_(None))).first()
    person = person_for_email(session, address, now=now)
    assert person.id is not None
    changed: list[str] = []
    # The name fills in only a name nobody gave yet (a placeholder's): Teams and the person own it afterwards.
    if row.name and not person.name:
        person.name, person.updated_at = row.name[:NAME_MAX], now
        session.add(person)
        record_audit(
            session, actor_id=None, action="person.import", entity="person", entity_id=person.id, fields=["name"],
            now=now,
        )  # fmt: skip
        changed.append("name")
    before = stored_availability_in(session, person.id)
    if change_availability_in(session, person.id, row.availability, now=now, by=None):
        if before is None or before.minutes_per_week != row.availability.minutes_per_week:
            changed.append("hours_per_week")
        if before is None or before.working_days != row.availability.working_days:
            changed.append("working_days")
    if known is None:
        return PersonImported("created")
    return PersonImported("updated", tuple(changed)) if changed else PersonImported("unchanged")
