"""The handover's pure rules: reading the after-care period, its end, and when messages are due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.handover import rules
from dialogs.handover.rules import AfterCare


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 months", AfterCare(length="P3M")),
        ("3 maanden", AfterCare(length="P3M")),
        ("1 maand", AfterCare(length="P1M")),
        ("  6   Weken ", AfterCare(length="P6W")),
        ("6w", AfterCare(length="P6W")),
        ("90 dagen", AfterCare(length="P90D")),
        ("12 mnd", AfterCare(length="P12M")),
        ("30/06/2027", AfterCare(end=date(2027, 6, 30))),
        ("2027-06-30", AfterCare(end=date(2027, 6, 30))),
        ("30-6-2027", AfterCare(end=date(2027, 6, 30))),
        ("", None),
        ("forever", None),
        ("0 months", None),
        ("37 months", None),
        ("3 jaar", None),
        ("31/02/2027", None),
    ],
)
def test_after_care_is_read_in_dutch_and_english(text: str, expected: AfterCare | None) -> None:
    assert rules.parse_after_care(text) == expected


def test_after_care_end_counts_from_the_start_or_is_the_date() -> None:
    assert rules.after_care_end(date(2027, 1, 31), AfterCare(length="P1M")) == date(2027, 2, 28)
    assert rules.after_care_end(date(2027, 2, 5), AfterCare(length="P3M")) == date(2027, 5, 5)
    assert rules.after_care_end(date(2027, 2, 5), AfterCare(length="P2W")) == date(2027, 2, 19)
    assert rules.after_care_end(date(2027, 2, 5), AfterCare(end=date(2027, 6, 1))) == date(2027, 6, 1)
    assert rules.after_care_end(date(2027, 2, 5), AfterCare()) == date(2027, 2, 5)


def test_moments_are_local_nine_oclock_in_utc_across_daylight_saving() -> None:
    assert rules.local_moment(date(2027, 1, 15), "Europe/Brussels") == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert rules.local_moment(date(2027, 4, 21), "Europe/Brussels") == datetime(2027, 4, 21, 7, 0, tzinfo=UTC)


def test_reminders_still_ahead_and_after_care_over() -> None:
    planned = date(2027, 2, 5)
    assert rules.reminder_days(planned, date(2027, 1, 1)) == [14, 3]
    assert rules.reminder_days(planned, date(2027, 1, 22)) == [14, 3]
    assert rules.reminder_days(planned, date(2027, 1, 23)) == [3]
    assert rules.reminder_days(planned, date(2027, 2, 3)) == []
    assert not rules.after_care_over(date(2027, 5, 5), date(2027, 5, 5))
    assert rules.after_care_over(date(2027, 5, 5), date(2027, 5, 6))
    assert not rules.after_care_over(None, date(2099, 1, 1))
    assert rules.after_care_warning_day(date(2027, 5, 5)) == date(2027, 4, 21)


@given(count=st.integers(1, 36), unit=st.sampled_from(["months", "maanden", "weeks", "weken", "days", "dagen"]))
def test_every_length_reads_back_and_ends_after_its_start(count: int, unit: str) -> None:
    care = rules.parse_after_care(f"{count} {unit}")
    if unit in ("days", "dagen") or count * (7 if unit in ("weeks", "weken") else 31) <= 36 * 31:
        assert care is not None and care.end is None
        count_back, _unit = rules.describe_length(care.length)
        assert count_back == count
        start = date(2027, 1, 31)
        end = rules.after_care_end(start, care)
        assert start < end <= start + timedelta(days=rules.length_days(care.length))
    else:
        assert care is None


@given(st.text(max_size=30))
def test_any_text_gives_a_period_or_none_never_an_error(text: str) -> None:
    care = rules.parse_after_care(text)
    assert care is None or (care.end is None) != (care.length == "")


@given(planned=st.dates(date(2026, 1, 1), date(2030, 12, 31)), today=st.dates(date(2026, 1, 1), date(2030, 12, 31)))
def test_reminders_ahead_are_exactly_those_not_yet_passed(planned: date, today: date) -> None:
    ahead = rules.reminder_days(planned, today)
    for days in rules.REMINDER_DAYS:
        assert (days in ahead) == (planned - timedelta(days=days) >= today)
