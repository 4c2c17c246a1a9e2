"""Samples of `beschikbaar` (free people, the add-to-team card) and `mijn week` (added to tests/card_samples.py's
SAMPLES): the longest names, the most people and projects a card holds, unknown availability, an over-booked week."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from cards.capacity.available import (
    AvailableView,
    FreePerson,
    TeamChoice,
    build_add_to_team_card,
    build_available_card,
)
from cards.capacity.my_week import MyDay, MyWeek, MyWeekView, build_my_week_card
from cards.i18n import Translator
from dialogs.capacity.available import SHOWN as SHOWN_MAX
from domain.capacity import Availability, week_load, week_of

Sample = tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]
EASTER_WEEK = date(2027, 3, 29)
LONG_NAME = "Marie-Christine Vandenberghe-Van Den Broecke"


def _available(people: int, *, domain: str | None = None, unknown: int = 0) -> Callable[[Translator], Any]:
    found = tuple(
        FreePerson(100 + i, LONG_NAME if i % 2 else f"Jan Peeters {i}", 38 * 60 - i * 60) for i in range(people)
    )
    view = AvailableView(EASTER_WEEK, 16 * 60, found, 7 if people == SHOWN_MAX else 0, unknown, domain)
    return lambda t: build_available_card(view, t)


def _team_choice(projects: int, error: str = "") -> Callable[[Translator], Any]:
    choice = TeamChoice(
        101, LONG_NAME, tuple((f"DT-{n:03d}", "Vervanging van het telefonieplatform " * 5) for n in range(projects))
    )
    return lambda t: build_add_to_team_card(TeamChoice(**{**choice.__dict__, "error": error}), t)


def _my_week(availability: Availability | None, planned: int) -> Callable[[Translator], Any]:
    days_off = {EASTER_WEEK, EASTER_WEEK + timedelta(days=3)}
    weeks = []
    for monday in (EASTER_WEEK, EASTER_WEEK + timedelta(weeks=1)):
        load = week_load(monday, availability, {42: planned, 77: 120}, days_off)
        days = tuple(
            MyDay(
                day,
                (("DT-042", planned // 5), ("DT-077", 120), ("GEMEENTE-12345", 30)) if day.weekday() < 5 else (),
                leave=day == EASTER_WEEK + timedelta(days=3),
                holiday=day == EASTER_WEEK,
                working=day.weekday() < 5,
            )
            for day in week_of(monday)
        )
        weeks.append(MyWeek(load, days))
    view = MyWeekView(availability, tuple(weeks), "instellingen")
    return lambda t: build_my_week_card(view, t)


STAFFING_SAMPLES: list[Sample] = [
    ("available, the most people shown, more and unknown", build_available_card, _available(SHOWN_MAX, unknown=12)),
    ("available, nobody, narrowed to a domain", build_available_card, _available(0, domain="Digitale transformatie")),
    ("add to team, every ongoing project (admin)", build_add_to_team_card, _team_choice(60)),
    ("add to team, one project, error", build_add_to_team_card, _team_choice(1, "Kies een van je lopende projecten.")),
    ("my week, Easter Monday, leave, over-booked", build_my_week_card, _my_week(Availability.full_time(), 40 * 60)),
    ("my week, availability unknown", build_my_week_card, _my_week(None, 8 * 60)),
]
