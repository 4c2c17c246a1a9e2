"""Samples of the time registration cards (added to tests/card_samples.py's SAMPLES)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cards.i18n import Translator
from cards.timelog import (
    LoggedView,
    PersonHours,
    ProjectHoursView,
    SheetView,
    TimeForm,
    build_burn_warning_card,
    build_project_hours_card,
    build_time_form_card,
    build_time_logged_card,
    build_time_nudge_card,
    build_timesheet_card,
)
from domain.time import EntryFacts, WeekCell

Sample = tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]
MONDAY = date(2026, 11, 23)
PROJECTS = [(f"DT-{n:03d}", f"DT-{n:03d} · Een project met een vrij lange naam nummer {n}") for n in range(40)]


def _form_errors(t: Translator) -> dict[str, Any]:
    return build_time_form_card(
        TimeForm(
            "f" * 32,
            PROJECTS,
            values={"project": "DT-001", "date": "2026-11-23", "duration": "lang", "note": "x" * 500},
            errors={"duration": t("time.duration.invalid", value="lang"), "project": t("time.project.missing")},
            understood=t("time.understood", parts="project DT-001"),
        ),
        t,
    )


def _form_unknown_activity(t: Translator) -> dict[str, Any]:
    """`registreer 2u DT-042 #vergaderen`: the tag named no activity, so none is chosen and the error lists them."""
    tags = "#analyse, #vergadering, #coördinatie, #implementatie, #documentatie, #verplaatsing, #opleiding, #andere"
    return build_time_form_card(
        TimeForm(
            "f" * 32,
            PROJECTS[:3],
            values={"project": "DT-001", "date": "2026-11-23", "duration": "2u", "category": "", "note": "stuurgroep"},
            errors={"category": t("time.activity.unknown", tag="#vergaderen", tags=tags)},
            understood=t("time.understood", parts="project DT-001"),
        ),
        t,
    )


def _logged(state: str, note: str = "analyse aanvraag") -> Callable[[Translator], dict[str, Any]]:
    entry = EntryFacts(7, 1, 42, "DT-042", "Digitaal loket", MONDAY, 150, "performed", "analysis", note)
    view = LoggedView(entry, 480, state)
    return lambda t: build_time_logged_card(view, t)


def _sheet(projects: int) -> SheetView:
    codes = [f"P{n}-{n:03d}" for n in range(projects)]
    cells = [
        WeekCell(MONDAY + timedelta(days=d), code, f"Project {code}", kind, 30 + d * 15)
        for d in range(7)
        for code in codes
        for kind in ("performed", "planned")
    ]
    return SheetView(MONDAY, cells, codes)


def chart_uri(days: int = 730) -> str:
    """A worst case for size: two years of daily, uneven entries."""
    import base64

    from dialogs.kernel.burn_chart import BurnSeries, ChartLabels, render_burn_chart

    total, points = 0, []
    for n in range(days):
        total += 60 * ((n * 7919) % 11 + 1)
        points.append((date(2025, 1, 1) + timedelta(days=n), total))
    labels = ChartLabels("DT-042: uren tegenover budget", "Gepresteerd", "Budget", "Volgens planning", "uren", "-")
    series = BurnSeries(points, Decimal("5000"), date(2025, 1, 1), date(2027, 6, 30), date(2026, 12, 31))
    return "data:image/png;base64," + base64.b64encode(render_burn_chart(series, labels)).decode("ascii")


def _hours(people: int, ahead: bool) -> ProjectHoursView:
    return ProjectHoursView(
        "DT-042",
        "Digitaal loket",
        56 * 60,
        80 * 60,
        Decimal("100"),
        Decimal("56.0"),
        Decimal("38.3"),
        ahead,
        15,
        [PersonHours(f"Persoon met een naam {n}", n * 60, n * 45) for n in range(people)],
    )


TIME_SAMPLES: list[Sample] = [
    ("time form, empty", build_time_form_card, lambda t: build_time_form_card(TimeForm("f", []), t)),
    ("time form, 40 projects and errors", build_time_form_card, _form_errors),
    ("time form, a typed activity tag it does not know", build_time_form_card, _form_unknown_activity),
    (
        "time form, editing",
        build_time_form_card,
        lambda t: build_time_form_card(TimeForm("f", PROJECTS[:3], values={"project": "DT-001"}, entry_id=3), t),
    ),
    ("time logged", build_time_logged_card, _logged("saved")),
    ("time logged, long note", build_time_logged_card, _logged("updated", "n" * 500)),
    ("time undone", build_time_logged_card, _logged("undone")),
    ("timesheet, empty", build_timesheet_card, lambda t: build_timesheet_card(SheetView(MONDAY, [], []), t)),
    ("timesheet, 3 projects", build_timesheet_card, lambda t: build_timesheet_card(_sheet(3), t)),
    ("timesheet, 12 projects", build_timesheet_card, lambda t: build_timesheet_card(_sheet(12), t)),
    ("project hours, nobody", build_project_hours_card, lambda t: build_project_hours_card(_hours(0, False), t)),
    ("project hours, 60 people", build_project_hours_card, lambda t: build_project_hours_card(_hours(60, True), t)),
    (
        "project hours, 12 people and a two-year chart",
        build_project_hours_card,
        lambda t: build_project_hours_card(replace(_hours(12, True), chart_uri=chart_uri()), t),
    ),
    (
        "project hours, 40 people: the chart gives way",
        build_project_hours_card,
        lambda t: build_project_hours_card(replace(_hours(40, True), chart_uri=chart_uri()), t),
    ),
    ("burn warning", build_burn_warning_card, lambda t: build_burn_warning_card(_hours(0, True), t)),
    ("time nudge", build_time_nudge_card, lambda t: build_time_nudge_card(120, 480, MONDAY, t)),
]
