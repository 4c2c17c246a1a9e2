"""The server's start-up collector pause (bot/heap.py): paused while `serve` builds the server, start-up's objects
frozen once it is built, and the collector as it was whatever ends `serve`."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot import heap
from storage.db import Database
from tests.harness import FakeConnector, TeamsUser
from tests.harness.botdriver import BotDriver
from tests.harness.clock import FakeClock


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    """Whatever a test does, the rest of the suite runs with the collector on and nothing frozen by it."""
    yield
    gc.enable()
    gc.unfreeze()


def test_the_collector_is_off_while_starting_and_back_on_after_a_failed_start() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), heap.collector_paused_while_starting():
        assert not gc.isenabled()
        raise RuntimeError("the database is unreachable")
    assert gc.isenabled()


def test_once_started_what_start_up_built_is_frozen_and_the_collector_runs_again() -> None:
    with heap.collector_paused_while_starting():
        built_at_start = [[index] for index in range(1000)]
        assert _scanned_by_the_collector(built_at_start)
        heap.settle_after_start()
        assert gc.isenabled()
        assert not _scanned_by_the_collector(built_at_start)  # in the permanent generation: never scanned
    assert gc.isenabled()


def test_settling_without_a_pause_freezes_nothing() -> None:
    """Tests and `projectbot chat` build the app without pausing: their objects stay collectable."""
    built = [[index] for index in range(10)]
    heap.settle_after_start()
    assert gc.isenabled()
    assert _scanned_by_the_collector(built)


def _scanned_by_the_collector(value: object) -> bool:
    """gc.get_objects() lists the collector's generations; frozen objects are in none of them."""
    return any(tracked is value for tracked in gc.get_objects())


def test_a_collector_that_was_off_before_serve_stays_off() -> None:
    gc.disable()
    with heap.collector_paused_while_starting():
        pass
    assert not gc.isenabled()


async def test_a_server_started_with_the_collector_paused_runs_with_it_on(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    """What `serve` does (bot/cli.py): the server is built with the collector paused, and turns run with it on."""
    with heap.collector_paused_while_starting():
        async with BotDriver.start(db=db, clock=clock, connector=connector) as bot:
            assert gc.isenabled()
            assert len((await bot.say(TeamsUser.named("Heap Tester"), "help")).cards) == 1
