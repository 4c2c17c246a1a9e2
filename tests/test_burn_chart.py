"""The burn chart (pure): a PNG of the right size in every edge case, small enough for a card; shown by `budget`;
and the budget-burn margin taken from the settings."""

from __future__ import annotations

import io
import struct
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PIL import Image

from bot.settings import Settings
from dialogs.kernel.burn_chart import HEIGHT_PX, WIDTH_PX, BurnSeries, ChartLabels, render_burn_chart
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


def test_the_largest_realistic_chart_fits_in_a_card() -> None:
    uri = chart_uri(730)
    assert len(uri) <= CHART_URI_MAX, len(uri)


def test_the_chart_gives_way_to_a_long_people_table() -> None:
    from dataclasses import replace

    from cards.i18n import translator
    from cards.timelog import build_project_hours_card
    from tests.time_card_samples import _hours

    def images(people: int) -> int:
        card = build_project_hours_card(replace(_hours(people, False), chart_uri=chart_uri()), translator("nl"))
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
