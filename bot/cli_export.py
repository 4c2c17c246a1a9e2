"""`projectbot export`: time entries as XLSX or CSV for an administrator, the same files the chat's `export` makes."""

from __future__ import annotations

import argparse
import calendar
import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from cards.i18n import language_of, translator
from cards.values import parse_date
from dialogs.timelog.files import export_csv, export_xlsx
from domain.names import match_name
from storage.db import Database
from storage.directory import normalise_email
from storage.models import Person
from storage.projects import ProjectRepository
from storage.time_entries import TimeEntryRepository

_MONTH = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$")


class ExportError(Exception):
    """A wrong option or an unknown person/project; printed without a stack trace."""


def add_parser(verbs: Any) -> None:
    export = verbs.add_parser(
        "export",
        help="time entries as XLSX or CSV (everyone's, or one person's / one project's)",
        description="Write time entries to a file. Without --person or --project: every entry.",
    )
    export.add_argument("--person", metavar="EMAIL", help="only this person's entries")
    export.add_argument("--project", metavar="CODE", help="only this project's entries (e.g. DT-042)")
    export.add_argument(
        "--domain", metavar="NAME", help="only the entries of this domain's projects (as you write it, or its start)"
    )
    export.add_argument("--month", metavar="YYYY-MM", help="only this calendar month")
    export.add_argument("--from", dest="start", metavar="DATE", help="from this day (2026-11-01 or 1/11/2026)")
    export.add_argument("--to", dest="end", metavar="DATE", help="up to and including this day")
    export.add_argument(
        "--format", choices=("xlsx", "csv"), default=None, help="default: from the file name, else xlsx"
    )
    export.add_argument("--lang", choices=("nl", "en"), default=None, help="column names and number format")
    export.add_argument("--out", type=Path, required=True, help="file to write")


def period(month: str | None, start: str | None, end: str | None) -> tuple[date | None, date | None]:
    if month and (start or end):
        raise ExportError("use either --month or --from/--to, not both")
    if month:
        found = _MONTH.match(month.strip())
        if found is None or not 1 <= int(found["m"]) <= 12:
            raise ExportError(f"--month {month!r}: use YYYY-MM, e.g. 2026-11")
        year, number = int(found["y"]), int(found["m"])
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    first = parse_date(start) if start else None
    last = parse_date(end) if end else None
    if start and first is None:
        raise ExportError(f"--from {start!r} is not a date (2026-11-01 or 1/11/2026)")
    if end and last is None:
        raise ExportError(f"--to {end!r} is not a date (2026-11-30 or 30/11/2026)")
    if first and last and last < first:
        raise ExportError("--to is before --from")
    return first, last


def run(args: argparse.Namespace, db: Database, *, default_locale: str) -> str:
    """Writes the file; returns the line to print."""
    start, end = period(args.month, args.start, args.end)
    person_ids: list[int] | None = None
    if args.person:
        email = normalise_email(args.person)
        with db.session() as session:
            people = session.exec(
                select(Person).where(col(Person.email) == email, col(Person.forgotten_at).is_(None))
            ).all()
        if not people:
            raise ExportError(f"nobody with email address {email}")
        person_ids = [p.id for p in people if p.id is not None]
    project_ids: list[int] | None = None
    if args.project:
        project = ProjectRepository(db).by_code(args.project.strip())
        if project is None:
            raise ExportError(f"no project with code {args.project.strip()}")
        project_ids = [project.id]
    domain_ids = [domain_named(db, args.domain)] if args.domain else None
    out: Path = args.out
    kind = args.format or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    t = translator(language_of(args.lang or default_locale))
    rows = TimeEntryRepository(db).export_rows(
        person_ids=person_ids, project_ids=project_ids, start=start, end=end, domain_ids=domain_ids
    )
    data = export_csv(rows, t) if kind == "csv" else export_xlsx(rows, t)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True)
    out.write_bytes(data)
    return f"wrote {len(rows)} entries to {out} ({kind})"


def domain_named(db: Database, typed: str) -> int:
    """The domain an operator named as people write it (domain/names.py), or ExportError saying which it could be."""
    domains = {d.id: d for d in ProjectRepository(db).domains() if d.id is not None}
    match = match_name(typed, {domain_id: (d.key, d.name_nl, d.name_en) for domain_id, d in domains.items()})
    if match.found is not None:
        return match.found
    if match.candidates:
        could_be = " or ".join(repr(domains[c].name_nl) for c in match.candidates)
        raise ExportError(f"--domain {typed!r} could be {could_be}: write it in full")
    known = ", ".join(repr(d.name_nl) for d in domains.values())
    if match.suggestion is not None:
        raise ExportError(f"no domain {typed!r} — did you mean {domains[match.suggestion].name_nl!r}?")
    raise ExportError(f"no domain {typed!r}; the domains are {known}")
