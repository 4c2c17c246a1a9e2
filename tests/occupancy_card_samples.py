"""Samples of the `bezetting` / `capacity` card (added to tests/card_samples.py's SAMPLES): ten people over-booked
every week with long names and several projects, with a real heatmap, over 8, 13 and 53 weeks; the most projects a
filter lists; unknown availability; nobody."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date
from typing import Any

from cards.capacity.occupancy import OccupancyFilters, OccupancyView, build_occupancy_card
from cards.i18n import Translator
from dialogs.kernel.capacity import week_mondays
from dialogs.kernel.heatmap import HeatLabels, HeatRow, render_heatmap
from domain.capacity import Availability, Load, PersonLoad, week_load

Sample = tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]
MONDAY = date(2027, 1, 4)
LONG_NAME = "Marie-Christine Vandenberghe-Van Den Broecke"
PROJECTS = {n: f"DT-{n:03d}" for n in range(1, 151)}


def _person(i: int, weeks: int, *, known: bool = True) -> PersonLoad:
    availability = Availability.full_time() if known else None
    plans = {n: 600 + 60 * n for n in range(1 + i, 6 + i)}  # five projects, 65 h or more: over-booked every week
    loads = tuple(week_load(monday, availability, plans, set()) for monday in week_mondays(MONDAY, weeks))
    return PersonLoad(100 + i, f"{LONG_NAME} {i}", None, availability, loads)


def _chart(people: list[PersonLoad], weeks: int) -> str:
    rows = tuple(HeatRow(p.name, tuple((w.load.value, w.percent) for w in p.weeks)) for p in people)
    labels = HeatLabels("Bezetting per week", "?", tuple((load.value, load.value) for load in Load))
    png = render_heatmap(rows, tuple(f"wk {n}" for n in range(weeks)), labels)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _occupancy(weeks: int, *, projects: int = 150, known: bool = True, people: int = 10) -> Callable[..., Any]:
    shown = [_person(i, weeks, known=known) for i in range(people)]
    view = OccupancyView(
        people=shown,
        total=60,
        over=people if known else 0,
        at_risk=0,
        unknown=0 if known else people,
        first=MONDAY,
        weeks=weeks,
        page=2,
        pages=6,
        filters=OccupancyFilters(
            projects=[(str(n), f"{code} · Vervanging van het telefonieplatform") for n, code in PROJECTS.items()][
                :projects
            ],
            domains=[("1", "Technologie en infrastructuur"), ("2", "Digitale transformatie")],
            project="3",
            domain="1",
        ),
        project_codes=PROJECTS,
        owner_id=7,
        chart_uri=_chart(shown, weeks) if shown else None,
    )
    return lambda t: build_occupancy_card(view, t)


OCCUPANCY_SAMPLES: list[Sample] = [
    ("capacity, ten over-booked people, 8 weeks, heatmap", build_occupancy_card, _occupancy(8, projects=20)),
    ("capacity, ten people, 13 weeks, 150 projects to filter", build_occupancy_card, _occupancy(13)),
    ("capacity, ten people, 53 weeks", build_occupancy_card, _occupancy(53)),
    ("capacity, availability unknown", build_occupancy_card, _occupancy(8, known=False, projects=1)),
    ("capacity, nobody", build_occupancy_card, _occupancy(8, people=0, projects=0)),
]
