"""Samples of the status cards (added to tests/card_samples.py's SAMPLES), including the largest ones we send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cards.i18n import Translator
from cards.status.board import BoardReport, build_board_report_card
from cards.status.decisions import DecisionForm, build_decision_form_card, build_decisions_card
from cards.status.digest import (
    DigestItem,
    DigestSettingsForm,
    DigestView,
    build_digest_card,
    build_digest_settings_card,
)
from cards.status.milestones import (
    MilestoneForm,
    MilestoneLine,
    MilestoneReminder,
    build_milestone_form_card,
    build_milestone_reminder_card,
    build_milestones_card,
)
from cards.status.portfolio import PortfolioFilters, PortfolioLine, PortfolioView, build_portfolio_card
from cards.status.reports import StatusForm, build_status_form_card, build_status_history_card
from cards.status.retrospective import LessonLine, RetroForm, build_lessons_card, build_retrospective_card
from cards.status.risks import RiskForm, RiskLine, build_risk_form_card, build_risks_card
from cards.status.summary import StatusSummary, build_status_card
from domain.status import Decision, MilestoneFacts, Report, RiskFacts
from domain.summaries import HandoverSummary, UpcomingMeeting

Sample = tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]

WHEN = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LONG = "Één lange tekst met veel details over de voortgang van het project. " * 29  # ~2,000 characters
REPORT = Report(1, 1, "amber", "green", "amber", "red", LONG, LONG, LONG, LONG, LONG, "An Peeters", WHEN)
MILESTONES = [
    MilestoneLine(
        MilestoneFacts(i, 1, f"Mijlpaal {i} met een lange naam " * 3, "", date(2026, 11, 1 + i % 28), None), flag
    )
    for i, flag in enumerate(["done", "late", "soon", "planned"] * 15)
]
RISKS = [
    RiskLine(
        RiskFacts(i + 1, 1, "Leverancier levert te laat " * 6, "", 4, 5, 20, LONG[:800], None, "Marc Janssens", state),
        "high",
    )
    for i, state in enumerate(["open", "mitigated", "occurred", "closed"] * 10)  # ids from 1, as in the database
]


def _portfolio_unfiltered(t: Translator) -> dict[str, Any]:
    """One domain and nobody to filter by: no Filter button, and no line saying what it is filtered by."""
    line = PortfolioLine("DT-042", "Digitaal loket", None, None, None, None, None, None, None, "none", 0, None, True)
    view = PortfolioView([line], 1, 1, 1, {"none": 1}, PortfolioFilters([("2", "Digitale transformatie")], [], []))
    return build_portfolio_card(view, t)


def _portfolio(t: Translator, many: bool) -> dict[str, Any]:
    lines = [
        PortfolioLine(
            code=f"DT-{i:03d}",
            name="Digitaal loket voor alle aanvragen van burgers en ondernemingen",
            coordinator="Annemie Vandenberghe-Verstraeten",
            overall=("red", "amber", "green", None)[i % 4],
            schedule="amber",
            budget="red",
            scope="green",
            trend=("worse", "better", "same", None)[i % 4],
            burn=Decimal(112),
            burn_level="over",
            late_milestones=3,
            age_days=None if i % 4 == 3 else 21,
            stale=True,
        )
        for i in range(20 if many else 3)
    ]
    filters = PortfolioFilters(
        domains=[("1", "Technologie & infrastructuur"), ("2", "Digitale transformatie")],
        coordinators=[(str(i), f"Coördinator met een lange naam {i}") for i in range(50 if many else 2)],
        governments=[(str(i), f"Gemeente met een lange naam nummer {i}") for i in range(60 if many else 2)],
        domain="2",
    )
    view = PortfolioView(
        lines, 2 if many else 1, 25 if many else 1, 500 if many else 3, {"red": 5, "amber": 2}, filters
    )
    return build_portfolio_card(view, t)


def _digest(t: Translator, many: bool) -> dict[str, Any]:
    n = 40 if many else 2
    item = DigestItem("DT-042", "Digitaal loket voor alle aanvragen", "red", "amber")
    return build_digest_card(
        DigestView(
            week="2026-W48",
            updated=[DigestItem("DT-042", "Digitaal loket", "amber", "worse")] * n,
            turned=[item] * n,
            stale=[DigestItem("DT-043", "Archief", "21"), DigestItem("DT-044", "Netwerk", "")] * (n // 2),
            milestones=[DigestItem("DT-042", "Digitaal loket", "2026-11-27", "Oplevering fase 1")] * n,
            stale_days=14,
        ),
        t,
    )


def _board(t: Translator) -> dict[str, Any]:
    return build_board_report_card(
        BoardReport(
            code="DT-042",
            name="Digitaal loket",
            domain="Digitale transformatie",
            phase="execution",
            goal=LONG,
            scope=LONG,
            description=LONG,
            governments=tuple(f"Gemeente {i}" for i in range(30)),
            coordinator="An Peeters",
            manager=None,
            team=("Bob (analist)",),
            planned_start=date(2026, 1, 5),
            planned_end=None,
            milestones=MILESTONES,
            budget_hours=Decimal("1250.5"),
            budget_euros=Decimal(90000),
            spent=Decimal("1310.25"),
            burn=Decimal(105),
            latest=REPORT,
            top_risks=RISKS[:3],
            decisions=[Decision(1, "scope_change", date(2026, 11, 2), LONG[:500], "stuurgroep")],
            generated=WHEN,
        ),
        t,
    )


MEETINGS = [
    UpcomingMeeting(
        "Werkgroep digitaal loket met alle lokale besturen " * 4, WHEN, "Zaal De Schelde, Stadhuis " * 6, i == 1
    )
    for i in range(5)
]
HANDOVER_PLANNED = HandoverSummary(date(2027, 1, 29), "Team Beheer › Algemeen " * 8, "not_yet", 4, 7, None)
HANDOVER_AFTER_CARE = HandoverSummary(
    date(2027, 1, 29), "Jan Beheer", "accepted", 0, 7, "Nazorg: Stan Stake geeft tweedelijnssupport tot 5 mei 2027."
)


def _summary(
    t: Translator, empty: bool, *, handover: HandoverSummary | None = HANDOVER_PLANNED, show_handover: bool = True
) -> dict[str, Any]:
    return build_status_card(
        StatusSummary(
            code="DT-042",
            name="Digitaal loket",
            latest=None if empty else REPORT,
            trends={"overall": "worse", "schedule": "better", "budget": "same", "scope": None},
            age_days=None if empty else 21,
            stale=True,
            spent=Decimal(0) if empty else Decimal("1310.5"),
            budget_hours=None if empty else Decimal(1250),
            burn=None if empty else Decimal(105),
            burn_level="none" if empty else "over",
            next_milestones=[] if empty else MILESTONES[:3],
            late_milestones=[] if empty else MILESTONES[:8],
            top_risks=[] if empty else RISKS[:3],
            can_update=not empty,
            meetings=[] if empty else MEETINGS,
            handover=None if empty else handover,
            show_handover=show_handover,
        ),
        t,
    )


STATUS_SAMPLES: list[Sample] = [
    (
        "status form, empty",
        build_status_form_card,
        lambda t: build_status_form_card(StatusForm("DT-042", "Loket", "f1"), t),
    ),
    (
        "status form, pre-filled, errors, long texts",
        build_status_form_card,
        lambda t: build_status_form_card(
            StatusForm(
                "DT-042",
                "Loket",
                "f1",
                values={
                    "overall": "green",
                    "schedule": "red",
                    **{k: LONG for k in ("summary", "achievements", "next_steps", "decisions_needed", "blockers")},
                },
                errors={"overall": t("status.overall.inconsistent"), "budget": t("status.rag.missing")},
                previous_when=WHEN,
            ),
            t,
        ),
    ),
    ("status history", build_status_history_card, lambda t: build_status_history_card("DT-042", [REPORT] * 5, 2, 4, t)),
    ("status history, empty", build_status_history_card, lambda t: build_status_history_card("DT-042", [], 1, 1, t)),
    ("status summary, with meetings and a handover", build_status_card, lambda t: _summary(t, False)),
    ("status summary, no report, no meetings, no handover", build_status_card, lambda t: _summary(t, True)),
    (
        "status summary, in after-care",
        build_status_card,
        lambda t: _summary(t, False, handover=HANDOVER_AFTER_CARE),
    ),
    (
        "status summary, handover not shown to this reader",
        build_status_card,
        lambda t: _summary(t, True, show_handover=False),
    ),
    (
        "milestones, many, editable",
        build_milestones_card,
        lambda t: build_milestones_card("DT-042", "Loket", MILESTONES, t, can_edit=True, notice="ok"),
    ),
    ("milestones, none", build_milestones_card, lambda t: build_milestones_card("DT-042", "L", [], t, can_edit=False)),
    (
        "milestone form with errors",
        build_milestone_form_card,
        lambda t: build_milestone_form_card(
            MilestoneForm("DT-042", "f", 3, {"title": "", "due": "morgen"}, {"title": "x", "due": "y"}), t
        ),
    ),
    (
        "milestone reminder",
        build_milestone_reminder_card,
        lambda t: build_milestone_reminder_card(
            MilestoneReminder("DT-042", "Loket", "Fase 1", date(2026, 11, 27), True), t
        ),
    ),
    ("risks, many", build_risks_card, lambda t: build_risks_card("DT-042", "Loket", RISKS, t, can_edit=True)),
    ("risks, none", build_risks_card, lambda t: build_risks_card("DT-042", "Loket", [], t, can_edit=False)),
    (
        "risk form with errors",
        build_risk_form_card,
        lambda t: build_risk_form_card(RiskForm("DT-042", "f", 1, {"probability": "9"}, {"probability": "1-5"}), t),
    ),
    (
        "decisions",
        build_decisions_card,
        lambda t: build_decisions_card(
            "DT-042", "Loket", [Decision(1, "decision", date(2026, 11, 2), LONG[:600], "RvB")] * 40, t, can_edit=True
        ),
    ),
    (
        "decision form",
        build_decision_form_card,
        lambda t: build_decision_form_card(DecisionForm("DT-042", "f", {"date": "2026-11-02"}, {"text": "x"}), t),
    ),
    (
        "retrospective",
        build_retrospective_card,
        lambda t: build_retrospective_card(RetroForm("DT-042", "Loket", {"lessons": LONG}, {"went_well": "x"}), t),
    ),
    (
        "lessons",
        build_lessons_card,
        lambda t: build_lessons_card(
            [LessonLine("DT-042", "Loket", "Digitale transformatie", LONG, LONG, LONG)] * 25,
            [("1", "Technologie"), ("2", "Digitaal")],
            "2",
            t,
        ),
    ),
    ("portfolio, a page of a large one", build_portfolio_card, lambda t: _portfolio(t, True)),
    ("portfolio, small", build_portfolio_card, lambda t: _portfolio(t, False)),
    ("portfolio, nothing to filter by", build_portfolio_card, _portfolio_unfiltered),
    ("weekly digest, busy week", build_digest_card, lambda t: _digest(t, True)),
    ("weekly digest, quiet week", build_digest_card, lambda t: _digest(t, False)),
    (
        "digest settings with errors",
        build_digest_settings_card,
        lambda t: build_digest_settings_card(DigestSettingsForm("monday", "25:00", True, "0", {"at_time": "x"}), t),
    ),
    ("board report", build_board_report_card, _board),
]
