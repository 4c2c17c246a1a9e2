"""`projectbot export`: time entries as XLSX or CSV for an administrator, the same files the chat's `export` makes;
`projectbot export planning`: people x weeks as XLSX for the general planning, as the chat's `export planning`."""

from __future__ import annotations

import argparse
import calendar
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from cards.i18n import language_of, translator
from cards.values import parse_date
from dialogs.capacity.export_planning import DEFAULT_WEEKS, planning_of
from dialogs.capacity.planning_workbook import planning_xlsx
from dialogs.kernel.timeparse import MAX_SPAN_WEEKS, monday_of, parse_week_span, week_ahead
from dialogs.timelog.files import export_csv, export_xlsx
from domain.capacity import DEFAULT_AT_RISK_PERCENT
from domain.names import match_name
from storage.capacity import CapacityRepository
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
        description="Write time entries to a file. Without --person or --project: every entry. "
        "'export planning': people x weeks (available, planned per project, free) as XLSX; without --domain, "
        "everyone on an ongoing project or with a known availability; by default this week and the next 12.",
    )
    export.add_argument(
        "what", nargs="?", choices=("planning",), help="'planning': the general planning instead of time entries"
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
    planning = export.add_argument_group("planning", "for 'export planning' (default: this week and the next 12)")
    planning.add_argument("--from-week", type=int, metavar="N", help="from ISO week N (the next one, or of --year)")
    planning.add_argument("--to-week", type=int, metavar="N", help="up to and including ISO week N")
    planning.add_argument("--weeks", type=int, metavar="N", help="N weeks (from --from-week, else from this week)")
    planning.add_argument("--year", type=int, metavar="YYYY", help="the year of --from-week")


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


def run(
    args: argparse.Namespace,
    db: Database,
    *,
    default_locale: str,
    timezone: str = "Europe/Brussels",
    at_risk_percent: int = DEFAULT_AT_RISK_PERCENT,
) -> str:
    """Writes the file; returns the line to print. The zone and at-risk share are the installation's (settings)."""
    if args.what == "planning":
        return run_planning(args, db, default_locale=default_locale, timezone=timezone, at_risk_percent=at_risk_percent)
    if any(value is not None for value in (args.from_week, args.to_week, args.weeks, args.year)):
        raise ExportError("--from-week, --to-week, --weeks and --year are for 'export planning'")
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
    _write(out, data)
    return f"wrote {len(rows)} entries to {out} ({kind})"


def _write(out: Path, data: bytes) -> None:
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True)
    out.write_bytes(data)


def run_planning(
    args: argparse.Namespace,
    db: Database,
    *,
    default_locale: str,
    timezone: str,
    at_risk_percent: int,
    now: datetime | None = None,
) -> str:
    """`export planning`: the people on the domain's ongoing projects (--domain), else on any ongoing project or
    with a known availability; the workbook the chat's `export planning` gives."""
    if args.person or args.project or args.month or args.start or args.end:
        raise ExportError("'export planning' takes --domain and weeks, not --person, --project, --month, --from, --to")
    if args.format == "csv" or (args.format is None and args.out.suffix.lower() == ".csv"):
        raise ExportError("'export planning' writes XLSX only")
    moment = (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone))
    first_monday, weeks = planning_span(args.from_week, args.to_week, args.weeks, args.year, moment.date())
    t = translator(language_of(args.lang or default_locale))
    capacity = CapacityRepository(db)
    projects = capacity.open_projects(everything=True)
    if args.domain:
        domain_id = domain_named(db, args.domain)
        domain = next(d for d in ProjectRepository(db).domains() if d.id == domain_id)
        people = capacity.people_on([p.id for p in projects if p.domain_id == domain_id])
        scope = domain.name(t.language)
    else:
        people = capacity.people_on([p.id for p in projects]) | set(capacity.availability(None))
        scope = t("capacity.export.scope.everyone")
    planning = planning_of(
        db, people, projects, first_monday, weeks, scope=scope, made_at=moment,
        at_risk_percent=at_risk_percent, t=t,
    )  # fmt: skip
    _write(args.out, planning_xlsx(planning, t))
    first, last = planning.mondays[0].isocalendar(), planning.mondays[-1].isocalendar()
    return (
        f"wrote the planning of {len(planning.people)} people, week {first.week} {first.year} to week "
        f"{last.week} {last.year} ({weeks} weeks), to {args.out}"
    )


def planning_span(
    from_week: int | None, to_week: int | None, weeks: int | None, year: int | None, today: date
) -> tuple[date, int]:
    """(first Monday, number of weeks) from the options, read as the chat reads 'van week 1 tot week 13'."""
    if to_week is not None and weeks is not None:
        raise ExportError("use either --to-week or --weeks, not both")
    if from_week is None and (to_week is not None or year is not None):
        raise ExportError("--to-week and --year need --from-week")
    if weeks is not None and not 1 <= weeks <= MAX_SPAN_WEEKS:
        raise ExportError(f"--weeks {weeks}: from 1 to {MAX_SPAN_WEEKS}")
    if from_week is None:
        return monday_of(today), weeks or DEFAULT_WEEKS
    if to_week is None:
        first = week_ahead(from_week, today, year) if 1 <= from_week <= 53 else None
        if first is None:
            raise ExportError(f"--from-week {from_week}: no such week{f' in {year}' if year else ''}")
        return first, weeks or DEFAULT_WEEKS
    span = parse_week_span(f"from week {from_week} to week {to_week} {year or ''}", today)
    if span is None:
        raise ExportError(
            f"--from-week {from_week} --to-week {to_week}: no such weeks, or more than {MAX_SPAN_WEEKS} of them"
        )
    return span


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
