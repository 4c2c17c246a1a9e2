"""Shared fixtures: databases (SQLite always, PostgreSQL with TEST_DATABASE_URL), the clock, the bot over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.db import Database
from tests.harness import FakeClock, FakeConnector
from tests.harness.botdriver import BotDriver
from tests.harness.database import postgres_database, postgres_url, sqlite_database

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday morning in Brussels (10:00 local)


def _backends() -> list[object]:
    return [
        "sqlite",
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(postgres_url() is None, reason="TEST_DATABASE_URL is not set"),
        ),
    ]


@pytest.fixture(params=_backends())
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database; every test using it runs on SQLite and, when configured, on PostgreSQL."""
    if request.param == "sqlite":
        with sqlite_database(tmp_path) as database:
            yield database
    else:
        url = postgres_url()
        assert url is not None
        with postgres_database(url) as database:
            yield database


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    with sqlite_database(tmp_path) as database:
        yield database


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as fake:
        yield fake


@pytest.fixture
async def bot(db: Database, clock: FakeClock, connector: FakeConnector) -> AsyncIterator[BotDriver]:
    """The whole bot over HTTP in dev mode, replying to the fake connector."""
    async with BotDriver.start(db=db, clock=clock, connector=connector) as driver:
        yield driver
