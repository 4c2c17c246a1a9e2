"""The board (RvB) report of a project as a card (the DOCX document follows it: dialogs/status/board_document.py),
from one value both build."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from microsoft_teams.cards.core import Fact, FactSet, TextBlock

from cards.base import card, heading, paragraph
from cards.i18n import Translator
from cards.status.common import OnProject, day_text, hours_of_budget, rag_label, short, when_text
from cards.status.milestones import MilestoneLine, milestone_text
from cards.status.reports import dimension_line
from cards.status.risks import RiskLine, risk_text
from domain.status import Decision, Report


class ReportOpen(OnProject):
    """The board report of a project: the card, and the document as a file."""

    VERB: ClassVar[str] = "report.open"


@dataclass(frozen=True)
class BoardReport:
    """Everything in the board description of a project, in plain values (used by the card and the document)."""

    code: str
    name: str
    domain: str
    phase: str
    goal: str
    scope: str
    description: str
    governments: tuple[str, ...]
    coordinator: str | None
    manager: str | None
    team: tuple[str, ...]
    planned_start: date | None
    planned_end: date | None
    milestones: list[MilestoneLine]
    budget_hours: Decimal | None
    budget_euros: Decimal | None
    spent: Decimal
    burn: Decimal | None
    latest: Report | None  # created_at in the reader's zone
    top_risks: list[RiskLine]
    decisions: list[Decision]
    generated: datetime  # in the reader's zone


def build_board_report_card(report: BoardReport, t: Translator) -> dict[str, Any]:
    planning = t("project.planning", start=day_text(report.planned_start, t), end=day_text(report.planned_end, t))
    body: list[Any] = [
        heading(t("report.title", code=report.code, name=report.name)),
        paragraph(t("report.generated", when=when_text(report.generated, t)), subtle=True),
        FactSet(
            facts=[
                Fact(title=t("project.field.domain"), value=report.domain),
                Fact(title=t("project.field.phase"), value=t(f"project.phase.{report.phase}")),
                Fact(title=t("project.field.coordinator"), value=report.coordinator or t("project.nobody")),
                Fact(title=t("project.field.manager"), value=report.manager or t("project.nobody")),
                Fact(title=t("project.field.planning"), value=planning),
                Fact(title=t("project.field.governments"), value=", ".join(report.governments) or "—"),
            ]
        ),
    ]
    for key, text in (("goal", report.goal), ("scope", report.scope)):
        body.append(paragraph(f"**{t(f'project.field.{key}')}** {short(text, 800) or '—'}"))
    hours = hours_of_budget(report.spent, report.budget_hours, report.burn, t)
    body.append(paragraph(f"**{t('status.hours')}** {hours}"))
    if report.latest is not None:
        body.append(
            paragraph(
                f"**{t('report.section.status')}** {rag_label(report.latest.overall, t)} — "
                + dimension_line(report.latest, t)
            )
        )
        if report.latest.summary:
            body.append(paragraph(short(report.latest.summary, 600)))
        if report.latest.decisions_needed.strip():
            body.append(
                paragraph(f"**{t('status.field.decisions_needed')}** {short(report.latest.decisions_needed, 400)}")
            )
    else:
        body.append(paragraph(t("status.no_report")))
    body.append(TextBlock(text=t("report.section.milestones"), weight="Bolder", wrap=True))
    for line in report.milestones[:10]:
        body.append(paragraph(milestone_text(line, t)))
    if not report.milestones:
        body.append(paragraph(t("milestones.none"), subtle=True))
    body.append(TextBlock(text=t("status.top_risks"), weight="Bolder", wrap=True))
    for risk in report.top_risks[:3]:
        body.append(paragraph(risk_text(risk, t)))
    if not report.top_risks:
        body.append(paragraph(t("status.risks.none"), subtle=True))
    body.append(paragraph(t("report.document_follows"), subtle=True))
    return card(body)
