"""The meeting report as a DOCX document, the "projectverslag" (python-docx; imported only where the document is
built, in a drawing worker: the server does not load python-docx and lxml)."""

from __future__ import annotations

import io
import re

from cards.i18n import Translator
from cards.meetings.common import when_text
from cards.meetings.minutes import Minutes

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_name(minutes: Minutes, t: Translator) -> str:
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", f"{t('meeting.minutes.file_prefix')}-{minutes.code}-{minutes.start.date()}")
    return stem.strip("-") + ".docx"


def minutes_docx(minutes: Minutes, t: Translator) -> bytes:
    """Title, project and moment; the decisions; the action items with owner and due date, as a table."""
    from docx import Document

    from cards.meetings.common import day_text

    doc = Document()
    doc.add_heading(t("meeting.minutes.title", title=minutes.title), level=1)
    doc.add_paragraph(f"{minutes.code} · {minutes.project}")
    doc.add_paragraph(when_text(minutes.start, minutes.end, minutes.timezone, t))
    doc.add_heading(t("meeting.report.decisions"), level=2)
    for line in (minutes.decisions or t("meeting.minutes.no_decisions")).splitlines() or [""]:
        doc.add_paragraph(line)
    doc.add_heading(t("meeting.minutes.actions"), level=2)
    if not minutes.actions:
        doc.add_paragraph(t("meeting.minutes.no_actions"))
    else:
        table = doc.add_table(rows=1, cols=3)
        header = table.rows[0].cells
        header[0].text = t("meeting.minutes.action")
        header[1].text = t("meeting.report.owner")
        header[2].text = t("meeting.report.due")
        for action in minutes.actions:
            cells = table.add_row().cells
            cells[0].text = action.text
            cells[1].text = action.owner or t("meeting.actions.nobody")
            cells[2].text = day_text(action.due_on, t) if action.due_on else "—"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
