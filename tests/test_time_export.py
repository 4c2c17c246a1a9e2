"""The export files and the month of `export DT-042 november` (pure)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from cards.i18n import translator
from dialogs.timelog.files import export_csv, export_xlsx, parse_month
from storage.time_entries import ExportRow

ROWS = [ExportRow(date(2026, 11, 27), "An", "DT-042", "Digitaal loket", "performed", "analysis", 150, "intake; 1")]


def test_csv_follows_the_locale() -> None:
    nl = export_csv(ROWS, translator("nl")).decode("utf-8-sig").splitlines()
    assert nl == [
        "Datum;Persoon;Project;Projectnaam;Soort;Activiteit;Uren;Notitie",
        '27/11/2026;An;DT-042;Digitaal loket;Gepresteerd;Analyse;2,50;"intake; 1"',
    ]
    en = export_csv(ROWS, translator("en")).decode("utf-8-sig").splitlines()
    assert en[1] == "2026-11-27,An,DT-042,Digitaal loket,Worked,Analysis,2.50,intake; 1"


def test_xlsx_holds_real_dates_and_numbers() -> None:
    sheet = load_workbook(io.BytesIO(export_xlsx(ROWS, translator("nl")))).active
    assert sheet is not None
    assert sheet["A1"].value == "Datum" and sheet["G2"].value == 2.5
    assert sheet["A2"].value.date() == date(2026, 11, 27) and sheet["A2"].number_format == "DD/MM/YYYY"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("november", (date(2026, 11, 1), date(2026, 11, 30))),
        ("December", (date(2025, 12, 1), date(2025, 12, 31))),  # not begun yet this year: last year's
        ("februari 2028", (date(2028, 2, 1), date(2028, 2, 29))),
        ("vorige maand", (date(2026, 10, 1), date(2026, 10, 31))),
        ("last month", (date(2026, 10, 1), date(2026, 10, 31))),
        ("deze maand", (date(2026, 11, 1), date(2026, 11, 30))),
    ],
)
def test_months(words: str, expected: tuple[date, date]) -> None:
    assert parse_month(words.split(), date(2026, 11, 23)) == expected


def test_no_month() -> None:
    assert parse_month(["DT-042"], date(2026, 11, 23)) is None
    assert parse_month(["mei", "26"], date(2026, 11, 23)) is None
    assert parse_month(["last", "month"], date(2027, 1, 5)) == (date(2026, 12, 1), date(2026, 12, 31))
