"""The burn chart (pure): a PNG of the right size in every edge case, small enough for a card, whose lines are where
the hours say and whose words have their letters; shown by `budget`; and the budget-burn margin taken from the
settings."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from bot.settings import Settings
from dialogs.kernel.burn_chart import (
    BUDGET_COLOUR,
    HEIGHT_PX,
    PLAN_COLOUR,
    SPENT_COLOUR,
    WIDTH_PX,
    BurnSeries,
    ChartLabels,
    render_burn_chart,
)
from dialogs.kernel.drawing import FONT_FILE, INK, font
from dialogs.timelog.budget import CHART_URI_MAX
from storage.db import Database
from tests.harness.botdriver import BotDriver
from tests.test_project_turns import AN
from tests.test_time_turns import setup_project
from tests.time_card_samples import chart_uri

LABELS = ChartLabels("DT-042: uren tegenover budget", "Gepresteerd", "Budget", "Volgens planning", "uren", "Niets")
PNG = b"\x89PNG\r\n\x1a\n"


def size_of(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG)
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize(
    "series",
    [
        BurnSeries([], None, None, None, date(2026, 11, 23)),
        BurnSeries([], Decimal(0), date(2026, 1, 1), date(2026, 12, 31), date(2026, 11, 23)),
        BurnSeries([(date(2026, 11, 23), 90)], Decimal(0), None, None, date(2026, 11, 23)),
        BurnSeries(
            [(date(2026, 11, 23), 90)], Decimal(100), date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 23)
        ),
        BurnSeries(
            [(date(2026, 1, 1) + timedelta(days=n), 60 * (n + 1)) for n in range(300)],
            Decimal(200),  # far over budget
            date(2026, 1, 1),
            date(2026, 6, 30),
            date(2026, 11, 23),
        ),
    ],
)
def test_every_edge_case_gives_an_800_by_500_png(series: BurnSeries) -> None:
    png = render_burn_chart(series, LABELS)
    assert size_of(png) == (WIDTH_PX, HEIGHT_PX)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()


def pixels(png: bytes) -> Image.Image:
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "P"  # a palette PNG: a few colours, a small file
        return image.convert("RGB")


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def colours(png: bytes) -> set[object]:
    return {colour for _, colour in pixels(png).getcolors(256) or []}


def busiest_row(image: Image.Image, colour: str) -> int:
    """The row holding the most pixels of a colour: a line drawn across the plot, not a legend's short sample."""
    counts = {y: count_in(image.crop((0, y, image.width, y + 1)), colour) for y in range(image.height)}
    return max(counts, key=lambda y: (counts[y], -y))


def count_in(image: Image.Image, colour: str) -> int:
    return sum(n for n, pixel in image.getcolors(256) or [] if pixel == rgb(colour))


NOVEMBER = date(2026, 11, 1)
TEN_DAYS = [(NOVEMBER, 50 * 60), (NOVEMBER + timedelta(days=10), 100 * 60)]


@pytest.mark.parametrize(
    ("budget", "period", "shown"),
    [
        (Decimal(200), (NOVEMBER, date(2027, 3, 1)), {BUDGET_COLOUR, PLAN_COLOUR}),
        (Decimal(200), (None, None), {BUDGET_COLOUR}),
        (Decimal(200), (NOVEMBER, NOVEMBER), {BUDGET_COLOUR}),  # no period to spread the budget over: no plan line
        (None, (NOVEMBER, date(2027, 3, 1)), set()),  # the plan line needs a budget to reach
        (Decimal(0), (NOVEMBER, date(2027, 3, 1)), set()),
    ],
)
def test_budget_and_plan_lines_are_drawn_only_where_they_exist(
    budget: Decimal | None, period: tuple[date | None, date | None], shown: set[str]
) -> None:
    png = render_burn_chart(BurnSeries(TEN_DAYS, budget, *period, date(2026, 12, 31)), LABELS)
    present = colours(png)
    assert rgb(SPENT_COLOUR) in present and rgb(INK) in present
    for colour in (BUDGET_COLOUR, PLAN_COLOUR):
        assert (rgb(colour) in present) == (colour in shown), colour


def test_the_spent_line_reaches_its_hours_and_is_carried_to_today() -> None:
    """100 hours against a budget of 200: the flat stretch after the last entry lies halfway between the x axis (0)
    and the budget line, and runs on to today at the right edge."""
    image = pixels(render_burn_chart(BurnSeries(TEN_DAYS, Decimal(200), None, None, date(2026, 12, 31)), LABELS))
    axis, budget, spent = busiest_row(image, INK), busiest_row(image, BUDGET_COLOUR), busiest_row(image, SPENT_COLOUR)
    assert budget < spent < axis
    assert abs(spent - (axis + budget) / 2) <= 3, (axis, budget, spent)
    row = [x for x in range(image.width) if image.getpixel((x, spent)) == rgb(SPENT_COLOUR)]
    assert max(row) > image.width - 40 and max(row) - min(row) > image.width / 2


def test_no_entries_says_so_in_place_of_the_spent_line() -> None:
    def drawn(points: list[tuple[date, int]], note: str) -> bytes:
        labels = ChartLabels("DT-042", "Gepresteerd", "Budget", "Volgens planning", "uren", note)
        return render_burn_chart(BurnSeries(points, Decimal(200), None, None, date(2026, 12, 31)), labels)

    assert rgb(SPENT_COLOUR) not in colours(drawn([], "Niets"))
    assert drawn([], "Niets") != drawn([], "Nog niets")
    assert drawn(TEN_DAYS, "Niets") == drawn(TEN_DAYS, "Nog niets")


def catalog_words() -> list[str]:
    """Every word the chart can show, in every language the cards speak."""
    words = []
    for catalog in sorted((Path(__file__).resolve().parent.parent / "cards" / "locales").glob("*.json")):
        entries = json.loads(catalog.read_text(encoding="utf-8"))
        words += [text for key, text in entries.items() if key.startswith("time.chart.")]
    return words


@pytest.mark.parametrize("size", [19, 28])
def test_every_letter_of_the_charts_words_and_of_dutch_and_french_names_has_a_glyph(size: int) -> None:
    """A missing glyph is drawn as the font's empty box: each character must look different from that box."""
    assert FONT_FILE.is_file()
    typeface = font(size)
    missing = bytes(typeface.getmask("\uffff"))
    text = "".join(catalog_words()) + "éëèêïöüçàÉËÏ€–…·’ DT-042 Coördinatie geïnventariseerd Réalisé"
    assert len(catalog_words()) >= 12
    for character in sorted(set(text) - {" "}):
        assert bytes(typeface.getmask(character)) != missing, f"no glyph for {character!r}"


def test_accented_words_are_drawn_with_their_accents() -> None:
    """The same chart with 'Réalisé' and with 'Realise' differs: the accents are drawn, not dropped."""
    series = BurnSeries(TEN_DAYS, Decimal(200), None, None, date(2026, 12, 31))
    plain = ChartLabels("DT-042", "Realise", "Budget", "Planning", "heures", "-")
    accented = ChartLabels("DT-042", "Réalisé", "Budget", "Planning", "heures", "-")
    assert render_burn_chart(series, plain) != render_burn_chart(series, accented)


def test_a_drawing_worker_does_not_load_the_database_layer() -> None:
    """What a fresh drawing worker imports (bot/rendering.py for its initializer, the chart's module) stays light:
    its start is part of the first chart's wait, and SQLAlchemy alone was most of it."""
    script = (
        "import sys, bot.rendering, dialogs.kernel.burn_chart as c, datetime as d; "
        "c.render_burn_chart(c.BurnSeries([(d.date(2026, 1, 5), 90)], None, None, None, d.date(2026, 2, 1)), "
        "c.ChartLabels('t', 's', 'b', 'p', 'h', 'n')); "
        "print(' '.join(m for m in ('sqlalchemy', 'sqlmodel', 'storage.db') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parent.parent
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root)
    assert loaded.stdout.strip() == ""


def test_the_largest_realistic_chart_fits_in_a_card() -> None:
    uri = chart_uri(730)
    assert len(uri) <= CHART_URI_MAX, len(uri)


def test_the_chart_gives_way_to_a_long_people_table() -> None:
    """With the largest chart `budget` sends (CHART_URI_MAX; today's drawings stay well under it, so two years of
    entries fit beside 40 people), a card that would pass Teams' limit drops the chart, not the people."""
    from dataclasses import replace

    from cards.i18n import translator
    from cards.timelog import build_project_hours_card
    from tests.time_card_samples import _hours

    prefix = "data:image/png;base64,"
    largest = prefix + "A" * (CHART_URI_MAX - len(prefix))

    def images(people: int) -> int:
        card = build_project_hours_card(replace(_hours(people, False), chart_uri=largest), translator("nl"))
        return sum(1 for e in card["body"] if e.get("type") == "Image")

    assert images(12) == 1 and images(40) == 0


async def test_budget_shows_the_chart(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    await bot.say(AN, "registreer 2u DT-042 analyse")
    shown = await bot.say(AN, "budget DT-042")
    images = [e for e in shown.cards[0]["body"] if e.get("type") == "Image"]
    assert len(images) == 1 and images[0]["url"].startswith("data:image/png;base64,")


def test_the_margin_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch, db: Database) -> None:
    assert Settings().burn_margin_points == 15
    monkeypatch.setenv("PROJECTBOT_BURN_MARGIN_POINTS", "30")
    assert Settings().burn_margin_points == 30
    monkeypatch.setenv("PROJECTBOT_BURN_MARGIN_POINTS", "150")
    with pytest.raises(ValueError, match=r"burn_margin_points|PROJECTBOT_BURN_MARGIN_POINTS"):
        Settings()
