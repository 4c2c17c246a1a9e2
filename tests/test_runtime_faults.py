"""Issue 13: slow work never blocks unrelated turns, every wait is bounded, and /healthz tells the truth.

Faults on both databases: a read-only database, a lock held by another process, the database going away and
coming back (and hanging), a schema behind the code. No wall-clock thresholds: what is asserted is who finished
before whom, and what each side said.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from bot.executors import DatabaseExecutor
from bot.rendering import PooledRenderer
from bot.settings import Settings
from bot.teams_bot import ROSTER_TRIED_MAX, ProjectBot
from dialogs.kernel.burn_chart import BurnSeries, ChartLabels, render_burn_chart
from dialogs.kernel.rendering import InlineRenderer, RenderingBusy
from storage import migrate
from storage.db import TURN_DEADLINE, Database, DatabaseBusy, create_db_engine, normalise_url
from storage.models import Person
from tests.harness import FakeClock, FakeConnector
from tests.harness.botdriver import BotDriver
from tests.harness.database import postgres_url
from tests.harness.tcp_proxy import TcpProxy
from tests.test_time_turns import setup_project
from tests.test_turns import AN, BOB

BUSY_NL = "Ik heb het nu te druk om te antwoorden, er is dus niets gewijzigd. Probeer het zo meteen opnieuw."
BUSY_EN = "I am too busy to answer right now, so nothing was changed. Please try again in a moment."
UNREACHABLE_EN = "I cannot reach my database right now, so nothing was changed. Please try again in a minute."
LABELS = ChartLabels("DT-042", "Gepresteerd", "Budget", "Volgens planning", "uren", "Niets")
SHORT_WAIT = 0.3  # the database wait bound in these tests: a lock held elsewhere is "beyond the bound" quickly
needs_postgres = pytest.mark.skipif(postgres_url() is None, reason="TEST_DATABASE_URL is not set")


def settings(**changes: Any) -> Settings:
    return Settings(dev=True, database_url="sqlite://", default_locale="nl-BE", **changes)


def people(db: Database, user_aad: str) -> int:
    with db.session() as session:
        return int(session.exec(select(func.count()).where(Person.aad_object_id == user_aad)).one())


def short_wait_twin(db: Database) -> Database:
    """The same database, with an engine whose waits are SHORT_WAIT (its own pool)."""
    created = db.created_with
    return Database(
        create_db_engine(str(created["url"]), search_path=created.get("search_path"), wait_seconds=SHORT_WAIT)
    )


async def health(driver: BotDriver) -> tuple[int, dict[str, Any]]:
    response = await driver.client.get("/healthz")
    return response.status, await response.json()


# A slow chart does not hold up anyone else ------------------------------------------------------------------


class BlockingRenderer:
    """Draws like the real chart, but only once the test lets it: a chart that takes as long as the test wants."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def render(self, function: Callable[..., bytes], /, *args: Any, cache: bool = False, **kwargs: Any) -> bytes:
        self.started.set()
        # A guard so that a broken build fails instead of hanging; the test releases it long before.
        assert self.release.wait(60), "the test never released the chart"
        return function(*args, **kwargs)


async def wait_for_event(event: threading.Event) -> None:
    with ThreadPoolExecutor(max_workers=1) as waiter:  # not the database threads under test
        assert await asyncio.get_running_loop().run_in_executor(waiter, event.wait, 60)


async def test_a_slow_chart_does_not_delay_a_concurrent_help_turn(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    chart = BlockingRenderer()
    async with BotDriver.start(db=db, clock=clock, connector=connector, renderer=chart) as bot:
        await setup_project(bot, db)
        await bot.say(AN, "registreer 2u DT-042 analyse")
        order: list[str] = []

        async def budget() -> Any:
            result = await bot.say(AN, "budget DT-042")
            order.append("budget answered")
            return result

        budget_turn = asyncio.create_task(budget())
        await wait_for_event(chart.started)
        order.append("chart drawing")
        helped = await bot.say(BOB, "help")
        order.append("help answered")
        assert not budget_turn.done()
        chart.release.set()
        shown = await budget_turn
    assert order == ["chart drawing", "help answered", "budget answered"]
    assert helped.cards, helped.texts
    # The connector saw the help card go out while the budget turn was still open: the budget card is the last one.
    images = [e for e in shown.cards[-1]["body"] if e.get("type") == "Image"]
    assert len(images) == 1 and images[0]["url"].startswith("data:image/png;base64,")


class BusyRenderer:
    def render(self, function: Callable[..., bytes], /, *args: Any, cache: bool = False, **kwargs: Any) -> bytes:
        raise RenderingBusy("the drawing workers are all busy")


async def test_a_chart_that_cannot_be_drawn_in_time_leaves_the_card_without_it(
    sqlite_db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    async with BotDriver.start(db=sqlite_db, clock=clock, connector=connector, renderer=BusyRenderer()) as bot:
        await setup_project(bot, sqlite_db)
        shown = await bot.say(AN, "budget DT-042")
        report = await bot.say(AN, "rapport DT-042")
    assert shown.cards and not [e for e in shown.cards[0]["body"] if e.get("type") == "Image"]
    assert report.texts == [BUSY_NL]  # a document needs its drawing: busy, try again


def test_drawings_run_in_a_worker_process_and_charts_are_kept_by_their_data() -> None:
    series = BurnSeries(
        [(date(2026, 11, 2), 120), (date(2026, 11, 9), 600)], Decimal(40), None, None, date(2026, 11, 23)
    )
    english = ChartLabels("DT-042", "Spent", "Budget", "On plan", "hours", "Nothing")
    renderer = PooledRenderer(1)
    try:
        drawn = renderer.render(render_burn_chart, series, LABELS, cache=True)
        again = renderer.render(render_burn_chart, series, LABELS, cache=True)
        other = renderer.render(render_burn_chart, series, english, cache=True)
    finally:
        renderer.close()
    assert drawn == again == InlineRenderer().render(render_burn_chart, series, LABELS)
    assert other != drawn
    assert (renderer.misses, renderer.hits) == (2, 1)


def test_a_drawing_past_the_turns_deadline_is_given_up() -> None:
    renderer = PooledRenderer(1)
    token = TURN_DEADLINE.set(time.monotonic())  # the turn has no time left
    try:
        with pytest.raises(RenderingBusy):
            renderer.render(render_burn_chart, BurnSeries([], None, None, None, date(2026, 11, 23)), LABELS)
    finally:
        TURN_DEADLINE.reset(token)
        renderer.close()


# Bounded waits -----------------------------------------------------------------------------------------------


async def test_work_that_cannot_get_a_database_thread_in_time_is_dropped_not_run_late() -> None:
    executor = DatabaseExecutor(1, wait_seconds=SHORT_WAIT)
    loop = asyncio.get_running_loop()
    holding = threading.Event()
    release = threading.Event()
    late_ran = threading.Event()

    def hold() -> None:
        holding.set()
        release.wait(60)

    first = loop.run_in_executor(executor, hold)
    await wait_for_event(holding)
    token = TURN_DEADLINE.set(time.monotonic() + 60)  # inside a turn
    try:
        with pytest.raises(DatabaseBusy):
            await loop.run_in_executor(executor, late_ran.set)
    finally:
        TURN_DEADLINE.reset(token)
    release.set()
    await first
    await loop.run_in_executor(executor, lambda: None)  # the queue drained: the dropped work did not run
    executor.shutdown()
    assert not late_ran.is_set()


def test_the_roster_cache_stays_bounded(db: Database, clock: FakeClock) -> None:
    from dialogs.app import build_router
    from dialogs.kernel.turn import Services

    bot = ProjectBot(build_router(), Services(db=db, clock=clock, default_language="nl", default_timezone="UTC"))
    for n in range(ROSTER_TRIED_MAX + 50):
        bot._tried_roster(("t", f"aad-{n}"), clock.now())
    assert len(bot._roster_tried) == ROSTER_TRIED_MAX
    assert ("t", "aad-0") not in bot._roster_tried and ("t", f"aad-{ROSTER_TRIED_MAX + 49}") in bot._roster_tried


# A lock held by another process -------------------------------------------------------------------------------


@contextlib.contextmanager
def lock_held_elsewhere(db: Database) -> Iterator[None]:
    """SQLite: another process holds the write lock (BEGIN EXCLUSIVE). PostgreSQL: another connection holds the
    tables every turn writes in ACCESS EXCLUSIVE mode."""
    created = db.created_with
    if db.is_sqlite:
        path = make_url(str(created["url"])).database
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=5); c.execute('BEGIN EXCLUSIVE');"
                " print('locked', flush=True); sys.stdin.read(); c.rollback()",
                str(path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        try:
            yield
        finally:
            holder.stdin.close()
            holder.wait(30)
            holder.stdout.close()
        return
    search_path = created.get("search_path")
    other = create_engine(
        normalise_url(str(created["url"])),
        connect_args={"options": f"-csearch_path={search_path}"} if search_path else {},
    )
    connection = other.connect()
    connection.execute(text("LOCK TABLE person, conversation_ref IN ACCESS EXCLUSIVE MODE"))
    try:
        yield
    finally:
        connection.rollback()
        connection.close()
        other.dispose()


async def test_a_lock_held_by_another_process_answers_busy_and_health_says_locked(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    waiting = short_wait_twin(db)
    try:
        async with BotDriver.start(
            db=waiting, clock=clock, connector=connector, settings=settings(db_wait_seconds=SHORT_WAIT)
        ) as bot:
            assert (await health(bot))[0] == 200
            with lock_held_elsewhere(db):
                turn = await bot.say(BOB, "help")
                card_action = await bot.execute(BOB, "menu.open", {"command": "help"})
                status, body = await health(bot)
            assert people(db, BOB.aad_object_id) == 0  # nothing half-written
            assert turn.texts == [BUSY_EN]
            assert card_action.status == 200 and card_action.invoke_message == BUSY_EN
            assert status == 503 and body["database"]["state"] == "locked", body
            assert "locked" in body["reason"]
            # The lock is gone: healthy again, and the same person is served.
            assert (await health(bot))[0] == 200
            again = await bot.say(BOB, "help")
        assert again.cards and people(db, BOB.aad_object_id) == 1
    finally:
        waiting.dispose()


# A read-only database ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def read_only_twin(db: Database, tmp_path: Path) -> Iterator[Database]:
    """The same schema, opened read-only. SQLite: a read-only file (chmod; as root, which chmod does not stop, the
    file opened with mode=ro). PostgreSQL: a throwaway database with default_transaction_read_only."""
    if db.is_sqlite:
        path = Path(make_url(str(db.created_with["url"])).database or "")
        copy = tmp_path / "read-only.db"
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        if os.geteuid() != 0:
            copy.chmod(0o444)
            url = f"sqlite:///{copy}"
        else:
            url = f"sqlite:///file:{copy}?mode=ro&uri=true"
        twin = Database(create_db_engine(url, wait_seconds=SHORT_WAIT))
        try:
            yield twin
        finally:
            twin.dispose()
            copy.chmod(0o644)
        return
    base = postgres_url()
    assert base is not None
    name = f"ro_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    try:
        writable = Database.from_url(url)
        migrate.upgrade(writable)
        writable.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        twin = Database.from_url(url, wait_seconds=SHORT_WAIT)
        try:
            yield twin
        finally:
            twin.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


async def test_a_read_only_database_answers_try_again_and_health_says_read_only(
    db: Database, clock: FakeClock, connector: FakeConnector, tmp_path: Path
) -> None:
    with read_only_twin(db, tmp_path) as read_only:
        async with BotDriver.start(db=read_only, clock=clock, connector=connector) as bot:
            turn = await bot.say(BOB, "help")
            status, body = await health(bot)
        assert people(read_only, BOB.aad_object_id) == 0
    assert turn.texts == [UNREACHABLE_EN]
    assert status == 503 and body["database"]["state"] == "read_only", body
    assert body["status"] == "unavailable" and "read" in body["reason"]


# The database going away, hanging, and coming back ----------------------------------------------------------------


@needs_postgres
async def test_postgres_going_away_and_coming_back(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    if db.is_sqlite:
        pytest.skip("a network database goes away; for SQLite see the next test")
    created = db.created_with
    server = make_url(str(created["url"]))
    with TcpProxy(server.host or "127.0.0.1", server.port or 5432) as proxy:
        through = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        flaky = Database(create_db_engine(through, search_path=created.get("search_path"), wait_seconds=SHORT_WAIT))
        try:
            async with BotDriver.start(db=flaky, clock=clock, connector=connector) as bot:
                before = await bot.say(BOB, "help")
                assert before.cards and (await health(bot))[0] == 200
                proxy.cut()
                gone = await bot.say(BOB, "help")
                gone_status, gone_body = await health(bot)
                proxy.stall()
                hanging_status, hanging_body = await health(bot)  # answers although the probe hangs
                proxy.cut()
                proxy.restore()
                back = await bot.say(BOB, "help")
                back_status, _ = await health(bot)
        finally:
            flaky.dispose()
    assert gone.texts == [UNREACHABLE_EN]
    assert gone_status == 503 and gone_body["database"]["state"] == "unreachable"
    assert hanging_status == 503 and hanging_body["database"]["state"] == "unreachable"
    assert back.cards and back_status == 200


async def test_sqlite_file_going_away_and_coming_back(
    sqlite_db: Database, clock: FakeClock, connector: FakeConnector, tmp_path: Path
) -> None:
    """A database file deleted or moved under the running bot: its open connections would go on writing to the
    unlinked file and lose it all at the next start, so health must say so."""
    path = Path(make_url(str(sqlite_db.created_with["url"])).database or "")
    aside = tmp_path / "aside"
    aside.mkdir()
    async with BotDriver.start(db=sqlite_db, clock=clock, connector=connector) as bot:
        assert (await health(bot))[0] == 200
        shutil.move(path, aside / path.name)
        gone_status, gone_body = await health(bot)
        shutil.move(aside / path.name, path)
        back_status, _ = await health(bot)
        back = await bot.say(BOB, "help")
    assert gone_status == 503 and gone_body["database"]["state"] == "unreachable"
    assert back_status == 200 and back.cards


# The schema behind the code -------------------------------------------------------------------------------------


async def test_a_schema_behind_the_code_is_not_ready(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    head = migrate.head_revision()
    async with BotDriver.start(db=db, clock=clock, connector=connector) as bot:
        with db.session() as session:
            session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        status, body = await health(bot)
        with db.session() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        again, _ = await health(bot)
        live = await bot.client.get("/livez")
    assert status == 503 and body["database"]["state"] == "behind" and "db upgrade" in body["reason"]
    assert body["database"]["up_to_date"] is False
    assert again == 200 and live.status == 200


def test_the_head_revision_read_from_the_scripts_is_alembics() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    assert migrate.head_revision() == ScriptDirectory.from_config(config).get_current_head()
