"""Time registration: entries (performed and planned), budget-alert state, nudge settings, leave days; repository."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, bindparam, delete, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from domain.time import EntryFacts, WeekCell
from storage.db import Database
from storage.models import Person
from storage.projects import Project
from storage.types import UTCDateTime


class EntryKind(StrEnum):
    PERFORMED = "performed"
    PLANNED = "planned"


class Category(StrEnum):
    ANALYSIS = "analysis"
    MEETING = "meeting"
    COORDINATION = "coordination"
    IMPLEMENTATION = "implementation"
    DOCUMENTATION = "documentation"
    TRAVEL = "travel"
    TRAINING = "training"
    OTHER = "other"


class TimeEntry(SQLModel, table=True):
    """Time one person spent (or plans to spend) on one project on one local calendar day."""

    __tablename__ = "time_entry"
    __table_args__ = (
        UniqueConstraint("request_key", name="uq_time_entry_request_key"),
        # Timesheets (a person's week) and the per-day 24 h check.
        Index("ix_time_entry_person_day", "person_id", "day", "kind"),
        # Budget burn and project totals; minutes included so the sums are read from the index alone.
        Index("ix_time_entry_project_kind_day", "project_id", "kind", "day", "minutes"),
        # A project's hours per person (the `budget` card), summed from the index alone in its order.
        Index("ix_time_entry_project_person", "project_id", "person_id", "kind", "minutes"),
        # Everyone's planned load over a span of weeks (storage/capacity.py), read from the index alone.
        Index("ix_time_entry_kind_day_person", "kind", "day", "person_id", "project_id", "minutes"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The person row is never deleted: erasure turns it into an anonymous key, so project totals stay.
    person_id: int = Field(foreign_key="person.id")
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    day: date  # the person's local calendar day
    minutes: int
    kind: str = Field(default=EntryKind.PERFORMED.value, max_length=16)
    category: str = Field(default=Category.OTHER.value, max_length=32)
    note: str = Field(default="", max_length=500)
    # The submission that created it (card form id, or the message's activity id): the same one twice records once.
    request_key: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class TimeBudgetAlert(SQLModel, table=True):
    """Whether a project's spent hours currently run ahead of its elapsed time, so each crossing warns once."""

    __tablename__ = "time_budget_alert"

    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    ahead: bool = False
    crossings: int = 0
    changed_at: datetime = Field(sa_type=UTCDateTime)


class TimeNudge(SQLModel, table=True):
    """A person's opt-in reminder to log time: at what local time, and below how many minutes logged that day."""

    __tablename__ = "time_nudge"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    enabled: bool = False
    at_time: time = Field(default=time(16, 30))
    # 0: the person's usual day (the median of recent working days, dialogs.kernel.workdays), not a fixed number.
    min_minutes: int = 0
    updated_at: datetime = Field(sa_type=UTCDateTime)


class LeaveDay(SQLModel, table=True):
    """A day someone marked as leave: no nudge that day."""

    __tablename__ = "leave_day"
    __table_args__ = (UniqueConstraint("person_id", "day", name="uq_leave_day"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    day: date


# Plain values handed to dialogs and cards -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    day: date
    person: str
    project_code: str
    project_name: str
    kind: str
    category: str
    minutes: int
    note: str


@dataclass(frozen=True)
class NudgeSetting:
    person_id: int
    enabled: bool
    at_time: time
    min_minutes: int


# A project's performed minutes -> does its spending run ahead of its elapsed time? (the rule: dialogs.kernel.burn)
AheadRule = Callable[[int], bool]


@dataclass(frozen=True)
class BurnCheck:
    spent_minutes: int  # the project's performed minutes, this write included
    crossing: int | None  # the number of this crossing when the project just started to run ahead


@dataclass(frozen=True)
class Stored:
    """What a write did: entry None when it was refused because the day would go past the limit."""

    entry: EntryFacts | None
    created: bool  # False: refused, or the same request stored it before (entry is that one)
    day_minutes: int  # the person's minutes of this kind that day (the entry included when stored)
    burn: BurnCheck | None = None  # when asked for and a performed entry was created


@dataclass(frozen=True)
class StoredPlan:
    """What a week's plan did: its entries (the ones stored before when the same request came again), or the first
    day that would go past the limit with the minutes already there (then nothing was stored)."""

    entries: tuple[EntryFacts, ...]
    created: bool
    full_day: tuple[date, int] | None = None


class TimeEntryRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Writing --------------------------------------------------------------------------------------------------

    def add(
        self,
        *,
        person_id: int,
        project_id: int,
        day: date,
        minutes: int,
        kind: str,
        category: str,
        note: str,
        request_key: str | None,
        now: datetime,
        max_day_minutes: int | None = None,
        ahead: AheadRule | None = None,
    ) -> Stored:
        """One write transaction: the same request_key twice gives the first entry (created False; the unique
        constraint decides, so the usual first submission costs no extra query); with
        max_day_minutes an entry that would take the person's day (of this kind) past it is not stored (entry None);
        with `ahead`, a performed entry also updates the project's budget-alert state (see check_burn)."""
        try:
            with self._db.session() as session:
                entry = TimeEntry(
                    person_id=person_id,
                    project_id=project_id,
                    day=day,
                    minutes=minutes,
                    kind=kind,
                    category=category,
                    note=note[:500],
                    request_key=request_key,
                    created_at=now,
                    updated_at=now,
                )
                written, total = self._write_within_day(session, entry, max_day_minutes)
                if not written:
                    return Stored(None, False, total)
                burn = _check_burn(session, project_id, ahead, now) if ahead and kind == EntryKind.PERFORMED else None
                return Stored(_view(session, entry), True, total, burn)
        except IntegrityError:
            # The same submission again (double click, Teams retry): the request_key's unique constraint refused
            # it, whether the first one was stored long ago or is being stored at this very moment.
            if request_key and (done := self.by_request_key(request_key)) is not None:
                return Stored(done, False, self.day_minutes(done.person_id, done.day, done.kind))
            raise

    def update(
        self,
        entry_id: int,
        person_id: int,
        *,
        project_id: int,
        day: date,
        minutes: int,
        kind: str,
        category: str,
        note: str,
        now: datetime,
        max_day_minutes: int | None = None,
    ) -> Stored | None:
        """None when the entry is gone (or not this person's); entry None when the day would go past the limit."""
        with self._db.session() as session:
            entry = session.get(TimeEntry, entry_id)
            if entry is None or entry.person_id != person_id:
                return None
            entry.project_id, entry.day, entry.minutes = project_id, day, minutes
            entry.kind, entry.category, entry.note = kind, category, note[:500]
            entry.updated_at = now
            written, total = self._write_within_day(session, entry, max_day_minutes)
            if not written:
                return Stored(None, False, total)
            return Stored(_view(session, entry), True, total)

    def _write_within_day(self, session: Session, entry: TimeEntry, max_day_minutes: int | None) -> tuple[bool, int]:
        """Write the entry, then read the person's day with it included, in the same transaction: the one place of
        the day limit. (written, the person's minutes of that kind that day: with the entry when written, without
        it when not; then the transaction is rolled back). Race-free: on PostgreSQL the person's row is locked
        first, so two writes for one person run one after the other; SQLite takes its write lock at the
        INSERT/UPDATE, before the sum is read."""
        if max_day_minutes is not None and not self._db.is_sqlite:
            session.execute(sa_select(col(Person.id)).where(col(Person.id) == entry.person_id).with_for_update())
        session.add(entry)
        session.flush()
        person_id, day, kind, minutes = entry.person_id, entry.day, entry.kind, entry.minutes
        total = _day_minutes(session, person_id, day, kind)
        if max_day_minutes is None or total <= max_day_minutes:
            return True, total
        session.rollback()
        return False, total - minutes

    def add_plan(
        self,
        *,
        person_id: int,
        project_id: int,
        shares: list[tuple[date, int, str | None]],
        category: str,
        note: str,
        now: datetime,
        max_day_minutes: int,
    ) -> StoredPlan:
        """A week's plan, one planned entry per (day, minutes, request key), in one transaction: all are stored or
        none (a day that would go past max_day_minutes stores nothing). The same request keys again give the
        entries stored the first time (created False). The day limit is read as in add (_write_within_day)."""
        keys = [key for _, _, key in shares if key]
        try:
            with self._db.session() as session:
                if not self._db.is_sqlite:
                    session.execute(sa_select(col(Person.id)).where(col(Person.id) == person_id).with_for_update())
                rows = [
                    TimeEntry(
                        person_id=person_id,
                        project_id=project_id,
                        day=day,
                        minutes=minutes,
                        kind=EntryKind.PLANNED.value,
                        category=category,
                        note=note[:500],
                        request_key=key,
                        created_at=now,
                        updated_at=now,
                    )
                    for day, minutes, key in shares
                ]
                session.add_all(rows)
                session.flush()
                for row in rows:
                    total = _day_minutes(session, person_id, row.day, row.kind)
                    if total > max_day_minutes:
                        session.rollback()
                        return StoredPlan((), False, (row.day, total - row.minutes))
                return StoredPlan(tuple(_view(session, row) for row in rows), True)
        except IntegrityError:
            # The same message again (Teams retry): the request keys' unique constraint refused it.
            if keys and (done := self.by_request_keys(keys)):
                return StoredPlan(done, False)
            raise

    def get_many(self, entry_ids: Collection[int]) -> list[EntryFacts]:
        """Those of these entries that are still there, by day."""
        if not entry_ids:
            return []
        with self._db.session() as session:
            found = session.exec(
                select(TimeEntry).where(col(TimeEntry.id).in_(list(entry_ids))).order_by(col(TimeEntry.day))
            ).all()
            return [_view(session, entry) for entry in found]

    def by_request_keys(self, request_keys: Collection[str]) -> tuple[EntryFacts, ...]:
        with self._db.session() as session:
            found = session.exec(
                select(TimeEntry).where(col(TimeEntry.request_key).in_(list(request_keys))).order_by(col(TimeEntry.day))
            ).all()
            return tuple(_view(session, entry) for entry in found)

    def delete_many(self, entry_ids: Collection[int], person_id: int) -> list[EntryFacts]:
        """Remove those of these planned entries that are still there and this person's (a week plan's Undo), in one
        transaction; the removed ones, by day."""
        if not entry_ids:
            return []
        with self._db.session() as session:
            found = session.exec(
                select(TimeEntry)
                .where(
                    col(TimeEntry.id).in_(list(entry_ids)),
                    col(TimeEntry.person_id) == person_id,
                    col(TimeEntry.kind) == EntryKind.PLANNED.value,
                )
                .order_by(col(TimeEntry.day))
            ).all()
            views = [_view(session, entry) for entry in found]
            for entry in found:
                session.delete(entry)
            return views

    def project_codes(self, project_ids: Collection[int]) -> dict[int, str]:
        """The code of each of these projects (the other projects that fill someone's week)."""
        if not project_ids:
            return {}
        with self._db.session() as session:
            rows = session.execute(
                sa_select(col(Project.id), col(Project.code)).where(col(Project.id).in_(list(project_ids)))
            ).all()
            return {int(project_id): code for project_id, code in rows}

    def delete(self, entry_id: int, person_id: int) -> EntryFacts | None:
        """Remove exactly this entry of this person; None when it is gone already (undo pressed twice)."""
        with self._db.session() as session:
            entry = session.get(TimeEntry, entry_id)
            if entry is None or entry.person_id != person_id:
                return None
            view = _view(session, entry)
            session.delete(entry)
            return view

    # Reading --------------------------------------------------------------------------------------------------

    def get(self, entry_id: int) -> EntryFacts | None:
        with self._db.session() as session:
            entry = session.get(TimeEntry, entry_id)
            return _view(session, entry) if entry else None

    def by_request_key(self, request_key: str) -> EntryFacts | None:
        with self._db.session() as session:
            entry = _by_request_key(session, request_key)
            return _view(session, entry) if entry else None

    def day_minutes(self, person_id: int, day: date, kind: str, *, excluding: int | None = None) -> int:
        with self._db.session() as session:
            return _day_minutes(session, person_id, day, kind, excluding=excluding)

    def week(self, person_id: int, start: date, end: date) -> list[WeekCell]:
        """Minutes per day, project and kind for start..end (inclusive)."""
        with self._db.session() as session:
            rows = session.execute(
                sa_select(
                    col(TimeEntry.day),
                    col(Project.code),
                    col(Project.name),
                    col(TimeEntry.kind),
                    func.sum(TimeEntry.minutes),
                )
                .join(Project, col(Project.id) == col(TimeEntry.project_id))
                .where(col(TimeEntry.person_id) == person_id, col(TimeEntry.day) >= start, col(TimeEntry.day) <= end)
                .group_by(col(TimeEntry.day), col(Project.code), col(Project.name), col(TimeEntry.kind))
                .order_by(col(TimeEntry.day), col(Project.code))
            ).all()
            return [WeekCell(day, code, name, kind, int(total or 0)) for day, code, name, kind, total in rows]

    def recent_project_ids(self, person_id: int, limit: int = 20) -> list[int]:
        """The projects this person logged on, most recent first."""
        with self._db.session() as session:
            rows = session.exec(
                select(TimeEntry.project_id, func.max(TimeEntry.day).label("last"))
                .where(TimeEntry.person_id == person_id)
                .group_by(col(TimeEntry.project_id))
                .order_by(func.max(TimeEntry.day).desc())
                .limit(limit)
            ).all()
            return [project_id for project_id, _last in rows]

    def project_minutes(
        self, project_id: int, kind: str = EntryKind.PERFORMED.value, *, until: date | None = None
    ) -> int:
        with self._db.session() as session:
            return _project_minutes(session, project_id, kind, until=until)

    def performed_minutes(self, project_ids: Collection[int]) -> dict[int, int]:
        """Performed minutes per project, for many projects in one query (projects without any are left out)."""
        if not project_ids:
            return {}
        statement = (
            sa_select(col(TimeEntry.project_id), func.sum(TimeEntry.minutes))
            .where(col(TimeEntry.kind) == EntryKind.PERFORMED.value)
            .group_by(col(TimeEntry.project_id))
        )
        if len(project_ids) <= 900:  # else the whole table's sums (SQLite's bound-parameter limit), filtered below
            statement = statement.where(col(TimeEntry.project_id).in_(sorted(project_ids)))
        wanted = set(project_ids)
        with self._db.session() as session:
            rows = session.execute(statement).all()
        return {int(pid): int(minutes or 0) for pid, minutes in rows if pid in wanted}

    def performed_by_month(self, project_id: int) -> list[tuple[date, int]]:
        """Performed minutes per calendar month (its first day), oldest first."""
        with self._db.session() as session:
            rows = session.execute(
                sa_select(col(TimeEntry.day), func.sum(TimeEntry.minutes))
                .where(col(TimeEntry.project_id) == project_id, col(TimeEntry.kind) == EntryKind.PERFORMED.value)
                .group_by(col(TimeEntry.day))
            ).all()
        months: dict[date, int] = {}
        for day, minutes in rows:
            first = day.replace(day=1)
            months[first] = months.get(first, 0) + int(minutes or 0)
        return sorted(months.items())

    def per_person(self, project_id: int) -> list[tuple[int, str, int, int]]:
        """(person id, name, planned minutes, performed minutes) for everyone with time on the project, by name."""
        with self._db.session() as session:
            rows = session.connection().execute(_PER_PERSON, {"project_id": project_id}).all()
        found: dict[int, list[object]] = {}
        for person_id, name, email, kind, total in rows:
            line = found.setdefault(person_id, [name or email or "", 0, 0])
            line[1 if kind == EntryKind.PLANNED.value else 2] = int(total or 0)
        return sorted(
            ((pid, str(v[0]), int(str(v[1])), int(str(v[2]))) for pid, v in found.items()), key=lambda r: r[1]
        )

    def cumulative(self, project_id: int) -> list[tuple[date, int]]:
        """Performed minutes per day with entries, for the burn chart."""
        with self._db.session() as session:
            rows = session.connection().execute(_PERFORMED_BY_DAY, {"project_id": project_id}).all()
        total = 0
        points = []
        for day, minutes in rows:
            total += int(minutes or 0)
            points.append((day, total))
        return points

    def export_rows(
        self,
        *,
        person_ids: Iterable[int] | None = None,
        project_ids: Iterable[int] | None = None,
        start: date | None = None,
        end: date | None = None,
        own_or_projects: tuple[int, Iterable[int]] | None = None,
        domain_ids: Iterable[int] | None = None,
    ) -> list[ExportRow]:
        """Entries for an export: only these people and/or projects (None: no limit on that side);
        own_or_projects=(person, projects): that person's entries plus every entry on those projects;
        domain_ids: only the projects of these domains."""
        with self._db.session() as session:
            statement = (
                sa_select(TimeEntry, col(Project.code), col(Project.name), col(Person.name), col(Person.email))
                .join(Project, col(Project.id) == col(TimeEntry.project_id))
                .join(Person, col(Person.id) == col(TimeEntry.person_id))
                .order_by(col(TimeEntry.day), col(Project.code), col(TimeEntry.id))
            )
            if person_ids is not None:
                statement = statement.where(col(TimeEntry.person_id).in_(list(person_ids)))
            if project_ids is not None:
                statement = statement.where(col(TimeEntry.project_id).in_(list(project_ids)))
            if domain_ids is not None:
                statement = statement.where(col(Project.domain_id).in_(list(domain_ids)))
            if own_or_projects is not None:
                person_id, scope = own_or_projects
                statement = statement.where(
                    or_(col(TimeEntry.person_id) == person_id, col(TimeEntry.project_id).in_(list(scope)))
                )
            if start is not None:
                statement = statement.where(col(TimeEntry.day) >= start)
            if end is not None:
                statement = statement.where(col(TimeEntry.day) <= end)
            return [
                ExportRow(e.day, name or email or "", code, pname, e.kind, e.category, e.minutes, e.note)
                for e, code, pname, name, email in session.execute(statement).all()
            ]

    # Budget alert state ---------------------------------------------------------------------------------------

    def check_burn(self, project_id: int, ahead: AheadRule, *, now: datetime) -> BurnCheck:
        """The project's performed minutes and its alert state, updated in one transaction (undo, edit)."""
        with self._db.session() as session:
            return _check_burn(session, project_id, ahead, now)

    def set_ahead(self, project_id: int, ahead: bool, *, now: datetime) -> int | None:
        """Record whether the project runs ahead; the number of this crossing when it just became ahead."""
        with self._db.session() as session:
            return _set_ahead(session, project_id, ahead, now)

    # Nudges and leave -----------------------------------------------------------------------------------------

    def nudge(self, person_id: int) -> NudgeSetting:
        with self._db.session() as session:
            row = session.get(TimeNudge, person_id)
            if row is None:
                return NudgeSetting(person_id, False, time(16, 30), 0)
            return NudgeSetting(person_id, row.enabled, row.at_time, row.min_minutes)

    def set_nudge(self, person_id: int, *, enabled: bool, at_time: time, min_minutes: int, now: datetime) -> None:
        with self._db.session() as session:
            row = session.get(TimeNudge, person_id) or TimeNudge(person_id=person_id, updated_at=now)
            row.enabled, row.at_time, row.min_minutes, row.updated_at = enabled, at_time, min_minutes, now
            session.add(row)

    def nudged_people(self) -> list[tuple[NudgeSetting, Person]]:
        with self._db.session() as session:
            rows = session.exec(
                select(TimeNudge, Person)
                .join(Person, col(Person.id) == col(TimeNudge.person_id))
                .where(col(TimeNudge.enabled).is_(True), col(Person.forgotten_at).is_(None))
            ).all()
            return [(NudgeSetting(n.person_id, n.enabled, n.at_time, n.min_minutes), p) for n, p in rows]

    def set_leave(self, person_id: int, days: Iterable[date], *, on_leave: bool = True) -> None:
        with self._db.session() as session:
            for day in set(days):
                exists = session.exec(
                    select(LeaveDay).where(LeaveDay.person_id == person_id, LeaveDay.day == day)
                ).first()
                if on_leave and exists is None:
                    session.add(LeaveDay(person_id=person_id, day=day))
                elif not on_leave and exists is not None:
                    session.delete(exists)

    def leave_days(self, person_id: int, start: date, end: date) -> list[date]:
        """The person's leave days from start to end (inclusive), in order."""
        with self._db.session() as session:
            found = session.execute(
                sa_select(col(LeaveDay.day))
                .where(col(LeaveDay.person_id) == person_id, col(LeaveDay.day) >= start, col(LeaveDay.day) <= end)
                .order_by(col(LeaveDay.day))
            ).all()
            return [day for (day,) in found]

    def day_totals(self, person_id: int, start: date, end: date) -> list[int]:
        """Performed minutes per day with any, start..end (inclusive): the person's usual day is read from it."""
        with self._db.session() as session:
            rows = session.execute(
                sa_select(func.sum(TimeEntry.minutes))
                .where(
                    col(TimeEntry.person_id) == person_id,
                    col(TimeEntry.kind) == EntryKind.PERFORMED.value,
                    col(TimeEntry.day) >= start,
                    col(TimeEntry.day) <= end,
                )
                .group_by(col(TimeEntry.day))
            ).all()
            return [int(total or 0) for (total,) in rows]

    def on_leave(self, person_id: int, day: date) -> bool:
        with self._db.session() as session:
            found = session.exec(select(LeaveDay.id).where(LeaveDay.person_id == person_id, LeaveDay.day == day))
            return found.first() is not None


def _by_request_key(session: Session, request_key: str) -> TimeEntry | None:
    return session.exec(select(TimeEntry).where(TimeEntry.request_key == request_key)).first()


# The sums every logged entry reads, built once and run with parameters (building one cost about as much as
# running it); the rarer variants (until a day, excluding an entry) are built when asked.
_PROJECT_MINUTES = select(func.sum(TimeEntry.minutes)).where(
    col(TimeEntry.project_id) == bindparam("project_id"), col(TimeEntry.kind) == bindparam("kind")
)
_DAY_MINUTES = select(func.sum(TimeEntry.minutes)).where(
    col(TimeEntry.person_id) == bindparam("person_id"),
    col(TimeEntry.day) == bindparam("day"),
    col(TimeEntry.kind) == bindparam("kind"),
)
# The aggregates the `budget` and project cards read are plain rows: run on the session's connection, they skip the
# ORM's result handling, which cost as much again as the query (a chart's ~450 days: 0.9 -> 0.6 ms).
_PERFORMED_BY_DAY = (
    sa_select(col(TimeEntry.day), func.sum(TimeEntry.minutes))
    .where(col(TimeEntry.project_id) == bindparam("project_id"), col(TimeEntry.kind) == EntryKind.PERFORMED.value)
    .group_by(col(TimeEntry.day))
    .order_by(col(TimeEntry.day))
)
# A project's minutes per person and kind, grouped first (from ix_time_entry_project_person alone, in its order) and
# only then joined to the few people: joining every entry to its person before grouping took ~8x as long.
_MINUTES_BY_PERSON = (
    sa_select(
        col(TimeEntry.person_id).label("person_id"),
        col(TimeEntry.kind).label("kind"),
        func.sum(TimeEntry.minutes).label("minutes"),
    )
    .where(col(TimeEntry.project_id) == bindparam("project_id"))
    .group_by(col(TimeEntry.person_id), col(TimeEntry.kind))
    .subquery()
)
_PER_PERSON = sa_select(
    _MINUTES_BY_PERSON.c.person_id,
    col(Person.name),
    col(Person.email),
    _MINUTES_BY_PERSON.c.kind,
    _MINUTES_BY_PERSON.c.minutes,
).join(Person, col(Person.id) == _MINUTES_BY_PERSON.c.person_id)


def _project_minutes(session: Session, project_id: int, kind: str, *, until: date | None = None) -> int:
    statement = _PROJECT_MINUTES
    if until is not None:
        statement = statement.where(col(TimeEntry.day) <= until)
    return int(session.exec(statement, params={"project_id": project_id, "kind": kind}).one() or 0)


def _check_burn(session: Session, project_id: int, ahead: AheadRule, now: datetime) -> BurnCheck:
    spent = _project_minutes(session, project_id, EntryKind.PERFORMED.value)
    return BurnCheck(spent, _set_ahead(session, project_id, ahead(spent), now))


def _set_ahead(session: Session, project_id: int, ahead: bool, now: datetime) -> int | None:
    """Each change of state is one crossing; the row is locked (PostgreSQL) so two writers cannot both cross."""
    dialect = session.get_bind().dialect.name
    state = session.get(TimeBudgetAlert, project_id, with_for_update=dialect != "sqlite")
    if state is None:
        state = TimeBudgetAlert(project_id=project_id, ahead=False, crossings=0, changed_at=now)
    if state.ahead == ahead:
        session.add(state)
        return None
    state.ahead = ahead
    state.changed_at = now
    if ahead:
        state.crossings += 1
    session.add(state)
    return state.crossings if ahead else None


def _day_minutes(session: Session, person_id: int, day: date, kind: str, *, excluding: int | None = None) -> int:
    statement = _DAY_MINUTES
    if excluding is not None:
        statement = statement.where(col(TimeEntry.id) != excluding)
    return int(session.exec(statement, params={"person_id": person_id, "day": day, "kind": kind}).one() or 0)


_PROJECT_LABEL = sa_select(col(Project.code), col(Project.name)).where(col(Project.id) == bindparam("id"))


def _view(session: Session, entry: TimeEntry) -> EntryFacts:
    assert entry.id is not None
    code, name = session.execute(_PROJECT_LABEL, {"id": entry.project_id}).one()
    return EntryFacts(
        id=entry.id,
        person_id=entry.person_id,
        project_id=entry.project_id,
        project_code=code,
        project_name=name,
        day=entry.day,
        minutes=entry.minutes,
        kind=entry.kind,
        category=entry.category,
        note=entry.note,
    )


def delete_entries_before(session: Session, cutoff: date) -> int:
    result = session.execute(delete(TimeEntry).where(col(TimeEntry.day) < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
