"""Portfolio onboarding: projects from a CSV or XLSX file, one report line per row, idempotent, with a dry run.

Domains and local governments are named as people write them (domain/names.py: any case, accents, "&"/"en"/"and",
a unique start). A name on no list is refused with the closest listed name ("did you mean ...?"), or, when the
operator asked for it (`create_missing`), added to the list; the row's report line says which."""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from cards.values import parse_date, parse_decimal
from domain.names import NameMatch, match_name, normalise, same_name
from storage.db import Database
from storage.directory import is_email
from storage.project_import import Imported, ImportRow, import_rows
from storage.projects import ProjectRepository, is_valid_code, normalise_code

COLUMNS = (
    "code",
    "name",
    "domain",
    "coordinator_email",
    "manager_email",
    "budget_hours",
    "start",
    "end",
    "governments",
)
REQUIRED_COLUMNS = ("code", "name", "domain")
TYPO_CLOSENESS = 0.9  # a new name this close to a listed one is reported as a possible typo ('transformatei')
Outcome = Literal["created", "updated", "unchanged", "rejected"]


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, missing columns); nothing was imported."""


@dataclass(frozen=True)
class RowReport:
    line: int  # as a spreadsheet shows it: the header is line 1
    code: str
    outcome: Outcome
    detail: str = ""  # why it was rejected, or which fields changed


@dataclass
class ImportReport:
    rows: list[RowReport]
    dry_run: bool

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


EXTRA_CELLS = "(extra cells)"  # a row's cells beyond the header, e.g. an unquoted "ma,di,wo" in a comma-separated file


def read_rows(
    path: Path, *, columns: tuple[str, ...] = COLUMNS, required: tuple[str, ...] = REQUIRED_COLUMNS
) -> list[dict[str, Any]]:
    """The rows of a .csv (UTF-8, comma or semicolon) or .xlsx file as dicts keyed by lower-case header (cells
    beyond the header under EXTRA_CELLS); `columns` and `required` name the file's expected header (the project
    import's by default; the people import reads its own with this reader)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = list(_xlsx_rows(path))
    elif suffix in (".csv", ".txt"):
        rows = list(_csv_rows(path))
    else:
        raise ImportFileError(f"{path.name}: use a .csv or .xlsx file")
    if not rows:
        raise ImportFileError(f"{path.name}: the file is empty")
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    missing = [column for column in required if column not in header]
    if missing:
        raise ImportFileError(f"{path.name}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    found: list[dict[str, Any]] = []
    for values in rows[1:]:
        if not any(str(v or "").strip() for v in values):
            found.append({})  # blank line: kept so line numbers match the file
            continue
        row = {name: values[i] if i < len(values) else None for i, name in enumerate(header) if name}
        if extra := [value for value in values[len(header) :] if str(value or "").strip()]:
            row[EXTRA_CELLS] = extra
        found.append(row)
    return found


def _csv_rows(path: Path) -> Iterator[list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect: Any = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(text.splitlines(), dialect)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # heavy, and only an import from a spreadsheet needs it: loaded on first use

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as problem:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise ImportFileError(f"{path.name}: not a readable .xlsx file ({problem})") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


@dataclass(frozen=True)
class _Lists:
    """The domains and governments a file's names are matched against, read once: each one's names, by id."""

    domains: dict[int, tuple[str, ...]]  # key, Dutch name, English name
    governments: dict[int, tuple[str, ...]]
    create_missing: bool
    new_names: dict[str, list[str]] = field(default_factory=dict)  # what -> names to add, as earlier rows wrote them

    def domain_name(self, domain_id: int) -> str:
        return self.domains[domain_id][1]

    def government_name(self, government_id: int) -> str:
        return self.governments[government_id][0]


@dataclass(frozen=True)
class _Read:
    """A row read and found sound, and how its names were read ("domain 'tech' read as '...'")."""

    row: ImportRow
    notes: tuple[str, ...] = ()


def import_projects(
    db: Database,
    rows: list[dict[str, Any]],
    *,
    now: datetime,
    dry_run: bool = False,
    create_missing: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Every row read and checked here, then all written in one transaction (storage.project_import); a dry run
    does the same work and rolls it back, so it reports the same. With `create_missing`, a domain or government the
    lists do not have is added (once, however many rows name it) instead of refusing the row."""
    repository = ProjectRepository(db)
    lists = _Lists(
        domains={d.id: (d.key, d.name_nl, d.name_en) for d in repository.domains() if d.id is not None},
        governments={g.id: (g.name,) for g in repository.governments() if g.id is not None},
        create_missing=create_missing,
    )
    read = [_read_row(lists, row) if row else None for row in rows]
    sound = [row.row if isinstance(row, _Read) else None for row in read]
    done = import_rows(db, sound, now=now, dry_run=dry_run, progress=progress)
    reports: list[RowReport] = []
    for index, (row, did) in enumerate(zip(read, done, strict=True)):
        if isinstance(row, RowReport):
            reports.append(replace(row, line=index + 2))
        elif row is not None and did is not None:
            reports.append(RowReport(index + 2, row.row.code, did.outcome, _detail(did, row.notes)))
    return ImportReport(rows=reports, dry_run=dry_run)


def _detail(did: Imported, notes: tuple[str, ...]) -> str:
    """The fields that changed, what the row added to the lists, how its names were read."""
    added = [f"domain {did.added.domain!r}"] if did.added.domain else []
    added += [f"local government {name!r}" for name in did.added.governments]
    parts = [", ".join(did.changed), f"added {', '.join(added)}" if added else "", *notes]
    return "; ".join(part for part in parts if part)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_row(lists: _Lists, row: dict[str, Any]) -> _Read | RowReport:
    """The row read, or its rejection (line 0: the caller's) naming every problem, in the columns' order."""
    code = normalise_code(_text(row.get("code")))
    problems: list[str] = []
    if not code:
        problems.append("code is empty")
    elif not is_valid_code(code):
        problems.append(f"code {code!r} is not like DT-042")
    name = _text(row.get("name"))
    if not name:
        problems.append("name is empty")
    domain = _named(lists, "domain", _text(row.get("domain")))
    problems += domain.problems
    emails = {key: _text(row.get(key)).lower() for key in ("coordinator_email", "manager_email")}
    problems += [
        f"{key} {email!r} is not an email address" for key, email in emails.items() if email and not is_email(email)
    ]
    budget, budget_problems = _budget(row.get("budget_hours"))
    dates, date_problems = _dates(row)
    problems += budget_problems + date_problems
    governments = [_named(lists, "local government", g) for g in _text(row.get("governments")).split(";") if g.strip()]
    problems += [problem for government in governments for problem in government.problems]
    if problems:
        return RowReport(0, code, "rejected", "; ".join(problems))
    values: dict[str, Any] = {"name": name[:200]}
    if domain.found is not None:
        values["domain_id"] = domain.found
    if budget is not None:
        values["budget_hours"] = budget.quantize(Decimal("0.01"))
    values |= {column: day for column, day in dates.items() if day}
    imported = ImportRow(
        code,
        values,
        emails,
        government_ids=tuple(g.found for g in governments if g.found is not None),
        new_domain=domain.missing,
        new_governments=tuple(dict.fromkeys(g.missing for g in governments if g.missing)),
    )
    return _Read(imported, tuple(note for named in (domain, *governments) if (note := named.note)))


@dataclass(frozen=True)
class _Named:
    """A domain or government as a row names it: found (its id), missing (to add: the name as written), or the
    problems to report."""

    found: int | None = None
    missing: str = ""
    problems: tuple[str, ...] = ()
    note: str = ""  # how a start of a name was read


def _named(lists: _Lists, what: Literal["domain", "local government"], typed: str) -> _Named:
    written = " ".join(typed.split())
    if not written:
        return _Named(problems=(f"{what} is empty",))
    names = lists.domains if what == "domain" else lists.governments
    show = lists.domain_name if what == "domain" else lists.government_name
    match: NameMatch[int] = match_name(written, names)
    if match.found is not None:
        read_as = show(match.found)
        note = f"{what} {written!r} read as {read_as!r}" if match.outcome == "prefix" else ""
        return _Named(found=match.found, note=note)
    if match.candidates:
        could_be = " or ".join(repr(show(candidate)) for candidate in match.candidates[:5])
        return _Named(problems=(f"{what} {written!r} could be {could_be}: write it in full",))
    if lists.create_missing:
        # Added all the same (Zele and Zelem are both municipalities), but a near twin is pointed out: a typo?
        new_twin = _new_twin(lists.new_names.setdefault(what, []), written)
        close = match.suggestion is not None and match.closeness >= TYPO_CLOSENESS
        twin = show(match.suggestion) if close and match.suggestion is not None else new_twin
        note = f"new {what} {written!r} looks like {twin!r}: a typo?" if twin else ""
        return _Named(missing=written, note=note)
    if match.suggestion is not None:
        return _Named(problems=(f"unknown {what} {written!r} — did you mean {show(match.suggestion)!r}?",))
    return _Named(problems=(f"unknown {what} {written!r} (--create-missing adds it)",))


def _new_twin(earlier: list[str], written: str) -> str:
    """A name an earlier row of the file also adds that is nearly `written` ("Gemeente Zotegem" after "Gemeente
    Zottegem"), or ""; `written` joins them. The same name in another spelling is no twin: it is added once."""
    twin = ""
    for name in earlier:
        if same_name(name, written):
            return ""
        if difflib.SequenceMatcher(None, normalise(name), normalise(written)).ratio() >= TYPO_CLOSENESS:
            twin = twin or name
    earlier.append(written)
    return twin


def _budget(raw: Any) -> tuple[Decimal | None, list[str]]:
    if not _text(raw):
        return None, []
    budget = Decimal(str(raw)) if isinstance(raw, int | float) else parse_decimal(_text(raw))
    if budget is None or budget < 0:
        return None, [f"budget_hours {_text(raw)!r} is not a number of hours"]
    return budget, []


def _dates(row: dict[str, Any]) -> tuple[dict[str, date | None], list[str]]:
    """The planned start and end (by column), and what is wrong with them."""
    dates: dict[str, date | None] = {}
    problems: list[str] = []
    for key, column in (("start", "planned_start"), ("end", "planned_end")):
        raw = row.get(key)
        dates[column] = parse_date(raw) if _text(raw) else None
        if _text(raw) and dates[column] is None:
            problems.append(f"{key} {_text(raw)!r} is not a date (use 2026-11-27 or 27/11/2026)")
    start, end = dates["planned_start"], dates["planned_end"]
    if start and end and end < start:
        problems.append("end is before start")
    return dates, problems
