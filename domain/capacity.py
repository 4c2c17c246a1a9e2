"""Capacity (pure): how many hours a person can work in a week, how a week's plan spreads over their working days,
and how full a week is. Storage reads the facts (storage/capacity.py); dialogs/kernel/capacity.py puts them
together with leave and public holidays."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# The Flemish full-time norm: 38 hours over Monday to Friday.
FULL_TIME_MINUTES = 38 * 60
MAX_MINUTES_PER_WEEK = 60 * 60
DEFAULT_WORKING_DAYS = frozenset(range(5))
# A week is at risk when more than this share of the available time is planned (PROJECTBOT_CAPACITY_AT_RISK_PERCENT).
DEFAULT_AT_RISK_PERCENT = 90

# How working days are written: the import's header documents both spellings (`ma,di,wo,do,vr`, `mon,tue,…`).
DAY_KEYS: dict[str, tuple[str, ...]] = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
}
_DAY_NAMES: dict[str, int] = {
    **{key: i for keys in DAY_KEYS.values() for i, key in enumerate(keys)},
    **{
        name: i
        for i, names in enumerate(
            (
                ("maandag", "monday", "mo"),
                ("dinsdag", "tuesday", "tu", "tues"),
                ("woensdag", "wednesday", "we"),
                ("donderdag", "thursday", "th", "thur", "thurs"),
                ("vrijdag", "friday", "fr"),
                ("zaterdag", "saturday", "sa"),
                ("zondag", "sunday", "su"),
            )
        )
        for name in names
    },
}
_DAY_RANGE = re.compile(r"^(?P<first>[a-z]+)\s*(?:-|–|tot|to|t/m)\s*(?P<last>[a-z]+)$")


@dataclass(frozen=True)
class Availability:
    """What a person's contract gives: minutes per week over these weekdays (0 is Monday)."""

    minutes_per_week: int
    working_days: frozenset[int]

    def __post_init__(self) -> None:
        if not 0 <= self.minutes_per_week <= MAX_MINUTES_PER_WEEK:
            raise ValueError(f"minutes per week out of range: {self.minutes_per_week}")
        if not self.working_days or not self.working_days <= frozenset(range(7)):
            raise ValueError(f"working days must be some of 0-6: {sorted(self.working_days)}")

    @classmethod
    def full_time(cls) -> Availability:
        return cls(FULL_TIME_MINUTES, DEFAULT_WORKING_DAYS)


def days_to_mask(days: Iterable[int]) -> int:
    return sum(1 << day for day in set(days))


def mask_to_days(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def parse_working_days(text: str) -> frozenset[int] | None:
    """The weekdays written as 'ma,di,wo,do,vr', 'mon tue thu', 'ma-vr', 'maandag tot donderdag' (Dutch or
    English, short or whole names, commas, semicolons, slashes or spaces); None when a part is no day or none is
    given."""
    days: set[int] = set()
    for part in re.split(r"[,;/]", text.lower()):
        words = part.strip()
        if not words:
            continue
        if (span := _DAY_RANGE.match(words)) is not None and span["first"] in _DAY_NAMES and span["last"] in _DAY_NAMES:
            first, last = _DAY_NAMES[span["first"]], _DAY_NAMES[span["last"]]
            if last < first:
                return None
            days.update(range(first, last + 1))
            continue
        for word in words.split():
            if word.rstrip(".") not in _DAY_NAMES:
                return None
            days.add(_DAY_NAMES[word.rstrip(".")])
    return frozenset(days) or None


def working_days_text(days: Collection[int], language: str) -> str:
    """'ma, di, wo, do, vr' / 'mon, tue, wed, thu, fri': the short names, in weekday order."""
    keys = DAY_KEYS["nl" if language == "nl" else "en"]
    return ", ".join(keys[day] for day in sorted(days))


def week_of(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(7)]


def available_minutes(availability: Availability, monday: date, days_off: Collection[date]) -> int:
    """The contract's minutes that week, less a working day's share for each working day off (leave or a public
    holiday): 38 h over five days with Easter Monday off is 30 h 24."""
    working = [day for day in week_of(monday) if day.weekday() in availability.working_days]
    off = sum(1 for day in working if day in days_off)
    return round(availability.minutes_per_week * (len(working) - off) / len(working))


def spread(minutes: int, days: list[date]) -> list[tuple[date, int]]:
    """A week's plan over the given days, in whole minutes as equal as they go (the first days take the remainder:
    16 h over five days is 3 h 12 each; 10 h over three is 3 h 20 each)."""
    if not days:
        return []
    share, remainder = divmod(minutes, len(days))
    return [(day, share + (1 if i < remainder else 0)) for i, day in enumerate(days) if share or i < remainder]


class Load(StrEnum):
    UNKNOWN = "unknown"  # no availability known: never shown as free
    OK = "ok"
    AT_RISK = "at_risk"  # above the at-risk share of the available time
    OVER = "over"  # more planned than available


def load_of(planned: int, available: int | None, at_risk_percent: int = DEFAULT_AT_RISK_PERCENT) -> Load:
    if available is None:
        return Load.UNKNOWN
    if planned > available:
        return Load.OVER
    if planned * 100 > at_risk_percent * available:
        return Load.AT_RISK
    return Load.OK


@dataclass(frozen=True)
class WeekLoad:
    """One person's ISO week: what they can work (None: unknown), what is planned, and on which projects."""

    monday: date
    available: int | None
    planned: int
    by_project: tuple[tuple[int, int], ...]  # (project id, planned minutes), the largest first
    load: Load
    days_off: tuple[date, ...] = ()  # working days of leave or public holiday

    @property
    def free(self) -> int | None:
        """Unplanned minutes (never below 0); None when the availability is unknown."""
        return None if self.available is None else max(self.available - self.planned, 0)

    @property
    def percent(self) -> int | None:
        if self.available is None:
            return None
        if self.available == 0:
            return 0 if self.planned == 0 else 999
        return round(self.planned * 100 / self.available)


@dataclass(frozen=True)
class PersonLoad:
    person_id: int
    name: str
    email: str | None
    availability: Availability | None
    weeks: tuple[WeekLoad, ...]

    def weeks_with(self, *loads: Load) -> tuple[WeekLoad, ...]:
        return tuple(week for week in self.weeks if week.load in loads)


def week_load(
    monday: date,
    availability: Availability | None,
    planned: dict[int, int],
    days_off: Collection[date],
    at_risk_percent: int = DEFAULT_AT_RISK_PERCENT,
) -> WeekLoad:
    """A week's load from its facts: the planned minutes per project id, and the days off (leave and public
    holidays; only working days among them count)."""
    total = sum(planned.values())
    available = available_minutes(availability, monday, days_off) if availability is not None else None
    working = availability.working_days if availability is not None else DEFAULT_WORKING_DAYS
    off = tuple(day for day in week_of(monday) if day in days_off and day.weekday() in working)
    by_project = tuple(sorted(((p, m) for p, m in planned.items() if m), key=lambda item: (-item[1], item[0])))
    return WeekLoad(monday, available, total, by_project, load_of(total, available, at_risk_percent), off)
