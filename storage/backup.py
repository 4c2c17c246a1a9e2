"""Backup and restore of the embedded SQLite database, with SQLite's online backup API.

The backup is one consistent snapshot taken while the bot runs: in WAL mode a reader (the backup) never blocks the
writer, and copying all pages in one step reads them in one read transaction. A plain `cp` of the file while the
bot runs can miss the write-ahead log and give a database that lost its last commits or does not open.

A restore checks the file before it touches anything (it opens, passes SQLite's integrity check, has a schema
revision this release knows), keeps a copy of the database it replaces, then copies the backup in through SQLite
(so the live file's WAL and locks stay coherent) and migrates it to the current schema. PostgreSQL is backed up
and restored with its own tools (pg_dump / pg_restore): docs/operations.md.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage import migrate

# Long enough to wait out a bot's write in progress (the bot's own bound is a few seconds).
_BUSY_TIMEOUT_SECONDS = 10.0


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class BackupFacts:
    path: Path
    revision: str | None
    size_bytes: int
    tables: int


def backup_sqlite(database: Path, target: Path) -> BackupFacts:
    """Write a consistent copy of the live database to `target` (through a temporary file, then renamed)."""
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    source = _open(database, read_only=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one read transaction, one point in time
            # One self-contained file: a backup in WAL mode would grow -wal and -shm files beside it when opened.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except sqlite3.Error as problem:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup failed: {problem}") from None
    finally:
        source.close()
    os.replace(partial, target)
    return inspect_backup(target)


def inspect_backup(path: Path) -> BackupFacts:
    """What a backup file holds, after checking it is an intact projectbot database this release can use."""
    if not path.is_file():
        raise BackupError(f"there is no file at {path}")
    try:
        connection = _open(path, read_only=True)
    except sqlite3.Error as problem:
        raise BackupError(f"{path} does not open as an SQLite database: {problem}") from None
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            raise BackupError(f"{path} fails SQLite's integrity check: {verdict[0] if verdict else 'no answer'}")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if migrate.VERSION_TABLE not in tables:
            raise BackupError(f"{path} is not a projectbot database (it has no schema revision)")
        row = connection.execute(f"SELECT version_num FROM {migrate.VERSION_TABLE}").fetchone()
    except sqlite3.DatabaseError as problem:
        raise BackupError(f"{path} is not a readable SQLite database: {problem}") from None
    finally:
        connection.close()
    revision = row[0] if row else None
    try:
        migrate.pending_revisions(revision)
    except migrate.UnknownRevision:
        raise BackupError(
            f"{path} is at schema revision {revision}, which this release does not know (a newer release wrote it)"
        ) from None
    return BackupFacts(path=path, revision=revision, size_bytes=path.stat().st_size, tables=len(tables))


def restore_sqlite(backup: Path, database: Path, *, now: datetime) -> Path | None:
    """Replace the database's contents with the backup's. Returns where the replaced database was kept (None when
    there was none). The bot must not be running on it (the CLI checks the dispatcher lease before calling this)."""
    inspect_backup(backup)
    kept: Path | None = None
    if database.is_file():
        kept = database.with_name(f"{database.name}.before-restore-{now:%Y%m%dT%H%M%SZ}")
        backup_sqlite(database, kept)
    database.parent.mkdir(parents=True, exist_ok=True)
    source = _open(backup, read_only=True)
    live = _open(database, read_only=False)
    try:
        source.backup(live)
    except sqlite3.Error as problem:
        raise BackupError(f"the restore failed, {database} is unchanged: {problem}") from None
    finally:
        live.close()
        source.close()
    return kept


def _open(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if read_only:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_SECONDS)
    else:
        connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_SECONDS)
    return connection
