"""Linking an address to a person: the address Teams (or Graph) reported becomes theirs, placeholders made for it
(people named by e-mail before they talked to the bot) hand over what they hold, and a real person who held it
before no longer does. With the one list of columns that hold a person id (PERSON_REFERENCES), which the
administrator's review counts too (storage.identity_review); a new table with a person column adds it here (its
export and erasure are in storage.privacy).

Left out of the list on purpose: TimeNudge and DigestPreference (only someone who talked to the bot has one, never a
placeholder being linked) and the audit log's actor (link_email moves it itself). Above every table module (it
names their columns), so none of them imports it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, tuple_, update
from sqlmodel import Session, col, select

from storage.audit import AuditLog, record_audit
from storage.db import Database
from storage.decisions import ProjectDecision, Retrospective
from storage.directory import EMAIL_MAX, PENDING_PREFIX, RELEASED_EMAIL, ManagerDomain, PersonRole, normalise_email
from storage.files import StoredFile
from storage.handover import Handover, HandoverItem, HandoverStakeholder
from storage.meeting_records import ActionItem, AgendaItem, MeetingReport, Rsvp
from storage.meetings import MeetingSeries
from storage.milestones_risks import Risk
from storage.models import Person
from storage.projects import Project, TeamMember
from storage.status import StatusReport
from storage.time_entries import LeaveDay, TimeEntry


@dataclass(frozen=True)
class PersonReference:
    """A column holding a person id; `unique_with` names the columns that, with it, must stay unique."""

    column: Any  # an InstrumentedAttribute of a table model
    unique_with: tuple[Any, ...] = ()

    def move(self, session: Session, from_id: int, to_id: int) -> None:
        """Point rows from one person at another (linking a placeholder); rows that would clash are dropped."""
        table = self.column.class_
        if self.unique_with:
            taken = select(*self.unique_with).where(self.column == to_id)
            clash = tuple(self.unique_with)
            session.execute(
                delete(table)
                .where(self.column == from_id, tuple_(*clash).in_(taken))
                .execution_options(synchronize_session=False)
            )
        session.execute(
            update(table)
            .where(self.column == from_id)
            .values({self.column.key: to_id})
            .execution_options(synchronize_session=False)
        )


PERSON_REFERENCES: tuple[PersonReference, ...] = (
    # Projects, roles, files
    PersonReference(col(Project.coordinator_id)),
    PersonReference(col(Project.manager_id)),
    PersonReference(col(TeamMember.person_id), (col(TeamMember.project_id),)),
    PersonReference(col(PersonRole.person_id), (col(PersonRole.role),)),
    PersonReference(col(ManagerDomain.person_id), (col(ManagerDomain.domain_id),)),
    PersonReference(col(StoredFile.owner_id)),
    # Time registration
    PersonReference(col(TimeEntry.person_id)),
    PersonReference(col(LeaveDay.person_id), (col(LeaveDay.day),)),
    # Project status
    PersonReference(col(StatusReport.author_id)),
    PersonReference(col(Risk.owner_id)),
    PersonReference(col(ProjectDecision.recorded_by_id)),
    PersonReference(col(Retrospective.author_id)),
    # Meetings
    PersonReference(col(MeetingSeries.coordinator_id)),
    PersonReference(col(AgendaItem.added_by_id)),
    PersonReference(col(Rsvp.person_id), (col(Rsvp.series_id), col(Rsvp.occurrence_key))),
    PersonReference(col(MeetingReport.recorded_by_id)),
    PersonReference(col(ActionItem.owner_id)),
    # Handover
    PersonReference(col(Handover.receiver_person_id)),
    PersonReference(col(Handover.support_person_id)),
    PersonReference(col(HandoverStakeholder.person_id), (col(HandoverStakeholder.handover_id),)),
    PersonReference(col(HandoverItem.owner_id)),
)


class LinkRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def link_email(self, person_id: int, email: str, *, now: datetime) -> Person:
        """Record the email Teams gave for a person and take over any placeholder rows made for it."""
        with self._db.session() as session:
            return link_email(session, person_id, email, now=now)


def link_email(session: Session, person_id: int, email: str, *, now: datetime) -> Person:
    """Record the address Teams (or Graph) reported for this person: the only way an address becomes theirs.

    Placeholders waiting for it hand over what they hold (roles, projects, handovers, ...) and go. Another real person
    who held the address no longer does (the address was reassigned in the organisation): it is released from them,
    audited, and their roles stay with their own row for an administrator to review (`projectbot people audit`)."""
    address = normalise_email(email)[:EMAIL_MAX]
    person = session.get_one(Person, person_id)
    if person.email == address:
        return person
    holders = session.exec(select(Person).where(Person.email == address, col(Person.id) != person_id)).all()
    for holder in holders:
        assert holder.id is not None
        if holder.aad_object_id.startswith(PENDING_PREFIX):
            for reference in PERSON_REFERENCES:
                reference.move(session, holder.id, person_id)
            session.execute(update(AuditLog).where(col(AuditLog.actor_id) == holder.id).values(actor_id=person_id))
            session.delete(holder)
        else:
            holder.email = None
            holder.updated_at = now
            session.add(holder)
            record_audit(
                session, actor_id=None, action=RELEASED_EMAIL, entity="person", entity_id=holder.id,
                fields=["email"], now=now,
            )  # fmt: skip
    session.flush()  # the address is free before it is given: Person.email is unique
    person.email = address
    person.updated_at = now
    session.add(person)
    session.flush()
    return person
