"""A meeting series created or edited with the series form, in its working group's conversation: the "new meeting"
command, the list's Edit, and the form's Save (checked field by field; nothing is written until all is right)."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

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
from dialogs.meetings.common import FormErrors, capability, form_errors, form_unreadable, saved_reply, series_for
from dialogs.meetings.reminders import sync_series
from domain.meetings import Repeat
from storage.meetings import Duplicate, MeetingRepository, MeetingSeries
from storage.projects import ProjectFacts, ProjectRepository

DEFAULT_DURATION = 60
DURATION_MIN, DURATION_MAX = 5, 720
DEFAULT_TIMEZONE = "Europe/Brussels"
COUNT_MAX = 500
TITLE_MAX, PLACE_MAX, LINK_MAX = 200, 500, 1000  # the columns' lengths (meeting_series)


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


class SeriesForm(BaseModel):
    """What the series form says, each field read or refused with the message to show under it (a meeting.* catalog
    key as the error's type, see form_errors). Fields are read in this order, so a rule about two of them sits on
    the later one: the end date after the first date, a count or an end date (not both), a repetition when either
    is given (checked once both read)."""

    model_config = ConfigDict(frozen=True)

    title: str
    kind: str
    day: date = Field(validation_alias="date")
    at: time = Field(validation_alias="time")
    duration_minutes: int = Field(validation_alias="duration")
    timezone: str
    until: date | None
    count: int | None
    repeat: str
    place: str
    link: str
    leads: list[int]
    skip_holidays: bool

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        title = " ".join(value.split())
        if not title:
            raise PydanticCustomError("meeting.title.missing", "a title")
        if len(title) > TITLE_MAX:
            raise PydanticCustomError("meeting.title.too_long", "a shorter title")
        return title

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise PydanticCustomError("meeting.kind.invalid", "a kind of meeting")
        return value

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, value: Any) -> date:
        typed = str(value).strip()
        if not typed:
            raise PydanticCustomError("meeting.date.missing", "which day?")
        return _date(typed)

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, value: Any) -> time:
        typed = str(value).strip()
        if not typed:
            raise PydanticCustomError("meeting.time.missing", "what time?")
        at = parse_time(typed)
        if at is None:
            raise PydanticCustomError("meeting.time.invalid", "not a time", {"value": typed[:20]})
        return at

    @field_validator("duration_minutes", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> int:
        typed = str(value).strip()
        minutes = _whole(typed) if typed else DEFAULT_DURATION
        if minutes is None or not DURATION_MIN <= minutes <= DURATION_MAX:
            raise PydanticCustomError("meeting.duration.invalid", "a duration")
        return minutes

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> str:
        typed = str(value).strip()
        zone = resolve_timezone(typed) if typed else DEFAULT_TIMEZONE
        if zone is None:
            raise PydanticCustomError("meeting.timezone.invalid", "a time zone", {"value": typed[:64]})
        return zone

    @field_validator("until", mode="before")
    @classmethod
    def _until(cls, value: Any, info: ValidationInfo) -> date | None:
        typed = str(value).strip()
        if not typed:
            return None
        until = _date(typed)
        first = info.data.get("day")
        if first is not None and until < first:
            raise PydanticCustomError("meeting.until.before_start", "after the first date")
        return until

    @field_validator("count", mode="before")
    @classmethod
    def _count(cls, value: Any, info: ValidationInfo) -> int | None:
        typed = str(value).strip()
        if not typed:
            return None
        count = _whole(typed)
        if count is not None and info.data.get("until") is not None:
            raise PydanticCustomError("meeting.count.or_until", "a count or an end date")
        if count is None or not 1 <= count <= COUNT_MAX:
            raise PydanticCustomError("meeting.count.invalid", "a number of meetings")
        return count

    @field_validator("repeat")
    @classmethod
    def _repeat(cls, value: str, info: ValidationInfo) -> str:
        if value not in REPEATS:
            raise PydanticCustomError("meeting.repeat.invalid", "a repetition")
        ends = info.data.get("until") is not None or info.data.get("count") is not None
        if value == Repeat.NONE and ends:
            raise PydanticCustomError("meeting.repeat.needed", "a repetition")
        return value

    @field_validator("place")
    @classmethod
    def _place(cls, value: str) -> str:
        return " ".join(value.split())[:PLACE_MAX]  # a longer one is refused beside the field first (length_errors)

    @field_validator("link")
    @classmethod
    def _link(cls, value: str) -> str:
        link = value.strip()
        if link and not link.lower().startswith("https://"):
            raise PydanticCustomError("meeting.link.invalid", "an https link")
        return link[:LINK_MAX]

    @field_validator("leads", mode="before")
    @classmethod
    def _leads(cls, value: Any) -> list[int]:
        leads = rec.parse_leads(str(value))
        if leads is None:
            raise PydanticCustomError("meeting.leads.invalid", "lead times", {"value": str(value).strip()[:40]})
        return leads

    @field_validator("skip_holidays", mode="before")
    @classmethod
    def _skip_holidays(cls, value: Any) -> bool:
        return str(value) == "true"

    def columns(self) -> dict[str, Any]:
        """The series' columns this form sets."""
        return {
            "title": self.title,
            "kind": self.kind,
            "first_start": datetime.combine(self.day, self.at),
            "duration_minutes": self.duration_minutes,
            "timezone": self.timezone,
            "repeat": self.repeat,
            "until": self.until,
            "count": self.count,
            "place": self.place,
            "link": self.link,
            "lead_minutes": ",".join(str(m) for m in self.leads),
            "skip_holidays": self.skip_holidays,
        }


def _date(typed: str) -> date:
    day = parse_date(typed)
    if day is None:
        raise PydanticCustomError("meeting.date.invalid", "not a date", {"value": typed[:20]})
    return day


def _whole(text: str) -> int | None:
    """A whole number as typed or as a number input sends it ("60", "60.0", "60,0"); None if not one."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    # "1e400" reads as infinity and "nan" as not a number: int() of either raises.
    if not math.isfinite(value) or abs(value) > 1e9:
        return None
    return int(value) if value == int(value) else None


def read_series(payload: SeriesPayload, t: Translator) -> SeriesForm:
    """The series the form describes; raises FormErrors with the message for each field that needs the person
    (nothing is written)."""
    try:
        form = SeriesForm.model_validate(payload.model_dump())
    except ValidationError as invalid:
        errors = form_errors(invalid, t)
    else:
        errors = {}
    errors.update(length_errors(payload, t))  # title, place, link: said next to the field, never cut off
    if errors:
        raise FormErrors(errors)
    return form


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
    try:
        values = read_series(payload, t).columns()
    except FormErrors as refused:
        typed = {name: str(getattr(payload, name)) for name in FORM_FIELDS}
        form = MeetingForm(
            code=project.code, form_id=payload.form_id, series_id=payload.series, values=typed, errors=refused.errors
        )
        return Reply(replace_card=build_meeting_form_card(form, t))
    now = services.clock.now()
    if editing is not None:
        assert editing.id is not None
        repository.update(editing.id, values, now=now)
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
        **values,
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
