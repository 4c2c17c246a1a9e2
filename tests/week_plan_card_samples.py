"""Samples of the week plan's confirmation and a day plan's load line (added to tests/card_samples.py's SAMPLES)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from cards.i18n import Translator
from cards.timelog import (
    LoggedView,
    WeekLoadLine,
    WeekPlanView,
    build_time_logged_card,
    build_week_planned_card,
)
from domain.capacity import Availability, week_load
from domain.time import EntryFacts

Sample = tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]
MONDAY = date(2027, 1, 18)
OTHERS = tuple((f"DT-{n:03d}", 600 - n * 60) for n in range(1, 9))  # the most projects a week's warning names


def _entries(days: int, note: str = "intake") -> tuple[EntryFacts, ...]:
    return tuple(
        EntryFacts(
            10 + i, 1, 42, "DT-042", "Digitaal loket", MONDAY + timedelta(days=i), 192, "planned", "analysis", note
        )
        for i in range(days)
    )


def _line(planned: int, availability: Availability | None, others: tuple[tuple[str, int], ...]) -> WeekLoadLine:
    return WeekLoadLine(week_load(MONDAY, availability, {42: planned}, set()), others, 90)


OVER = _line(46 * 60, Availability.full_time(), OTHERS)
AT_RISK = _line(36 * 60, Availability.full_time(), OTHERS[:1])
UNKNOWN = _line(16 * 60, None, ())


def _week(days: int, load: WeekLoadLine | None, state: str = "saved", note: str = "intake") -> Callable[..., Any]:
    # The days a plan of fewer than five left out, each with a reason.
    reasons = ("past", "holiday", "leave", "leave")
    skipped = tuple((MONDAY + timedelta(days=days + i), reasons[i % 4]) for i in range(max(5 - days, 0)))
    view = WeekPlanView(_entries(days, note), load, state, skipped)
    return lambda t: build_week_planned_card(view, t)


def _day(load: WeekLoadLine) -> Callable[[Translator], dict[str, Any]]:
    entry = _entries(1)[0]
    return lambda t: build_time_logged_card(LoggedView(entry, 192, load=load), t)


WEEK_PLAN_SAMPLES: list[Sample] = [
    ("week planned, over-booked, eight other projects", build_week_planned_card, _week(5, OVER)),
    ("week planned, seven days, long note, at risk", build_week_planned_card, _week(7, AT_RISK, note="n" * 500)),
    ("week planned, one day left, availability unknown", build_week_planned_card, _week(1, UNKNOWN)),
    ("week plan undone", build_week_planned_card, _week(5, None, "undone")),
    ("day planned, over-booked week", build_time_logged_card, _day(OVER)),
    ("day planned, availability unknown", build_time_logged_card, _day(UNKNOWN)),
]
