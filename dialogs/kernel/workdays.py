"""When to remind someone to log time (pure): Belgian working days, the moment in the person's own zone, and how
many hours make their usual day."""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from storage.time_entries import TimeEntryRepository

# Stored as the minimum: "their usual day" (see usual_day_minutes), not a fixed number of hours.
USUAL = 0
# Used for the usual day while there is too little history to tell (a Belgian full-time day is 7h36; people
# think of it as a day of 8 hours, and a reminder a little early does less harm than one a little late).
DEFAULT_DAY_MINUTES = 8 * 60
USUAL_LOOKBACK_DAYS = 28  # the last four weeks
USUAL_MIN_DAYS = 5  # at least this many working days with performed time before the median counts
DEFAULT_AT = time(16, 30)


@cache
def _belgian_holidays(year: int) -> frozenset[date]:
    import holidays  # ~4 MB and ~30 ms of every country's calendars: loaded with the first date it is asked about

    return frozenset(holidays.country_holidays("BE", years=year).keys())


def is_public_holiday(day: date) -> bool:
    """A Belgian public holiday (the ten legal ones: New Year, Easter Monday, 1 May, Ascension, Whit Monday,
    21 July, 15 August, 1 and 11 November, Christmas)."""
    return day in _belgian_holidays(day.year)


def is_working_day(day: date, leave: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day) and day not in leave


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of wall-clock time `at` on `day` in `zone`. A time the clocks skip that day (02:30 when
    summer time starts) falls an hour later, at 03:30 (zoneinfo's fold=0); one they pass twice is the first."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the local day ends (the next midnight), whatever the day's length (23 or 25 h at DST)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def due_day(now: datetime, at: time, zone: ZoneInfo, leave: Collection[date] = ()) -> date | None:
    """The local day whose reminder is due at `now`: today in `zone` once `at` has passed on a working day that is
    not a leave day; None otherwise."""
    today = now.astimezone(zone).date()
    if not is_working_day(today, leave):
        return None
    return today if now >= local_moment(today, at, zone) else None


def usual_day_minutes(day_totals: Sequence[int]) -> int:
    """The median of the performed minutes per working day that had any, rounded to a quarter of an hour; the
    default day while there are fewer than USUAL_MIN_DAYS such days."""
    worked = [minutes for minutes in day_totals if minutes > 0]
    if len(worked) < USUAL_MIN_DAYS:
        return DEFAULT_DAY_MINUTES
    median = statistics.median(worked)
    return int(min(max(round(median / 15) * 15, 15), 24 * 60))


def wanted_minutes(min_minutes: int, day_totals: Sequence[int]) -> int:
    """What the person wants logged per day: their own number, or their usual day (min_minutes == USUAL)."""
    return min_minutes if min_minutes > USUAL else usual_day_minutes(day_totals)


def usual_minutes(entries: TimeEntryRepository, person_id: int, min_minutes: int, day: date) -> int:
    if min_minutes > USUAL:
        return min_minutes
    history = entries.day_totals(person_id, day - timedelta(days=USUAL_LOOKBACK_DAYS), day - timedelta(days=1))
    return wanted_minutes(min_minutes, history)
