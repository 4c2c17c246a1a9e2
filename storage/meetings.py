"""Meetings: series, their conversations and per-occurrence overrides, what a person's data holds of them and the
meeting rows in the outbox; the agenda, answers, reports and action items are storage.meeting_records."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Integer, UniqueConstraint, delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from domain.meetings import ActionItemFacts
from storage.db import Database
from storage.meeting_records import (
    ActionItem,
    AgendaItem,
    Duplicate,
    MeetingRecordRepository,
    MeetingReport,
    ReportAction,
    ReportInput,
    Rsvp,
    action_facts,
)
from storage.models import ConversationRef, Person
from storage.outbox import OutboxMessage, OutboxState
from storage.projects import Project
from storage.types import UTCDateTime
from storage.upsert import insert_into, table_of

# Read from here by the meetings capability, next to the repository.
__all__ = [
    "Duplicate",
    "MeetingChat",
    "MeetingKind",
    "MeetingOccurrence",
    "MeetingRepository",
    "MeetingSeries",
    "ReportAction",
    "ReportInput",
    "export_meetings",
    "forget_meetings",
    "pending_reminder_keys",
    "retarget_pending",
]


class MeetingKind:
    PROJECT = "project"
    WORKING_GROUP = "working_group"
    STEERING = "steering"
    ALL = ("project", "working_group", "steering")


class MeetingSeries(SQLModel, table=True):
    """A project meeting, once or repeating, linked to the conversation of its working group."""

    __tablename__ = "meeting_series"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    title: str = Field(max_length=200)
    kind: str = Field(default=MeetingKind.PROJECT, max_length=32)
    # Local wall-clock time in `timezone` (naive on purpose: rules repeat local times, dialogs/meetings/recurrence.py).
    first_start: datetime = Field(sa_column=Column(DateTime(timezone=False), nullable=False))
    duration_minutes: int
    timezone: str = Field(default="Europe/Brussels", max_length=64)
    repeat: str = Field(default="none", max_length=16)
    until: date | None = None
    count: int | None = None
    place: str = Field(default="", max_length=500)
    link: str = Field(default="", max_length=1000)
    lead_minutes: str = Field(default="1440,60", max_length=64)  # comma-separated, largest first
    skip_holidays: bool = Field(default=False)
    conversation_ref_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("conversation_ref.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    coordinator_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    form_id: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # Imported from Outlook (Microsoft Graph): the series master's event id and the mailbox it lives in, so a
    # re-import or the periodic sync updates this series instead of creating another one.
    graph_event_id: str | None = Field(default=None, max_length=512, index=True)
    graph_mailbox: str | None = Field(default=None, max_length=320)
    graph_synced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def leads(self) -> list[int]:
        return [int(part) for part in self.lead_minutes.split(",") if part.strip().isdigit()]


class MeetingOccurrence(SQLModel, table=True):
    """What happened to one occurrence (keyed by its original local start): cancelled, moved, report asked."""

    __tablename__ = "meeting_occurrence"
    __table_args__ = (UniqueConstraint("series_id", "occurrence_key", name="uq_meeting_occurrence"),)

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meeting_series.id", ondelete="CASCADE"), nullable=False)
    )
    occurrence_key: str = Field(max_length=16)
    cancelled: bool = Field(default=False)
    moved_to: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=False), nullable=True))
    updated_at: datetime = Field(sa_type=UTCDateTime)


class MeetingChat(SQLModel, table=True):
    """A Teams meeting's own chat linked to a series (`link meeting DT-042` typed there by whoever manages the
    project's meetings, or matched by the join URL an Outlook import keeps in the series' link): where the bot posts
    the agenda when the meeting starts and the report form when it ends."""

    __tablename__ = "meeting_chat"

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meeting_series.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    # The meeting chat's conversation id ("19:meeting_...@thread.v2"): one chat belongs to one series.
    conversation_id: str = Field(max_length=512, unique=True)
    join_url: str = Field(default="", max_length=2000)
    teams_meeting_id: str = Field(default="", max_length=512)
    linked_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="SET NULL"), nullable=True),
    )
    linked_at: datetime = Field(sa_type=UTCDateTime)


class MeetingChatEvent(SQLModel, table=True):
    """A meeting start or end the bot answered, once per occurrence and kind: Teams retries an event it thinks was
    not received, and a meeting that everyone left and rejoined starts again."""

    __tablename__ = "meeting_chat_event"

    key: str = Field(primary_key=True, max_length=128)  # "<series>:<occurrence>:<start|end>"
    series_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meeting_series.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    handled_at: datetime = Field(sa_type=UTCDateTime)


class MeetingRepository(MeetingRecordRepository):
    """Meeting series, their conversations and occurrences; with the agenda, answers, reports and action items
    (storage.meeting_records) of its parent."""

    # Series ---------------------------------------------------------------------------------------------

    def create(self, series: MeetingSeries) -> MeetingSeries:
        """Raises Duplicate when the same form was saved before (double submit)."""
        try:
            with self._db.session() as session:
                session.add(series)
                session.flush()
            return series
        except IntegrityError as exc:
            if series.form_id and self.by_form(series.form_id) is not None:
                raise Duplicate from exc
            raise

    def by_form(self, form_id: str) -> MeetingSeries | None:
        with self._db.session() as session:
            return session.exec(select(MeetingSeries).where(MeetingSeries.form_id == form_id)).first()

    def get(self, series_id: int) -> MeetingSeries | None:
        with self._db.session() as session:
            return session.get(MeetingSeries, series_id)

    def update(self, series_id: int, values: dict[str, object], *, now: datetime) -> bool:
        with self._db.session() as session:
            result = session.execute(
                update(MeetingSeries)
                .where(col(MeetingSeries.id) == series_id)
                .values(**values, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def active_series(self, *, project_ids: Collection[int] | None = None) -> list[MeetingSeries]:
        query = select(MeetingSeries).where(col(MeetingSeries.cancelled_at).is_(None))
        if project_ids is not None:
            query = query.where(col(MeetingSeries.project_id).in_(sorted(project_ids)))
        with self._db.session() as session:
            return list(session.exec(query.order_by(col(MeetingSeries.id))).all())

    def by_graph_event(self, project_id: int, event_id: str) -> MeetingSeries | None:
        """The project's active series imported from this Outlook series (a re-import updates it)."""
        with self._db.session() as session:
            return session.exec(
                select(MeetingSeries).where(
                    MeetingSeries.project_id == project_id,
                    MeetingSeries.graph_event_id == event_id,
                    col(MeetingSeries.cancelled_at).is_(None),
                )
            ).first()

    def graph_event_ids(self, project_id: int) -> set[str]:
        with self._db.session() as session:
            return {
                event_id
                for event_id in session.exec(
                    select(MeetingSeries.graph_event_id).where(
                        MeetingSeries.project_id == project_id, col(MeetingSeries.cancelled_at).is_(None)
                    )
                ).all()
                if event_id
            }

    def imported_series(self) -> list[MeetingSeries]:
        """Active series imported from Outlook whose mailbox is still known: what the periodic sync re-reads."""
        with self._db.session() as session:
            return list(
                session.exec(
                    select(MeetingSeries)
                    .where(
                        col(MeetingSeries.cancelled_at).is_(None),
                        col(MeetingSeries.graph_event_id).is_not(None),
                        col(MeetingSeries.graph_mailbox).is_not(None),
                    )
                    .order_by(col(MeetingSeries.id))
                ).all()
            )

    def series_in_conversation(self, conversation_ref_id: int) -> list[MeetingSeries]:
        with self._db.session() as session:
            return list(
                session.exec(
                    select(MeetingSeries).where(
                        MeetingSeries.conversation_ref_id == conversation_ref_id,
                        col(MeetingSeries.cancelled_at).is_(None),
                    )
                ).all()
            )

    def project_conversations(self, project_id: int) -> list[ConversationRef]:
        """The active group conversations (channels, group chats) the project's meetings were ever linked to or
        created in: where a series may move."""
        with self._db.session() as session:
            ids = {
                ref_id
                for ref_id in session.exec(
                    select(MeetingSeries.conversation_ref_id).where(MeetingSeries.project_id == project_id)
                ).all()
                if ref_id is not None
            }
            if not ids:
                return []
            return list(
                session.exec(
                    select(ConversationRef)
                    .where(col(ConversationRef.id).in_(sorted(ids)), col(ConversationRef.active).is_(True))
                    .order_by(col(ConversationRef.id))
                ).all()
            )

    def group_conversations(self, tenant_id: str, limit: int = 50) -> list[ConversationRef]:
        """Channels and group chats where the bot is installed (active), most recently seen first."""
        with self._db.session() as session:
            return list(
                session.exec(
                    select(ConversationRef)
                    .where(
                        ConversationRef.tenant_id == tenant_id,
                        col(ConversationRef.conversation_type).in_(["channel", "groupChat"]),
                        col(ConversationRef.active).is_(True),
                    )
                    .order_by(col(ConversationRef.last_seen).desc())
                    .limit(limit)
                ).all()
            )

    def conversation(self, ref_id: int) -> ConversationRef | None:
        with self._db.session() as session:
            return session.get(ConversationRef, ref_id)

    # Meeting chats --------------------------------------------------------------------------------------

    def link_chat(
        self,
        series_id: int,
        conversation_id: str,
        *,
        join_url: str = "",
        teams_meeting_id: str = "",
        person_id: int | None,
        now: datetime,
    ) -> None:
        """This meeting chat belongs to this series from now on (linked again: to the series named last)."""
        values = {
            "series_id": series_id,
            "join_url": join_url[:2000],
            "teams_meeting_id": teams_meeting_id[:512],
            "linked_by_id": person_id,
            "linked_at": now,
        }
        with self._db.session() as session:
            statement = insert_into(session, table_of(MeetingChat)).values(conversation_id=conversation_id, **values)
            session.execute(statement.on_conflict_do_update(index_elements=["conversation_id"], set_=values))

    def chat(self, conversation_id: str) -> MeetingChat | None:
        with self._db.session() as session:
            return session.exec(select(MeetingChat).where(MeetingChat.conversation_id == conversation_id)).first()

    def chats_of(self, series_id: int) -> list[MeetingChat]:
        with self._db.session() as session:
            return list(session.exec(select(MeetingChat).where(MeetingChat.series_id == series_id)).all())

    def report_of(self, series_id: int, key: str) -> tuple[str, list[ActionItemFacts]] | None:
        """A saved report's decisions and the action items recorded with it (as they stand now), or None."""
        with self._db.session() as session:
            report = session.exec(
                select(MeetingReport).where(MeetingReport.series_id == series_id, MeetingReport.occurrence_key == key)
            ).first()
            if report is None:
                return None
            rows = session.exec(
                select(ActionItem, Person)
                .join(Person, col(Person.id) == col(ActionItem.owner_id), isouter=True)
                .where(ActionItem.report_id == report.id)
                .order_by(col(ActionItem.id))
            ).all()
            actions = [action_facts(a, p) for a, p in rows]
            return report.decisions, actions

    def claim_chat_event(self, key: str, series_id: int, *, now: datetime) -> bool:
        """True the first time this event (series, occurrence, kind) is claimed, False for every repeat, also two
        at once (the primary key decides)."""
        events = table_of(MeetingChatEvent)
        with self._db.session() as session:
            statement = (
                insert_into(session, events)
                .values(key=key[:128], series_id=series_id, handled_at=now)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(events.c.key)
            )
            return session.execute(statement).first() is not None

    # Occurrences ----------------------------------------------------------------------------------------

    def overrides(self, series_ids: Collection[int]) -> dict[int, list[MeetingOccurrence]]:
        if not series_ids:
            return {}
        with self._db.session() as session:
            rows = session.exec(
                select(MeetingOccurrence).where(col(MeetingOccurrence.series_id).in_(sorted(series_ids)))
            ).all()
        found: dict[int, list[MeetingOccurrence]] = {}
        for row in rows:
            found.setdefault(row.series_id, []).append(row)
        return found

    def set_override(
        self, series_id: int, key: str, *, cancelled: bool, moved_to: datetime | None, now: datetime
    ) -> None:
        values = {
            "series_id": series_id,
            "occurrence_key": key,
            "cancelled": cancelled,
            "moved_to": moved_to,
            "updated_at": now,
        }
        with self._db.session() as session:
            statement = insert_into(session, table_of(MeetingOccurrence)).values(**values)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["series_id", "occurrence_key"],
                    set_={"cancelled": cancelled, "moved_to": moved_to, "updated_at": now},
                )
            )

    def project_codes(self, project_ids: Collection[int]) -> dict[int, tuple[str, str]]:
        if not project_ids:
            return {}
        with self._db.session() as session:
            rows = session.exec(
                select(Project.id, Project.code, Project.name).where(col(Project.id).in_(sorted(project_ids)))
            ).all()
            return {pid: (code, name) for pid, code, name in rows if pid is not None}


# Personal data (registered in storage.privacy) ------------------------------------------------------------------


def export_meetings(session: Session, person_id: int) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for rsvp, title in session.exec(
        select(Rsvp, MeetingSeries.title)
        .join(MeetingSeries, col(MeetingSeries.id) == col(Rsvp.series_id))
        .where(Rsvp.person_id == person_id)
    ):
        found.append({"meeting": title, "occurrence": rsvp.occurrence_key, "attending": rsvp.attending})
    for item, title in session.exec(
        select(AgendaItem, MeetingSeries.title)
        .join(MeetingSeries, col(MeetingSeries.id) == col(AgendaItem.series_id))
        .where(AgendaItem.added_by_id == person_id)
    ):
        found.append({"agenda_item_for": title, "occurrence": item.occurrence_key, "text": item.text})
    for action in session.exec(select(ActionItem).where(ActionItem.owner_id == person_id)):
        found.append({"action_item": action.text, "due": action.due_on, "done": action.done_at is not None})
    for series in session.exec(select(MeetingSeries).where(MeetingSeries.coordinator_id == person_id)):
        found.append({"coordinates_meeting": series.title, "imported_from_outlook": series.graph_event_id is not None})
    for report in session.exec(select(MeetingReport).where(MeetingReport.recorded_by_id == person_id)):
        found.append({"meeting_report_recorded": report.occurrence_key, "at": report.created_at})
    return found


def forget_meetings(session: Session, person_id: int) -> None:
    # The mailbox an imported series is read from is the coordinator's: forgotten, the series stops syncing.
    session.execute(
        update(MeetingSeries).where(col(MeetingSeries.coordinator_id) == person_id).values(graph_mailbox=None)
    )
    session.execute(delete(Rsvp).where(col(Rsvp.person_id) == person_id))
    session.execute(update(AgendaItem).where(col(AgendaItem.added_by_id) == person_id).values(added_by_id=None))
    session.execute(update(ActionItem).where(col(ActionItem.owner_id) == person_id).values(owner_id=None))
    session.execute(
        update(MeetingSeries).where(col(MeetingSeries.coordinator_id) == person_id).values(coordinator_id=None)
    )
    session.execute(
        update(MeetingReport).where(col(MeetingReport.recorded_by_id) == person_id).values(recorded_by_id=None)
    )
    session.execute(update(MeetingChat).where(col(MeetingChat.linked_by_id) == person_id).values(linked_by_id=None))


# The meeting rows in the outbox ---------------------------------------------------------------------------------


def _like_prefix(prefix: str) -> Any:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return col(OutboxMessage.dedup_key).like(escaped + "%", escape="\\")


def pending_reminder_keys(db: Database, prefixes: Sequence[str]) -> list[str]:
    """Dedup keys of pending outbox rows starting with any of these prefixes (a series' reminders, prompts)."""
    if not prefixes:
        return []
    with db.session() as session:
        return list(
            session.exec(
                select(OutboxMessage.dedup_key).where(
                    or_(*[_like_prefix(p) for p in prefixes]),
                    col(OutboxMessage.state) == OutboxState.PENDING.value,
                )
            ).all()
        )


def retarget_pending(db: Database, prefix: str, conversation_ref_id: int, *, now: datetime) -> int:
    """Point pending rows (a series' reminders) at another conversation: the series moved there."""
    with db.session() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(_like_prefix(prefix), col(OutboxMessage.state) == OutboxState.PENDING.value)
            .values(conversation_ref_id=conversation_ref_id, updated_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
