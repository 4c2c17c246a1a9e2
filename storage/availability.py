"""Changing a person's availability, audited (settings, the roles card, the people import): the change is written
and recorded only when it changes something, so the same card or file again records nothing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from domain.capacity import Availability, mask_to_days
from storage.audit import record_audit
from storage.capacity import PersonAvailability, set_availability_in
from storage.db import Database

AVAILABILITY_CHANGED = "person.availability"
AVAILABILITY_FIELDS = ("minutes_per_week", "working_days")


def change_availability_in(
    session: Session,
    person_id: int,
    availability: Availability | None,
    *,
    now: datetime,
    by: int | None,
    action: str = AVAILABILITY_CHANGED,
) -> bool:
    """Record (None: forget) a person's availability in the caller's transaction; False when it was so already."""
    if stored_availability_in(session, person_id) == availability:
        return False
    set_availability_in(session, person_id, availability, now=now, by=by)
    record_audit(
        session, actor_id=by, action=action, entity="person", entity_id=person_id, fields=list(AVAILABILITY_FIELDS),
        now=now,
    )  # fmt: skip
    return True


def change_availability(
    db: Database, person_id: int, availability: Availability | None, *, now: datetime, by: int | None
) -> bool:
    with db.session() as session:
        return change_availability_in(session, person_id, availability, now=now, by=by)


def stored_availability_in(session: Session, person_id: int) -> Availability | None:
    row = session.get(PersonAvailability, person_id)
    return None if row is None else Availability(row.minutes_per_week, mask_to_days(row.working_days))
