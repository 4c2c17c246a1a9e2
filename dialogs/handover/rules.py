"""Pure rules of the handover: reading the after-care period, its end, and when each message is due (no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from cards.values import parse_date
from domain.handover import length_parts

DEFAULT_INFORM_DAYS = 30
MAX_INFORM_DAYS = 365
REMINDER_DAYS = (14, 3)  # before the handover date, to the coordinator, when items are still open
AFTER_CARE_WARNING_DAYS = 14  # before the end of after-care, to both sides
SEND_AT = time(9, 0)  # reminders go out at this local time
MAX_AFTER_CARE_MONTHS = 36

_LENGTH = re.compile(
    r"^(?P<count>\d{1,3})\s*(?P<unit>"
    r"maanden|maand|months|month|mnd|mo|m|"
    r"weken|week|weeks|wk|w|"
    r"dagen|dag|days|day|d"
    r")\.?$"
)
_UNITS = {
    **dict.fromkeys(("maanden", "maand", "months", "month", "mnd", "mo", "m"), "M"),
    **dict.fromkeys(("weken", "week", "weeks", "wk", "w"), "W"),
    **dict.fromkeys(("dagen", "dag", "days", "day", "d"), "D"),
}


@dataclass(frozen=True)
class AfterCare:
    """An after-care period: an explicit end date, or a length (ISO-8601-like "P3M", "P6W", "P10D")."""

    end: date | None = None
    length: str = ""


def parse_after_care(text: str) -> AfterCare | None:
    """ "3 months", "3 maanden", "6w", "90 dagen", or a date ("30/06/2027", "2027-06-30"); None when unreadable."""
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        return None
    match = _LENGTH.match(cleaned)
    if match:
        count = int(match["count"])
        unit = _UNITS[match["unit"]]
        if count == 0 or length_days(f"P{count}{unit}") > MAX_AFTER_CARE_MONTHS * 31:
            return None
        return AfterCare(length=f"P{count}{unit}")
    day = parse_date(cleaned)
    return AfterCare(end=day) if day else None


def _delta(length: str) -> relativedelta:
    count, unit = int(length[1:-1]), length[-1]
    if unit == "M":
        return relativedelta(months=count)
    if unit == "W":
        return relativedelta(weeks=count)
    return relativedelta(days=count)


def length_days(length: str) -> int:
    """Roughly how many days a length is (for limits only)."""
    count, unit = int(length[1:-1]), length[-1]
    return count * {"M": 31, "W": 7, "D": 1}[unit]


def after_care_end(start: date, care: AfterCare) -> date:
    """The last day of after-care: the explicit date, or the length counted from the start (acceptance day)."""
    if care.end is not None:
        return care.end
    if not care.length:
        return start
    result: date = start + _delta(care.length)
    return result


def describe_length(length: str) -> tuple[int, str]:
    """(count, unit) with unit one of months, weeks, days: for the catalog."""
    return length_parts(length)


def local_moment(day: date, zone: str, at: time = SEND_AT) -> datetime:
    """`at` on `day` in the zone, as UTC."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def inform_due(planned_on: date, inform_days: int) -> date:
    return planned_on - timedelta(days=inform_days)


def reminder_days(planned_on: date, today: date) -> list[int]:
    """Which coordinator reminders (days before) are still ahead on `today` (their day not yet passed)."""
    return [days for days in REMINDER_DAYS if planned_on - timedelta(days=days) >= today]


def after_care_warning_day(until: date) -> date:
    return until - timedelta(days=AFTER_CARE_WARNING_DAYS)


def after_care_over(until: date | None, today: date) -> bool:
    """After-care ends at the end of its last day: the project closes the day after."""
    return until is not None and today > until
