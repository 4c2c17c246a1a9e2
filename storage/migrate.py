"""Schema migrations (Alembic) driven from code: `projectbot db upgrade` and automatic upgrade on start.

Alembic (with Mako and its script loader, ~0.2 s and ~10 MB) is imported only when there is something to migrate:
the start-up of an up-to-date database and the health check read the revision with one query, and the newest
revision from the migration scripts' own `revision = "..."` lines (tests check both against Alembic's view).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
# Any fixed number: PostgreSQL advisory lock id so two instances starting together migrate one at a time.
_PG_MIGRATION_LOCK = 7_330_421
_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:[^=]+)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)


def _config(connection: Connection) -> Config:
    from alembic.config import Config  # Alembic (and Mako) load only when there is something to migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates %: a URL with an escaped character (a password, options=-csearch_path%3D...) broke it.
    url = connection.engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["connection"] = connection
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    if revision == "head" and current_revision(db) == head_revision():
        return  # the usual start: nothing to do, and no need to load Alembic
    from alembic import command

    with db.engine.connect() as connection, _foreign_keys_off_on_sqlite(connection), connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_MIGRATION_LOCK})
        command.upgrade(_config(connection), revision)
        _check_foreign_keys(connection)


@contextmanager
def _foreign_keys_off_on_sqlite(connection: Connection) -> Iterator[None]:
    """Alembic alters a table on SQLite by rebuilding it (create a copy, move the rows, drop the old one); with
    foreign keys enforced, dropping a table other rows point at fails, so a database with data could not be upgraded.
    SQLite's own recipe for schema changes: enforcement off during the change (it cannot change inside a transaction),
    every reference checked before the commit, enforcement on again before the connection goes back to the pool."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL enforces references during the migration itself
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration would leave rows pointing at nothing (table, rowid, parent): {broken[:5]}")


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return revision_of(connection)


def revision_of(connection: Connection) -> str | None:
    """The schema revision the database is at (None: no schema yet)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one_or_none()


@cache
def head_revision() -> str | None:
    """The newest migration: the one revision no other script names as its down_revision."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        downs.update(_DOWN_REVISION.findall(source))
    heads = revisions - downs
    if len(heads) > 1:
        raise RuntimeError(f"migrations have several heads: {sorted(heads)}")
    return next(iter(heads), None)


@cache
def revisions_in_order() -> tuple[str, ...]:
    """Every migration from the first to the head, following each script's down_revision."""
    down_of: dict[str, str | None] = {}
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is not None:
            downs = _DOWN_REVISION.findall(source)
            down_of[found.group(1)] = downs[0] if downs else None
    chain: list[str] = []
    revision = head_revision()
    while revision is not None:
        chain.append(revision)
        revision = down_of.get(revision)
    return tuple(reversed(chain))


def pending_revisions(current: str | None) -> tuple[str, ...]:
    """The migrations `upgrade` would apply to a database at `current` (None: an empty database).

    Raises UnknownRevision when the database is at a revision this code does not know (a newer release wrote it)."""
    chain = revisions_in_order()
    if current is None:
        return chain
    if current not in chain:
        raise UnknownRevision(current)
    return chain[chain.index(current) + 1 :]


class UnknownRevision(Exception):
    """The database was migrated by a newer release than this one: running this code on it is not safe."""
