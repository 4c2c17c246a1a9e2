"""`projectbot db ...`: the schema (upgrade, current, check) and SQLite backup and restore."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from datetime import datetime

    from storage.db import Database

# `db check` exit codes, for deployment scripts: 0 up to date, 1 migrations pending, 3 written by a newer release.
CHECK_PENDING = 1
CHECK_NEWER = 3


class DbCommandError(Exception):
    """A problem the operator can fix; the CLI prints it without a stack trace."""


def add_parser(verbs: Any) -> None:
    db = verbs.add_parser("db", help="database: upgrade, current, check, backup, restore")
    actions = db.add_subparsers(dest="db_verb", metavar="ACTION", title="actions", required=True)
    actions.add_parser("upgrade", help="apply all migrations")
    actions.add_parser("current", help="show the schema revision of the database")
    actions.add_parser(
        "check", help="list the migrations `upgrade` would apply, without applying them (exit 1 when any)"
    )
    backup = actions.add_parser("backup", help="SQLite: a consistent copy of the database, while the bot runs")
    backup.add_argument("file", type=Path, help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    restore = actions.add_parser("restore", help="SQLite: replace the database with a backup (stop the bot first)")
    restore.add_argument("file", type=Path, help="a file written by `projectbot db backup`")
    restore.add_argument("--force", action="store_true", help="restore even though a bot seems to be running")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import Database

    if args.db_verb in ("backup", "restore"):
        return _backup_or_restore(args, settings)
    db = Database.from_url(settings.database_url)
    try:
        if args.db_verb == "upgrade":
            return _upgrade(db)
        if args.db_verb == "check":
            return _check(db)
        return _current(db)
    finally:
        db.dispose()


def _upgrade(db: Database) -> int:
    from storage import migrate

    migrate.upgrade(db)
    print(f"database is at revision {migrate.current_revision(db)}")
    return 0


def _current(db: Database) -> int:
    from storage import migrate

    current = migrate.current_revision(db)
    head = migrate.head_revision()
    state = "up to date" if current == head else f"behind (head is {head}); run `projectbot db upgrade`"
    print(f"{current or 'empty (no schema)'}: {state}")
    return 0


def _check(db: Database) -> int:
    from storage import migrate

    current = migrate.current_revision(db)
    try:
        pending = migrate.pending_revisions(current)
    except migrate.UnknownRevision:
        print(f"the database is at revision {current}, which this release does not know: a newer release wrote it")
        return CHECK_NEWER
    if not pending:
        print(f"up to date at revision {current}")
        return 0
    print(
        f"at revision {current or '(empty)'}; `projectbot db upgrade` would apply {len(pending)}: {', '.join(pending)}"
    )
    return CHECK_PENDING


def _backup_or_restore(args: argparse.Namespace, settings: Settings) -> int:
    from dialogs.kernel.clock import SystemClock
    from storage import backup

    location = settings.database_location()
    if location is None:
        raise DbCommandError(
            "backup and restore here are for the embedded SQLite database; on PostgreSQL use pg_dump and "
            "pg_restore (docs/operations.md, Backup)"
        )
    target: Path = args.file
    try:
        if args.db_verb == "backup":
            if target.exists() and not args.force:
                raise DbCommandError(f"{target} exists; choose another name or pass --force to overwrite it")
            facts = backup.backup_sqlite(location, target)
            print(f"backed up {location} to {facts.path} ({facts.size_bytes // 1024} KiB, revision {facts.revision})")
            return 0
        now = SystemClock().now()
        if location.is_file() and not args.force:
            _refuse_while_a_bot_runs(settings, now)
        kept = backup.restore_sqlite(target, location, now=now)
    except backup.BackupError as problem:
        raise DbCommandError(str(problem)) from None
    if kept is not None:
        print(f"the database it replaced is kept as {kept}")
    return _migrate_restored(settings, target)


def _refuse_while_a_bot_runs(settings: Settings, now: datetime) -> None:
    """A running bot holds the outbox dispatcher lease and renews it every few seconds."""
    from bot.delivery.options import DISPATCH_LEASE
    from storage.db import Database, DatabaseUnavailable
    from storage.leases import LeaseRepository

    db = Database.from_url(settings.database_url)
    try:
        lease = LeaseRepository(db).get(DISPATCH_LEASE)
    except DatabaseUnavailable as problem:
        raise DbCommandError(f"cannot tell whether a bot is running ({problem}); pass --force if none is") from None
    finally:
        db.dispose()
    if lease is not None and lease.holder and lease.lease_until is not None and lease.lease_until > now:
        raise DbCommandError(
            f"a bot ({lease.holder}) is running on this database (it holds the outbox dispatcher role): "
            "stop it first, or pass --force if you are sure it is gone"
        )


def _migrate_restored(settings: Settings, source: Path) -> int:
    from storage import migrate
    from storage.db import Database

    db = Database.from_url(settings.database_url)
    try:
        before = migrate.current_revision(db)
        migrate.upgrade(db)
        after = migrate.current_revision(db)
    finally:
        db.dispose()
    upgraded = f", upgraded from revision {before}" if before != after else ""
    print(f"restored {source}: the database is at revision {after}{upgraded}")
    return 0
