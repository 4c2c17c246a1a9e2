"""The settings form read by a model: each field read, or refused with the message to show under it (a settings.*
catalog key as the error's type, which cards.payloads.field_errors translates). A field the card did not send
(None) leaves what it sets as it is: the reminder's fields then keep the stored choice, which comes in the
validation context ({"current": NudgeChoice}), as do the stored availability ({"availability": Availability | None})
and the reader's language ({"language": "nl"}) for the time zones an error suggests."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from cards.i18n import LANGUAGES, Language
from cards.settings import AUTO
from dialogs.kernel.timeparse import parse_duration
from dialogs.kernel.timezones import resolve_timezone, zone_problem
from dialogs.kernel.workdays import DEFAULT_AT, USUAL
from dialogs.settings.nudge_choice import NudgeChoice
from domain.availability import parse_hours_per_week
from domain.capacity import DEFAULT_WORKING_DAYS, Availability, parse_working_days
from storage.directory import EMAIL_MAX, NAME_MAX, is_email

_TIME = re.compile(r"^(?P<h>\d{1,2})[:.hu](?P<m>\d{2})?$|^(?P<bare>\d{1,2})$", re.IGNORECASE)
_ABSENT = Field(default=None, validate_default=True)


def _current(info: ValidationInfo) -> NudgeChoice:
    current = (info.context or {})["current"]
    assert isinstance(current, NudgeChoice)
    return current


def _availability(info: ValidationInfo) -> Availability | None:
    current = (info.context or {}).get("availability")
    assert current is None or isinstance(current, Availability)
    return current


def _language(info: ValidationInfo) -> Language:
    """The reader's language, for the zones an error suggests."""
    language = (info.context or {}).get("language", "nl")
    return "en" if language == "en" else "nl"


class SettingsFields(BaseModel):
    """The settings form, read; named as the form's inputs, so each error lands under its input."""

    model_config = ConfigDict(frozen=True)

    language: str  # AUTO or a language
    timezone: str | None  # the zone as the database knows it; None: follow Teams
    name: str | None = None  # None: not on the card
    email: str | None = None  # None: not on the card; "": remove the contact address
    nudge: bool = _ABSENT
    nudge_at: time = _ABSENT
    nudge_hours: int = _ABSENT  # minutes; USUAL: the usual day
    hours: int | None = _ABSENT  # minutes per week; None: unknown (the field left empty)
    days: frozenset[int] = _ABSENT  # working days, 0 is Monday (read after hours: refused empty only with hours)

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> str:
        if value not in (AUTO, *LANGUAGES):
            raise PydanticCustomError("settings.language.invalid", "a language")
        return str(value)

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any, info: ValidationInfo) -> str | None:
        zone = str(value or "").strip()
        if not zone:
            return None
        problem = zone_problem(zone, _language(info), "settings.timezone.invalid")
        if problem is not None:
            raise PydanticCustomError(problem[0], "a time zone", problem[1])
        return resolve_timezone(zone)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str | None:
        if value is None:
            return None
        name = str(value).strip()
        if not name:
            raise PydanticCustomError("settings.name.missing", "a name")
        if len(name) > NAME_MAX:
            raise PydanticCustomError("settings.name.too_long", "too long", {"limit": NAME_MAX})
        return name

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> str | None:
        if value is None:
            return None
        email = str(value).strip()
        if email and (len(email) > EMAIL_MAX or not is_email(email)):
            raise PydanticCustomError("settings.email.invalid", "an address", {"value": email[:80]})
        return email

    @field_validator("nudge", mode="before")
    @classmethod
    def _nudge(cls, value: Any, info: ValidationInfo) -> bool:
        return _current(info).enabled if value is None else str(value).strip().lower() == "true"

    @field_validator("nudge_at", mode="before")
    @classmethod
    def _nudge_at(cls, value: Any, info: ValidationInfo) -> time:
        if value is None:
            return _current(info).at
        typed = str(value).strip()
        if not typed:
            return DEFAULT_AT
        found = _TIME.match(typed)
        hour = int(found["h"] or found["bare"]) if found else 99
        minute = int(found["m"] or 0) if found else 99
        if hour > 23 or minute > 59:
            raise PydanticCustomError("settings.nudge.at.invalid", "a time", {"value": typed[:20]})
        return time(hour, minute)

    @field_validator("nudge_hours", mode="before")
    @classmethod
    def _nudge_hours(cls, value: Any, info: ValidationInfo) -> int:
        if value is None:
            return _current(info).min_minutes
        if not str(value).strip():
            return USUAL
        typed = "".join(str(value).split())
        parsed = parse_duration(typed if not typed.replace(",", "").replace(".", "").isdigit() else typed + "h")
        if parsed is None or parsed <= 0 or parsed > 24 * 60:
            raise PydanticCustomError("settings.nudge.hours.invalid", "hours", {"value": str(value).strip()[:20]})
        return parsed

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, value: Any, info: ValidationInfo) -> int | None:
        if value is None:
            current = _availability(info)
            return None if current is None else current.minutes_per_week
        typed = str(value).strip()
        if not typed:
            return None  # left empty: unknown, never guessed as full time
        minutes = parse_hours_per_week(typed)
        if minutes is None:
            raise PydanticCustomError("availability.hours.invalid", "hours per week", {"value": typed[:20]})
        return minutes

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any, info: ValidationInfo) -> frozenset[int]:
        if value is None:
            current = _availability(info)
            return DEFAULT_WORKING_DAYS if current is None else current.working_days
        typed = str(value).strip()
        days = parse_working_days(typed) if typed else None
        if days is None and (typed or info.data.get("hours") is not None):
            raise PydanticCustomError("availability.days.missing", "working days")
        return days or DEFAULT_WORKING_DAYS

    def nudge_choice(self) -> NudgeChoice:
        return NudgeChoice(self.nudge, self.nudge_at, self.nudge_hours)

    def availability(self) -> Availability | None:
        """What the form says: None when the hours were left empty (unknown)."""
        return None if self.hours is None else Availability(self.hours, self.days)
