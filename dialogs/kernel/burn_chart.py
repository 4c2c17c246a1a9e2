"""The burn chart (pure, no Teams): a project's cumulative performed hours over time against its budget, as a PNG
readable on a phone (800x500 px, large type, few colours so the file stays small)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

WIDTH_PX = 800
HEIGHT_PX = 500
DPI = 100
SPENT_COLOUR = "#1f5fa8"
BUDGET_COLOUR = "#c0392b"
PLAN_COLOUR = "#7f8c8d"
# Room for the title (20 pt), the y label and five-digit hours (14 pt) and the dates with their year below (14 pt).
MARGINS = {"left": 0.13, "right": 0.965, "top": 0.885, "bottom": 0.11}


@dataclass(frozen=True)
class ChartLabels:
    """Every word on the chart, in the reader's language (the caller translates)."""

    title: str
    spent: str
    budget: str
    plan: str
    hours: str
    no_entries: str


@dataclass(frozen=True)
class BurnSeries:
    points: Sequence[tuple[date, int]]  # (day, cumulative performed minutes up to and including it), in day order
    budget_hours: Decimal | None
    start: date | None  # the project's planned period, for the straight "on plan" line
    end: date | None
    today: date


def render_burn_chart(series: BurnSeries, labels: ChartLabels) -> bytes:
    """PNG bytes. Copes with no entries, no budget or a zero budget, no planned period, a single day."""
    # Imported here: matplotlib costs ~0.3 s to import and only this chart needs it. The object API with the Agg
    # canvas keeps no global state (pyplot does), so charts may be drawn in several threads at once.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    # Fixed margins for the fixed size and type: tight_layout measured every label to find them, half the drawing time.
    figure.subplots_adjust(**MARGINS)
    axes = figure.add_subplot()
    axes.set_title(labels.title, fontsize=20, loc="left", pad=12)
    axes.tick_params(labelsize=14)
    axes.set_ylabel(labels.hours, fontsize=14)
    axes.grid(True, axis="y", color="#dddddd")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)

    days = [day for day, _ in series.points]
    spent = [minutes / 60 for _, minutes in series.points]
    budget = float(series.budget_hours) if series.budget_hours is not None and series.budget_hours > 0 else None
    first = min([*days, *([series.start] if series.start else []), series.today])
    last = max([*days, *([series.end] if series.end else []), series.today])
    if last - first < timedelta(days=7):
        last = first + timedelta(days=7)

    if days:
        # A step line: hours grow on the day they were logged and stay flat until the next entry; carried to today.
        xs = [*days, *([series.today] if series.today > days[-1] else [])]
        ys = [*spent, *([spent[-1]] if series.today > days[-1] else [])]
        axes.step(xs, ys, where="post", color=SPENT_COLOUR, linewidth=3.5, label=labels.spent)  # type: ignore[arg-type]
    else:
        axes.text(0.5, 0.5, labels.no_entries, transform=axes.transAxes, ha="center", va="center", fontsize=18)
    if budget is not None:
        axes.axhline(budget, color=BUDGET_COLOUR, linewidth=2.5, linestyle="--", label=labels.budget)
        if series.start and series.end and series.end > series.start:
            axes.plot(
                [series.start, series.end],  # type: ignore[arg-type]
                [0, budget],
                color=PLAN_COLOUR,
                linewidth=2,
                linestyle=":",
                label=labels.plan,
            )
    top = max([*spent, budget or 0.0, 1.0]) * 1.12
    axes.set_ylim(0, top)
    axes.set_xlim(first, last)  # type: ignore[arg-type]
    locator = AutoDateLocator(minticks=3, maxticks=6)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    # Numbers only (27/11, 11/2026): no month names in the plotting library's language.
    axes.xaxis.set_major_formatter(
        ConciseDateFormatter(  # type: ignore[no-untyped-call]
            locator,
            formats=["%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M", "%S"],
            zero_formats=["", "%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y", "%Y", "%m/%Y", "%d/%m/%Y", "%d/%m/%Y"],
        )
    )
    if days or budget is not None:
        axes.legend(fontsize=13, loc="upper left", frameon=False)
    canvas.draw()  # type: ignore[no-untyped-call]
    return _fewer_colours(bytes(canvas.buffer_rgba()), canvas.get_width_height())  # type: ignore[no-untyped-call]


def _fewer_colours(rgba: bytes, size: tuple[int, int]) -> bytes:
    """The drawn pixels as a PNG with a 32-colour palette: about a third of the bytes, which matters inside a card.
    Straight from the canvas: no full-colour PNG is encoded and decoded again on the way."""
    from PIL import Image

    image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1).convert("RGB")
    quantised = image.quantize(colors=32, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    quantised.save(out, format="PNG", compress_level=6)  # level 9 (optimize) was 35 ms for 8 % fewer bytes
    return out.getvalue()
