"""Contract of the Bot Framework Storage over the database (SQLite, and PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botbuilder.core import ConversationState, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.state_storage import DatabaseStorage
from storage.db import Database
from storage.state import StateStore


class Counter(StoreItem):  # type: ignore[misc]
    def __init__(self, count: int = 0, e_tag: str = "*") -> None:
        super().__init__()
        self.count = count
        self.e_tag = e_tag


@pytest.fixture
def storage(db: Database) -> DatabaseStorage:
    return DatabaseStorage(StateStore(db))


async def test_write_then_read_plain_dict_gets_an_etag(storage: DatabaseStorage) -> None:
    await storage.write({"a": {"name": "An", "hours": [1.5, 2]}})
    read = await storage.read(["a", "missing"])
    assert set(read) == {"a"}
    assert read["a"]["name"] == "An" and read["a"]["hours"] == [1.5, 2]
    assert read["a"]["e_tag"]


async def test_store_item_round_trip_keeps_its_type(storage: DatabaseStorage) -> None:
    await storage.write({"c": Counter(3)})
    item = (await storage.read(["c"]))["c"]
    assert isinstance(item, Counter) and item.count == 3 and item.e_tag not in ("*", None)


async def test_write_with_stale_etag_is_refused_and_changes_nothing(storage: DatabaseStorage) -> None:
    await storage.write({"k": {"v": 1}})
    first = (await storage.read(["k"]))["k"]
    second = dict(first)
    first["v"] = 2
    await storage.write({"k": first})
    second["v"] = 3
    with pytest.raises(KeyError, match="Etag conflict"):
        await storage.write({"k": second})
    assert (await storage.read(["k"]))["k"]["v"] == 2


async def test_conflict_in_a_batch_writes_nothing_of_the_batch(storage: DatabaseStorage) -> None:
    await storage.write({"x": {"v": 1}, "y": {"v": 1}})
    read = await storage.read(["x", "y"])
    stale_y = dict(read["y"])
    await storage.write({"y": {**read["y"], "v": 2}})
    with pytest.raises(KeyError):
        await storage.write({"x": {**read["x"], "v": 9}, "y": {**stale_y, "v": 9}})
    after = await storage.read(["x", "y"])
    assert (after["x"]["v"], after["y"]["v"]) == (1, 2)


async def test_star_and_missing_etag_overwrite(storage: DatabaseStorage) -> None:
    await storage.write({"k": {"v": 1}})
    await storage.write({"k": {"v": 2, "e_tag": "*"}})
    await storage.write({"k": {"v": 3}})
    assert (await storage.read(["k"]))["k"]["v"] == 3


async def test_etag_for_an_item_that_does_not_exist_writes_it(storage: DatabaseStorage) -> None:
    await storage.write({"new": {"v": 1, "e_tag": "some-old-etag"}})
    assert (await storage.read(["new"]))["new"]["v"] == 1


async def test_delete(storage: DatabaseStorage) -> None:
    await storage.write({"a": {"v": 1}, "b": {"v": 2}})
    await storage.delete(["a", "never-there"])
    assert set(await storage.read(["a", "b"])) == {"b"}


async def test_concurrent_writers_with_the_same_etag_exactly_one_wins(storage: DatabaseStorage) -> None:
    await storage.write({"k": {"v": 0}})
    base = (await storage.read(["k"]))["k"]

    async def attempt(value: int) -> bool:
        try:
            await storage.write({"k": {**base, "v": value}})
        except KeyError:
            return False
        return True

    outcomes = await asyncio.gather(*(attempt(i) for i in range(1, 9)))
    assert outcomes.count(True) == 1
    winner = outcomes.index(True) + 1
    assert (await storage.read(["k"]))["k"]["v"] == winner


async def test_read_requires_keys(storage: DatabaseStorage) -> None:
    with pytest.raises(ValueError, match="keys"):
        await storage.read([])


async def test_conversation_state_survives_a_restart(db: Database) -> None:
    """Two storages on one database stand for two processes (or one process before and after a restart)."""
    activity = Activity(
        type="message",
        channel_id="msteams",
        conversation=ConversationAccount(id="a:1"),
        from_property=ChannelAccount(id="29:1"),
        recipient=ChannelAccount(id="28:bot"),
        service_url="http://127.0.0.1/",
    )

    async def bump(storage: DatabaseStorage) -> Any:
        state = ConversationState(storage)
        accessor = state.create_property("form")
        context = TurnContext(TestAdapter(), activity)
        await state.load(context)
        value = await accessor.get(context, lambda: {"step": 0})
        value["step"] += 1
        await accessor.set(context, value)
        await state.save_changes(context)
        return value["step"]

    assert await bump(DatabaseStorage(StateStore(db))) == 1
    assert await bump(DatabaseStorage(StateStore(db))) == 2
