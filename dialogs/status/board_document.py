"""The board (RvB) report of a project as a DOCX document, in the reader's language; built in memory
(dialogs/status/board_docx.py writes its sections)."""

from __future__ import annotations

import re

from cards.i18n import Translator
from cards.status.board import BoardReport


def file_name(report: BoardReport, t: Translator) -> str:
    stem = re.sub(
        r"[^A-Za-z0-9-]+", "-", f"{t('report.file.prefix')}-{report.code}-{report.generated.date().isoformat()}"
    )
    return stem.strip("-") + ".docx"


def board_report_docx(report: BoardReport, t: Translator, *, chart: bytes | None = None) -> bytes:
    """Sections in the order a board secretary expects: identification, goal and scope, governments, team,
    planning and milestones, budget and its use, status, risks, decisions needed and recent decisions."""
    # Imported here: python-docx (and lxml) load in the worker that builds the document; the server does not need them.
    from dialogs.status.board_docx import write_board_report

    return write_board_report(report, t, chart)
