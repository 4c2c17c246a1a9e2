"""Hours read the same way on every card: decimal hours in the reader's notation ("2,5 u" / "2.5 h"), one formatter
(cards.base.hours_text); never "2:30 u" on one card and "2,5" on the next."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from cards.base import hours_text, minutes_text
from cards.i18n import translator
from cards.projects import ProjectCardExtras, build_project_card
from cards.status.summary import StatusSummary, build_status_card
from cards.timelog import (
    LoggedView,
    PersonHours,
    ProjectHoursView,
    SheetView,
    build_project_hours_card,
    build_time_logged_card,
    build_time_nudge_card,
    build_timesheet_card,
)
from domain.time import EntryFacts, WeekCell
from tests.project_card_samples import facts

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("minutes", "nl", "en"),
    [
        (150, "2,5 u", "2.5 h"),
        (120, "2 u", "2 h"),
        (45, "0,75 u", "0.75 h"),
        (20, "0,33 u", "0.33 h"),  # at most two decimals
        (1950, "32,5 u", "32.5 h"),
        (75_030, "1.250,5 u", "1,250.5 h"),
        (-30, "-0,5 u", "-0.5 h"),
    ],
)
def test_minutes_read_as_decimal_hours_in_the_readers_notation(minutes: int, nl: str, en: str) -> None:
    assert minutes_text(minutes, translator("nl")) == nl
    assert minutes_text(minutes, translator("en")) == en


def test_hours_without_the_unit_for_tables_and_sentences_that_name_it() -> None:
    assert hours_text(Decimal("1250.50"), translator("nl"), unit=False) == "1.250,5"
    assert hours_text(400, translator("en"), unit=False) == "400"
    assert minutes_text(150, translator("nl"), unit=False) == "2,5"


def _texts(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def _cards(language: str) -> dict[str, dict[str, Any]]:
    t = translator(language)  # type: ignore[arg-type]
    hours_view = ProjectHoursView(
        "DT-042",
        "Loket",
        1950,
        150,
        Decimal("400"),
        Decimal("8.1"),
        Decimal("43"),
        False,
        15,
        [PersonHours("An", 150, 1950)],
    )
    status = StatusSummary(
        "DT-042", "Loket", None, {}, None, False, Decimal("32.50"), Decimal("400"), Decimal(8), "ok", [], [], [], False
    )
    return {
        "logged": build_time_logged_card(
            LoggedView(EntryFacts(1, 1, 1, "DT-042", "Loket", MONDAY, 150, "performed", "analysis", ""), 150), t
        ),
        "budget": build_project_hours_card(hours_view, t),
        "sheet": build_timesheet_card(
            SheetView(MONDAY, [WeekCell(MONDAY, "DT-042", "Loket", "performed", 150)], ["DT-042"]), t
        ),
        "nudge": build_time_nudge_card(150, 480, MONDAY, t),
        "project": build_project_card(
            facts("DT-042", "Loket", "Digitaal", "analysis", "active", budget_hours=Decimal("400")),
            ProjectCardExtras(),
            t,
        ),
        "status": build_status_card(status, t),
    }


def test_every_card_writes_hours_the_same_way() -> None:
    nl = {name: _texts(card) for name, card in _cards("nl").items()}
    assert '"2,5 u"' in nl["logged"] and "in totaal: 2,5 u." in nl["logged"]
    assert '"32,5 u"' in nl["budget"] and '"2,5 u"' in nl["budget"] and '"400 u"' in nl["budget"]
    assert '"2,5"' in nl["sheet"]  # a table cell: its header says "(uren)"
    assert "heb je 2,5 u geregistreerd; je gewone dag is 8 u." in nl["nudge"]
    assert '"400 u"' in nl["project"]
    assert "32,5 van 400 uur besteed" in nl["status"]
    en = {name: _texts(card) for name, card in _cards("en").items()}
    assert '"2.5 h"' in en["logged"] and '"32.5 h"' in en["budget"] and '"400 h"' in en["project"]
    assert "32.5 of 400 hours spent" in en["status"]
    for text in (*nl.values(), *en.values()):
        assert not re.search(r"\d:\d\d|\d[uh]\d\d", text)  # no clock-style "2:30 u", no typed-style "2u30"
