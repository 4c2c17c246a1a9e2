"""The my_week cards of the capacity capability (pure): my availability, and for this week and the next the load
line and, day by day, what I planned per project, my leave and the public holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from microsoft_teams.cards.core import CardElement, Column, ColumnSet, Container, TextBlock

from cards.base import card, heading, minutes_text, paragraph
from cards.capacity.common import LOAD_COLOR, load_word, planned_of_available, week_name
from cards.i18n import Translator
from domain.capacity import Availability, WeekLoad, working_days_text


@dataclass(frozen=True)
class MyDay:
    day: date
    plans: tuple[tuple[str, int], ...] = ()  # (project code, planned minutes)
    leave: bool = False
    holiday: bool = False
    working: bool = True  # one of my working days (Monday to Friday when unknown)


@dataclass(frozen=True)
class MyWeek:
    load: WeekLoad
    days: tuple[MyDay, ...]


@dataclass(frozen=True)
class MyWeekView:
    availability: Availability | None
    weeks: tuple[MyWeek, ...]
    settings_command: str  # what to type to set the availability ('instellingen' / 'settings')


def build_my_week_card(view: MyWeekView, t: Translator) -> dict[str, Any]:
    body: list[CardElement] = [heading(t("capacity.my_week.title"))]
    if view.availability is None:
        body.append(paragraph(t("capacity.my_week.unknown", command=view.settings_command)))
    else:
        days = working_days_text(view.availability.working_days, t.language)
        hours = minutes_text(view.availability.minutes_per_week, t)
        body.append(paragraph(t("capacity.my_week.availability", hours=hours, days=days)))
    body.extend(_week(week, t) for week in view.weeks)
    return card(body)


def _week(week: MyWeek, t: Translator) -> Container:
    load = week.load
    items: list[CardElement] = [
        TextBlock(text=week_name(load.monday, t), weight="Bolder", wrap=True),
        # The load on a band of its colour (red over-booked, amber at risk), as the occupancy view marks weeks.
        Container(
            style=LOAD_COLOR[load.load],
            spacing="Small",
            items=[
                TextBlock(
                    text=t(
                        "capacity.my_week.load", load=load_word(load.load, t), planned=planned_of_available(load, t)
                    ),
                    wrap=True,
                )
            ],
        ),
    ]
    items.extend(_day(day, t) for day in week.days if day.working or day.plans or day.leave)
    return Container(separator=True, spacing="Medium", items=items)


def _day(day: MyDay, t: Translator) -> ColumnSet:
    """'ma 29 mrt.  |  feestdag' — a narrow day column and what the day holds, wrapping at phone width."""
    what = [f"{code} {minutes_text(minutes, t)}" for code, minutes in day.plans]
    if day.holiday:
        what.insert(0, t("capacity.my_week.holiday"))
    if day.leave:
        what.insert(0, t("capacity.my_week.leave"))
    text = " · ".join(what) or t("capacity.my_week.unplanned_day")
    return ColumnSet(
        spacing="Small",
        columns=[
            Column(
                width="80px",
                items=[TextBlock(text=format_date(day.day, "EEE d MMM", locale=t.locale), is_subtle=True, wrap=True)],
            ),
            Column(width="stretch", items=[TextBlock(text=text, wrap=True, is_subtle=not (day.plans or day.leave))]),
        ],
    )
