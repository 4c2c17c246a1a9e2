"""The handover dossier as a DOCX document (python-docx), in the reader's language, for the receiving party's
records: the plan, the checklist with its document links, the acceptance and the after-care terms; and the
export that gives it (the plan card's button, `handover DT-042 export`)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from cards.handover import ExportDossier, after_care_text, item_title, receiver_label
from cards.i18n import Translator
from dialogs.handover.declaration import capability
from dialogs.handover.lookup import found, handover_actor
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.timezones import request_zone
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services
from dialogs.kernel.who import refusal
from domain.handover import HandoverFacts, HandoverState

if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@capability.verb(ExportDossier)
def export_dossier(request: Request, services: Services, payload: ExportDossier) -> Reply:
    return export(request, services, payload.code)


def export(request: Request, services: Services, reference: str) -> Reply:
    """The dossier as a file for the person who asked (who may see the handover)."""
    t = request.t
    project, row = found(request, services, reference)
    decision = allowed(handover_actor(request, services, project, row), Action.VIEW_HANDOVER)
    if not decision.allowed:
        return refusal(decision, t)
    if row is None:
        return Reply.text(t("handover.none", code=project.code))
    zone = request_zone(request, services)
    generated = services.clock.now().astimezone(zone)
    data = services.renderer.render(dossier_docx, row, t, zone, generated)  # off the database path
    file = OutgoingFile(
        name=file_name(row, t, generated.date()),
        content_type=DOCX_TYPE,
        data=data,
        description=t("handover.dossier.description", code=row.code),
    )
    return Reply(texts=[t("handover.dossier.ready", code=row.code)], files=[file])


def file_name(row: HandoverFacts, t: Translator, day: date) -> str:
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", f"{t('handover.dossier.prefix')}-{row.code}-{day.isoformat()}")
    return stem.strip("-") + ".docx"


def _date(value: date | None, t: Translator) -> str:
    return format_date(value, format="long", locale=t.locale) if value else "—"


def _when(value: datetime, t: Translator) -> str:
    return format_datetime(value, format="d MMMM y HH:mm", locale=t.locale)


def _hyperlink(paragraph: Paragraph, url: str, text: str) -> None:
    """python-docx has no hyperlink API: a w:hyperlink element pointing at an external relationship."""
    # python-docx loads in the worker that builds the document (see dossier_docx).
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    part = paragraph.part
    rel_id = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:u")
    style.set(qn("w:val"), "single")
    properties.append(style)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    properties.append(color)
    run.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def dossier_docx(row: HandoverFacts, t: Translator, zone: ZoneInfo, generated: datetime) -> bytes:
    # python-docx (and lxml) load here, in the worker that builds the document: the server does not need them.
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    title = t("handover.dossier.title", code=row.code, name=row.name)
    doc.core_properties.title = title
    doc.core_properties.language = "nl-BE" if t.language == "nl" else "en-GB"
    doc.add_heading(title, level=0)
    doc.add_paragraph(t("report.generated", when=_when(generated, t)))

    doc.add_heading(t("handover.dossier.section.plan"), level=1)
    facts = doc.add_table(rows=0, cols=2)
    facts.style = "Light List Accent 1"
    for label, value in (
        (t("handover.field.receiver"), receiver_label(row, t)),
        (t("handover.field.planned"), _date(row.planned_on, t)),
        (t("handover.field.coordinator"), row.coordinator.name if row.coordinator else t("handover.nobody")),
        (t("handover.field.support"), row.support.name if row.support else t("handover.nobody")),
        (t("handover.field.after_care"), after_care_text(row, t)),
    ):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = label, value
    doc.add_paragraph(t("handover.field.stakeholders")).runs[0].bold = True
    if row.stakeholders:
        for person in row.stakeholders:
            doc.add_paragraph(person.name, style="List Bullet")
    else:
        doc.add_paragraph("—")

    doc.add_heading(t("handover.dossier.section.checklist"), level=1)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Light Grid Accent 1"
    header = table.rows[0].cells
    for cell, key in zip(
        header,
        (
            "handover.dossier.item",
            "handover.item.form.owner",
            "handover.item.form.due",
            "handover.field.state",
            "handover.item.form.link",
        ),
        strict=True,
    ):
        cell.text = t(key)
    for item in row.items:
        cells = table.add_row().cells
        cells[0].text = item_title(item, t)
        cells[1].text = item.owner.name if item.owner else "—"
        cells[2].text = _date(item.due_on, t)
        if item.done_at is not None:
            done = t("handover.dossier.done_on", when=_date(item.done_at.astimezone(zone).date(), t))
            run = cells[3].paragraphs[0].add_run(done)
            run.font.color.rgb = RGBColor(0x2E, 0x7D, 0x32)
        else:
            cells[3].text = t("handover.dossier.open")
        if item.link:
            _hyperlink(cells[4].paragraphs[0], item.link, item.link)
        else:
            cells[4].text = "—"

    doc.add_heading(t("handover.dossier.section.acceptance"), level=1)
    if row.accepted_at is not None and row.state in (HandoverState.ACCEPTED.value, HandoverState.CLOSED.value):
        doc.add_paragraph(
            t("handover.state.accepted_by", who=row.accepted_by or "?", when=_when(row.accepted_at.astimezone(zone), t))
        )
    elif row.state == HandoverState.NOT_YET.value:
        doc.add_paragraph(t("handover.state.not_yet_by", who=row.not_yet_by or "?", reason=row.not_yet_reason))
    else:
        doc.add_paragraph(t("handover.dossier.not_accepted"))

    doc.add_heading(t("handover.dossier.section.after_care"), level=1)
    doc.add_paragraph(
        t(
            "handover.dossier.after_care",
            support=row.support.name if row.support else t("handover.nobody"),
            period=after_care_text(row, t),
        )
    )
    doc.add_paragraph(t("handover.dossier.after_care.end"))

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
