"""Time entries as files (pure): an XLSX workbook and a CSV, with dates and numbers the way the reader writes them;
and reading the period of `export DT-042 november`."""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from cards.i18n import Translator
from storage.time_entries import ExportRow

MONTHS: dict[str, int] = {
    **{name: number for number, name in enumerate(calendar.month_name) if name},
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "april": 4,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "augustus": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
MONTHS = {name.lower(): number for name, number in MONTHS.items()}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_month(words: Sequence[str], today: date) -> tuple[date, date] | None:
    """('november') / ('november', '2026') / ('last', 'month') / ('vorige', 'maand'): first and last day; the
    most recent such month that has begun when no year is given. None when the words name no month."""
    lowered = [w.lower() for w in words]
    if lowered in (["last", "month"], ["vorige", "maand"]):
        first = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    elif lowered in (["this", "month"], ["deze", "maand"]):
        first = today.replace(day=1)
    elif lowered and lowered[0] in MONTHS and len(lowered) <= 2:
        month = MONTHS[lowered[0]]
        if len(lowered) == 2:
            if not (lowered[1].isascii() and lowered[1].isdigit()) or len(lowered[1]) != 4:
                return None
            year = int(lowered[1])
        else:
            year = today.year if month <= today.month else today.year - 1
        first = date(year, month, 1)
    else:
        return None
    return first, date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def _headers(t: Translator) -> list[str]:
    return [
        t(f"time.export.column.{name}")
        for name in ("date", "person", "project", "name", "kind", "category", "hours", "note")
    ]


def export_csv(rows: Sequence[ExportRow], t: Translator) -> bytes:
    """Semicolon-separated with a decimal comma in Dutch (what Excel in nl-BE opens), comma/point in English."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if t.language == "nl" else ",", lineterminator="\r\n")
    writer.writerow(_headers(t))
    for row in rows:
        number = format(_hours(row.minutes), "f")
        writer.writerow(
            [
                row.day.strftime("%d/%m/%Y") if t.language == "nl" else row.day.isoformat(),
                row.person,
                row.project_code,
                row.project_name,
                t(f"time.kind.{row.kind}"),
                t(f"time.category.{row.category}"),
                number.replace(".", ",") if t.language == "nl" else number,
                row.note,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def export_xlsx(rows: Sequence[ExportRow], t: Translator) -> bytes:
    """Real dates and numbers (so sums work); the cell formats show them as the reader expects."""
    # openpyxl (with lxml) loads here, where a workbook is built: ~0.2 s and tens of MB nobody else needs.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = t("time.export.sheet")[:31]
    sheet.append(_headers(t))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row.day,
                row.person,
                row.project_code,
                row.project_name,
                t(f"time.kind.{row.kind}"),
                t(f"time.category.{row.category}"),
                float(_hours(row.minutes)),
                row.note,
            ]
        )
    for (cell,) in sheet.iter_rows(min_row=2, min_col=1, max_col=1):
        cell.number_format = "DD/MM/YYYY" if t.language == "nl" else "YYYY-MM-DD"
    for (cell,) in sheet.iter_rows(min_row=2, min_col=7, max_col=7):
        cell.number_format = "0.00"
    for letter, width in zip("ABCDEFGH", (12, 24, 10, 32, 12, 16, 8, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
