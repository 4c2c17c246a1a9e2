"""The board (RvB) report of a project as a DOCX document (python-docx), in the reader's language; built in memory."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from cards.i18n import Translator
from cards.status.board import BoardReport
from cards.status.common import rag_label

_RAG_COLOR = {
    "green": (0x2E, 0x7D, 0x32),
    "amber": (0xEF, 0x6C, 0x00),
    "red": (0xC6, 0x28, 0x28),
}


def file_name(report: BoardReport, t: Translator) -> str:
    stem = re.sub(
        r"[^A-Za-z0-9-]+", "-", f"{t('report.file.prefix')}-{report.code}-{report.generated.date().isoformat()}"
    )
    return stem.strip("-") + ".docx"


def _date(value: date | None, t: Translator) -> str:
    return format_date(value, format="long", locale=t.locale) if value else "—"


def _hours(value: Decimal, t: Translator) -> str:
    return format_decimal(value, format="#,##0.#", locale=t.locale)


def board_report_docx(report: BoardReport, t: Translator, *, chart: bytes | None = None) -> bytes:
    """Sections in the order a board secretary expects: identification, goal and scope, governments, team,
    planning and milestones, budget and its use, status, risks, decisions needed and recent decisions."""
    # python-docx (and lxml) load here, in the worker that builds the document: the server does not need them.
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt, RGBColor

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    doc.core_properties.title = t("report.title", code=report.code, name=report.name)
    doc.core_properties.language = "nl-BE" if t.language == "nl" else "en-GB"

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

    doc.add_heading(t("report.section.goal"), level=1)
    doc.add_paragraph(report.goal or "—")
    if report.description:
        doc.add_paragraph(report.description)
    doc.add_heading(t("report.section.scope"), level=1)
    doc.add_paragraph(report.scope or "—")

    doc.add_heading(t("report.section.governments"), level=1)
    if report.governments:
        for name in report.governments:
            doc.add_paragraph(name, style="List Bullet")
    else:
        doc.add_paragraph("—")

    doc.add_heading(t("report.section.team"), level=1)
    if report.team:
        for member in report.team:
            doc.add_paragraph(member, style="List Bullet")
    else:
        doc.add_paragraph(t("project.team.empty"))

    doc.add_heading(t("report.section.planning"), level=1)
    doc.add_paragraph(t("project.planning", start=_date(report.planned_start, t), end=_date(report.planned_end, t)))
    if report.milestones:
        table = doc.add_table(rows=1, cols=3)
        table.style = "Light Grid Accent 1"
        header = table.rows[0].cells
        header[0].text = t("milestone.field.title")
        header[1].text = t("milestone.field.due")
        header[2].text = t("report.milestone.state")
        for line in report.milestones:
            cells = table.add_row().cells
            cells[0].text = line.title
            cells[1].text = _date(line.due_on, t)
            cells[2].text = t(f"milestone.flag.{line.flag}")
    else:
        doc.add_paragraph(t("milestones.none"))

    doc.add_heading(t("report.section.budget"), level=1)
    if report.budget_hours is not None:
        doc.add_paragraph(
            t(
                "status.hours.of_budget",
                spent=_hours(report.spent, t),
                budget=_hours(report.budget_hours, t),
                percent=report.burn if report.burn is not None else 0,
            )
        )
    else:
        doc.add_paragraph(t("status.hours.no_budget", spent=_hours(report.spent, t)))
    if chart:
        doc.add_picture(io.BytesIO(chart), width=Inches(6))
    if report.budget_euros is not None:
        euros = format_decimal(report.budget_euros, format="#,##0.00", locale=t.locale)
        doc.add_paragraph(f"{t('project.field.budget_euros')}: € {euros}")

    doc.add_heading(t("report.section.status"), level=1)
    latest = report.latest
    if latest is None:
        doc.add_paragraph(t("status.no_report"))
    else:
        status = doc.add_table(rows=0, cols=2)
        status.style = "Light List Accent 1"
        for dim in ("overall", "schedule", "budget", "scope"):
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

    doc.add_heading(t("report.section.risks"), level=1)
    if report.top_risks:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Light Grid Accent 1"
        header = table.rows[0].cells
        header[0].text = t("risk.field.title")
        header[1].text = t("report.risk.score")
        header[2].text = t("risk.field.mitigation")
        header[3].text = t("risk.field.owner")
        for risk in report.top_risks:
            cells = table.add_row().cells
            cells[0].text = risk.title
            cells[1].text = f"{risk.score} ({risk.probability}×{risk.impact})"
            cells[2].text = risk.mitigation or "—"
            cells[3].text = risk.owner or "—"
    else:
        doc.add_paragraph(t("status.risks.none"))

    doc.add_heading(t("report.section.decisions"), level=1)
    needed = latest.decisions_needed.strip() if latest else ""
    doc.add_paragraph(needed or t("report.decisions.none_needed"))
    if report.decisions:
        doc.add_paragraph(t("report.decisions.recent")).runs[0].bold = True
        for decision in report.decisions:
            who = f" ({decision.decided_by})" if decision.decided_by else ""
            doc.add_paragraph(
                f"{_date(decision.decided_on, t)} — {t(f'decision.kind.{decision.kind}')}: {decision.text}{who}",
                style="List Bullet",
            )

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
