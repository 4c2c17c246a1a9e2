"""Capacity: each person's availability (hours per week over their working days), the weekly over-booking notices
already sent, and the reads the capacity views need, each one query whatever the number of people."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, delete, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel, col, select

from domain.capacity import Availability, days_to_mask, mask_to_days
from storage.db import Database
from storage.models import Person
from storage.projects import Project, ProjectState, TeamMember
from storage.time_entries import EntryKind, LeaveDay, TimeEntry
from storage.types import UTCDateTime
from storage.upsert import table_of, upsert


class PersonAvailability(SQLModel, table=True):
    """How much a person can work: minutes per week over their working days. No row: unknown (never 'free')."""

    __tablename__ = "person_availability"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    minutes_per_week: int
    working_days: int  # a bit per weekday, 1 << 0 is Monday (domain.capacity.days_to_mask)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class CapacityNotice(SQLModel, table=True):
    """An over-booked week someone was told about, with a fingerprint of what was said: the weekly notice repeats
    a conflict only when it changed."""

    __tablename__ = "capacity_notice"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    week: date = Field(primary_key=True)  # the week's Monday
    fingerprint: str = Field(max_length=64)
    notified_at: datetime = Field(sa_type=UTCDateTime)


@dataclass(frozen=True)
class StaffedProject:
    """An ongoing project as the capacity views list it."""

    id: int
    code: str
    name: str
    domain_id: int
    coordinator_id: int | None


class CapacityRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Availability ---------------------------------------------------------------------------------------------

    def availability(self, person_ids: Collection[int] | None) -> dict[int, Availability]:
        """The known availability of these people (None: of everyone who has one); absent: unknown."""
        statement = select(PersonAvailability)
        if person_ids is not None:
            if not person_ids:
                return {}
            statement = statement.where(col(PersonAvailability.person_id).in_(list(person_ids)))
        with self._db.session() as session:
            return {row.person_id: _availability(row) for row in session.exec(statement).all()}

    def set_availability(
        self, person_id: int, availability: Availability | None, *, now: datetime, by: int | None
    ) -> None:
        """Record (or, with None, forget) a person's availability."""
        with self._db.session() as session:
            set_availability_in(session, person_id, availability, now=now, by=by)

    # Load -----------------------------------------------------------------------------------------------------

    def planned(
        self, person_ids: Collection[int] | None, start: date, end: date
    ) -> dict[int, dict[date, dict[int, int]]]:
        """Planned minutes per person, per week (its Monday), per project id, from start to end inclusive; None:
        everyone. One query, summed per week by the database (a week's rows are a fifth of its days')."""
        week = self._monday_of(col(TimeEntry.day))
        statement = (
            sa_select(col(TimeEntry.person_id), col(TimeEntry.project_id), week, func.sum(TimeEntry.minutes))
            .where(
                col(TimeEntry.kind) == EntryKind.PLANNED.value, col(TimeEntry.day) >= start, col(TimeEntry.day) <= end
            )
            .group_by(col(TimeEntry.person_id), col(TimeEntry.project_id), week)
        )
        if person_ids is not None:
            if not person_ids:
                return {}
            statement = statement.where(col(TimeEntry.person_id).in_(list(person_ids)))
        found: dict[int, dict[date, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
        with self._db.session() as session:
            for person_id, project_id, monday, minutes in session.execute(statement):
                # SQLite's date() gives text, PostgreSQL a date.
                found[person_id][_as_date(monday)][project_id] = int(minutes or 0)
        return {person: dict(weeks) for person, weeks in found.items()}

    def _monday_of(self, day: Any) -> Any:
        """The Monday of a day's ISO week, in SQL: SQLite goes back six days and on to the next Monday."""
        if self._db.is_sqlite:
            return func.date(day, "-6 days", "weekday 1")
        return cast(func.date_trunc("week", day), Date)

    def leave(self, person_ids: Collection[int], start: date, end: date) -> dict[int, set[date]]:
        """Leave days per person from start to end inclusive. One query."""
        if not person_ids:
            return {}
        found: dict[int, set[date]] = defaultdict(set)
        with self._db.session() as session:
            rows = session.execute(
                sa_select(col(LeaveDay.person_id), col(LeaveDay.day)).where(
                    col(LeaveDay.person_id).in_(list(person_ids)), col(LeaveDay.day) >= start, col(LeaveDay.day) <= end
                )
            )
            for person_id, day in rows:
                found[person_id].add(day)
        return dict(found)

    def names(self, person_ids: Collection[int]) -> dict[int, tuple[str, str | None]]:
        """(name, email) of these people, the erased ones left out. One query."""
        if not person_ids:
            return {}
        with self._db.session() as session:
            rows = session.execute(
                sa_select(col(Person.id), col(Person.name), col(Person.email)).where(
                    col(Person.id).in_(list(person_ids)), col(Person.forgotten_at).is_(None)
                )
            )
            return {person_id: (name or email or "", email) for person_id, name, email in rows}

    def open_projects(
        self,
        *,
        everything: bool = False,
        domain_ids: Collection[int] = (),
        coordinator_id: int | None = None,
        manager_id: int | None = None,
    ) -> list[StaffedProject]:
        """The projects that are not closed: all of them, or those in these domains, coordinated by or naming as
        manager this person. One query."""
        statement = sa_select(
            col(Project.id), col(Project.code), col(Project.name), col(Project.domain_id), col(Project.coordinator_id)
        ).where(col(Project.state) != ProjectState.CLOSED.value)
        if not everything:
            which: list[ColumnElement[bool]] = []
            if domain_ids:
                which.append(col(Project.domain_id).in_(list(domain_ids)))
            if coordinator_id is not None:
                which.append(col(Project.coordinator_id) == coordinator_id)
            if manager_id is not None:
                which.append(col(Project.manager_id) == manager_id)
            if not which:
                return []
            statement = statement.where(or_(*which))
        with self._db.session() as session:
            rows = session.execute(statement.order_by(col(Project.code))).all()
            return [StaffedProject(*row) for row in rows]

    def people_on(self, project_ids: Collection[int]) -> set[int]:
        """Everyone on these projects: the team members (internal ones) and the coordinators. Two queries."""
        if not project_ids:
            return set()
        ids = list(project_ids)
        with self._db.session() as session:
            members = session.execute(
                sa_select(col(TeamMember.person_id)).where(
                    col(TeamMember.project_id).in_(ids), col(TeamMember.external).is_(False)
                )
            )
            coordinators = session.execute(
                sa_select(col(Project.coordinator_id)).where(
                    col(Project.id).in_(ids), col(Project.coordinator_id).is_not(None)
                )
            )
            return {person_id for (person_id,) in members} | {person_id for (person_id,) in coordinators}

    # Weekly notices -------------------------------------------------------------------------------------------

    def notices(self, person_ids: Collection[int], weeks: Collection[date]) -> dict[tuple[int, date], str]:
        """The fingerprints of what these people were last told about these weeks."""
        if not person_ids or not weeks:
            return {}
        with self._db.session() as session:
            rows = session.exec(
                select(CapacityNotice).where(
                    col(CapacityNotice.person_id).in_(list(person_ids)), col(CapacityNotice.week).in_(list(weeks))
                )
            ).all()
            return {(row.person_id, row.week): row.fingerprint for row in rows}

    def record_notice_in(self, session: Session, person_id: int, week: date, fingerprint: str, now: datetime) -> None:
        """Remember what was said about this person's week, in the caller's transaction (the one that queues it)."""
        upsert(
            session,
            table_of(CapacityNotice),
            {"person_id": person_id, "week": week, "fingerprint": fingerprint, "notified_at": now},
            key=("person_id", "week"),
            update=("fingerprint", "notified_at"),
        )

    def forget_notices_in(self, session: Session, person_id: int, keep: Collection[date]) -> None:
        """Forget what this person was told about any week but these (past weeks, weeks no longer over-booked): a
        conflict that comes back is new again."""
        statement = delete(CapacityNotice).where(col(CapacityNotice.person_id) == person_id)
        if keep:
            statement = statement.where(col(CapacityNotice.week).not_in(list(keep)))
        session.execute(statement)

    def people(self, person_ids: Collection[int]) -> dict[int, Person]:
        """These people's rows (who they are in Teams, their zone), the erased ones left out. One query."""
        if not person_ids:
            return {}
        with self._db.session() as session:
            rows = session.exec(
                select(Person).where(col(Person.id).in_(list(person_ids)), col(Person.forgotten_at).is_(None))
            ).all()
            return {row.id: row for row in rows if row.id is not None}

    def projects(self, project_ids: Collection[int]) -> dict[int, StaffedProject]:
        """These projects, closed or not (a plan may still name a closed one). One query."""
        if not project_ids:
            return {}
        statement = sa_select(
            col(Project.id), col(Project.code), col(Project.name), col(Project.domain_id), col(Project.coordinator_id)
        ).where(col(Project.id).in_(list(project_ids)))
        with self._db.session() as session:
            return {row[0]: StaffedProject(*row) for row in session.execute(statement).all()}


def set_availability_in(
    session: Session, person_id: int, availability: Availability | None, *, now: datetime, by: int | None
) -> None:
    """The write behind set_availability, in the caller's transaction (the people import writes many in one)."""
    if availability is None:
        row = session.get(PersonAvailability, person_id)
        if row is not None:
            session.delete(row)
        return
    upsert(
        session,
        table_of(PersonAvailability),
        {
            "person_id": person_id,
            "minutes_per_week": availability.minutes_per_week,
            "working_days": days_to_mask(availability.working_days),
            "updated_at": now,
            "updated_by": by,
        },
        key=("person_id",),
        update=("minutes_per_week", "working_days", "updated_at", "updated_by"),
    )


def _availability(row: PersonAvailability) -> Availability:
    return Availability(row.minutes_per_week, mask_to_days(row.working_days))


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
