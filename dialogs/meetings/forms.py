"""The meeting forms' models: what the series form and the move card say, each field read or refused with the
message to show under it in the reader's language (a meeting.* catalog key raised as the error's type, with its
values), and the form shown again, as typed, with those messages (FormErrors)."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from cards.i18n import Language, Translator
from cards.meetings import KINDS, REPEATS, MovePayload, SeriesPayload
from cards.meetings.common import parse_time
from cards.payloads import field_errors, length_errors, read_required
from cards.values import parse_date
from dialogs.kernel.timeparse import parse_duration
from dialogs.kernel.timezones import resolve_timezone, zone_problem
from dialogs.meetings import recurrence as rec
from domain.meetings import Repeat

DEFAULT_DURATION = 60
DURATION_MIN, DURATION_MAX = 5, 720
DEFAULT_TIMEZONE = "Europe/Brussels"
COUNT_MAX = 500
TITLE_MAX, PLACE_MAX, LINK_MAX = 200, 500, 1000  # the columns' lengths (meeting_series)


class FormErrors(Exception):
    """A form's refusal: the message to show under each field that needs the person (nothing was written)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class StartForm(BaseModel):
    """A meeting's local date and time of day, as the date and time inputs send them."""

    model_config = ConfigDict(frozen=True)

    day: date = Field(validation_alias="date")
    at: time = Field(validation_alias="time")

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
        return read_required(value, parse_time, missing="meeting.time.missing", invalid="meeting.time.invalid")

    def start(self) -> datetime:
        """The local wall-clock start (naive: in the series' zone)."""
        return datetime.combine(self.day, self.at)


class SeriesForm(StartForm):
    """What the series form says, each field read or refused with the message to show under it (a meeting.* catalog
    key as the error's type, translated by cards.payloads.field_errors). Fields are read in this order, so a rule
    about two of them sits on the later one: the end date after the first date, a count or an end date (not both),
    a repetition when either is given. Those last two speak of what was typed (an end date or a count that reads,
    even when refused for another reason), which `ends_typed` notes before the fields are read."""

    ends_typed: tuple[bool, bool] = Field(default=(False, False), exclude=True)  # (end date, count)
    title: str
    kind: str
    duration_minutes: int = Field(validation_alias="duration")
    timezone: str
    until: date | None
    count: int | None
    repeat: str
    place: str
    link: str
    leads: list[int]
    skip_holidays: bool

    @model_validator(mode="before")
    @classmethod
    def _note_ends(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        until, count = str(data.get("until", "")).strip(), str(data.get("count", "")).strip()
        typed = (bool(until) and parse_date(until) is not None, bool(count) and _whole(count) is not None)
        return {**data, "ends_typed": typed}

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

    @field_validator("duration_minutes", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> int:
        typed = str(value).strip()
        # A number input sends minutes; typed in the terminal chat it may carry a unit ("1u30", "90 min", "1h").
        minutes = (_whole(typed) or parse_duration("".join(typed.split()))) if typed else DEFAULT_DURATION
        if minutes is None or not DURATION_MIN <= minutes <= DURATION_MAX:
            raise PydanticCustomError("meeting.duration.invalid", "a duration")
        return minutes

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any, info: ValidationInfo) -> str:
        typed = str(value).strip()
        if not typed:
            return DEFAULT_TIMEZONE
        language: Language = "en" if (info.context or {}).get("language") == "en" else "nl"
        problem = zone_problem(typed, language, "meeting.timezone.invalid")
        if problem is not None:
            raise PydanticCustomError(problem[0], "a time zone", problem[1])
        return resolve_timezone(typed) or DEFAULT_TIMEZONE

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
        until_typed, _ = info.data.get("ends_typed", (False, False))
        if count is not None and until_typed:
            raise PydanticCustomError("meeting.count.or_until", "a count or an end date")
        if count is None or not 1 <= count <= COUNT_MAX:
            raise PydanticCustomError("meeting.count.invalid", "a number of meetings")
        return count

    @field_validator("repeat")
    @classmethod
    def _repeat(cls, value: str, info: ValidationInfo) -> str:
        if value not in REPEATS:
            raise PydanticCustomError("meeting.repeat.invalid", "a repetition")
        # Not while the end date itself is refused: that message comes first.
        if value == Repeat.NONE and any(info.data.get("ends_typed", ())) and "until" in info.data:
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
            "first_start": self.start(),
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
        form = SeriesForm.model_validate(payload.model_dump(), context={"language": t.language})
    except ValidationError as invalid:
        errors = field_errors(invalid, t)
    else:
        errors = {}
    errors.update(length_errors(payload, t))  # title, place, link: said next to the field, never cut off
    if errors:
        raise FormErrors(errors)
    return form


def read_new_start(payload: MovePayload, timezone: str, now: datetime, t: Translator) -> datetime:
    """The new local start the move card asks for (naive, in the series' zone); raises FormErrors when a field
    does not read or the moment has passed."""
    try:
        start = StartForm.model_validate(payload.model_dump()).start()
    except ValidationError as invalid:
        raise FormErrors(field_errors(invalid, t)) from None
    if rec.to_utc(start, timezone) <= now:
        raise FormErrors({"date": t("meeting.move.past")})
    return start
