"""The reminder to log time as a person chooses it in settings: the form's values and saving the choice (reading
what was typed: fields.py). Sending the reminders is the time capability's job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from cards.base import minutes_text
from cards.i18n import Translator
from dialogs.kernel.timeparse import format_duration
from dialogs.kernel.turn import Services
from dialogs.kernel.workdays import USUAL, usual_minutes
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
