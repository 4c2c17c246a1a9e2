"""Meeting series imported from the coordinator's Outlook calendar (Microsoft Graph), and the job that keeps them
following the invitation: moved, re-timed, cancelled occurrences and a cancelled series update the reminders.

The calendar read is over the network (Services.calendar, bot.graph): these handlers are coroutines that do their
database work in a worker thread. Outlook is the source of truth for an imported series: the sync overwrites the
schedule (time, repetition, end, place, link, cancelled and moved occurrences in the coming months) with what the
invitation says; title, kind, lead times, holidays and the linked conversation stay as the coordinator set them.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from cards.meetings import ImportChoice, ImportListPayload, ImportPayload, build_meeting_import_card
from dialogs.kernel.calendar_source import CalendarError, CalendarSource
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.registry import Every, JobContext
from dialogs.kernel.turn import Reply, Request, Services, Stop, conversation_here
from dialogs.kernel.who import find_project, me, refusal
from dialogs.meetings import recurrence as rec
from dialogs.meetings.common import capability, series_card, series_overrides
from dialogs.meetings.graph_recurrence import ImportedSeries, Unsupported, overrides_from_instances, series_from_event
from dialogs.meetings.reminders import sync_series
from domain.projects import ProjectFacts
from storage.db import Database
from storage.meetings import MeetingKind, MeetingRepository, MeetingSeries

log = logging.getLogger(__name__)

# Cancelled and moved occurrences are read from Outlook this far ahead (reminders look 14 days ahead).
WINDOW = timedelta(days=120)
SYNC_EVERY_MINUTES = 30


def _calendar_refusal(error: CalendarError, request: Request) -> Reply:
    log.warning("outlook calendar: %s", error)
    reason = error.reason if error.reason in {"token", "forbidden", "not_found"} else "unavailable"
    return Reply.text(request.t(f"meeting.import.error.{reason}"))


@dataclass(frozen=True)
class _Allowed:
    project: ProjectFacts
    mailbox: str


def _check(request: Request, services: Services, reference: str) -> _Allowed:
    """The project named, if this person may manage its meetings here (raises Stop otherwise); their own mailbox
    is the one read."""
    t = request.t
    if request.where.is_personal:
        raise Stop.saying(t("meeting.import.personal"))
    project = find_project(request, services, reference, "import meeting")
    decision = allowed(me(request, services).actor(project), Action.MANAGE_MEETINGS)
    if not decision.allowed:
        raise Stop(refusal(decision, t))
    return _Allowed(project, request.person.aad_object_id)


@capability.command(
    "import meeting",
    takes_project=True,
    en=("import meeting", "import meetings"),
    nl=("vergadering importeren", "importeer vergadering"),
)
async def import_command(request: Request, services: Services, rest: str) -> Reply:
    calendar = services.calendar
    if calendar is None:
        return Reply.text(request.t("meeting.import.not_configured"))
    checked = await asyncio.to_thread(_check, request, services, rest)
    try:
        masters = await calendar.series_masters(checked.mailbox)
    except CalendarError as error:
        return _calendar_refusal(error, request)
    return await asyncio.to_thread(_choices_reply, request, services, checked.project, masters)


@capability.verb(ImportListPayload)
async def import_list(request: Request, services: Services, payload: ImportListPayload) -> Reply:
    """The series form's "from Outlook"."""
    return await import_command(request, services, payload.code)


def _choices_reply(
    request: Request, services: Services, project: ProjectFacts, masters: list[dict[str, object]]
) -> Reply:
    now = services.clock.now()
    imported = MeetingRepository(services.db).graph_event_ids(project.id)
    upcoming: list[ImportChoice] = []
    refused: list[ImportChoice] = []
    for event in masters:
        if event.get("isCancelled"):
            continue
        mapped = series_from_event(dict(event), services.default_timezone)
        if isinstance(mapped, Unsupported):
            refused.append(ImportChoice(mapped.event_id, mapped.subject, reason=mapped.reason))
            continue
        coming = rec.occurrences(mapped.rule(), {}, start=now, end=now + timedelta(days=3660), limit=1)
        if not coming:
            continue  # a series that has ended is nothing to import
        next_one = coming[0]
        upcoming.append(
            ImportChoice(
                event_id=mapped.event_id,
                subject=mapped.subject,
                repeat=mapped.repeat.value,
                first_start=mapped.first_start,
                timezone=mapped.timezone,
                next_start=next_one.start,
                until=mapped.until,
                count=mapped.count,
                imported=mapped.event_id in imported,
            )
        )
    upcoming.sort(key=lambda c: (c.next_start or now, c.subject))
    return Reply.card(build_meeting_import_card(project.code, upcoming + refused, request.t))


@capability.verb(ImportPayload)
async def import_series(request: Request, services: Services, payload: ImportPayload) -> Reply:
    t = request.t
    calendar = services.calendar
    if calendar is None:
        return Reply.text(t("meeting.import.not_configured"))
    checked = await asyncio.to_thread(_check, request, services, payload.code)
    now = services.clock.now()
    try:
        read = await read_series(calendar, checked.mailbox, payload.event, now, services.default_timezone)
    except CalendarError as error:
        return _calendar_refusal(error, request)
    if read is None:
        return Reply.text(t("meeting.import.gone"))
    if isinstance(read, Unsupported):
        return Reply.text(
            t("meeting.import.refused", subject=read.subject or t("meeting.import.no_subject"))
            + " "
            + t(f"meeting.import.unsupported.{read.reason}")
        )
    mapped, overrides = read
    return await asyncio.to_thread(_save, request, services, checked, mapped, overrides)


async def read_series(
    calendar: CalendarSource, mailbox: str, event_id: str, now: datetime, default_timezone: str
) -> tuple[ImportedSeries, dict[str, rec.Override]] | Unsupported | None:
    """The series master and its exceptions in the coming months; None when it is gone or cancelled."""
    event = await calendar.event(mailbox, event_id)
    if event is None or event.get("isCancelled"):
        return None
    mapped = series_from_event(event, default_timezone)
    if isinstance(mapped, Unsupported):
        return mapped
    start, end = now - timedelta(days=1), now + WINDOW
    instances = await calendar.instances(mailbox, event_id, start, end)
    return mapped, overrides_from_instances(mapped, instances, start=start, end=end, preferred=default_timezone)


def _save(
    request: Request,
    services: Services,
    checked: _Allowed,
    mapped: ImportedSeries,
    overrides: dict[str, rec.Override],
) -> Reply:
    t = request.t
    repository = MeetingRepository(services.db)
    now = services.clock.now()
    existing = repository.by_graph_event(checked.project.id, mapped.event_id)
    title = mapped.subject or t("meeting.import.no_subject")
    if existing is not None:
        assert existing.id is not None
        apply_schedule(services.db, existing, mapped, overrides, now, mailbox=checked.mailbox)
        series = repository.get(existing.id)
        message = t("meeting.import.updated", title=series.title if series else title)
    else:
        here = conversation_here(request, services)
        series = repository.create(
            MeetingSeries(
                project_id=checked.project.id,
                title=title,
                kind=MeetingKind.PROJECT,
                conversation_ref_id=here.id if here is not None else None,
                coordinator_id=request.person.id,
                created_at=now,
                updated_at=now,
                first_start=mapped.first_start,
                duration_minutes=mapped.duration_minutes,
                timezone=mapped.timezone,
                graph_event_id=mapped.event_id,
            )
        )
        apply_schedule(services.db, series, mapped, overrides, now, mailbox=checked.mailbox)
        message = t("meeting.import.created", title=title, code=checked.project.code)
    assert series is not None
    return Reply(texts=[message], cards=[series_card(request, services, series)])


def _schedule(mapped: ImportedSeries, mailbox: str, now: datetime) -> dict[str, object]:
    return {
        "first_start": mapped.first_start,
        "duration_minutes": mapped.duration_minutes,
        "timezone": mapped.timezone,
        "repeat": mapped.repeat.value,
        "until": mapped.until,
        "count": mapped.count,
        "place": mapped.place,
        "link": mapped.link,
        "graph_event_id": mapped.event_id,
        "graph_mailbox": mailbox,
        "graph_synced_at": now,
    }


def apply_schedule(
    db: Database,
    series: MeetingSeries,
    mapped: ImportedSeries,
    overrides: dict[str, rec.Override],
    now: datetime,
    *,
    mailbox: str,
) -> bool:
    """Write what Outlook says into the series and its occurrence overrides, then bring its reminders in line.
    Returns whether anything about the schedule changed."""
    assert series.id is not None
    repository = MeetingRepository(db)
    values = _schedule(mapped, mailbox, now)
    changed = any(
        getattr(series, name) != value
        for name, value in values.items()
        if name not in {"graph_synced_at", "graph_mailbox"}
    )
    repository.update(series.id, values, now=now)
    current = series_overrides(db, series)
    for key, override in overrides.items():
        if current.get(key, rec.Override()) != override:
            repository.set_override(series.id, key, cancelled=override.cancelled, moved_to=override.moved_to, now=now)
            changed = True
    fresh = repository.get(series.id)
    assert fresh is not None
    sync_series(db, fresh, now)
    return changed


def _cancel(db: Database, series: MeetingSeries, now: datetime) -> None:
    assert series.id is not None
    MeetingRepository(db).update(series.id, {"cancelled_at": now, "graph_synced_at": now}, now=now)
    fresh = MeetingRepository(db).get(series.id)
    assert fresh is not None
    sync_series(db, fresh, now)


async def sync_imported_meetings(db: Database, calendar: CalendarSource, now: datetime, default_timezone: str) -> int:
    """Re-read every imported series from Outlook and follow it: returns how many series changed (a cancelled
    invitation cancels the series and its pending reminders). A series Outlook can no longer represent in our
    terms, or a calendar that cannot be read, is left as it was (and logged)."""
    changed = 0
    for series in await asyncio.to_thread(MeetingRepository(db).imported_series):
        assert series.graph_event_id is not None and series.graph_mailbox is not None
        try:
            read = await read_series(calendar, series.graph_mailbox, series.graph_event_id, now, default_timezone)
        except CalendarError as error:
            if error.reason == "token":
                log.warning("meeting sync stopped: %s", error)
                break
            log.warning("meeting sync: series %s not read: %s", series.id, error)
            continue
        if read is None:
            await asyncio.to_thread(_cancel, db, series, now)
            changed += 1
            continue
        if isinstance(read, Unsupported):
            log.warning("meeting sync: series %s now has a pattern we cannot follow (%s)", series.id, read.reason)
            continue
        mapped, overrides = read
        if await asyncio.to_thread(apply_schedule, db, series, mapped, overrides, now, mailbox=series.graph_mailbox):
            changed += 1
    return changed


# Meetings imported from Outlook follow the invitation: re-read every 30 minutes (only with Graph configured).
# Updating is idempotent (the same invitation writes the same schedule), so overlapping instances are harmless.
@capability.job(
    "meetings.outlook_sync",
    name="follow meetings imported from Outlook",
    when=Every(SYNC_EVERY_MINUTES),
    grace_seconds=SYNC_EVERY_MINUTES * 60,
    needs_calendar=True,
)
async def _outlook_sync(context: JobContext) -> int:
    assert context.calendar is not None
    return await sync_imported_meetings(context.db, context.calendar, context.now, context.default_timezone)
