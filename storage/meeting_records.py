"""What happens at a meeting: agenda items, the answers (RSVPs), meeting reports and their action items; with the
repository that reads and writes them (MeetingRepository, storage.meetings, holds these methods too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select

from domain.meetings import ActionItemFacts
from storage.db import Database
from storage.directory import person_for_email
from storage.models import Person
from storage.types import UTCDateTime
from storage.upsert import insert_into, table_of


class AgendaItem(SQLModel, table=True):
    __tablename__ = "meeting_agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meeting_series.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    occurrence_key: str = Field(max_length=16)
    text: str = Field(max_length=1000)
    added_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    form_id: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Rsvp(SQLModel, table=True):
    """One person's answer for one occurrence; pressing again changes it, never adds a second."""

    __tablename__ = "meeting_rsvp"
    __table_args__ = (UniqueConstraint("series_id", "occurrence_key", "person_id", name="uq_meeting_rsvp"),)

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meeting_series.id", ondelete="CASCADE"), nullable=False)
    )
    occurrence_key: str = Field(max_length=16)
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    attending: bool
    updated_at: datetime = Field(sa_type=UTCDateTime)


class MeetingReport(SQLModel, table=True):
    """The minutes of one occurrence: decisions (text) and its action items."""

    __tablename__ = "meeting_report"
    __table_args__ = (UniqueConstraint("series_id", "occurrence_key", name="uq_meeting_report"),)

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meeting_series.id", ondelete="CASCADE"), nullable=False)
    )
    occurrence_key: str = Field(max_length=16)
    decisions: str = Field(default="", max_length=4000)
    recorded_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    created_at: datetime = Field(sa_type=UTCDateTime)


class ActionItem(SQLModel, table=True):
    __tablename__ = "meeting_action_item"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    series_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meeting_series.id", ondelete="CASCADE"), nullable=False)
    )
    report_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("meeting_report.id", ondelete="CASCADE"), nullable=True)
    )
    text: str = Field(max_length=1000)
    owner_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    due_on: date | None = None
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


# Plain values handed to dialogs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RsvpRow:
    person_id: int
    name: str
    attending: bool


@dataclass(frozen=True)
class ReportAction:
    """An action item of a meeting report; its owner is a known person or an e-mail address (a placeholder person
    is made for it, in the report's transaction), or nobody."""

    text: str
    owner_id: int | None = None
    owner_email: str | None = None
    due_on: date | None = None


@dataclass(frozen=True)
class ReportInput:
    decisions: str
    actions: list[ReportAction]


class Duplicate(Exception):
    """The same form (or the same occurrence's report) was saved before."""


class ReportedSeries(Protocol):
    """What a report needs of its meeting series (a storage.meetings.MeetingSeries)."""

    @property
    def id(self) -> int | None: ...

    @property
    def project_id(self) -> int: ...


class MeetingRecordRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Agenda ---------------------------------------------------------------------------------------------

    def add_agenda(
        self, series_id: int, key: str, text: str, *, person_id: int | None, form_id: str | None, now: datetime
    ) -> bool:
        """False when this form id was used before (the same card pressed twice)."""
        with self._db.session() as session:
            if form_id and session.exec(select(AgendaItem.id).where(AgendaItem.form_id == form_id)).first():
                return False
        try:
            with self._db.session() as session:
                session.add(
                    AgendaItem(
                        series_id=series_id,
                        occurrence_key=key,
                        text=text,
                        added_by_id=person_id,
                        form_id=form_id or None,
                        created_at=now,
                    )
                )
            return True
        except IntegrityError:
            return False

    def agenda(self, series_id: int, key: str) -> list[str]:
        with self._db.session() as session:
            return list(
                session.exec(
                    select(AgendaItem.text)
                    .where(AgendaItem.series_id == series_id, AgendaItem.occurrence_key == key)
                    .order_by(col(AgendaItem.created_at), col(AgendaItem.id))
                ).all()
            )

    # RSVPs ----------------------------------------------------------------------------------------------

    def answer(self, series_id: int, key: str, person_id: int, *, attending: bool, now: datetime) -> None:
        """Idempotent: one row per occurrence and person; the latest answer wins."""
        values = {
            "series_id": series_id,
            "occurrence_key": key,
            "person_id": person_id,
            "attending": attending,
            "updated_at": now,
        }
        with self._db.session() as session:
            statement = insert_into(session, table_of(Rsvp)).values(**values)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["series_id", "occurrence_key", "person_id"],
                    set_={"attending": attending, "updated_at": now},
                )
            )

    def rsvps(self, series_id: int, key: str) -> list[RsvpRow]:
        with self._db.session() as session:
            rows = session.exec(
                select(Rsvp, Person)
                .join(Person, col(Person.id) == col(Rsvp.person_id))
                .where(Rsvp.series_id == series_id, Rsvp.occurrence_key == key)
                .order_by(col(Rsvp.updated_at), col(Rsvp.id))
            ).all()
            return [RsvpRow(r.person_id, p.name or p.email or "?", r.attending) for r, p in rows]

    # Reports and action items ---------------------------------------------------------------------------

    def report_exists(self, series_id: int, key: str) -> bool:
        with self._db.session() as session:
            found = session.exec(
                select(MeetingReport.id).where(
                    MeetingReport.series_id == series_id, MeetingReport.occurrence_key == key
                )
            ).first()
            return found is not None

    def save_report(
        self, series: ReportedSeries, key: str, report: ReportInput, *, person_id: int | None, now: datetime
    ) -> int:
        """One report per occurrence with its action items (and the placeholder people its owners named by e-mail
        need), in one transaction: raises Duplicate when it was recorded before (a double submit)."""
        assert series.id is not None
        try:
            with self._db.session() as session:
                row = MeetingReport(
                    series_id=series.id,
                    occurrence_key=key,
                    decisions=report.decisions,
                    recorded_by_id=person_id,
                    created_at=now,
                )
                session.add(row)
                session.flush()
                assert row.id is not None
                for action in report.actions:
                    owner_id = action.owner_id
                    if owner_id is None and action.owner_email is not None:
                        owner_id = person_for_email(session, action.owner_email, now=now).id
                    session.add(
                        ActionItem(
                            project_id=series.project_id,
                            series_id=series.id,
                            report_id=row.id,
                            text=action.text,
                            owner_id=owner_id,
                            due_on=action.due_on,
                            created_at=now,
                        )
                    )
                return row.id
        except IntegrityError as exc:
            raise Duplicate from exc

    def actions(self, project_id: int, *, open_only: bool = True) -> list[ActionItemFacts]:
        query = (
            select(ActionItem, Person)
            .join(Person, col(Person.id) == col(ActionItem.owner_id), isouter=True)
            .where(ActionItem.project_id == project_id)
        )
        if open_only:
            query = query.where(col(ActionItem.done_at).is_(None))
        with self._db.session() as session:
            rows = session.exec(query.order_by(col(ActionItem.due_on), col(ActionItem.id))).all()
            return [action_facts(a, p) for a, p in rows]

    def action(self, action_id: int) -> ActionItemFacts | None:
        with self._db.session() as session:
            row = session.get(ActionItem, action_id)
            if row is None:
                return None
            owner = session.get(Person, row.owner_id) if row.owner_id is not None else None
            return action_facts(row, owner)

    def mark_done(self, action_id: int, *, now: datetime) -> bool:
        """True when it changed (a second press changes nothing)."""
        with self._db.session() as session:
            result = session.execute(
                update(ActionItem)
                .where(col(ActionItem.id) == action_id, col(ActionItem.done_at).is_(None))
                .values(done_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]


def action_facts(action: ActionItem, owner: Person | None) -> ActionItemFacts:
    """An action item as cards show it, with its owner's name (or address)."""
    return ActionItemFacts(
        action.id or 0,
        action.project_id,
        action.text,
        action.owner_id,
        (owner.name or owner.email) if owner is not None else None,
        action.due_on,
        action.done_at is not None,
    )
