"""Test databases: a fresh migrated SQLite file, and (with TEST_DATABASE_URL) a fresh PostgreSQL schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage import migrate
from storage.db import Database, create_db_engine, normalise_url

POSTGRES_URL_ENV = "TEST_DATABASE_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


@contextmanager
def sqlite_database(directory: Path, revision: str | None = "head") -> Iterator[Database]:
    """revision: migrate up to it (None: an empty database, no schema)."""
    db = Database.from_url(f"sqlite:///{directory / 'projectbot-test.db'}")
    if revision is not None:
        migrate.upgrade(db, revision)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def postgres_database(url: str, revision: str | None = "head") -> Iterator[Database]:
    """A schema of its own per test, so tests never see each other's rows and can run in any order. revision: migrate
    up to it (None: an empty schema)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_db_engine(url, search_path=schema)
    db = Database(engine)
    try:
        if revision is not None:
            migrate.upgrade(db, revision)
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def database_at(backend: str, directory: Path, revision: str | None) -> Iterator[Database]:
    """A database on `backend` ("sqlite", or "postgres": skipped without TEST_DATABASE_URL) migrated up to `revision`
    (None: empty), for tests of the migrations themselves."""
    if backend == "sqlite":
        with sqlite_database(directory, revision) as database:
            yield database
        return
    url = postgres_url()
    if url is None:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    with postgres_database(url, revision) as database:
        yield database
