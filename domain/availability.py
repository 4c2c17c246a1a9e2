"""Availability as people write it: hours per week in the settings form, the roles card and the people import
("38", "30,4", "30.4", "32u", "30u24"), read to the minute within the range Availability allows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from domain.capacity import MAX_MINUTES_PER_WEEK, Availability, parse_working_days

_HOURS = re.compile(r"^(?P<n>\d{1,3}(?:[.,]\d+)?)\s*(?:u|h|uur|uren|hour|hours|hrs?)?$")
_HOURS_MINUTES = re.compile(r"^(?P<h>\d{1,2})\s*[uh:]\s*(?P<m>\d{2})$")


def parse_hours_per_week(text: str) -> int | None:
    """Minutes per week for what was typed, rounded to the minute; None when it is no number of hours from 0 to 60."""
    typed = text.strip().lower()
    if found := _HOURS_MINUTES.match(typed):
        minutes = int(found["h"]) * 60 + int(found["m"]) if int(found["m"]) < 60 else -1
    elif found := _HOURS.match(typed):
        try:
            minutes = int((Decimal(found["n"].replace(",", ".")) * 60).to_integral_value())
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return None
    else:
        return None
    return minutes if 0 <= minutes <= MAX_MINUTES_PER_WEEK else None


@dataclass(frozen=True)
class ReadAvailability:
    """Hours and working days as typed, read: the availability (None: unknown), or the fields that are wrong."""

    availability: Availability | None = None
    wrong: tuple[Literal["hours", "days"], ...] = ()


def read_availability(
    hours: str, days: str, *, empty_hours: int | None = None, empty_days: frozenset[int] | None = None
) -> ReadAvailability:
    """Both fields together. Empty hours: `empty_hours` (None: unknown, the days then do not matter unless they are
    no days at all); empty days: `empty_days` (None: refused when the hours are given)."""
    typed_hours, typed_days = hours.strip(), days.strip()
    minutes = parse_hours_per_week(typed_hours) if typed_hours else empty_hours
    working = parse_working_days(typed_days) if typed_days else empty_days
    wrong: list[Literal["hours", "days"]] = []
    if typed_hours and minutes is None:
        wrong.append("hours")
    if working is None and (typed_days or minutes is not None):
        wrong.append("days")
    if wrong:
        return ReadAvailability(wrong=tuple(wrong))
    if minutes is None or working is None:
        return ReadAvailability()
    return ReadAvailability(Availability(minutes, working))
