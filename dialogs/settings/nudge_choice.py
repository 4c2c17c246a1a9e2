"""The reminder to log time as a person chooses it in settings: the form's values, reading what was typed, saving
it. Sending the reminders is the time capability's job."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from cards.base import minutes_text
from cards.i18n import Translator
from dialogs.kernel.timeparse import format_duration, parse_duration
from dialogs.kernel.turn import Services
from dialogs.kernel.workdays import DEFAULT_AT, USUAL, usual_minutes
from storage.time_entries import TimeEntryRepository


@dataclass(frozen=True)
class NudgeValues:
    enabled: bool
    at: str  # HH:MM
    hours: str  # empty: the usual day
    usual: str  # the usual day as the person reads it, for the hint


def nudge_values(services: Services, person_id: int, t: Translator, today: date) -> NudgeValues:
    entries = TimeEntryRepository(services.db)
    setting = entries.nudge(person_id)
    usual = usual_minutes(entries, person_id, USUAL, today)
    hours = "" if setting.min_minutes == USUAL else format_duration(setting.min_minutes, t.language)
    return NudgeValues(setting.enabled, setting.at_time.strftime("%H:%M"), hours, minutes_text(usual, t))


@dataclass(frozen=True)
class NudgeChoice:
    enabled: bool
    at: time
    min_minutes: int


_TIME = re.compile(r"^(?P<h>\d{1,2})[:.hu](?P<m>\d{2})?$|^(?P<bare>\d{1,2})$", re.IGNORECASE)


def parse_nudge(
    enabled: str | None, at: str | None, hours: str | None, current: NudgeChoice, t: Translator
) -> tuple[NudgeChoice, dict[str, str]]:
    """The nudge fields of a settings card (None: not on the card, keep as is): the choice and errors per field."""
    errors: dict[str, str] = {}
    chosen_at = current.at
    if at is not None and at.strip():
        found = _TIME.match(at.strip())
        hour = int(found["h"] or found["bare"]) if found else 99
        minute = int(found["m"] or 0) if found else 99
        if hour > 23 or minute > 59:
            errors["nudge_at"] = t("settings.nudge.at.invalid", value=at.strip()[:20])
        else:
            chosen_at = time(hour, minute)
    elif at is not None:
        chosen_at = DEFAULT_AT
    minimum = current.min_minutes
    if hours is not None:
        if not hours.strip():
            minimum = USUAL
        else:
            typed = "".join(hours.split())
            parsed = parse_duration(typed if not typed.replace(",", "").replace(".", "").isdigit() else typed + "h")
            if parsed is None or parsed <= 0 or parsed > 24 * 60:
                errors["nudge_hours"] = t("settings.nudge.hours.invalid", value=hours.strip()[:20])
            else:
                minimum = parsed
    on = current.enabled if enabled is None else enabled.strip().lower() == "true"
    return NudgeChoice(on, chosen_at, minimum), errors


def save_nudge(services: Services, person_id: int, choice: NudgeChoice) -> bool:
    """True when something changed."""
    entries = TimeEntryRepository(services.db)
    before = entries.nudge(person_id)
    if (before.enabled, before.at_time, before.min_minutes) == (choice.enabled, choice.at, choice.min_minutes):
        return False
    entries.set_nudge(
        person_id,
        enabled=choice.enabled,
        at_time=choice.at,
        min_minutes=choice.min_minutes,
        now=services.clock.now(),
    )
    return True


def current_choice(services: Services, person_id: int) -> NudgeChoice:
    setting = TimeEntryRepository(services.db).nudge(person_id)
    return NudgeChoice(setting.enabled, setting.at_time, setting.min_minutes)
