"""Operator verbs about people and the portfolio: `admin grant`, `people forget`, `import projects`, `import people`
(each person's availability by e-mail)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from dialogs.projects.project_import import (
    EXTRA_CELLS,
    ImportFileError,
    ImportReport,
    RowReport,
    import_projects,
    read_rows,
)
from domain.availability import read_availability
from domain.capacity import DEFAULT_WORKING_DAYS, FULL_TIME_MINUTES
from storage.db import Database
from storage.directory import (
    DUPLICATE_EMAIL,
    RELEASED_EMAIL,
    UNVERIFIED_EMAIL,
    DirectoryRepository,
    Role,
    is_email,
    is_placeholder,
)
from storage.identity_review import people_to_review
from storage.people_import import PersonRow, import_people_rows
from storage.privacy import PrivacyRepository

PROGRESS_MIN_ROWS = 200
PEOPLE_COLUMNS = ("email", "name", "hours_per_week", "working_days")
PEOPLE_HELP = """\
people and their availability from CSV or XLSX with the header email,name,hours_per_week,working_days: a person is
found by email (someone not known yet is added, and linked once Teams reports the address); hours 0-60 with a comma
or a point (30,4); working days as ma,di,wo,do,vr or mon,tue,wed,thu,fri or ma-do (quote them in a comma-separated
file, or use ; between the columns). An empty hours cell is 38, empty working days are Monday to Friday; the name
fills in only a name not known yet. A bad row is refused and reported with its line; the other rows are imported
(see docs/operations.md)"""


class OperatorError(Exception):
    """Printed to the operator without a stack trace."""


def add_verbs(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    admin = verbs.add_parser("admin", help="roles: grant the first admin (admins use the roles card afterwards)")
    admin_verbs = admin.add_subparsers(dest="admin_verb", metavar="ACTION", required=True)
    grant = admin_verbs.add_parser("grant", help="grant a role to a person (by email or Entra object id)")
    grant.add_argument("person", metavar="EMAIL_OR_AAD_ID")
    grant.add_argument("--role", choices=[r.value for r in Role], default=Role.ADMIN.value)

    people = verbs.add_parser("people", help="people: review typed addresses, erase someone who left (GDPR)")
    people_verbs = people.add_subparsers(dest="people_verb", metavar="ACTION", required=True)
    forget = people_verbs.add_parser("forget", help="erase a person's personal data; their hours stay, anonymous")
    forget.add_argument("email", metavar="EMAIL")
    people_verbs.add_parser(
        "audit", help="people whose address was typed or taken over, with the roles and projects they hold"
    )

    imports = verbs.add_parser("import", help="import data from a file")
    import_verbs = imports.add_subparsers(dest="import_verb", metavar="WHAT", required=True)
    projects = import_verbs.add_parser("projects", help="projects from CSV or XLSX (see docs/operations.md)")
    projects.add_argument("file", type=Path, metavar="FILE")
    projects.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    projects.add_argument(
        "--create-missing",
        action="store_true",
        help="add the domains and local governments the file names that are not on the lists yet (else: refused)",
    )
    projects.add_argument("--progress", action="store_true", help="show a progress bar even when not on a terminal")
    people_file = import_verbs.add_parser(
        "people", help="people's hours per week and working days from CSV or XLSX", description=PEOPLE_HELP
    )
    people_file.add_argument("file", type=Path, metavar="FILE")
    people_file.add_argument("--dry-run", action="store_true", help="check and report, change nothing")


def run(args: argparse.Namespace, db: Database, *, now: datetime | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    now = now or datetime.now(UTC)
    if args.verb == "admin":
        return _grant(db, args.person, Role(args.role), now, out)
    if args.verb == "people" and args.people_verb == "audit":
        return _audit(db, out)
    if args.verb == "people":
        ids = PrivacyRepository(db).forget_by_email(args.email, now=now)
        if not ids:
            raise OperatorError(f"nobody with email {args.email} (already erased, or never known)")
        print(f"erased the personal data of {args.email} ({len(ids)} record(s)); their hours stay, anonymous", file=out)
        return 0
    if args.import_verb == "people":
        return _import_people(db, args, now, out)
    return _import(db, args, now, out)


def _grant(db: Database, reference: str, role: Role, now: datetime, out: TextIO) -> int:
    directory = DirectoryRepository(db)
    person = directory.identify(reference)
    if person is None and is_email(reference):
        # Not seen yet: a placeholder holds the role until Teams reports this address for someone who talks to
        # the bot. A typed contact address never matches (storage.directory.person_for_email).
        person = directory.person_for_email(reference, now=now)
    if person is None:
        raise OperatorError(f"nobody known as {reference}: use their email address or Entra object id")
    assert person.id is not None
    changed = directory.grant(person.id, role, actor_id=None, now=now)
    label = person.email or person.name or person.aad_object_id
    pending = " (pending: applies once Teams reports this address for someone who talks to the bot)"
    print(
        f"{label} {'is now' if changed else 'already was'} {role.value}{pending if is_placeholder(person) else ''}",
        file=out,
    )
    return 0


def _audit(db: Database, out: TextIO) -> int:
    people = people_to_review(db)
    if not people:
        print("nothing to review: every linking address was reported by Teams", file=out)
        return 0
    for person in people:
        verified = person.verified_email or "no address from Teams yet"
        typed = f", typed contact address {person.contact_email}" if person.contact_email else ""
        print(f"person {person.person_id} {person.name or '?'}: {verified}{typed}", file=out)
        print(f"  why: {', '.join(_REASONS.get(r, r) for r in person.reasons)}", file=out)
        held = ", ".join(f"{what} x{count}" for what, count in person.holdings) or "nothing"
        print(f"  holds: {held}", file=out)
    print(
        f"{len(people)} to review: revoke what was claimed with the roles card or edit the projects; "
        "a person's rows stay theirs",
        file=out,
    )
    return 0


_REASONS = {
    UNVERIFIED_EMAIL: "the address was typed in settings, not reported by Teams (moved to the contact address)",
    DUPLICATE_EMAIL: "another person held the same address (cleared here)",
    RELEASED_EMAIL: "Teams reported this address for someone else (released)",
}


def _read(path: Path, **header: tuple[str, ...]) -> list[dict[str, Any]]:
    try:
        return read_rows(path, **header)
    except (ImportFileError, OSError, UnicodeDecodeError) as problem:
        raise OperatorError(str(problem)) from None


def _import(db: Database, args: argparse.Namespace, now: datetime, out: TextIO) -> int:
    rows = _read(args.file)
    show = args.progress or (sys.stderr.isatty() and len(rows) >= PROGRESS_MIN_ROWS)
    report = import_projects(
        db,
        rows,
        now=now,
        dry_run=args.dry_run,
        create_missing=args.create_missing,
        progress=_progress_bar if show else None,
    )
    if show:
        print(file=sys.stderr)
    _print_report(report, out)
    return 1 if report.count("rejected") else 0


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()


def _print_report(report: ImportReport, out: TextIO) -> None:
    for row in report.rows:
        detail = f": {row.detail}" if row.detail else ""
        print(f"line {row.line} {row.code or '?'} {row.outcome}{detail}", file=out)
    summary = ", ".join(f"{report.count(o)} {o}" for o in ("created", "updated", "unchanged", "rejected"))
    suffix = " (dry run: nothing was changed)" if report.dry_run else ""
    print(f"{summary}{suffix}", file=out)


def _import_people(db: Database, args: argparse.Namespace, now: datetime, out: TextIO) -> int:
    """Like the project import: every row checked first, the sound ones written in one transaction, a refused row
    reported with its line and the reason (the others still imported), exit status 1 when any was refused."""
    rows = _read(args.file, columns=PEOPLE_COLUMNS, required=("email",))
    lines: dict[str, int] = {}  # email -> the line that named it first
    read = [_person_row(row, index + 2, lines) if row else None for index, row in enumerate(rows)]
    done = import_people_rows(
        db, [row if isinstance(row, PersonRow) else None for row in read], now=now, dry_run=args.dry_run
    )
    reports: list[RowReport] = []
    for index, (row, did) in enumerate(zip(read, done, strict=True)):
        if isinstance(row, RowReport):
            reports.append(row)
        elif row is not None and did is not None:
            reports.append(RowReport(index + 2, row.email, did.outcome, ", ".join(did.changed)))
    report = ImportReport(rows=reports, dry_run=args.dry_run)
    _print_report(report, out)
    return 1 if report.count("rejected") else 0


def _person_row(row: dict[str, Any], line: int, lines: dict[str, int]) -> PersonRow | RowReport:
    """The row read, or its refusal naming every problem."""
    email = _cell(row.get("email")).lower()
    problems: list[str] = []
    if not email:
        problems.append("email is empty")
    elif not is_email(email):
        problems.append(f"email {email!r} is not an email address")
    elif email in lines:
        problems.append(f"{email} is on line {lines[email]} already")
    hours, days = _cell(row.get("hours_per_week")), _cell(row.get("working_days"))
    read = read_availability(hours, days, empty_hours=FULL_TIME_MINUTES, empty_days=DEFAULT_WORKING_DAYS)
    if "hours" in read.wrong:
        problems.append(f"hours_per_week {hours!r} is not a number of hours from 0 to 60")
    if "days" in read.wrong:
        problems.append(f"working_days {days!r} are not days like ma,di,wo,do,vr or mon,tue,wed,thu,fri")
    if row.get(EXTRA_CELLS):
        problems.append('more cells than columns: quote the working days ("ma,di,wo") or separate the columns with ;')
    if problems or read.availability is None:
        return RowReport(line, email, "rejected", "; ".join(problems))
    lines[email] = line
    return PersonRow(email, _cell(row.get("name")), read.availability)


def _cell(value: Any) -> str:
    """A cell as text: a spreadsheet's 38.0 is '38'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
