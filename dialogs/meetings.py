"""Meetings in the chat: create and edit a series in its working group's conversation, list, cancel and move
occurrences, agenda items, RSVPs from the reminder card, the meeting report and its action items; and the job that
keeps reminders (and report prompts) for the coming days in the outbox."""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError

from cards.i18n import Translator, translator
from cards.meetings import (
    ACTION_DONE_VERB,
    ACTIONS_VERB,
    AGENDA_VERB,
    ATTEND_VERB,
    CANCEL_ONE_VERB,
    CONVERSATION_FORM_VERB,
    CONVERSATION_SAVE_VERB,
    DECLINE_VERB,
    EDIT_VERB,
    FORM_FIELDS,
    KINDS,
    LIST_VERB,
    MOVE_FORM_VERB,
    MOVE_SAVE_VERB,
    REPEATS,
    REPORT_ACTION_ROWS,
    REPORT_SAVE_VERB,
    SAVE_VERB,
    ActionLine,
    MeetingForm,
    MoveForm,
    OccurrenceLine,
    ReminderView,
    ReportForm,
    build_action_items_card,
    build_meeting_conversation_card,
    build_meeting_form_card,
    build_meeting_reminder_card,
    build_meeting_report_card,
    build_meetings_card,
    build_occurrence_move_card,
    when_text,
)
from cards.menu import MenuSection
from cards.outbox import OptOutFooter, with_opt_out_footer
from cards.payloads import Id, Payload, Prose, StoredIn, length_errors
from cards.values import parse_date, parse_id
from dialogs import proactive
from dialogs import recurrence as rec
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.registry import Capability, Every, JobContext
from dialogs.kernel.router import CodePayload, MenuInfo, Router
from dialogs.kernel.timezones import resolve_timezone
from dialogs.kernel.turn import Reply, Request, Services, conversation_here
from dialogs.kernel.who import PersonPick, find_project, me, refusal, resolve_person
from domain.summaries import UpcomingMeeting
from storage.db import Database
from storage.directory import DirectoryRepository, person_for_email
from storage.meetings import (
    Duplicate,
    MeetingOccurrence,
    MeetingRepository,
    MeetingSeries,
    ReportInput,
    pending_reminder_keys,
    retarget_pending,
)
from storage.models import ConversationRef
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.projects import ProjectFacts, ProjectRepository
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
LIST_DAYS = 90
LIST_MAX = 100  # meetings listed at most (the card shows them a page at a time)
AGENDA_MAX = 1000  # an agenda item, typed or from the reminder card (AgendaItem.text)
_ICON = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def register(router: Router) -> None:
    router.command(
        "new meeting",
        en=("new meeting",),
        nl=("nieuwe vergadering",),
        handler=new_meeting,
        menu=MenuInfo(
            "menu.new_meeting.title",
            "menu.new_meeting.description",
            {"en": "new meeting DT-042", "nl": "nieuwe vergadering DT-042"},
            section=MenuSection.MEETINGS,
        ),
    )
    router.command(
        "meetings",
        en=("meetings",),
        nl=("vergaderingen",),
        handler=list_meetings,
        menu=MenuInfo(
            "menu.meetings.title",
            "menu.meetings.description",
            {"en": "meetings", "nl": "vergaderingen"},
            section=MenuSection.MEETINGS,
        ),
    )
    router.command("agenda", en=("agenda",), nl=("agenda",), handler=add_agenda_typed)
    router.command("actions", en=("actions",), nl=("acties",), handler=list_actions)
    router.action(SAVE_VERB, SeriesPayload, save_series, on_invalid=form_unreadable)
    router.action(EDIT_VERB, SeriesRef, edit_series)
    router.action(LIST_VERB, ListPayload, list_page)
    router.action(CANCEL_ONE_VERB, OccurrenceRef, cancel_occurrence)
    router.action(MOVE_FORM_VERB, OccurrenceRef, move_form)
    router.action(MOVE_SAVE_VERB, MovePayload, move_occurrence)
    router.action(CONVERSATION_FORM_VERB, SeriesRef, conversation_form)
    router.action(CONVERSATION_SAVE_VERB, RelinkPayload, relink_series)
    router.action(ATTEND_VERB, ReminderRef, lambda r, s, p: answer(r, s, p, attending=True))
    router.action(DECLINE_VERB, ReminderRef, lambda r, s, p: answer(r, s, p, attending=False))
    router.action(AGENDA_VERB, AgendaPayload, add_agenda_from_card)
    router.action(REPORT_SAVE_VERB, ReportPayload, save_report, on_invalid=form_unreadable)
    router.action(ACTIONS_VERB, CodePayload, lambda r, s, p: list_actions(r, s, p.code))
    router.action(ACTION_DONE_VERB, ActionRef, mark_action_done)


# Payloads -------------------------------------------------------------------------------------------------------


class ListPayload(Payload):
    """The list's own Previous/Next buttons send a page and either a project code ("" for this conversation or your
    projects, as typed) or the series a card showed; other cards open it with just a code."""

    code: str = ""
    series: Id | None = None
    page: int | None = None


class SeriesRef(Payload):
    series: Id


class OccurrenceRef(Payload):
    series: Id
    occurrence: str = Field(max_length=10)  # the original date, ISO: recurrence.occurrence_key


class MovePayload(OccurrenceRef):
    date: str = ""
    time: str = ""


class RelinkPayload(SeriesRef):
    conversation: str = ""


class ReminderRef(OccurrenceRef):
    lead: int = Field(default=0, ge=0, le=rec.MAX_LEAD_MINUTES)
    first: bool = True


class AgendaPayload(ReminderRef):
    agenda_text: Annotated[str, StoredIn("meeting_agenda_item.text", 1000)] = ""


class ActionRef(Payload):
    action: Id


class SeriesPayload(Payload):
    code: str
    form_id: Annotated[str, Prose()] = ""
    series: Id | None = None
    title: Annotated[str, StoredIn("meeting_series.title", 200)] = ""
    kind: str = "project"
    date: str = ""
    time: str = ""
    duration: str = ""
    timezone: str = ""
    repeat: str = "none"
    until: str = ""
    count: str = ""
    place: Annotated[str, StoredIn("meeting_series.place", 500)] = ""
    link: Annotated[str, StoredIn("meeting_series.link", 1000)] = ""
    leads: str = ""
    skip_holidays: str = "false"


class ReportPayload(Payload):
    series: Id
    occurrence: str = Field(max_length=10)
    form_id: Annotated[str, Prose()] = ""
    decisions: Annotated[str, StoredIn("meeting_report.decisions", 4000)] = ""
    action_1: Annotated[str, StoredIn("meeting_action_item.text", 1000)] = ""
    owner_1: str = ""
    due_1: str = ""
    action_2: Annotated[str, StoredIn("meeting_action_item.text", 1000)] = ""
    owner_2: str = ""
    due_2: str = ""
    action_3: Annotated[str, StoredIn("meeting_action_item.text", 1000)] = ""
    owner_3: str = ""
    due_3: str = ""
    action_4: Annotated[str, StoredIn("meeting_action_item.text", 1000)] = ""
    owner_4: str = ""
    due_4: str = ""


# Rules from stored rows -----------------------------------------------------------------------------------------


def rule_of(series: MeetingSeries) -> rec.Rule:
    return rec.Rule(
        first_start=series.first_start.replace(tzinfo=None),
        duration=timedelta(minutes=series.duration_minutes),
        timezone=series.timezone,
        repeat=rec.Repeat(series.repeat),
        until=series.until,
        count=series.count,
        skip_holidays=series.skip_holidays,
    )


def overrides_of(rows: list[MeetingOccurrence]) -> dict[str, rec.Override]:
    return {
        row.occurrence_key: rec.Override(
            cancelled=row.cancelled, moved_to=row.moved_to.replace(tzinfo=None) if row.moved_to else None
        )
        for row in rows
    }


def _can_manage(request: Request, services: Services, project: ProjectFacts) -> bool:
    return allowed(me(request, services).actor(project), Action.MANAGE_MEETINGS).allowed


def _series_for(
    request: Request, services: Services, series_id: int, action: Action = Action.MANAGE_MEETINGS
) -> tuple[MeetingSeries, ProjectFacts] | Reply:
    series = MeetingRepository(services.db).get(series_id)
    if series is None or series.cancelled_at is not None:
        return Reply.text(request.t("meeting.gone"))
    project = ProjectRepository(services.db).facts(series.project_id)
    if project is None:
        return Reply.text(request.t("meeting.gone"))
    decision = allowed(me(request, services).actor(project), action)
    if not decision.allowed:
        return refusal(decision, request.t)
    return series, project


# New and edited series ------------------------------------------------------------------------------------------


def new_meeting(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    if request.where.is_personal:
        return Reply.text(t("meeting.new.personal"))
    found = find_project(request, services, rest, "new meeting")
    if isinstance(found, Reply):
        return found
    decision = allowed(me(request, services).actor(found), Action.MANAGE_MEETINGS)
    if not decision.allowed:
        return refusal(decision, t)
    values = {"timezone": request.timezone or services.default_timezone, "duration": "60", "leads": "24h, 1h"}
    form = MeetingForm(
        code=found.code, form_id=uuid.uuid4().hex, values=values, can_import=services.calendar is not None
    )
    return Reply.card(build_meeting_form_card(form, t))


def edit_series(request: Request, services: Services, payload: SeriesRef) -> Reply:
    found = _series_for(request, services, payload.series)
    if isinstance(found, Reply):
        return found
    series, project = found
    values = {
        "title": series.title,
        "kind": series.kind,
        "date": series.first_start.date().isoformat(),
        "time": series.first_start.strftime("%H:%M"),
        "duration": str(series.duration_minutes),
        "timezone": series.timezone,
        "repeat": series.repeat,
        "until": series.until.isoformat() if series.until else "",
        "count": str(series.count) if series.count else "",
        "place": series.place,
        "link": series.link,
        "leads": rec.format_leads(series.leads),
        "skip_holidays": "true" if series.skip_holidays else "false",
    }
    form = MeetingForm(code=project.code, form_id=uuid.uuid4().hex, series_id=series.id, values=values)
    return Reply.card(build_meeting_form_card(form, request.t))


@dataclass
class SeriesValues:
    title: str
    kind: str
    first_start: datetime
    duration_minutes: int
    timezone: str
    repeat: str
    until: date | None
    count: int | None
    place: str
    link: str
    lead_minutes: str
    skip_holidays: bool


def _parse_time(text: str) -> time | None:
    cleaned = text.strip().replace("u", ":").replace("h", ":").replace(".", ":")
    parts = cleaned.split(":")
    if len(parts) < 2 or not all(p.isascii() and p.isdigit() and len(p) <= 2 for p in parts[:2]):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return time(hour, minute)


def validate_series(payload: SeriesPayload, t: Translator) -> tuple[SeriesValues | None, dict[str, str]]:
    """The series' values, or the errors to show next to each field (nothing is written)."""
    errors: dict[str, str] = {}
    title = " ".join(payload.title.split())
    if not title:
        errors["title"] = t("meeting.title.missing")
    elif len(title) > 200:
        errors["title"] = t("meeting.title.too_long")
    if payload.kind not in KINDS:
        errors["kind"] = t("meeting.kind.invalid")
    day = parse_date(payload.date.strip()) if payload.date.strip() else None
    if day is None:
        errors["date"] = (
            t("meeting.date.invalid", value=payload.date.strip()[:20])
            if payload.date.strip()
            else (t("meeting.date.missing"))
        )
    at = _parse_time(payload.time) if payload.time.strip() else None
    if at is None:
        errors["time"] = (
            t("meeting.time.invalid", value=payload.time.strip()[:20])
            if payload.time.strip()
            else (t("meeting.time.missing"))
        )
    duration = _int(payload.duration) if payload.duration.strip() else 60
    if duration is None or not 5 <= duration <= 720:
        errors["duration"] = t("meeting.duration.invalid")
    zone = resolve_timezone(payload.timezone) if payload.timezone.strip() else "Europe/Brussels"
    if zone is None:
        errors["timezone"] = t("meeting.timezone.invalid", value=payload.timezone.strip()[:64])
    if payload.repeat not in REPEATS:
        errors["repeat"] = t("meeting.repeat.invalid")
    until = parse_date(payload.until.strip()) if payload.until.strip() else None
    if payload.until.strip() and until is None:
        errors["until"] = t("meeting.date.invalid", value=payload.until.strip()[:20])
    elif until is not None and day is not None and until < day:
        errors["until"] = t("meeting.until.before_start")
    count = _int(payload.count) if payload.count.strip() else None
    if payload.count.strip() and (count is None or not 1 <= count <= 500):
        errors["count"] = t("meeting.count.invalid")
    if payload.repeat == "none" and (until is not None or count is not None) and "until" not in errors:
        errors["repeat"] = t("meeting.repeat.needed")
    if until is not None and count is not None:
        errors["count"] = t("meeting.count.or_until")
    link = payload.link.strip()
    if link and not link.lower().startswith("https://"):
        errors["link"] = t("meeting.link.invalid")
    leads = rec.parse_leads(payload.leads)
    if leads is None:
        errors["leads"] = t("meeting.leads.invalid", value=payload.leads.strip()[:40])
    errors.update(length_errors(payload, t))  # title, place, link: said next to the field, never cut off
    if errors:
        return None, errors
    assert day is not None and at is not None and duration is not None and zone is not None and leads is not None
    return (
        SeriesValues(
            title=title,
            kind=payload.kind,
            first_start=datetime.combine(day, at),
            duration_minutes=duration,
            timezone=zone,
            repeat=payload.repeat,
            until=until,
            count=count,
            place=" ".join(payload.place.split())[:500],
            link=link[:1000],
            lead_minutes=",".join(str(m) for m in leads),
            skip_holidays=payload.skip_holidays == "true",
        ),
        {},
    )


def _int(text: str) -> int | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    # "1e400" reads as infinity and "nan" as not a number: int() of either raises.
    if not math.isfinite(value) or abs(value) > 1e9:
        return None
    return int(value) if value == int(value) else None


def save_series(request: Request, services: Services, payload: SeriesPayload) -> Reply:
    t = request.t
    repository = MeetingRepository(services.db)
    form_key = submission_key(request, payload.form_id[:64])
    editing: MeetingSeries | None = None
    if payload.series:
        found = _series_for(request, services, payload.series)
        if isinstance(found, Reply):
            return found
        editing, project = found
    else:
        project_found = ProjectRepository(services.db).by_code(payload.code)
        if project_found is None:
            return Reply.text(t("lookup.none", reference=payload.code[:60]))
        project = project_found
        decision = allowed(me(request, services).actor(project), Action.MANAGE_MEETINGS)
        if not decision.allowed:
            return refusal(decision, t)
        # A shared form (anyone who organises the project's meetings may fill in one shown in the channel):
        # each person's submission is stored once, and never answered with someone else's series.
        if form_key and (done := repository.by_form(form_key)) is not None:
            return _saved_reply(request, services, done, t("meeting.already_saved", title=done.title))
    values, errors = validate_series(payload, t)
    if values is None:
        typed = {name: str(getattr(payload, name)) for name in FORM_FIELDS}
        form = MeetingForm(
            code=project.code, form_id=payload.form_id, series_id=payload.series, values=typed, errors=errors
        )
        return Reply(replace_card=build_meeting_form_card(form, t))
    now = services.clock.now()
    if editing is not None:
        assert editing.id is not None
        repository.update(editing.id, dict(values.__dict__), now=now)
        series = repository.get(editing.id)
        assert series is not None
        sync_series(services.db, series, now)
        return _saved_reply(request, services, series, t("meeting.saved", title=series.title))
    if request.where.is_personal:
        return Reply.text(t("meeting.new.personal"))
    here = conversation_here(request, services)
    series = MeetingSeries(
        project_id=project.id,
        conversation_ref_id=here.id if here is not None else None,
        coordinator_id=request.person.id,
        form_id=form_key,
        created_at=now,
        updated_at=now,
        **values.__dict__,
    )
    try:
        series = repository.create(series)
    except Duplicate:
        done = repository.by_form(form_key) if form_key else None
        if done is None:
            raise
        return _saved_reply(request, services, done, t("meeting.already_saved", title=done.title))
    sync_series(services.db, series, now)
    return _saved_reply(request, services, series, t("meeting.created", title=series.title, code=project.code))


def _saved_reply(request: Request, services: Services, series: MeetingSeries, message: str) -> Reply:
    return Reply(texts=[message], replace_card=series_card(request, services, series))


def series_card(request: Request, services: Services, series: MeetingSeries, *, page: int = 1) -> dict[str, Any]:
    """The upcoming meetings of one series (after it is saved, imported, moved or cancelled), paged."""
    project = ProjectRepository(services.db).facts(series.project_id)
    assert project is not None
    return build_meetings_card(
        _lines(request, services, [series]),
        request.t,
        scope=f"{project.code} · {project.name}",
        page=page,
        paging={"series": series.id},
        show_code=False,
        reader_zone=request.timezone,
    )


def form_unreadable(request: Request, services: Services, invalid: ValidationError) -> Reply:
    return Reply.text(request.t("meeting.form.unreadable"))


# Listing, cancelling and moving occurrences ---------------------------------------------------------------------


def _lines(
    request: Request, services: Services, series_list: list[MeetingSeries], *, limit: int = LIST_MAX
) -> list[OccurrenceLine]:
    repository = MeetingRepository(services.db)
    now = services.clock.now()
    overrides = repository.overrides([s.id for s in series_list if s.id is not None])
    projects = {s.project_id: ProjectRepository(services.db).facts(s.project_id) for s in series_list}
    conversations: dict[int, str] = {}
    lines: list[OccurrenceLine] = []
    for series in series_list:
        assert series.id is not None
        project = projects.get(series.project_id)
        if project is None:
            continue
        manage = _can_manage(request, services, project)
        ref_id = series.conversation_ref_id
        if ref_id is not None and ref_id not in conversations:
            ref = repository.conversation(ref_id)
            conversations[ref_id] = conversation_label(ref, request.t) if ref is not None else ""
        for occurrence in rec.occurrences(
            rule_of(series),
            overrides_of(overrides.get(series.id, [])),
            start=now,
            end=now + timedelta(days=LIST_DAYS),
            limit=limit,
        ):
            lines.append(
                OccurrenceLine(
                    series_id=series.id,
                    occurrence=occurrence.key,
                    code=project.code,
                    title=series.title,
                    start=occurrence.start,
                    end=occurrence.end,
                    timezone=series.timezone,
                    place=series.place,
                    moved=occurrence.moved,
                    conversation=conversations.get(ref_id) if ref_id is not None else None,
                    can_manage=manage,
                )
            )
    lines.sort(key=lambda line: line.start)
    return lines[:limit]


def conversation_label(ref: ConversationRef, t: Translator) -> str:
    kind = (
        t("meeting.conversation.channel")
        if ref.conversation_type == "channel"
        else t("meeting.conversation.group_chat")
    )
    return f"{ref.team_name} ({kind})" if ref.team_name else kind


def list_meetings(request: Request, services: Services, rest: str, *, page: int = 1) -> Reply:
    t = request.t
    repository = MeetingRepository(services.db)
    code = ""
    if rest.strip():
        found = find_project(request, services, rest, "meetings")
        if isinstance(found, Reply):
            return found
        decision = allowed(me(request, services).actor(found), Action.VIEW_PROJECT)
        if not decision.allowed:
            return refusal(decision, t)
        series_list = repository.active_series(project_ids=[found.id])
        scope, code = f"{found.code} · {found.name}", found.code
    elif (
        not request.where.is_personal
        and (here := conversation_here(request, services)) is not None
        and here.id is not None
    ):
        series_list = repository.series_in_conversation(here.id)
        scope = t("meeting.list.here")
    else:
        who = me(request, services)
        projects = ProjectRepository(services.db).for_person(who.id, who.domains)
        series_list = repository.active_series(project_ids=[p.id for p in projects])
        scope = t("meeting.list.mine")
    card = build_meetings_card(
        _lines(request, services, series_list),
        t,
        scope=scope,
        page=page,
        paging={"code": code},
        show_code=not code,  # a project's list names it in the heading
        reader_zone=request.timezone,
    )
    return Reply.card(card)


def list_page(request: Request, services: Services, payload: ListPayload) -> Reply:
    """LIST_VERB: a button elsewhere opens the list anew; the list's own Previous/Next show another page in it."""
    page = payload.page or 1
    if payload.series is not None:
        found = _series_for(request, services, payload.series, Action.VIEW_PROJECT)
        if isinstance(found, Reply):
            return found
        reply = Reply.card(series_card(request, services, found[0], page=page))
    else:
        reply = list_meetings(request, services, payload.code, page=page)
    if payload.page is None or not reply.cards:
        return reply
    return Reply(texts=reply.texts, replace_card=reply.cards[0])


def cancel_occurrence(request: Request, services: Services, payload: OccurrenceRef) -> Reply:
    t = request.t
    found = _series_for(request, services, payload.series)
    if isinstance(found, Reply):
        return found
    series, _project = found
    assert series.id is not None
    repository = MeetingRepository(services.db)
    overrides = overrides_of(repository.overrides([series.id]).get(series.id, []))
    occurrence = rec.find_occurrence(rule_of(series), overrides, payload.occurrence)
    if occurrence is None:
        return Reply.text(t("meeting.occurrence.already_cancelled"))
    now = services.clock.now()
    repository.set_override(series.id, occurrence.key, cancelled=True, moved_to=None, now=now)
    sync_series(services.db, series, now)
    when = _when(occurrence.start, series.timezone, t)
    return _saved_reply(request, services, series, t("meeting.occurrence.cancelled", title=series.title, when=when))


def move_form(request: Request, services: Services, payload: OccurrenceRef) -> Reply:
    found = _series_for(request, services, payload.series)
    if isinstance(found, Reply):
        return found
    series, _project = found
    assert series.id is not None
    overrides = overrides_of(MeetingRepository(services.db).overrides([series.id]).get(series.id, []))
    occurrence = rec.find_occurrence(rule_of(series), overrides, payload.occurrence)
    if occurrence is None:
        return Reply.text(request.t("meeting.occurrence.already_cancelled"))
    local = occurrence.local_start
    values = {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}
    when = when_text(occurrence.start, occurrence.end, series.timezone, request.t)
    form = MoveForm(series.id, occurrence.key, series.title, values, when=when)
    return Reply.card(build_occurrence_move_card(form, request.t))


def move_occurrence(request: Request, services: Services, payload: MovePayload) -> Reply:
    t = request.t
    found = _series_for(request, services, payload.series)
    if isinstance(found, Reply):
        return found
    series, _project = found
    assert series.id is not None
    repository = MeetingRepository(services.db)
    overrides = overrides_of(repository.overrides([series.id]).get(series.id, []))
    occurrence = rec.find_occurrence(rule_of(series), overrides, payload.occurrence)
    if occurrence is None:
        return Reply.text(t("meeting.occurrence.already_cancelled"))
    errors: dict[str, str] = {}
    day = parse_date(payload.date.strip()) if payload.date.strip() else None
    if day is None:
        errors["date"] = (
            t("meeting.date.missing")
            if not payload.date.strip()
            else t("meeting.date.invalid", value=payload.date.strip()[:20])
        )
    at = _parse_time(payload.time) if payload.time.strip() else None
    if at is None:
        errors["time"] = (
            t("meeting.time.missing")
            if not payload.time.strip()
            else t("meeting.time.invalid", value=payload.time.strip()[:20])
        )
    now = services.clock.now()
    if day is not None and at is not None and rec.to_utc(datetime.combine(day, at), series.timezone) <= now:
        errors["date"] = t("meeting.move.past")
    if errors:
        when = when_text(occurrence.start, occurrence.end, series.timezone, t)
        form = MoveForm(series.id, occurrence.key, series.title, payload.model_dump(), errors, when=when)
        return Reply(replace_card=build_occurrence_move_card(form, t))
    assert day is not None and at is not None
    moved_to = datetime.combine(day, at)
    repository.set_override(series.id, occurrence.key, cancelled=False, moved_to=moved_to, now=now)
    sync_series(services.db, series, now)
    when = _when(rec.to_utc(moved_to, series.timezone), series.timezone, t)
    return _saved_reply(request, services, series, t("meeting.occurrence.moved", title=series.title, when=when))


def _when(start: datetime, timezone: str, t: Translator) -> str:
    from cards.meetings import format_local

    return format_local(start, timezone, t)


# Moving a series to another conversation ------------------------------------------------------------------------


def _conversation_choices(services: Services, series: MeetingSeries, tenant_id: str, t: Translator) -> list[Any]:
    repository = MeetingRepository(services.db)
    refs = {ref.id: ref for ref in repository.project_conversations(series.project_id) if ref.id is not None}
    for ref in repository.group_conversations(tenant_id):
        if ref.id is not None:
            refs.setdefault(ref.id, ref)
    return [(ref_id, conversation_label(ref, t)) for ref_id, ref in refs.items()]


def conversation_form(request: Request, services: Services, payload: SeriesRef) -> Reply:
    found = _series_for(request, services, payload.series)
    if isinstance(found, Reply):
        return found
    series, _project = found
    assert series.id is not None
    choices = _conversation_choices(services, series, request.where.tenant_id, request.t)
    card = build_meeting_conversation_card(
        series.id, series.title, choices, request.t, current=series.conversation_ref_id
    )
    return Reply.card(card)


def relink_series(request: Request, services: Services, payload: RelinkPayload) -> Reply:
    t = request.t
    found = _series_for(request, services, payload.series)
    if isinstance(found, Reply):
        return found
    series, _project = found
    assert series.id is not None
    choices = _conversation_choices(services, series, request.where.tenant_id, t)
    wanted = parse_id(payload.conversation)
    if wanted not in {ref_id for ref_id, _ in choices}:
        card = build_meeting_conversation_card(
            series.id,
            series.title,
            choices,
            t,
            current=series.conversation_ref_id,
            error=t("meeting.relink.invalid"),
        )
        return Reply(replace_card=card)
    assert wanted is not None
    now = services.clock.now()
    MeetingRepository(services.db).update(series.id, {"conversation_ref_id": wanted}, now=now)
    retarget_pending(services.db, f"reminder:{series.id}:", wanted, now=now)
    label = dict(choices)[wanted]
    updated = MeetingRepository(services.db).get(series.id)
    assert updated is not None
    sync_series(services.db, updated, now)
    return _saved_reply(request, services, updated, t("meeting.relinked", title=series.title, where=label))


# Agenda ---------------------------------------------------------------------------------------------------------


def _next_occurrence(
    services: Services, series_list: list[MeetingSeries]
) -> tuple[MeetingSeries, rec.Occurrence] | None:
    now = services.clock.now()
    repository = MeetingRepository(services.db)
    overrides = repository.overrides([s.id for s in series_list if s.id is not None])
    best: tuple[MeetingSeries, rec.Occurrence] | None = None
    for series in series_list:
        assert series.id is not None
        found = rec.occurrences(
            rule_of(series),
            overrides_of(overrides.get(series.id, [])),
            start=now,
            end=now + timedelta(days=400),
            limit=1,
        )
        if found and (best is None or found[0].start < best[1].start):
            best = (series, found[0])
    return best


def add_agenda_typed(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    parts = rest.split(maxsplit=1)
    if len(parts) < 2:
        return Reply.text(t("meeting.agenda.usage"))
    found = find_project(request, services, parts[0], "agenda")
    if isinstance(found, Reply):
        return found
    decision = allowed(me(request, services).actor(found), Action.VIEW_PROJECT)
    here = conversation_here(request, services)
    repository = MeetingRepository(services.db)
    series_list = repository.active_series(project_ids=[found.id])
    in_its_conversation = here is not None and any(s.conversation_ref_id == here.id for s in series_list)
    if not decision.allowed and not in_its_conversation:
        return refusal(decision, t)
    upcoming = _next_occurrence(services, series_list)
    if upcoming is None:
        return Reply.text(t("meeting.agenda.no_meeting", code=found.code))
    series, occurrence = upcoming
    assert series.id is not None
    text = " ".join(parts[1].split())
    if len(text) > AGENDA_MAX:
        return Reply.text(t("meeting.agenda.too_long", limit=AGENDA_MAX, length=len(text)))
    # Teams retries a message: one item per message, keyed on who sent it where (message ids are not unique
    # across conversations, and a key without the sender could swallow another person's item).
    where = request.where.conversation_id
    form_id = submission_key(request, f"{where}|{request.activity_id}", "a:") if request.activity_id else None
    repository.add_agenda(
        series.id, occurrence.key, text, person_id=request.person.id, form_id=form_id, now=services.clock.now()
    )
    when = _when(occurrence.start, series.timezone, t)
    return Reply.text(t("meeting.agenda.added", text=text, title=series.title, when=when))


def _may_answer(request: Request, services: Services, series: MeetingSeries) -> bool:
    """Anyone in the meeting's conversation (a working group has external members), or who may see the project."""
    here = conversation_here(request, services)
    if here is not None and here.id == series.conversation_ref_id:
        return True
    project = ProjectRepository(services.db).facts(series.project_id)
    return project is not None and allowed(me(request, services).actor(project), Action.VIEW_PROJECT).allowed


def _takes_place(services: Services, series: MeetingSeries, key: str) -> bool:
    """Whether the series has an occurrence with this key (its original date) that is not cancelled: answers
    and agenda items are kept only for real meetings, whatever date a card's data names."""
    return _occurrence_any(services, series, key) is not None


def add_agenda_from_card(request: Request, services: Services, payload: AgendaPayload) -> Reply:
    t = request.t
    series = MeetingRepository(services.db).get(payload.series)
    if series is None or series.id is None or not _may_answer(request, services, series):
        return Reply.text(t("meeting.gone"))
    if not _takes_place(services, series, payload.occurrence):
        return Reply.text(t("meeting.occurrence.not_one", title=series.title))
    text = " ".join(payload.agenda_text.split())
    if len(text) > AGENDA_MAX:
        return Reply.text(t("meeting.agenda.too_long", limit=AGENDA_MAX, length=len(text)))
    if text:
        # Teams retries an invoke: the same person adding the same text to the same occurrence is one item.
        digest = hashlib.sha256(f"{series.id}|{payload.occurrence}|{request.person.id}|{text}".encode()).hexdigest()
        MeetingRepository(services.db).add_agenda(
            series.id,
            payload.occurrence,
            text,
            person_id=request.person.id,
            form_id=f"c:{digest[:60]}",
            now=services.clock.now(),
        )
    notice = t("meeting.agenda.added_card", text=text) if text else t("meeting.agenda.empty")
    return _reminder_reply(request, services, payload, notice)


# RSVPs ----------------------------------------------------------------------------------------------------------


def answer(request: Request, services: Services, payload: ReminderRef, *, attending: bool) -> Reply:
    t = request.t
    repository = MeetingRepository(services.db)
    series = repository.get(payload.series)
    if series is None or series.id is None or not _may_answer(request, services, series):
        return Reply.text(t("meeting.gone"))
    if request.person.id is None:
        return Reply.text(t("meeting.gone"))
    if not _takes_place(services, series, payload.occurrence):
        return Reply.text(t("meeting.occurrence.not_one", title=series.title))
    repository.answer(series.id, payload.occurrence, request.person.id, attending=attending, now=services.clock.now())
    notice = t("meeting.rsvp.yes") if attending else t("meeting.rsvp.no")
    return _reminder_reply(request, services, payload, notice)


def _reminder_reply(request: Request, services: Services, payload: ReminderRef, notice: str) -> Reply:
    """The reminder card as it stands now, to replace the pressed one (Action.Execute) for everyone."""
    t = request.t
    args = reminder_args(
        services.db,
        {"series": payload.series, "occurrence": payload.occurrence, "lead": payload.lead, "first": payload.first},
        services.clock.now(),
        for_invoke=True,
    )
    if args is None:
        return Reply.text(t("meeting.occurrence.already_cancelled"))
    # The card is the conversation's, shown to everyone there: in its language, as the reminder was sent.
    shared = not request.where.is_personal
    card_t = translator(services.default_language) if shared else t
    content = render_reminder(args, card_t)
    footer = OptOutFooter(
        kind=REMINDER_KIND,
        why=card_t(f"outbox.why.{REMINDER_KIND}"),
        kind_name=card_t(f"outbox.kind.{REMINDER_KIND}"),
        conversation_scope=shared,
    )
    return Reply(texts=[notice], replace_card=with_opt_out_footer(content, footer, card_t), update_for_everyone=shared)


# Reports and action items ---------------------------------------------------------------------------------------


def save_report(request: Request, services: Services, payload: ReportPayload) -> Reply:
    t = request.t
    found = _series_for(request, services, payload.series)
    if isinstance(found, Reply):
        return found
    series, project = found
    assert series.id is not None
    if not _takes_place(services, series, payload.occurrence):
        return Reply.text(t("meeting.occurrence.not_one", title=series.title))
    repository = MeetingRepository(services.db)
    if repository.report_exists(series.id, payload.occurrence):
        return Reply.text(t("meeting.report.already", title=series.title))
    errors: dict[str, str] = {}
    actions: list[tuple[str, PersonPick | None, date | None]] = []
    for i in range(1, REPORT_ACTION_ROWS + 1):
        text = " ".join(str(getattr(payload, f"action_{i}")).split())[:1000]
        owner_text = str(getattr(payload, f"owner_{i}")).strip()
        due_text = str(getattr(payload, f"due_{i}")).strip()
        if not text:
            if owner_text or due_text:
                errors[f"action_{i}"] = t("meeting.report.action_missing")
            continue
        pick: PersonPick | None = None
        if owner_text:
            resolved = resolve_person(services, owner_text, t)
            if isinstance(resolved, str):
                errors[f"owner_{i}"] = resolved
            else:
                pick = resolved
        due = parse_date(due_text) if due_text else None
        if due_text and due is None:
            errors[f"due_{i}"] = t("meeting.date.invalid", value=due_text[:20])
        actions.append((text, pick, due))
    errors.update(length_errors(payload, t))
    if errors:
        occurrence = _occurrence_any(services, series, payload.occurrence)
        start = occurrence.start if occurrence else services.clock.now()
        form = ReportForm(
            series.id,
            payload.occurrence,
            project.code,
            series.title,
            start,
            start + timedelta(minutes=series.duration_minutes),
            series.timezone,
            payload.form_id,
            {k: str(v) for k, v in payload.model_dump().items()},
            errors,
        )
        return Reply(replace_card=build_meeting_report_card(form, t))
    now = services.clock.now()
    resolved_actions: list[tuple[str, int | None, date | None]] = []
    with services.db.session() as session:
        for text, pick, due in actions:
            owner_id = None
            if pick is not None:
                owner_id = pick.person_id
                if owner_id is None and pick.email is not None:
                    owner_id = person_for_email(session, pick.email, now=now).id
            resolved_actions.append((text, owner_id, due))
    try:
        repository.save_report(
            series,
            payload.occurrence,
            ReportInput(decisions=payload.decisions.strip()[:4000], actions=resolved_actions),
            person_id=request.person.id,
            now=now,
        )
    except Duplicate:
        return Reply.text(t("meeting.report.already", title=series.title))
    OutboxRepository(services.db).cancel(key=f"meeting-report:{series.id}:{payload.occurrence}", now=now)
    count = len(resolved_actions)
    items = t("meeting.report.actions.one") if count == 1 else t("meeting.report.actions.other", count=count)
    return _actions_reply(request, services, project, t("meeting.report.saved", title=series.title, actions=items))


def _occurrence_any(services: Services, series: MeetingSeries, key: str) -> rec.Occurrence | None:
    assert series.id is not None
    overrides = overrides_of(MeetingRepository(services.db).overrides([series.id]).get(series.id, []))
    return rec.find_occurrence(rule_of(series), overrides, key)


def list_actions(request: Request, services: Services, rest: str) -> Reply:
    found = find_project(request, services, rest, "actions")
    if isinstance(found, Reply):
        return found
    decision = allowed(me(request, services).actor(found), Action.VIEW_PROJECT)
    if not decision.allowed:
        return refusal(decision, request.t)
    return _actions_reply(request, services, found, None)


def _actions_reply(request: Request, services: Services, project: ProjectFacts, notice: str | None) -> Reply:
    manage = _can_manage(request, services, project)
    lines = [
        ActionLine(a.id, a.text, a.owner, a.due_on, a.done, can_mark=manage or a.owner_id == request.person.id)
        for a in MeetingRepository(services.db).actions(project.id)
    ]
    card = build_action_items_card(project.code, project.name, lines, request.t)
    if notice is None:
        return Reply.card(card)
    return Reply(texts=[notice], replace_card=card)


def mark_action_done(request: Request, services: Services, payload: ActionRef) -> Reply:
    t = request.t
    repository = MeetingRepository(services.db)
    action = repository.action(payload.action)
    project = ProjectRepository(services.db).facts(action.project_id) if action else None
    if action is None or project is None:
        return Reply.text(t("meeting.gone"))
    decision = allowed(me(request, services).actor(project), Action.MANAGE_MEETINGS)
    if not decision.allowed and action.owner_id != request.person.id:
        return Reply.text(t("meeting.actions.not_yours"))
    changed = repository.mark_done(action.id, now=services.clock.now())
    key = "meeting.actions.marked" if changed else "meeting.actions.already"
    return _actions_reply(request, services, project, t(key, text=action.text[:100]))


# Reminders and report prompts through the outbox ----------------------------------------------------------------


def reminder_args(
    db: Database, args: dict[str, Any], now: datetime, *, for_invoke: bool = False
) -> dict[str, Any] | None:
    """Everything the reminder shows, read now (so agenda, status and answers are current); None when the
    occurrence no longer takes place (the row is then cancelled and nothing is sent)."""
    repository = MeetingRepository(db)
    series = repository.get(int(args.get("series", 0)))
    if series is None or series.id is None or series.cancelled_at is not None:
        return None
    key = str(args.get("occurrence", ""))
    overrides = overrides_of(repository.overrides([series.id]).get(series.id, []))
    occurrence = rec.find_occurrence(rule_of(series), overrides, key)
    if occurrence is None or (not for_invoke and occurrence.start <= now):
        return None
    project = ProjectRepository(db).facts(series.project_id)
    if project is None:
        return None
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
        "actions": [
            {"id": a.id, "text": a.text, "owner": a.owner, "due": a.due_on.isoformat() if a.due_on else None}
            for a in repository.actions(project.id)
        ],
        "attending": [r.name for r in rsvps if r.attending],
        "absent": [r.name for r in rsvps if not r.attending],
    }


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
        actions=[
            ActionLine(
                int(a.get("id", 0)),
                str(a.get("text", "")),
                a.get("owner"),
                date.fromisoformat(a["due"]) if a.get("due") else None,
            )
            for a in args.get("actions") or []
        ],
        attending=[str(n) for n in args.get("attending") or []],
        absent=[str(n) for n in args.get("absent") or []],
        moved=bool(args.get("moved")),
    )
    return build_meeting_reminder_card(view, t)


def refresh_report_prompt(db: Database, args: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    repository = MeetingRepository(db)
    series = repository.get(int(args.get("series", 0)))
    key = str(args.get("occurrence", ""))
    if series is None or series.id is None or series.cancelled_at is not None:
        return None
    if repository.report_exists(series.id, key):
        return None
    overrides = overrides_of(repository.overrides([series.id]).get(series.id, []))
    occurrence = rec.find_occurrence(rule_of(series), overrides, key)
    project = ProjectRepository(db).facts(series.project_id)
    if occurrence is None or project is None:
        return None
    return {
        **args,
        "code": project.code,
        "title": series.title,
        "start": occurrence.start.isoformat(),
        "end": occurrence.end.isoformat(),
        "timezone": series.timezone,
    }


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
    )
    return build_meeting_report_card(form, t)


proactive.CAPABILITY_RENDERERS[REMINDER_BUILDER] = render_reminder
proactive.CAPABILITY_REFRESHERS[REMINDER_BUILDER] = reminder_args
proactive.CAPABILITY_RENDERERS[REPORT_BUILDER] = render_report_prompt
proactive.CAPABILITY_REFRESHERS[REPORT_BUILDER] = refresh_report_prompt


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
        overrides = overrides_of(MeetingRepository(db).overrides([series.id]).get(series.id, []))
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
    """The scheduler job: rolls every active series' reminder rows on over the horizon. Returns series synced."""
    count = 0
    for series in MeetingRepository(db).active_series():
        sync_series(db, series, now)
        count += 1
    return count


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Brussels")


# What other capabilities show of a project's meetings -----------------------------------------------------------


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


capability = Capability("meetings", install=register)


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
