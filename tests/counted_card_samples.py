"""Samples of every card that shows a count, built for a given count n (tests/test_language_quality.py renders them
with 0, 1 and 2): days since an update, open checklist items, hours, agenda items, late milestones, ...

A card that starts showing a new count adds a sample here, so its singular and plural are read by a test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cards.handover import build_handover_card, build_handover_reminder_card
from cards.i18n import Translator
from cards.lists import GovernmentsForm, build_governments_card
from cards.meetings import (
    LIST_PAGE,
    MAX_CHOICES,
    ImportChoice,
    OccurrenceLine,
    ReminderView,
    build_meeting_import_card,
    build_meeting_reminder_card,
    build_meetings_card,
)
from cards.status.digest import DigestItem, DigestView, build_digest_card
from cards.status.milestones import build_milestones_card
from cards.status.portfolio import PortfolioFilters, PortfolioLine, PortfolioView, build_portfolio_card
from cards.status.summary import StatusSummary, build_status_card
from cards.timelog import LoggedView, build_project_hours_card, build_time_logged_card, build_time_nudge_card
from domain.meetings import ActionItemFacts
from domain.summaries import HandoverSummary
from domain.time import EntryFacts
from tests.handover_card_samples import ZONE, _handover, _items
from tests.meeting_card_samples import END, START
from tests.status_card_samples import MILESTONES, REPORT
from tests.time_card_samples import MONDAY, _hours

CountedSample = tuple[str, Callable[[Translator, int], dict[str, Any]]]


def _portfolio(t: Translator, n: int) -> dict[str, Any]:
    line = PortfolioLine(
        "DT-042",
        "Digitaal loket",
        "An Peeters",
        "red",
        "amber",
        "red",
        "green",
        "worse",
        Decimal(n),
        "over",
        n,
        n,
        True,
    )
    counts = {"red": n, "amber": n, "green": n, "none": n}
    view = PortfolioView([line] * max(n, 1), 1, 1, n, counts, PortfolioFilters([("2", "Digitaal")], [], []))
    return build_portfolio_card(view, t)


def _status_counted(t: Translator, n: int) -> dict[str, Any]:
    view = StatusSummary(
        code="DT-042",
        name="Digitaal loket",
        latest=REPORT,
        trends={},
        age_days=n,
        stale=n > 1,
        spent=Decimal(n),
        budget_hours=Decimal(n) if n else None,
        burn=Decimal(100) if n else None,
        burn_level="none",
        next_milestones=MILESTONES[:n],
        late_milestones=MILESTONES[:n],
        top_risks=[],
        can_update=True,
        meetings=[],
        handover=HandoverSummary(date(2027, 1, 29), "Team Beheer", "planned", n, max(n, 1), None),
        show_handover=True,
    )
    return build_status_card(view, t)


def _status_hours_without_budget(t: Translator, n: int) -> dict[str, Any]:
    view = StatusSummary(
        "DT-042", "Loket", None, {}, None, False, Decimal(n), None, None, "none", [], [], [], False, [], None, False
    )
    return build_status_card(view, t)


def _digest(t: Translator, n: int) -> dict[str, Any]:
    stale = [DigestItem("DT-043", "Archief", str(n))]
    item = DigestItem("DT-042", "Loket", "red", "amber")
    view = DigestView("2026-W48", [item] * (15 + n), [item] * n, stale, [], stale_days=n)
    return build_digest_card(view, t)


def _milestones(t: Translator, n: int) -> dict[str, Any]:
    late = [line for line in MILESTONES if line.flag == "late"][:n]
    return build_milestones_card("DT-042", "Loket", late, t, can_edit=False)


def _handover_reminder(t: Translator, n: int) -> dict[str, Any]:
    return build_handover_reminder_card(_handover(items=_items(n, all_open=True)), t, days=n)


def _handover_plan(t: Translator, n: int) -> dict[str, Any]:
    handover = _handover(items=_items(n), after_care_length=f"P{n}M")
    return build_handover_card(handover, t, zone=ZONE, can_edit=True)


def _meeting_reminder(t: Translator, n: int) -> dict[str, Any]:
    """The second reminder names how many agenda and action items the first one listed."""
    return _reminder_with(t, first=False, lead_minutes=n * 60, items=n)


def _meeting_reminder_first(t: Translator, n: int) -> dict[str, Any]:
    return _reminder_with(t, first=True, lead_minutes=n * 24 * 60, items=n)


def _reminder_with(t: Translator, *, first: bool, lead_minutes: int, items: int) -> dict[str, Any]:
    view = ReminderView(
        series_id=1,
        occurrence="2026-11-24",
        lead_minutes=max(lead_minutes, 30),
        first=first,
        code="DT-042",
        project="Digitaal loket",
        title="Werkgroep",
        kind="working_group",
        start=START,
        end=END,
        timezone="Europe/Brussels",
        place="Zaal 2",
        agenda=[f"Punt {i}" for i in range(items)],
        actions=[ActionItemFacts(i, 1, f"Actie {i}", None, "An", date(2026, 12, 1)) for i in range(items)],
        attending=[],
        absent=[],
    )
    return build_meeting_reminder_card(view, t)


def _meetings_more(t: Translator, n: int) -> dict[str, Any]:
    """The first page of a list with n meetings after it."""
    lines = [
        OccurrenceLine(1, f"2026-11-{i + 1:02d}", "DT-042", "Werkgroep", START, END, "Europe/Brussels", "Zaal")
        for i in range(LIST_PAGE + n)
    ]
    return build_meetings_card(lines, t, scope="DT-042", page=1, paging={"series": 1})


def _outlook(t: Translator, n: int) -> dict[str, Any]:
    """A series that ends after n times, and n more series than the card shows."""
    choice = ImportChoice(
        event_id="e1",
        subject="Stuurgroep",
        repeat="weekly",
        first_start=datetime(2026, 12, 8, 14, 0),
        timezone="Europe/Brussels",
        next_start=datetime(2026, 12, 8, 13, 0, tzinfo=UTC),
        until=None,
        count=n,
    )
    return build_meeting_import_card("DT-042", [choice] * (MAX_CHOICES + n), t)


def _governments(t: Translator, n: int) -> dict[str, Any]:
    names = [(f"Gemeente {i}", "municipality") for i in range(n)]
    return build_governments_card(GovernmentsForm(names, total=n), t)


def _logged(t: Translator, n: int) -> dict[str, Any]:
    entry = EntryFacts(7, 1, 42, "DT-042", "Digitaal loket", MONDAY, n * 60, "performed", "analysis", "")
    return build_time_logged_card(LoggedView(entry, n * 60, "saved"), t)


def _project_hours(t: Translator, n: int) -> dict[str, Any]:
    return build_project_hours_card(replace(_hours(n, n > 1), spent_minutes=n * 60, planned_minutes=n * 60), t)


COUNTED_SAMPLES: list[CountedSample] = [
    ("portfolio", _portfolio),
    ("status summary", _status_counted),
    ("status summary, hours without a budget", _status_hours_without_budget),
    ("weekly digest", _digest),
    ("milestones, late", _milestones),
    ("handover reminder", _handover_reminder),
    ("handover plan", _handover_plan),
    ("meeting reminder, second", _meeting_reminder),
    ("meeting reminder, first", _meeting_reminder_first),
    ("meetings list, more after this page", _meetings_more),
    ("outlook import", _outlook),
    ("governments list", _governments),
    ("time logged", _logged),
    ("project hours", _project_hours),
    ("time nudge", lambda t, n: build_time_nudge_card(n * 60, n * 60 + 60, MONDAY, t)),
]
