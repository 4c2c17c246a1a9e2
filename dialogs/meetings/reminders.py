"""The meetings' proactive messages: a reminder in the meeting's conversation before each occurrence (read again
when it is sent, so agenda, status and answers are current) and, after it, the coordinator's request for the
meeting report; the job that keeps them in the outbox for the coming days; and the next meetings the status card
shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cards.i18n import Translator
from cards.meetings import ReminderView, ReportForm, build_meeting_reminder_card, build_meeting_report_card
from cards.status.summary import StatusOpen
from dialogs.kernel.registry import Every, JobContext, Slot
from dialogs.kernel.search import team_choices
from dialogs.meetings import recurrence as rec
from dialogs.meetings.common import LIST_DAYS, capability, overrides_of, rule_of, series_overrides
from domain.meetings import ActionItemFacts
from domain.projects import ProjectFacts
from domain.summaries import UpcomingMeeting
from storage.db import Database
from storage.directory import DirectoryRepository
from storage.meetings import MeetingRepository, MeetingSeries, pending_reminder_keys
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.projects import ProjectRepository
from storage.status import StatusRepository

MEETING_EVERY_MINUTES = 15

REMINDER_KIND = "meeting.reminder"
REMINDER_BUILDER = "meeting.reminder"
REPORT_KIND = "meeting.report"
REPORT_BUILDER = "meeting.report"
# Reminder rows are kept enqueued for occurrences starting within this horizon (the scheduler job rolls it on).
HORIZON = timedelta(days=14)
# After a meeting its coordinator is asked for the report; the prompt is dropped when not sent within this time.
REPORT_WINDOW = timedelta(days=3)
_ICON = {"green": "🟢", "amber": "🟠", "red": "🔴"}


# The reminder ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Meeting:
    """The occurrence an outbox row is about, as it stands now."""

    series: MeetingSeries
    key: str
    occurrence: rec.Occurrence
    project: ProjectFacts


def _meeting(db: Database, args: dict[str, Any]) -> _Meeting | None:
    """The occurrence a stored message names, or None when its series is gone or cancelled, it no longer takes
    place, or its project is gone."""
    series = MeetingRepository(db).get(int(args.get("series", 0)))
    if series is None or series.id is None or series.cancelled_at is not None:
        return None
    key = str(args.get("occurrence", ""))
    occurrence = rec.find_occurrence(rule_of(series), series_overrides(db, series), key)
    project = ProjectRepository(db).facts(series.project_id) if occurrence is not None else None
    if occurrence is None or project is None:
        return None
    return _Meeting(series, key, occurrence, project)


def reminder_args(
    db: Database, args: dict[str, Any], now: datetime, *, for_invoke: bool = False
) -> dict[str, Any] | None:
    """Everything the reminder shows, read now (so agenda, status and answers are current); None when the
    occurrence no longer takes place (the row is then cancelled and nothing is sent)."""
    meeting = _meeting(db, args)
    if meeting is None or (not for_invoke and meeting.occurrence.start <= now):
        return None
    series, key, occurrence, project = meeting.series, meeting.key, meeting.occurrence, meeting.project
    assert series.id is not None
    repository = MeetingRepository(db)
    latest = StatusRepository(db).latest_two([project.id]).get(project.id) or []
    status: dict[str, str] | None = None
    if latest:
        status = {"rag": latest[0].overall, "summary": latest[0].summary}
    rsvps = repository.rsvps(series.id, key)
    return {
        "series": series.id,
        "occurrence": key,
        "lead": int(args.get("lead", 0)),
        "first": bool(args.get("first", True)),
        "code": project.code,
        "project": project.name,
        "title": series.title,
        "kind": series.kind,
        "start": occurrence.start.isoformat(),
        "end": occurrence.end.isoformat(),
        "timezone": series.timezone,
        "place": series.place,
        "link": series.link,
        "moved": occurrence.moved,
        "agenda": repository.agenda(series.id, key),
        "status": status,
        "actions": [_action_json(a) for a in repository.actions(project.id)],
        "attending": [r.name for r in rsvps if r.attending],
        "absent": [r.name for r in rsvps if not r.attending],
    }


def _action_json(action: ActionItemFacts) -> dict[str, Any]:
    """An action item as the outbox row's arguments keep it (JSON)."""
    return {**asdict(action), "due_on": action.due_on.isoformat() if action.due_on else None}


def _action_from_json(stored: dict[str, Any]) -> ActionItemFacts:
    due = stored.get("due_on")
    return ActionItemFacts(
        id=int(stored.get("id", 0)),
        project_id=int(stored.get("project_id", 0)),
        text=str(stored.get("text", "")),
        owner_id=stored.get("owner_id"),
        owner=stored.get("owner"),
        due_on=date.fromisoformat(due) if due else None,
        done=bool(stored.get("done")),
    )


@capability.proactive(REMINDER_BUILDER, refresh=reminder_args)
def render_reminder(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    status = args.get("status")
    status_line = None
    if isinstance(status, dict):
        rag = str(status.get("rag", ""))
        status_line = t(
            "meeting.reminder.status_line",
            icon=_ICON.get(rag, "⚪"),
            rag=t(f"rag.{rag}") if rag in _ICON else "",
            summary=str(status.get("summary") or ""),
        )
    view = ReminderView(
        series_id=int(args["series"]),
        occurrence=str(args["occurrence"]),
        lead_minutes=int(args.get("lead", 0)),
        first=bool(args.get("first", True)),
        code=str(args.get("code", "")),
        project=str(args.get("project", "")),
        title=str(args.get("title", "")),
        kind=str(args.get("kind", "")),
        start=datetime.fromisoformat(str(args["start"])),
        end=datetime.fromisoformat(str(args["end"])),
        timezone=str(args.get("timezone", "Europe/Brussels")),
        place=str(args.get("place") or ""),
        link=str(args.get("link") or ""),
        agenda=[str(item) for item in args.get("agenda") or []],
        status_line=status_line,
        actions=[_action_from_json(a) for a in args.get("actions") or []],
        attending=[str(n) for n in args.get("attending") or []],
        absent=[str(n) for n in args.get("absent") or []],
        moved=bool(args.get("moved")),
        open_status=StatusOpen,
    )
    return build_meeting_reminder_card(view, t)


# The report prompt ----------------------------------------------------------------------------------------------


def refresh_report_prompt(db: Database, args: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """The report prompt's arguments, read now; None when the meeting did not take place or its report is in."""
    meeting = _meeting(db, args)
    if meeting is None:
        return None
    series, occurrence, project = meeting.series, meeting.occurrence, meeting.project
    assert series.id is not None
    if MeetingRepository(db).report_exists(series.id, meeting.key):
        return None
    return {
        **args,
        "code": project.code,
        "title": series.title,
        "start": occurrence.start.isoformat(),
        "end": occurrence.end.isoformat(),
        "timezone": series.timezone,
        "people": team_choices(db, series.project_id),  # read when sent: the team as it is then
    }


@capability.proactive(REPORT_BUILDER, refresh=refresh_report_prompt)
def render_report_prompt(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    form = ReportForm(
        series_id=int(args["series"]),
        occurrence=str(args["occurrence"]),
        code=str(args.get("code", "")),
        title=str(args.get("title", "")),
        start=datetime.fromisoformat(str(args["start"])),
        end=datetime.fromisoformat(str(args["end"])),
        timezone=str(args.get("timezone", "Europe/Brussels")),
        form_id=str(args.get("form_id", "")),
        people=tuple((str(value), str(name)) for value, name in args.get("people") or ()),
    )
    return build_meeting_report_card(form, t)


# Keeping the outbox in line with the series ---------------------------------------------------------------------


def sync_series(db: Database, series: MeetingSeries, now: datetime) -> int:
    """Bring the series' outbox rows in line with what it says now: one reminder row per occurrence starting
    within the horizon and lead time (due time and deadline follow moves and edits while pending), a report
    prompt after each; pending rows for occurrences no longer there are cancelled. Returns rows cancelled."""
    assert series.id is not None
    outbox = OutboxRepository(db)
    prefix = f"reminder:{series.id}:"
    report_prefix = f"meeting-report:{series.id}:"
    wanted: set[str] = set()
    if series.cancelled_at is None and series.conversation_ref_id is not None:
        ref = MeetingRepository(db).conversation(series.conversation_ref_id)
        tenant = ref.tenant_id if ref is not None else ""
        coordinator = DirectoryRepository(db).get(series.coordinator_id) if series.coordinator_id else None
        owner = coordinator.aad_object_id if coordinator is not None and not coordinator.forgotten_at else None
        overrides = series_overrides(db, series)
        leads = series.leads or list(rec.DEFAULT_LEADS_MINUTES)
        rule = rule_of(series)
        for occurrence in rec.occurrences(rule, overrides, start=now, end=now + HORIZON):
            due_leads = sorted(leads, reverse=True)
            # Leads already past (a meeting planned at short notice): only the latest of them is sent, now.
            past = [lead for lead in due_leads if rec.reminder_due(occurrence.start, lead) <= now]
            chosen = [lead for lead in due_leads if lead not in past] + ([min(past)] if past else [])
            chosen.sort(reverse=True)
            for index, lead in enumerate(chosen):
                key = f"{prefix}{occurrence.key}:{lead}"
                wanted.add(key)
                outbox.enqueue(
                    dedup_key=key,
                    kind=REMINDER_KIND,
                    target=Target(tenant_id=tenant, conversation_ref_id=series.conversation_ref_id),
                    payload=builder_payload(
                        REMINDER_BUILDER, series=series.id, occurrence=occurrence.key, lead=lead, first=index == 0
                    ),
                    due_at=max(rec.reminder_due(occurrence.start, lead), now),
                    not_after=occurrence.start,
                    now=now,
                    owner_aad_object_id=owner,
                )
        if owner is not None:
            for occurrence in rec.occurrences(rule, overrides, start=now - REPORT_WINDOW, end=now + HORIZON):
                key = f"{report_prefix}{occurrence.key}"
                wanted.add(key)
                outbox.enqueue(
                    dedup_key=key,
                    kind=REPORT_KIND,
                    target=Target(tenant_id=tenant, aad_object_id=owner),
                    payload=builder_payload(
                        REPORT_BUILDER, series=series.id, occurrence=occurrence.key, form_id=key[-64:]
                    ),
                    due_at=max(occurrence.end, now),
                    not_after=max(occurrence.end, now) + REPORT_WINDOW,
                    now=now,
                )
    cancelled = 0
    for key in pending_reminder_keys(db, (prefix, report_prefix)):
        if key not in wanted:
            cancelled += outbox.cancel(key=key, now=now)
    return cancelled


def enqueue_meeting_reminders(db: Database, now: datetime) -> int:
    """Rolls every active series' reminder rows on over the horizon. Returns series synced."""
    count = 0
    for series in MeetingRepository(db).active_series():
        sync_series(db, series, now)
        count += 1
    return count


# Meeting reminders: keeps one outbox row per occurrence and lead time enqueued for the next 14 days (and the
# report prompt after each meeting). Enqueueing is idempotent on the dedup key, so instances may overlap; the first
# run is at start-up, so reminders missed while the bot was down are found at once.
@capability.job(
    "meetings.reminders",
    name="enqueue meeting reminders",
    when=Every(MEETING_EVERY_MINUTES),
    grace_seconds=MEETING_EVERY_MINUTES * 60,
    start_now=True,
)
def _meeting_reminders(context: JobContext) -> int:
    return enqueue_meeting_reminders(context.db, context.now)


# What the status card shows of a project's meetings -------------------------------------------------------------


def upcoming_meetings(db: Database, project_id: int, now: datetime, *, limit: int = 3) -> list[UpcomingMeeting]:
    """The project's next occurrences (cancelled ones left out, moved ones at their new time), soonest first,
    within the meetings list's horizon. Two queries, however many series."""
    repository = MeetingRepository(db)
    series_list = repository.active_series(project_ids=[project_id])
    if not series_list:
        return []
    overrides = repository.overrides([s.id for s in series_list if s.id is not None])
    found: list[UpcomingMeeting] = []
    for series in series_list:
        assert series.id is not None
        for occurrence in rec.occurrences(
            rule_of(series),
            overrides_of(overrides.get(series.id, [])),
            start=now,
            end=now + timedelta(days=LIST_DAYS),
            limit=limit,
        ):
            found.append(UpcomingMeeting(series.title, occurrence.start, series.place, occurrence.moved))
    found.sort(key=lambda meeting: meeting.start)
    return found[:limit]


@capability.section(Slot.STATUS_MEETINGS)
def status_meetings(db: Database, project_id: int, now: datetime) -> list[UpcomingMeeting]:
    """The status card's "next meetings": the project's next three."""
    return upcoming_meetings(db, project_id, now)
