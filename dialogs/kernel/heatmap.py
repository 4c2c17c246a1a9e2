"""The capacity heatmap (pure, no Teams, no database): people in rows, weeks in columns, each cell coloured by its
load (red over-booked, amber at risk, green ok, grey unknown) with the planned share written in it. Drawn by the
renderer off the database path (dialogs/kernel/rendering.py), like the burn chart, and kept small for the card.
It lives in the kernel, not in dialogs/capacity, because a drawing worker imports it: from the capability's package
it would load the whole capability first (≈ 0.45 s, with SQLAlchemy, before a fresh worker's first heatmap).

Drawn with Pillow's rectangles and text in the typeface the drawings share (dialogs/kernel/drawing.py): a grid of
flat boxes needs no plotting library, whose figure took ≈ 0.3 s per drawing (plus ≈ 0.5 s to import in a fresh
worker), most of a `bezetting` turn whenever the plans had changed since the last look; Pillow draws it in a few
milliseconds."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dialogs.kernel.drawing import INK, WHITE, palette_values
from dialogs.kernel.drawing import font as _font
from domain.capacity import Load

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont, ImageFont

WIDTH_PX = 640
ROW_PX = 30
GAP_PX = 2  # white between the cells: each week and person reads as its own box
MARGIN_PX = 10
TITLE_PX = 21
TEXT_PX = 15
SMALL_PX = 12
HEAD_PX = 70  # the title and the week names
FOOT_PX = 40  # the legend
NAME_COLUMN_PX = 190
# More weeks than this and the percentages no longer fit in a cell at this width: colours only.
NUMBERS_UP_TO_WEEKS = 13
# At most this many week names fit along the top; more weeks name every second or third.
NAMED_WEEKS_MAX = 8
COLOURS = {Load.OVER: "#d9534f", Load.AT_RISK: "#f0ad4e", Load.OK: "#5cb85c", Load.UNKNOWN: "#c8c8c8"}
# Every colour the chart uses: the PNG is stored with exactly these, so it stays near 8 KB for ten people.
PALETTE = (WHITE, INK, *COLOURS.values())


@dataclass(frozen=True)
class HeatLabels:
    """Every word on the chart, in the reader's language (the caller translates)."""

    title: str
    unknown_cell: str  # what an unknown week shows: "?"
    legend: tuple[tuple[str, str], ...]  # (load value, its word), in the legend's order


@dataclass(frozen=True)
class HeatRow:
    name: str
    cells: tuple[tuple[str, int | None], ...]  # per week: (load value, planned percent; None when unknown)


def render_heatmap(rows: tuple[HeatRow, ...], weeks: tuple[str, ...], labels: HeatLabels) -> bytes:
    """PNG bytes: one row per person (in the given order), one column per week label ("wk 3")."""
    from PIL import Image, ImageDraw

    height = HEAD_PX + FOOT_PX + ROW_PX * max(len(rows), 1)
    image = Image.new("P", (WIDTH_PX, height), 0)
    image.putpalette(palette_values(PALETTE))
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"  # crisp, unsmoothed type: no in-between shades, so the palette above is all the PNG holds
    draw.text((MARGIN_PX, 6), labels.title, fill=_ink(INK), font=_font(TITLE_PX))
    cell = (WIDTH_PX - NAME_COLUMN_PX - MARGIN_PX) / max(len(weeks), 1)
    _week_names(draw, weeks, cell)
    numbers = _font(TEXT_PX if len(weeks) <= NAMED_WEEKS_MAX else SMALL_PX)
    for y, row in enumerate(rows):
        top = HEAD_PX + y * ROW_PX
        name = _fitted(draw, row.name, _font(TEXT_PX), NAME_COLUMN_PX - 6 - MARGIN_PX)
        _centred(draw, (MARGIN_PX, top, NAME_COLUMN_PX - 6, top + ROW_PX), name, _font(TEXT_PX), right=True)
        for x, (load, percent) in enumerate(row.cells):
            box = (NAME_COLUMN_PX + x * cell, top, NAME_COLUMN_PX + (x + 1) * cell - GAP_PX, top + ROW_PX - GAP_PX)
            draw.rectangle(box, fill=_ink(COLOURS[Load(load)]))
            if len(weeks) <= NUMBERS_UP_TO_WEEKS or percent is None:
                _centred(draw, box, labels.unknown_cell if percent is None else str(percent), numbers)
    _legend(draw, labels, height)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _week_names(draw: ImageDraw, weeks: tuple[str, ...], cell: float) -> None:
    """Along the top, above their columns; many weeks name every n-th, so the names do not run into each other."""
    every = -(-len(weeks) // NAMED_WEEKS_MAX)
    for x, week in enumerate(weeks):
        if x % every == 0:
            left = NAME_COLUMN_PX + x * cell
            _centred(draw, (left, HEAD_PX - 26, left + cell - GAP_PX, HEAD_PX - 4), week, _font(SMALL_PX))


def _legend(draw: ImageDraw, labels: HeatLabels, height: int) -> None:
    """A coloured square and its word for each load, centred below the grid."""
    font = _font(TEXT_PX)
    items = [(COLOURS[Load(load)], word, draw.textlength(word, font=font)) for load, word in labels.legend]
    square = 14
    width = sum(square + 6 + length + 18 for _, _, length in items) - 18
    left = (WIDTH_PX - width) / 2
    middle = height - FOOT_PX / 2
    for colour, word, length in items:
        draw.rectangle((left, middle - square / 2, left + square, middle + square / 2), fill=_ink(colour))
        draw.text((left + square + 6, middle), word, fill=_ink(INK), font=font, anchor="lm")
        left += square + 6 + length + 18


def _centred(
    draw: ImageDraw,
    box: tuple[float, float, float, float],
    text: str,
    font: FreeTypeFont | ImageFont,
    *,
    right: bool = False,
) -> None:
    """Text in the middle of a box (or against its right edge: the names, next to their row)."""
    left, top, end, bottom = box
    at = (end, (top + bottom) / 2) if right else ((left + end) / 2, (top + bottom) / 2)
    draw.text(at, text, fill=_ink(INK), font=font, anchor="rm" if right else "mm")


def _ink(colour: str) -> int:
    """A colour's index in the palette."""
    return PALETTE.index(colour)


def _fitted(draw: ImageDraw, name: str, font: FreeTypeFont | ImageFont, width: float) -> str:
    """The name, cut with '…' where it would not fit in the names' column."""
    if draw.textlength(name, font=font) <= width:
        return name
    while name and draw.textlength(name + "…", font=font) > width:
        name = name[:-1]
    return name.rstrip() + "…"
