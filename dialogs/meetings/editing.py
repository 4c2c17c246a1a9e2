"""A meeting series created or edited with the series form, in its working group's conversation: the "new meeting"
command, the list's Edit, and the form's Save (checked field by field; nothing is written until all is right)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from cards.i18n import Translator
from cards.meetings import (
    FORM_FIELDS,
    KINDS,
    REPEATS,
    EditPayload,
    MeetingForm,
    SeriesPayload,
    build_meeting_form_card,
)
from cards.meetings.common import parse_time
from cards.menu import MenuSection
from cards.payloads import length_errors
from cards.values import parse_date
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import resolve_timezone
from dialogs.kernel.turn import Reply, Request, Services, Stop, conversation_here
from dialogs.kernel.who import find_project, me, refusal
from dialogs.meetings import recurrence as rec
from dialogs.meetings.common import capability, form_unreadable, saved_reply, series_for
from dialogs.meetings.reminders import sync_series
from storage.meetings import Duplicate, MeetingRepository, MeetingSeries
from storage.projects import ProjectFacts, ProjectRepository


@capability.command(
    "new meeting",
    en=("new meeting",),
    nl=("nieuwe vergadering",),
    menu=MenuInfo(
        "menu.new_meeting.title",
        "menu.new_meeting.description",
        {"en": "new meeting DT-042", "nl": "nieuwe vergadering DT-042"},
        section=MenuSection.MEETINGS,
    ),
)
def new_meeting(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    if request.where.is_personal:
        return Reply.text(t("meeting.new.personal"))
    project = find_project(request, services, rest, "new meeting")
    _may_manage(request, services, project)
    values = {"timezone": request.timezone or services.default_timezone, "duration": "60", "leads": "24h, 1h"}
    form = MeetingForm(
        code=project.code, form_id=uuid.uuid4().hex, values=values, can_import=services.calendar is not None
    )
    return Reply.card(build_meeting_form_card(form, t))


@capability.verb(EditPayload)
def edit_series(request: Request, services: Services, payload: EditPayload) -> Reply:
    series, project = series_for(request, services, payload.series)
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


def _may_manage(request: Request, services: Services, project: ProjectFacts) -> None:
    decision = allowed(me(request, services).actor(project), Action.MANAGE_MEETINGS)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))


# The form's values ----------------------------------------------------------------------------------------------


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
    at = parse_time(payload.time) if payload.time.strip() else None
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


# Saving ---------------------------------------------------------------------------------------------------------


@capability.verb(SeriesPayload, on_invalid=form_unreadable)
def save_series(request: Request, services: Services, payload: SeriesPayload) -> Reply:
    t = request.t
    repository = MeetingRepository(services.db)
    form_key = submission_key(request, payload.form_id[:64])
    editing: MeetingSeries | None = None
    if payload.series:
        editing, project = series_for(request, services, payload.series)
    else:
        project_found = ProjectRepository(services.db).by_code(payload.code)
        if project_found is None:
            return Reply.text(t("lookup.none", reference=payload.code[:60]))
        project = project_found
        _may_manage(request, services, project)
        # A shared form (anyone who organises the project's meetings may fill in one shown in the channel):
        # each person's submission is stored once, and never answered with someone else's series.
        if form_key and (done := repository.by_form(form_key)) is not None:
            return saved_reply(request, services, done, t("meeting.already_saved", title=done.title))
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
        return saved_reply(request, services, series, t("meeting.saved", title=series.title))
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
        return saved_reply(request, services, done, t("meeting.already_saved", title=done.title))
    sync_series(services.db, series, now)
    return saved_reply(request, services, series, t("meeting.created", title=series.title, code=project.code))
