"""The board report's DOCX document, section by section (python-docx). Imported only where a document is built (in
a drawing worker, see board_document.board_report_docx): python-docx and lxml are not loaded by the server."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt, RGBColor

from cards.i18n import Translator
from cards.status.board import BoardReport
from cards.status.common import rag_label
from domain.status import DIMENSIONS

_RAG_COLOR = {
    "green": (0x2E, 0x7D, 0x32),
    "amber": (0xEF, 0x6C, 0x00),
    "red": (0xC6, 0x28, 0x28),
}


def _date(value: date | None, t: Translator) -> str:
    return format_date(value, format="long", locale=t.locale) if value else "—"


def _hours(value: Decimal, t: Translator) -> str:
    return format_decimal(value, format="#,##0.#", locale=t.locale)


def write_board_report(report: BoardReport, t: Translator, chart: bytes | None) -> bytes:
    """Sections in the order a board secretary expects: identification, goal and scope, governments, team,
    planning and milestones, budget and its use, status, risks, decisions needed and recent decisions."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    doc.core_properties.title = t("report.title", code=report.code, name=report.name)
    doc.core_properties.language = "nl-BE" if t.language == "nl" else "en-GB"
    _identification(doc, report, t)
    _goal_and_scope(doc, report, t)
    _bullets(doc, t("report.section.governments"), report.governments, "—")
    _bullets(doc, t("report.section.team"), report.team, t("project.team.empty"))
    _planning(doc, report, t)
    _budget(doc, report, t, chart)
    _status(doc, report, t)
    _risks(doc, report, t)
    _decisions(doc, report, t)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _identification(doc: DocxDocument, report: BoardReport, t: Translator) -> None:
    doc.add_heading(t("report.title", code=report.code, name=report.name), level=0)
    meta = doc.add_paragraph(
        t("report.generated", when=format_datetime(report.generated, format="d MMMM y HH:mm", locale=t.locale))
    )
    meta.alignment = WD_ALIGN_PARAGRAPH.LEFT
    facts = doc.add_table(rows=0, cols=2)
    facts.style = "Light List Accent 1"
    for label, value in (
        (t("report.field.code"), report.code),
        (t("project.field.domain"), report.domain),
        (t("project.field.phase"), t(f"project.phase.{report.phase}")),
        (t("project.field.coordinator"), report.coordinator or t("project.nobody")),
        (t("project.field.manager"), report.manager or t("project.nobody")),
    ):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = label, value


def _goal_and_scope(doc: DocxDocument, report: BoardReport, t: Translator) -> None:
    doc.add_heading(t("report.section.goal"), level=1)
    doc.add_paragraph(report.goal or "—")
    if report.description:
        doc.add_paragraph(report.description)
    doc.add_heading(t("report.section.scope"), level=1)
    doc.add_paragraph(report.scope or "—")


def _bullets(doc: DocxDocument, heading: str, lines: tuple[str, ...], empty: str) -> None:
    doc.add_heading(heading, level=1)
    for line in lines:
        doc.add_paragraph(line, style="List Bullet")
    if not lines:
        doc.add_paragraph(empty)


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _planning(doc: DocxDocument, report: BoardReport, t: Translator) -> None:
    doc.add_heading(t("report.section.planning"), level=1)
    doc.add_paragraph(t("project.planning", start=_date(report.planned_start, t), end=_date(report.planned_end, t)))
    if not report.milestones:
        doc.add_paragraph(t("milestones.none"))
        return
    header = [t("milestone.field.title"), t("milestone.field.due"), t("report.milestone.state")]
    rows = [[m.milestone.title, _date(m.milestone.due_on, t), t(f"milestone.flag.{m.flag}")] for m in report.milestones]
    _table(doc, header, rows)


def _budget(doc: DocxDocument, report: BoardReport, t: Translator, chart: bytes | None) -> None:
    doc.add_heading(t("report.section.budget"), level=1)
    if report.budget_hours is not None:
        doc.add_paragraph(
            t(
                "status.hours.of_budget",
                spent=_hours(report.spent, t),
                count=round(report.budget_hours, 1),
                percent=report.burn if report.burn is not None else 0,
            )
        )
    else:
        doc.add_paragraph(t("status.hours.no_budget", count=round(report.spent, 1)))
    if chart:
        doc.add_picture(io.BytesIO(chart), width=Inches(6))
    if report.budget_euros is not None:
        euros = format_decimal(report.budget_euros, format="#,##0.00", locale=t.locale)
        doc.add_paragraph(f"{t('project.field.budget_euros')}: € {euros}")


def _status(doc: DocxDocument, report: BoardReport, t: Translator) -> None:
    doc.add_heading(t("report.section.status"), level=1)
    latest = report.latest
    if latest is None:
        doc.add_paragraph(t("status.no_report"))
        return
    status = doc.add_table(rows=0, cols=2)
    status.style = "Light List Accent 1"
    for dim in ("overall", *DIMENSIONS):
        value = getattr(latest, dim)
        cells = status.add_row().cells
        cells[0].text = t(f"status.field.{dim}")
        run = cells[1].paragraphs[0].add_run(rag_label(value, t).split(" ", 1)[1])
        run.bold = True
        if value in _RAG_COLOR:
            run.font.color.rgb = RGBColor(*_RAG_COLOR[value])
    for key in ("summary", "achievements", "next_steps", "blockers"):
        text = getattr(latest, key).strip()
        if text:
            p = doc.add_paragraph()
            p.add_run(t(f"status.field.{key}") + ": ").bold = True
            p.add_run(text)


def _risks(doc: DocxDocument, report: BoardReport, t: Translator) -> None:
    doc.add_heading(t("report.section.risks"), level=1)
    if not report.top_risks:
        doc.add_paragraph(t("status.risks.none"))
        return
    header = [t("risk.field.title"), t("report.risk.score"), t("risk.field.mitigation"), t("risk.field.owner")]
    rows = [
        [r.title, f"{r.score} ({r.probability}×{r.impact})", r.mitigation or "—", r.owner or "—"]
        for r in (line.risk for line in report.top_risks)
    ]
    _table(doc, header, rows)


def _decisions(doc: DocxDocument, report: BoardReport, t: Translator) -> None:
    doc.add_heading(t("report.section.decisions"), level=1)
    needed = report.latest.decisions_needed.strip() if report.latest else ""
    doc.add_paragraph(needed or t("report.decisions.none_needed"))
    if report.decisions:
        doc.add_paragraph(t("report.decisions.recent")).runs[0].bold = True
        for decision in report.decisions:
            who = f" ({decision.decided_by})" if decision.decided_by else ""
            doc.add_paragraph(
                f"{_date(decision.decided_on, t)} — {t(f'decision.kind.{decision.kind}')}: {decision.text}{who}",
                style="List Bullet",
            )
