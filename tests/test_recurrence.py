"""Meeting recurrence rules: DST, n-th weekday, holidays, overrides, reminder due times (pure; with hypothesis)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.meetings.recurrence import (
    DEFAULT_LEADS_MINUTES,
    Override,
    Rule,
    find_occurrence,
    format_leads,
    is_belgian_holiday,
    is_last_weekday,
    nth_weekday,
    occurrence_key,
    occurrences,
    parse_key,
    parse_leads,
    reminder_due,
    reminders,
)
from domain.meetings import Repeat

BRUSSELS = ZoneInfo("Europe/Brussels")
HOUR = timedelta(hours=1)


def rule(first: datetime, repeat: Repeat = Repeat.WEEKLY, **kwargs: object) -> Rule:
    return Rule(first_start=first, duration=HOUR, timezone="Europe/Brussels", repeat=repeat, **kwargs)  # type: ignore[arg-type]


def window(year_from: int = 2026, year_to: int = 2028) -> dict[str, datetime]:
    return {"start": datetime(year_from, 1, 1, tzinfo=UTC), "end": datetime(year_to, 1, 1, tzinfo=UTC)}


def test_weekly_meeting_stays_at_ten_local_across_both_dst_changes() -> None:
    series = rule(datetime(2026, 3, 16, 10, 0), count=4)  # Mondays around the last Sunday of March (29th)
    found = occurrences(series, {}, **window())
    assert [o.local_start.strftime("%Y-%m-%d %H:%M") for o in found] == [
        "2026-03-16 10:00",
        "2026-03-23 10:00",
        "2026-03-30 10:00",
        "2026-04-06 10:00",
    ]
    assert [o.start.hour for o in found] == [9, 9, 8, 8]  # UTC+1 before, UTC+2 after
    october = occurrences(rule(datetime(2026, 10, 19, 10, 0), count=3), {}, **window())
    assert [o.local_start.hour for o in october] == [10, 10, 10]
    assert [o.start.hour for o in october] == [8, 9, 9]  # last Sunday of October is the 25th


def test_reminders_are_instants_so_a_day_ahead_crosses_dst_in_utc() -> None:
    [monday] = occurrences(rule(datetime(2026, 3, 30, 10, 0), Repeat.NONE), {}, **window())
    due = reminder_due(monday.start, 24 * 60)
    assert due == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # Sunday 10:00 local (already summer time)
    assert due.astimezone(BRUSSELS).hour == 10
    assert reminder_due(monday.start, 60) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_a_time_in_the_spring_gap_moves_forward() -> None:
    [only] = occurrences(rule(datetime(2026, 3, 29, 2, 30), Repeat.NONE), {}, **window())
    assert only.local_start.strftime("%H:%M") == "03:30"


def test_every_two_weeks_and_until_date_inclusive() -> None:
    series = rule(datetime(2026, 11, 23, 14, 0), Repeat.BIWEEKLY, until=date(2026, 12, 21))
    found = occurrences(series, {}, **window())
    assert [o.local_start.date() for o in found] == [date(2026, 11, 23), date(2026, 12, 7), date(2026, 12, 21)]


def test_monthly_on_the_nth_weekday() -> None:
    # 2026-11-10 is the second Tuesday of November.
    series = rule(datetime(2026, 11, 10, 9, 30), Repeat.MONTHLY, count=4)
    found = occurrences(series, {}, **window())
    assert [o.local_start.date() for o in found] == [
        date(2026, 11, 10),
        date(2026, 12, 8),
        date(2027, 1, 12),
        date(2027, 2, 9),
    ]
    assert all(o.local_start.hour == 9 and o.local_start.minute == 30 for o in found)


def test_monthly_on_the_last_weekday_and_a_fifth_weekday_means_last() -> None:
    last = occurrences(rule(datetime(2026, 11, 26, 10, 0), Repeat.MONTHLY_LAST, count=3), {}, **window())
    assert [o.local_start.date() for o in last] == [date(2026, 11, 26), date(2026, 12, 31), date(2027, 1, 28)]
    fifth = occurrences(rule(datetime(2026, 12, 29, 10, 0), Repeat.MONTHLY, count=2), {}, **window())
    assert [o.local_start.date() for o in fifth] == [date(2026, 12, 29), date(2027, 1, 26)]  # last Tuesdays


def test_belgian_holidays_are_skipped_when_the_series_says_so() -> None:
    # Wednesdays; 2026-11-11 (Armistice) is a Wednesday.
    keep = occurrences(rule(datetime(2026, 11, 4, 10, 0), count=3), {}, **window())
    skip = occurrences(rule(datetime(2026, 11, 4, 10, 0), count=3, skip_holidays=True), {}, **window())
    assert date(2026, 11, 11) in [o.local_start.date() for o in keep]
    assert [o.local_start.date() for o in skip] == [date(2026, 11, 4), date(2026, 11, 18)]
    assert is_belgian_holiday(date(2026, 7, 21)) and not is_belgian_holiday(date(2026, 7, 22))


def test_overrides_cancel_and_move_one_occurrence() -> None:
    series = rule(datetime(2026, 11, 23, 10, 0), count=3)
    overrides = {
        "2026-11-30": Override(cancelled=True),
        "2026-12-07": Override(moved_to=datetime(2026, 12, 8, 15, 0)),
    }
    found = occurrences(series, overrides, **window())
    assert [(o.key, o.local_start.strftime("%m-%d %H:%M"), o.moved) for o in found] == [
        ("2026-11-23", "11-23 10:00", False),
        ("2026-12-07", "12-08 15:00", True),
    ]
    assert find_occurrence(series, overrides, "2026-11-30") is None
    moved = find_occurrence(series, overrides, "2026-12-07")
    assert moved is not None and moved.local_start.day == 8
    assert find_occurrence(series, overrides, "2026-11-24") is None  # not a date of the rule
    assert find_occurrence(series, overrides, "garbage") is None


def test_window_is_half_open_and_limit() -> None:
    series = rule(datetime(2026, 11, 23, 10, 0))
    first = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert [o.key for o in occurrences(series, {}, start=first, end=first + timedelta(days=7))] == ["2026-11-23"]
    assert len(occurrences(series, {}, start=first, end=first + timedelta(days=400), limit=5)) == 5


def test_reminders_longest_lead_first() -> None:
    found = occurrences(rule(datetime(2026, 11, 23, 10, 0), count=2), {}, **window())
    due = reminders(found, DEFAULT_LEADS_MINUTES)
    assert [(r.occurrence.key, r.lead_minutes, r.first) for r in due] == [
        ("2026-11-23", 1440, True),
        ("2026-11-23", 60, False),
        ("2026-11-30", 1440, True),
        ("2026-11-30", 60, False),
    ]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("", [1440, 60]),
        ("24h, 1h", [1440, 60]),
        ("1 dag; 2 uur", [1440, 120]),
        ("2u, 15 min", [120, 15]),
        ("1d 30m", [1470]),
        ("1h and 1h", [60]),
    ],
)
def test_parse_leads(text: str, minutes: list[int]) -> None:
    assert parse_leads(text) == minutes


@pytest.mark.parametrize("text", ["soon", "1x", "2m", "15d", "1h, 2h, 3h, 4h, 5h", "h"])
def test_parse_leads_refuses(text: str) -> None:
    assert parse_leads(text) is None


def test_weekday_helpers() -> None:
    assert nth_weekday(date(2026, 11, 10)) == 2
    assert nth_weekday(date(2026, 12, 29)) == -1
    assert is_last_weekday(date(2026, 11, 26)) and not is_last_weekday(date(2026, 11, 19))
    assert parse_key(occurrence_key(datetime(2026, 1, 2, 3, 4))) == date(2026, 1, 2)
    for bad in ("2026-01-02T03:04", "2026-1-2", "garbage"):
        with pytest.raises(ValueError):
            parse_key(bad)


# Properties ------------------------------------------------------------------------------------------------------

ZONES = st.sampled_from(["Europe/Brussels", "America/New_York", "Australia/Sydney", "UTC", "Asia/Kolkata"])
FIRSTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, minute=d.minute - d.minute % 5)
)
REPEATS = st.sampled_from([Repeat.WEEKLY, Repeat.BIWEEKLY, Repeat.MONTHLY, Repeat.MONTHLY_LAST])


def _exists(local: datetime, zone: str) -> bool:
    """Whether the wall-clock time exists in the zone (not in a spring gap)."""
    there = local.replace(tzinfo=ZoneInfo(zone))
    return there.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) == local


@settings(max_examples=150, deadline=None)
@given(first=FIRSTS, zone=ZONES, repeat=REPEATS, count=st.integers(1, 30), skip=st.booleans())
def test_occurrences_keep_wall_clock_weekday_order_and_count(
    first: datetime, zone: str, repeat: Repeat, count: int, skip: bool
) -> None:
    series = Rule(first_start=first, duration=HOUR, timezone=zone, repeat=repeat, count=count, skip_holidays=skip)
    found = occurrences(series, {}, start=datetime(2024, 1, 1, tzinfo=UTC), end=datetime(2034, 1, 1, tzinfo=UTC))
    assert len(found) <= count
    assert [o.start for o in found] == sorted(o.start for o in found)
    assert len({o.key for o in found}) == len(found)
    for o in found:
        local = datetime.combine(parse_key(o.key), first.time())
        assert local.weekday() == first.weekday()
        if _exists(local, zone):
            assert o.local_start.replace(tzinfo=None) == local  # same wall-clock time, whatever the offset
        assert o.end - o.start == HOUR
        if skip:
            assert not is_belgian_holiday(local.date())
        if repeat is Repeat.MONTHLY_LAST:
            assert is_last_weekday(local.date())
        if repeat is Repeat.MONTHLY and nth_weekday(first.date()) != -1:
            assert nth_weekday(local.date()) == nth_weekday(first.date())
    if repeat in (Repeat.WEEKLY, Repeat.BIWEEKLY) and not skip:
        step = 7 if repeat is Repeat.WEEKLY else 14
        days = [parse_key(o.key) for o in found]
        assert all((b - a).days == step for a, b in itertools.pairwise(days))
        assert len(found) == count


@settings(max_examples=100, deadline=None)
@given(first=FIRSTS, zone=ZONES, repeat=REPEATS, cut=st.integers(0, 20))
def test_windows_partition_the_occurrences(first: datetime, zone: str, repeat: Repeat, cut: int) -> None:
    series = Rule(first_start=first, duration=HOUR, timezone=zone, repeat=repeat, count=20)
    begin, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2034, 1, 1, tzinfo=UTC)
    everything = occurrences(series, {}, start=begin, end=end)
    middle = everything[cut].start if cut < len(everything) else end
    halves = occurrences(series, {}, start=begin, end=middle) + occurrences(series, {}, start=middle, end=end)
    assert halves == everything
    for o in everything:
        assert find_occurrence(series, {}, o.key) == o


@given(st.lists(st.integers(5, 14 * 24 * 60), min_size=1, max_size=4))
def test_leads_round_trip(minutes: list[int]) -> None:
    assert parse_leads(format_leads(minutes)) == sorted(set(minutes), reverse=True)
