"""The planning export as a workbook (pure): people x weeks, ready to paste into the manager's general planning.

Sheet 1 holds a block per person: a row per project with its planned hours per week, then the person's available,
planned and free hours (free below zero in red: over-booked). Sheet 2 is the load per person and week as a share
of the available time, coloured as the capacity views colour it. Cells hold real numbers and dates; the number
formats make Excel show them as the reader's locale writes them (a decimal comma in nl-BE). An unknown availability
reads "onbekend" / "unknown", never 0: nobody is shown as free because nothing is known about them.

Built in a worker process (services.renderer): every argument is a plain, picklable value."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cards.i18n import Translator
from domain.capacity import PersonLoad, working_days_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOURS_FORMAT = "0.0#"  # 30,4 and 3,33 in nl-BE: the decimal separator is the reader's Excel's
FREE_FORMAT = "0.0#;[Red]-0.0#"  # over-booked: a red minus
DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0%"
FIRST_WEEK_COLUMN = 4  # person, code, project name, then the weeks
HEADER_ROW = 4  # title, made at, blank, then the week labels and below them their Mondays
RED = "C00000"
FILLS = {"over": "F4B6B6", "at_risk": "FCE4A8", "ok": "C6EFCE"}


@dataclass(frozen=True)
class ProjectLine:
    code: str
    name: str
    minutes: tuple[int, ...]  # planned, per week


@dataclass(frozen=True)
class PersonPlanning:
    name: str
    minutes_per_week: int | None  # the contract; None: unknown
    working_days: tuple[int, ...]  # 0 is Monday; empty when unknown
    available: tuple[int | None, ...]  # per week: contract less leave and public holidays; None: unknown
    planned: tuple[int, ...]  # per week, on every project
    projects: tuple[ProjectLine, ...]


@dataclass(frozen=True)
class Planning:
    mondays: tuple[date, ...]
    people: tuple[PersonPlanning, ...]
    scope: str  # whose planning, as the reader reads it: a domain's name, or everyone the reader oversees
    made_at: datetime  # in the reader's time zone
    at_risk_percent: int


def people_planning(
    loads: Sequence[PersonLoad], projects: Mapping[int, tuple[str, str]], other: str
) -> tuple[PersonPlanning, ...]:
    """Each person's rows from their weekly load. Plans on a project not in `projects` (code, name by id: those
    the reader may see) add up on one line named `other`: their time counts, their names stay unsaid."""
    people = []
    for load in loads:
        weeks = len(load.weeks)
        by_project: dict[int | None, list[int]] = {}
        for index, week in enumerate(load.weeks):
            for project_id, minutes in week.by_project:
                key = project_id if project_id in projects else None
                by_project.setdefault(key, [0] * weeks)[index] += minutes
        named = sorted((projects[key] + (tuple(row),) for key, row in by_project.items() if key is not None))
        lines = [ProjectLine(code, name, minutes) for code, name, minutes in named]
        if None in by_project:
            lines.append(ProjectLine("", other, tuple(by_project[None])))
        known = load.availability
        people.append(
            PersonPlanning(
                name=load.name,
                minutes_per_week=known.minutes_per_week if known else None,
                working_days=tuple(sorted(known.working_days)) if known else (),
                available=tuple(week.available for week in load.weeks),
                planned=tuple(week.planned for week in load.weeks),
                projects=tuple(lines),
            )
        )
    return tuple(people)


def week_label(monday: date, t: Translator) -> str:
    """'wk 3': the ISO week number people plan by."""
    return t("capacity.export.week", number=monday.isocalendar().week)


def span_text(mondays: Sequence[date], t: Translator) -> str:
    """'wk 49 2026 tot wk 9 2027 (13 weken)' / 'wk 13 2027 (1 week)'."""
    first, last = mondays[0].isocalendar(), mondays[-1].isocalendar()
    if len(mondays) == 1:
        return t("capacity.export.one_week", first=first.week, first_year=first.year)
    return t(
        "capacity.export.span",
        first=first.week,
        first_year=first.year,
        last=last.week,
        last_year=last.year,
        count=len(mondays),
    )


def planning_xlsx(planning: Planning, t: Translator) -> bytes:
    # openpyxl loads here, where a workbook is built (see dialogs/timelog/files.py).
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    _planning_sheet(sheet, planning, t)
    _summary_sheet(workbook.create_sheet(), planning, t)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _hours(minutes: int) -> float:
    return float((Decimal(minutes) / 60).quantize(Decimal("0.01")))


def _heading(sheet: Any, planning: Planning, t: Translator, title_key: str) -> None:
    """Rows 1-5: the title with whose planning and the span, when it was made, then the week labels over their
    Mondays."""
    from openpyxl.styles import Font

    sheet.title = t(title_key)[:31]
    sheet.cell(1, 1, t("capacity.export.title", scope=planning.scope, span=span_text(planning.mondays, t)))
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    made = sheet.cell(2, 1, t("capacity.export.made_at"))
    made.font = Font(italic=True)
    stamp = sheet.cell(2, 2, planning.made_at.replace(tzinfo=None, second=0, microsecond=0))
    stamp.number_format = f"{DATE_FORMAT} HH:MM"
    for offset, monday in enumerate(planning.mondays):
        column = FIRST_WEEK_COLUMN + offset
        sheet.cell(HEADER_ROW, column, week_label(monday, t)).font = Font(bold=True)
        sheet.cell(HEADER_ROW + 1, column, monday).number_format = DATE_FORMAT
        sheet.column_dimensions[_letter(column)].width = 11
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 2, FIRST_WEEK_COLUMN)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def _planning_sheet(sheet: Any, planning: Planning, t: Translator) -> None:
    from openpyxl.styles import Border, Font, Side

    _heading(sheet, planning, t, "capacity.export.sheet.planning")
    for column, key in enumerate(("person", "code", "project"), start=1):
        sheet.cell(HEADER_ROW, column, t(f"capacity.export.column.{key}")).font = Font(bold=True)
    for letter, width in (("A", 24), ("B", 10), ("C", 30)):
        sheet.column_dimensions[letter].width = width
    unknown = t("capacity.unknown")
    row = HEADER_ROW + 2
    line = Border(top=Side(style="thin"))
    for person in planning.people:
        first_row = row
        for project in person.projects:
            sheet.cell(row, 1, person.name)
            sheet.cell(row, 2, project.code or None)
            sheet.cell(row, 3, project.name)
            for offset, minutes in enumerate(project.minutes):
                if minutes:
                    sheet.cell(row, FIRST_WEEK_COLUMN + offset, _hours(minutes)).number_format = HOURS_FORMAT
            row += 1
        totals: tuple[tuple[str, Sequence[int | None]], ...] = (
            ("planned", person.planned),
            ("available", person.available),
            ("free", [None if a is None else a - p for a, p in zip(person.available, person.planned, strict=True)]),
        )
        for key, values in totals:
            sheet.cell(row, 1, person.name)
            sheet.cell(row, 3, t(f"capacity.export.row.{key}")).font = Font(bold=True)
            for offset, total in enumerate(values):
                cell = sheet.cell(row, FIRST_WEEK_COLUMN + offset, unknown if total is None else _hours(total))
                cell.number_format = FREE_FORMAT if key == "free" else HOURS_FORMAT
                if key == "free" and total is not None and total < 0:
                    cell.font = Font(bold=True, color=RED)
            row += 1
        for column in range(1, FIRST_WEEK_COLUMN + len(planning.mondays)):
            sheet.cell(first_row, column).border = line


def _summary_sheet(sheet: Any, planning: Planning, t: Translator) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    _heading(sheet, planning, t, "capacity.export.sheet.summary")
    for column, key in enumerate(("person", "contract", "days"), start=1):
        sheet.cell(HEADER_ROW, column, t(f"capacity.export.column.{key}")).font = Font(bold=True)
    for letter, width in (("A", 24), ("B", 12), ("C", 18)):
        sheet.column_dimensions[letter].width = width
    unknown = t("capacity.unknown")
    row = HEADER_ROW + 2
    for person in planning.people:
        sheet.cell(row, 1, person.name)
        if person.minutes_per_week is None:
            sheet.cell(row, 2, unknown)
            sheet.cell(row, 3, unknown)
        else:
            sheet.cell(row, 2, _hours(person.minutes_per_week)).number_format = HOURS_FORMAT
            sheet.cell(row, 3, working_days_text(person.working_days, t.language))
        for offset, (available, planned) in enumerate(zip(person.available, person.planned, strict=True)):
            cell = sheet.cell(row, FIRST_WEEK_COLUMN + offset, _share(planned, available) if available is not None
                              else unknown)  # fmt: skip
            cell.number_format = PERCENT_FORMAT
        row += 1
    last = _letter(FIRST_WEEK_COLUMN + len(planning.mondays) - 1)
    first = f"{_letter(FIRST_WEEK_COLUMN)}{HEADER_ROW + 2}"
    cells = f"{first}:{last}{max(row - 1, HEADER_ROW + 2)}"
    # Conditional, so a share the manager corrects in the sheet takes its colour; ISNUMBER keeps 'unknown' plain
    # (Excel holds any text greater than any number).
    risk = planning.at_risk_percent / 100
    rules = (
        ("over", f"AND(ISNUMBER({first}),{first}>1)"),
        ("at_risk", f"AND(ISNUMBER({first}),{first}>{risk})"),
        ("ok", f"ISNUMBER({first})"),
    )
    for load, formula in rules:
        fill = PatternFill(start_color=FILLS[load], end_color=FILLS[load], fill_type="solid")
        sheet.conditional_formatting.add(cells, FormulaRule(formula=[formula], fill=fill, stopIfTrue=True))
    legend = sheet.cell(row + 1, 1, t("capacity.export.legend", percent=planning.at_risk_percent))
    legend.font = Font(italic=True)


def _share(planned: int, available: int) -> float:
    """Planned as a share of available (1.0 is full); nothing available but something planned reads 999 %."""
    if available == 0:
        return 0.0 if planned == 0 else 9.99
    return round(planned / available, 4)
