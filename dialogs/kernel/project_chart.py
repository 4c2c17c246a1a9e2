"""A project's burn chart as the cards (time) and the board report (status) show it: performed hours against the
budget over time, drawn off the database path by the renderer (dialogs/kernel/rendering.py) and kept by its data."""

from __future__ import annotations

from datetime import date

from cards.i18n import Translator
from dialogs.kernel.burn_chart import BurnSeries, ChartLabels, render_burn_chart
from dialogs.kernel.rendering import RenderingBusy
from dialogs.kernel.turn import Services
from domain.projects import ProjectFacts
from storage.time_entries import TimeEntryRepository


def draw_burn_chart(services: Services, project: ProjectFacts, today: date, t: Translator) -> bytes | None:
    """The chart as PNG bytes, or None when the drawing workers are too busy to draw it now (a card or document
    without its chart beats none)."""
    series = BurnSeries(
        TimeEntryRepository(services.db).cumulative(project.id),
        project.budget_hours,
        project.planned_start,
        project.planned_end,
        today,
    )
    labels = ChartLabels(
        title=t("time.chart.title", code=project.code),
        spent=t("time.chart.spent"),
        budget=t("time.chart.budget"),
        plan=t("time.chart.plan"),
        hours=t("time.chart.hours"),
        no_entries=t("time.chart.empty"),
    )
    try:
        return services.renderer.render(render_burn_chart, series, labels, cache=True)
    except RenderingBusy:
        return None
