"""The capacity heatmap (pure, no Teams, no database): people in rows, weeks in columns, each cell coloured by its
load (red over-booked, amber at risk, green ok, grey unknown) with the planned share written in it. Drawn by the
renderer off the database path (dialogs/kernel/rendering.py), like the burn chart, and kept small for the card."""

from __future__ import annotations

import io
from dataclasses import dataclass

from domain.capacity import Load

WIDTH_PX = 640
DPI = 100
ROW_PX = 30
# Above the rows: the title and the week labels; below: the legend.
HEAD_PX = 84
FOOT_PX = 46
LEFT = 0.3  # the names' column, as a share of the width
NAME_MAX = 20
# More weeks than this and the percentages no longer fit in a cell at this width: colours only.
NUMBERS_UP_TO_WEEKS = 13
# At most this many week names fit along the top ("wk 49" at 11 pt); more weeks name every second or third.
NAMED_WEEKS_MAX = 8
COLOURS = {Load.OVER: "#d9534f", Load.AT_RISK: "#f0ad4e", Load.OK: "#5cb85c", Load.UNKNOWN: "#c8c8c8"}
INK = "#1a1a1a"
# Every colour the chart uses: the PNG is stored with exactly these, so it stays near 8 KB for ten people.
PALETTE = ("#ffffff", INK, *COLOURS.values())


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
    # Imported here, as the burn chart does: matplotlib is slow to import and only the drawing worker needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgb
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    height = HEAD_PX + FOOT_PX + ROW_PX * max(len(rows), 1)
    figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    figure.subplots_adjust(left=LEFT, right=0.98, top=1 - (HEAD_PX - 8) / height, bottom=FOOT_PX / height)
    axes = figure.add_subplot()
    figure.suptitle(labels.title, fontsize=15, x=0.02, ha="left", y=1 - 6 / height, va="top")
    grid = [[to_rgb(COLOURS[Load(load)]) for load, _ in row.cells] for row in rows] or [[to_rgb("#ffffff")]]
    axes.imshow(grid, aspect="auto", interpolation="nearest")
    numbers = len(weeks) <= NUMBERS_UP_TO_WEEKS
    for y, row in enumerate(rows):
        for x, (_load, percent) in enumerate(row.cells):
            if numbers or percent is None:
                text = labels.unknown_cell if percent is None else f"{percent}"
                axes.text(
                    x, y, text, ha="center", va="center", fontsize=11 if len(weeks) <= NAMED_WEEKS_MAX else 9, color=INK
                )
    # Many weeks: every n-th week named, so the names do not run into each other.
    every = -(-len(weeks) // NAMED_WEEKS_MAX)
    axes.set_xticks(range(len(weeks)), [w if i % every == 0 else "" for i, w in enumerate(weeks)], fontsize=11)
    axes.xaxis.tick_top()
    axes.set_yticks(range(len(rows)), [_short(row.name) for row in rows], fontsize=11)
    axes.tick_params(length=0)
    # White lines between the cells: each week and person reads as its own box.
    axes.set_xticks([x - 0.5 for x in range(1, len(weeks))], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
    axes.grid(which="minor", color="white", linewidth=2)
    axes.tick_params(which="minor", length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    figure.legend(
        handles=[Patch(color=COLOURS[Load(load)], label=word) for load, word in labels.legend],
        loc="lower center",
        ncol=max(len(labels.legend), 1),
        fontsize=12,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    # Crisp (hinted, not smoothed) type: the palette below then needs no in-between shades, which halves the bytes.
    for artist in figure.findobj(Text):
        artist.set_antialiased(False)
    canvas.draw()  # type: ignore[no-untyped-call]
    return _in_palette(bytes(canvas.buffer_rgba()), canvas.get_width_height())  # type: ignore[no-untyped-call]


def _in_palette(rgba: bytes, size: tuple[int, int]) -> bytes:
    """The drawn pixels as a PNG in the chart's own few colours (the burn chart's 32-colour octree, for a chart of
    flat boxes and text, was twice the bytes: a card carries it as a data URI)."""
    from PIL import Image

    palette = Image.new("P", (1, 1))
    palette.putpalette([int(colour[i : i + 2], 16) for colour in PALETTE for i in (1, 3, 5)])
    image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1).convert("RGB")
    out = io.BytesIO()
    image.quantize(palette=palette, dither=Image.Dither.NONE).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _short(name: str) -> str:
    return name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…"
