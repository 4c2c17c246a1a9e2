"""Schema migrations (Alembic) driven from code: `projectbot db upgrade` and automatic upgrade on start.

Alembic (with Mako and its script loader, ~0.2 s and ~10 MB) is imported only when there is something to migrate:
the start-up of an up-to-date database and the health check read the revision with one query, and the newest
revision from the migration scripts' own `revision = "..."` lines (tests check both against Alembic's view).
"""

from __future__ import annotations

import re
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

    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_MIGRATION_LOCK})
        command.upgrade(_config(connection), revision)


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
