"""People whose address an administrator should review: typed rather than reported by Teams, or taken from them.

Revision 0011 moved every self-typed address out of the linking column and marked those people in the audit log;
linking an address Teams reported marks the person who held it before. `projectbot people audit` prints this list with
what each person holds (roles, projects, team places, ...), so an administrator can revoke what was claimed by typing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from storage.audit import AuditLog
from storage.db import Database
from storage.directory import DUPLICATE_EMAIL, RELEASED_EMAIL, UNVERIFIED_EMAIL
from storage.linking import PERSON_REFERENCES
from storage.models import Person

REVIEW_MARKS = (UNVERIFIED_EMAIL, DUPLICATE_EMAIL, RELEASED_EMAIL)


@dataclass(frozen=True)
class PersonToReview:
    person_id: int
    name: str
    verified_email: str | None
    contact_email: str | None
    reasons: tuple[str, ...]  # the audit marks, oldest first
    holdings: tuple[tuple[str, int], ...]  # ("project.coordinator_id", 2), ... only what is held


def people_to_review(db: Database) -> list[PersonToReview]:
    with db.session() as session:
        marks = session.exec(
            select(AuditLog.entity_id, AuditLog.action)
            .where(col(AuditLog.action).in_(REVIEW_MARKS), AuditLog.entity == "person")
            .order_by(col(AuditLog.at), col(AuditLog.id))
        ).all()
        reasons: dict[int, list[str]] = {}
        for person_id, action in marks:
            if person_id is not None and action not in reasons.setdefault(person_id, []):
                reasons[person_id].append(action)
        found = []
        for person_id, why in reasons.items():
            person = session.get(Person, person_id)
            if person is None or person.forgotten_at is not None:
                continue
            holdings = []
            for reference in PERSON_REFERENCES:
                count = session.exec(select(func.count()).where(reference.column == person_id)).one()
                if count:
                    holdings.append((f"{reference.column.class_.__tablename__}.{reference.column.key}", int(count)))
            found.append(
                PersonToReview(
                    person_id=person_id,
                    name=person.name,
                    verified_email=person.email,
                    contact_email=person.contact_email,
                    reasons=tuple(why),
                    holdings=tuple(holdings),
                )
            )
        return found
