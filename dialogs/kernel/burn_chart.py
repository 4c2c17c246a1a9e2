"""The burn chart (pure, no Teams): a project's cumulative performed hours over time against its budget, as a PNG
readable on a phone (800x500 px, large type, few colours so the file stays small).

Drawn with Pillow's lines and text, like the capacity heatmap: a step line, two straight lines and a grid need no
plotting library, whose figure cost ≈ 50 ms per drawing and ≈ 0.5 s to import in a fresh drawing worker, most of a
`budget` or `project` card turn whenever the hours had changed since the last look; this takes ≈ 4 ms."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from dialogs.kernel.drawing import INK, WHITE, font, palette_values

if TYPE_CHECKING:
    from collections.abc import Callable

    from PIL.Image import Image
    from PIL.ImageDraw import ImageDraw

    _Sample = Callable[[ImageDraw, float, float], None]  # draws a line's sample for the legend at (left, middle)

WIDTH_PX = 800
HEIGHT_PX = 500
SPENT_COLOUR = "#1f5fa8"
BUDGET_COLOUR = "#c0392b"
PLAN_COLOUR = "#7f8c8d"
GRID_COLOUR = "#dddddd"
# Every colour the PNG holds: the lines' own, and greys from ink to white for the smoothed edges of the letters,
# 12 apart: close enough that no letter's edge is taken for the plan line's grey (11 from the nearest pure grey).
# Fixed, so each line keeps its exact colour and the file stays under 10 KB.
SMOOTHING_GREYS = tuple("#" + f"{26 + 229 * n // 19:02x}" * 3 for n in range(1, 19))
PALETTE = (WHITE, INK, SPENT_COLOUR, BUDGET_COLOUR, PLAN_COLOUR, GRID_COLOUR, *SMOOTHING_GREYS)
TITLE_PX = 28
TEXT_PX = 19  # ticks, legend and the axis' name: the old chart's 14 pt
NOTE_PX = 25
MARGIN_PX = 16
TICK_PX = 6
SPENT_WIDTH_PX = 5
LINE_WIDTH_PX = 3
HEADROOM = 1.12  # room above the highest line, so it never runs along the frame
LEAST_HOURS = 4.0  # an empty or tiny chart still counts whole hours (no 0.2, 0.4: "0,2" or "0.2" is a language matter)
MAX_X_TICKS = 6
MAX_Y_STEPS = 8


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


@dataclass(frozen=True)
class _Frame:
    """The plotting box in pixels and what its edges stand for: days along, hours up."""

    left: float
    top: float
    right: float
    bottom: float
    first: date
    last: date
    hours: float

    def x(self, day: date) -> float:
        return self.left + (day - self.first).days / (self.last - self.first).days * (self.right - self.left)

    def y(self, hours: float) -> float:
        return self.bottom - hours / self.hours * (self.bottom - self.top)


def render_burn_chart(series: BurnSeries, labels: ChartLabels) -> bytes:
    """PNG bytes. Copes with no entries, no budget or a zero budget, no planned period, a single day."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH_PX, HEIGHT_PX), WHITE)
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN_PX, 10), labels.title, fill=INK, font=font(TITLE_PX))
    budget = float(series.budget_hours) if series.budget_hours is not None and series.budget_hours > 0 else None
    planned = budget is not None and series.start is not None and series.end is not None and series.end > series.start
    shown = [
        (labels.spent, _spent_sample, bool(series.points)),
        (labels.budget, _budget_sample, budget is not None),
        (labels.plan, _plan_sample, planned),
    ]
    legend_bottom = _legend(draw, [(word, sample) for word, sample, present in shown if present])
    frame = _frame(draw, series, budget, top=legend_bottom + 14)
    _y_axis(image, draw, frame, labels.hours)
    _x_axis(draw, frame)
    if planned and budget is not None and series.start is not None and series.end is not None:
        start, end = (frame.x(series.start), frame.y(0)), (frame.x(series.end), frame.y(budget))
        _dotted(draw, start, end, PLAN_COLOUR)
    if budget is not None:
        _dashed(draw, (frame.left, frame.y(budget)), frame.right, BUDGET_COLOUR)
    if series.points:
        _spent(draw, frame, series)
    else:
        _note(draw, frame, labels.no_entries)
    return _png(image)


def _frame(draw: ImageDraw, series: BurnSeries, budget: float | None, *, top: float) -> _Frame:
    """The box left of which the hours' numbers fit, and the days and hours it spans: from the first entry, planned
    start or today to the last of them or the planned end (a week at least), from 0 to the highest line."""
    days = [day for day, _ in series.points]
    first = min([*days, *([series.start] if series.start else []), series.today])
    last = max([*days, *([series.end] if series.end else []), series.today])
    last = max(last, first + timedelta(days=7))
    hours = max([minutes / 60 for _, minutes in series.points] + [budget or 0.0, LEAST_HOURS]) * HEADROOM
    widest = max(draw.textlength(_hours_text(value), font=font(TEXT_PX)) for value in _y_ticks(hours))
    left = MARGIN_PX + TEXT_PX + 12 + widest + 10  # the axis' name (turned), then the numbers, then the ticks
    return _Frame(left, top, WIDTH_PX - 24, HEIGHT_PX - 66, first, last, hours)


def _y_ticks(hours: float) -> list[float]:
    """0 and every whole step up to the top, at most MAX_Y_STEPS of them: steps of 1, 2, 5, 10, 20, 25, 50, ..."""
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale) if scale < 10 else (scale, 2 * scale, 2.5 * scale, 5 * scale):
            if hours / step <= MAX_Y_STEPS:
                return [n * step for n in range(int(hours // step) + 1)]
        scale *= 10


def _hours_text(value: float) -> str:
    return str(int(value))


def _y_axis(image: Image, draw: ImageDraw, frame: _Frame, name: str) -> None:
    """The light grid at each step with its number, the axis line, and the axis' name turned up its left side."""
    for value in _y_ticks(frame.hours):
        y = frame.y(value)
        if value > 0:
            draw.line((frame.left, y, frame.right, y), fill=GRID_COLOUR, width=1)
        draw.line((frame.left - TICK_PX, y, frame.left, y), fill=INK, width=1)
        draw.text((frame.left - TICK_PX - 4, y), _hours_text(value), fill=INK, font=font(TEXT_PX), anchor="rm")
    draw.line((frame.left, frame.top, frame.left, frame.bottom), fill=INK, width=1)
    _turned(image, name, (MARGIN_PX, (frame.top + frame.bottom) / 2))


def _turned(image: Image, text: str, at: tuple[float, float]) -> None:
    """Text read bottom to top, its left edge at at[0] and centred on at[1] (Pillow draws only level text: it is drawn
    on a small mask, turned, and the ink pressed through it)."""
    from PIL import Image as Images
    from PIL import ImageDraw as Drawing

    left, top, right, bottom = font(TEXT_PX).getbbox(text)
    mask = Images.new("L", (int(right - left) + 2, int(bottom - top) + 2), 0)
    Drawing.Draw(mask).text((1 - left, 1 - top), text, fill=255, font=font(TEXT_PX))
    turned = mask.rotate(90, expand=True)
    image.paste(INK, (int(at[0]), int(at[1] - turned.height / 2)), turned)


def _x_axis(draw: ImageDraw, frame: _Frame) -> None:
    """The axis line and its dates, dd/mm with the year below the first and wherever the year changes (numbers
    only: no month names in anyone's language)."""
    draw.line((frame.left, frame.bottom, frame.right, frame.bottom), fill=INK, width=1)
    ticks, yearly = _x_ticks(frame.first, frame.last)
    shown_year = None
    for day in ticks:
        x = frame.x(day)
        draw.line((x, frame.bottom, x, frame.bottom + TICK_PX), fill=INK, width=1)
        lines = [str(day.year)] if yearly else [f"{day.day:02d}/{day.month:02d}"]
        if not yearly and day.year != shown_year:
            lines.append(str(day.year))
            shown_year = day.year
        for n, line in enumerate(lines):
            width = draw.textlength(line, font=font(TEXT_PX))
            left = min(max(x - width / 2, 2), WIDTH_PX - 2 - width)  # the outer dates stay inside the picture
            draw.text((left, frame.bottom + TICK_PX + 4 + n * (TEXT_PX + 4)), line, fill=INK, font=font(TEXT_PX))


def _x_ticks(first: date, last: date) -> tuple[list[date], bool]:
    """3 to 6 round dates between first and last: every 1, 2 or 3 days, every (other) Monday, the first of every 1,
    2, 3 or 6 months, or of every 1, 2, 5, 10 years (True: years, named by the year alone)."""
    for step in (1, 2, 3):
        ticks = [first + timedelta(days=n) for n in range(0, (last - first).days + 1, step)]
        if len(ticks) <= MAX_X_TICKS:
            return ticks, False
    monday = first + timedelta(days=-first.weekday() % 7)
    for step in (7, 14):
        ticks = [monday + timedelta(days=n) for n in range(0, (last - monday).days + 1, step)]
        if len(ticks) <= MAX_X_TICKS:
            return ticks, False
    for months in (1, 2, 3, 6):
        ticks = [day for day in _months(first, last) if (day.month - 1) % months == 0]
        if len(ticks) <= MAX_X_TICKS:
            return ticks, False
    for years in (1, 2, 5, 10):
        ticks = [date(y, 1, 1) for y in range(first.year, last.year + 1) if y % years == 0 and date(y, 1, 1) >= first]
        if len(ticks) <= MAX_X_TICKS:
            return ticks, True
    return [first, last], False


def _months(first: date, last: date) -> Iterator[date]:
    """The first day of every month from first to last (both included)."""
    day = date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            yield day
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _spent(draw: ImageDraw, frame: _Frame, series: BurnSeries) -> None:
    """A step line from 0: the hours grow on the day they were logged and stay flat until the next entry, carried
    to today, ending in a dot (so a single day shows too)."""
    line = [(frame.x(series.points[0][0]), frame.y(0))]
    for day, minutes in series.points:
        x, y = frame.x(day), frame.y(minutes / 60)
        line += [(x, line[-1][1]), (x, y)]
    last_day, last_minutes = series.points[-1]
    if series.today > last_day:
        line.append((frame.x(series.today), frame.y(last_minutes / 60)))
    draw.line(line, fill=SPENT_COLOUR, width=SPENT_WIDTH_PX, joint="curve")
    x, y = line[-1]
    draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=SPENT_COLOUR)


def _dashed(draw: ImageDraw, start: tuple[float, float], right: float, colour: str) -> None:
    """A level dashed line from start to x = right."""
    x, y = start
    while x < right:
        draw.line((x, y, min(x + 14, right), y), fill=colour, width=LINE_WIDTH_PX)
        x += 22


def _dotted(draw: ImageDraw, start: tuple[float, float], end: tuple[float, float], colour: str) -> None:
    """A dotted straight line from start to end: short square dots, 8 px apart."""
    (x0, y0), (x1, y1) = start, end
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    for n in range(int(length // 8) + 1):
        at = n * 8 / length
        x, y = x0 + (x1 - x0) * at, y0 + (y1 - y0) * at
        draw.rectangle((x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=colour)


def _spent_sample(draw: ImageDraw, left: float, y: float) -> None:
    draw.line((left, y, left + 40, y), fill=SPENT_COLOUR, width=SPENT_WIDTH_PX)


def _budget_sample(draw: ImageDraw, left: float, y: float) -> None:
    _dashed(draw, (left, y), left + 40, BUDGET_COLOUR)


def _plan_sample(draw: ImageDraw, left: float, y: float) -> None:
    _dotted(draw, (left, y), (left + 40, y), PLAN_COLOUR)


def _legend(draw: ImageDraw, items: list[tuple[str, _Sample]]) -> float:
    """Each line's sample and word in a row under the title (a second row when the words are long), outside the
    plot so no line runs through them. Returns where the rows end."""
    left, middle = float(MARGIN_PX), 62.0
    for word, sample in items:
        width = 40 + 8 + draw.textlength(word, font=font(TEXT_PX))
        if left > MARGIN_PX and left + width > WIDTH_PX - MARGIN_PX:
            left, middle = MARGIN_PX, middle + TEXT_PX + 10
        sample(draw, left, middle)
        draw.text((left + 48, middle), word, fill=INK, font=font(TEXT_PX), anchor="lm")
        left += width + 28
    return middle + TEXT_PX / 2 if items else 42.0


def _note(draw: ImageDraw, frame: _Frame, text: str) -> None:
    """A word in the middle of the plot, on white so a line behind it does not cross it."""
    at = ((frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2)
    left, top, right, bottom = draw.textbbox(at, text, font=font(NOTE_PX), anchor="mm")
    draw.rectangle((left - 8, top - 6, right + 8, bottom + 6), fill=WHITE)
    draw.text(at, text, fill=INK, font=font(NOTE_PX), anchor="mm")


def _png(image: Image) -> bytes:
    """The drawing mapped onto PALETTE (nearest colour, no dithering) and stored as a PNG of palette indices: a
    tenth of the bytes of a full-colour one, which matters inside a card."""
    from PIL import Image as Images

    paletted = image.quantize(palette=_palette(), dither=Images.Dither.NONE)
    out = io.BytesIO()
    paletted.save(out, format="PNG")  # 9 colours: 4 bits a pixel; optimize=True saved 8 % for 13 ms more
    return out.getvalue()


@cache
def _palette() -> Image:
    from PIL import Image as Images

    holder = Images.new("P", (1, 1))
    holder.putpalette(palette_values(PALETTE))
    return holder
