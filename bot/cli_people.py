"""Operator verbs about people and the portfolio: `admin grant`, `people forget`, `import projects`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from dialogs.projects.project_import import ImportFileError, ImportReport, import_projects, read_rows
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
from storage.privacy import PrivacyRepository

PROGRESS_MIN_ROWS = 200


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


def _import(db: Database, args: argparse.Namespace, now: datetime, out: TextIO) -> int:
    try:
        rows = read_rows(args.file)
    except (ImportFileError, OSError, UnicodeDecodeError) as problem:
        raise OperatorError(str(problem)) from None
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
