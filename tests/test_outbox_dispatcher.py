"""Crash semantics of proactive delivery: one dispatcher at a time, taken over when it dies, rows delivered once.

Two instances are two senders, each with its own database engine, on the same database (SQLite file, or a
PostgreSQL schema with TEST_DATABASE_URL), driven on one fake clock. "Killing" an instance is cancelling its
dispatch run and never letting it renew or close again, as after `kill -9`.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.delivery import DISPATCH_LEASE, DeliveryOptions, OutboxSender
from dialogs.kernel.clock import SystemClock
from storage.db import Database
from storage.leases import LeaseRepository
from storage.outbox import OutboxRepository, OutboxState
from tests.conftest import START
from tests.harness import FakeClock, FakeConnector
from tests.harness.connector import ConnectorRequest
from tests.outbox_support import add_conversation, another_engine, enqueue_text, fake_sleep, outbox_sender

OPTIONS = DeliveryOptions(app_per_second=1000)
ROLE = OPTIONS.role_lease
CLAIM = OPTIONS.lease


class HoldingConnector(FakeConnector):
    """Holds every send to the conversations in `held` (and, with `hold_after`, every send after that many went
    through) unanswered until `release` is set: sends on the wire. With `lost` set, a held send is then answered
    502: it never reached Teams (its sender died meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.held: set[str] = set()
        self.hold_after: int | None = None
        self.passed = 0
        self.release = asyncio.Event()
        self.holding = 0
        self.lost = False

    async def _begin(
        self, request: web.Request, route: Any, conversation_id: str | None, activity_id: str | None
    ) -> tuple[ConnectorRequest, web.Response | None]:
        record, early = await super()._begin(request, route, conversation_id, activity_id)
        if early is not None or route != "send":
            return record, early
        if conversation_id in self.held or (self.hold_after is not None and self.passed >= self.hold_after):
            self.holding += 1
            self._notify()
            await self.release.wait()
            if self.lost:
                return record, self._answer(record, 502, {"error": {"code": "BadGateway", "message": "lost"}})
        else:
            self.passed += 1
        return record, early

    async def close(self) -> None:
        self.lost = True  # what is still held was lost on the way (and the server need not wait for it)
        self.release.set()
        await super().close()


def _texts(connector: FakeConnector) -> Counter[str]:
    return Counter(a["attachments"][0]["content"]["body"][0]["text"] for r in connector.requests if (a := r.activity))


def _rows(db: Database, connector: FakeConnector, count: int) -> list[int]:
    ids = []
    for i in range(count):
        ref = add_conversation(db, connector.url, f"19:c{i:02}@thread.tacv2", START)
        ids.append(enqueue_text(db, ref, f"k{i:02}", START, START))
    return ids


# The lease itself ---------------------------------------------------------------------------------------


def test_one_holder_at_a_time_renewed_taken_over_after_expiry_and_released(db: Database) -> None:
    leases = LeaseRepository(db)
    first = leases.acquire("role", "a", START, ROLE)
    assert first is not None and first.epoch == 1 and first.lease_until == START + ROLE
    assert leases.acquire("role", "b", START + ROLE, ROLE) is None  # not yet expired: at lease_until it still holds
    renewed = leases.acquire("role", "a", START + ROLE - timedelta(seconds=1), ROLE)
    assert renewed is not None and renewed.epoch == 1 and renewed.acquired_at == START
    expired = START + ROLE - timedelta(seconds=1) + ROLE + timedelta(microseconds=1)
    taken = leases.acquire("role", "b", expired, ROLE)
    assert taken is not None and taken.epoch == 2 and taken.acquired_at == expired
    assert leases.acquire("role", "a", expired, ROLE) is None  # the old holder's renewal fails
    assert not leases.release("role", "a", expired) and leases.release("role", "b", expired)
    again = leases.acquire("role", "a", expired, ROLE)  # released: free at once
    assert again is not None and again.epoch == 3


def test_racing_instances_never_hold_the_role_together(db: Database) -> None:
    """Four engines (four connection pools, as four processes would have) ask for the role at the same instants,
    in threads released together, round after round; each round exactly one of them gets it."""
    rounds, contenders = 12, 4
    with another_engine(db, contenders) as engines:
        barrier = threading.Barrier(contenders)
        won: list[list[str]] = [[] for _ in range(rounds)]

        def contend(name: str, engine: Database) -> None:
            leases = LeaseRepository(engine)
            for n in range(rounds):
                barrier.wait()
                # Every round starts after the previous holder's lease ran out.
                if leases.acquire("race", name, START + n * (ROLE + timedelta(seconds=1)), ROLE) is not None:
                    won[n].append(name)

        with ThreadPoolExecutor(contenders) as pool:
            for future in [pool.submit(contend, f"i{i}", e) for i, e in enumerate(engines)]:
                future.result()
    assert all(len(winners) == 1 for winners in won), won
    lease = LeaseRepository(db).get("race")
    assert lease is not None and lease.epoch >= 2 and lease.holder == won[-1][0]


# The dispatcher role in the sender ----------------------------------------------------------------------


async def test_the_holder_renews_the_role_and_a_standby_never_dispatches(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    _rows(db, connector, 3)
    _asked, sleep = fake_sleep(clock)
    with another_engine(db) as (other,):
        async with (
            outbox_sender(db, clock, options=OPTIONS, owner="a", sleep=sleep, dispatcher_role=True) as a,
            outbox_sender(other, clock, options=OPTIONS, owner="b", sleep=sleep, dispatcher_role=True) as b,
        ):
            assert not a.holds_dispatch_lease and (await a.dispatch_once()).claimed == 0  # no role yet: nothing
            assert await a.heartbeat() and not await b.heartbeat()
            for _ in range(10):  # 40 s: four times the lease, renewed every 4 s
                clock.advance(timedelta(seconds=4))
                assert await a.heartbeat() and not await b.heartbeat()
                assert a.holds_dispatch_lease and not b.holds_dispatch_lease
                assert (await b.run_until_idle()).claimed == 0
            assert a.dispatch_epoch == 1
            assert (await a.run_until_idle()).sent == 3
    assert sorted(_texts(connector).values()) == [1, 1, 1]


async def test_an_instance_stops_sending_before_its_role_runs_out(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    _rows(db, connector, 1)
    async with outbox_sender(db, clock, options=OPTIONS, owner="a", dispatcher_role=True) as a:
        assert await a.heartbeat()
        clock.advance(ROLE - OPTIONS.role_margin)  # no renewal came through (the database was away, say)
        assert not a.holds_dispatch_lease
        assert (await a.run_until_idle()).claimed == 0
    assert connector.requests == []


async def test_a_killed_dispatcher_is_replaced_and_its_rows_are_delivered_once(db: Database, clock: FakeClock) -> None:
    """The holder sends 8 messages of its first batch of 10, claims a second batch, has 12 sends on the wire and
    dies. The standby takes the role once the role's lease has run out and sends what nobody claimed; the dead
    holder's claimed rows once their (short) claim lease has run out, not before. Every message arrives once (the
    12 on the wire never reached Teams)."""
    async with HoldingConnector() as connector:
        ids = _rows(db, connector, 30)
        connector.hold_after = 8
        _asked, sleep = fake_sleep(clock)
        options = DeliveryOptions(app_per_second=1000, batch_size=10)
        outbox = OutboxRepository(db)
        with another_engine(db) as (other,):
            async with (
                outbox_sender(db, clock, options=options, owner="dead", sleep=sleep, dispatcher_role=True) as dead,
                outbox_sender(other, clock, options=options, owner="heir", sleep=sleep, dispatcher_role=True) as heir,
            ):
                assert await dead.heartbeat() and not await heir.heartbeat()
                run = asyncio.create_task(dead.run_until_idle())
                await connector.wait_until(lambda: connector.holding == 12)
                run.cancel()  # kill -9: no more renewals, nothing handed back (it is closed only when the test ends)
                await asyncio.gather(run, return_exceptions=True)
                await _recorded(dead)
                killed_at = clock.now()
                sent_by_dead = outbox.count_by_state().get("sent", 0)
                dead_rows = {r.id for r in outbox.list(states=[OutboxState.CLAIMED]) if r.lease_owner == "dead"}
                assert len(dead_rows) == 12 and sent_by_dead == 8

                # The role passes only once its lease has run out.
                clock.set(killed_at + ROLE - OPTIONS.role_margin)
                assert not dead.holds_dispatch_lease and not await heir.heartbeat()
                clock.set(killed_at + ROLE + timedelta(seconds=1))
                assert await heir.heartbeat() and heir.dispatch_epoch == 2
                connector.hold_after = None
                report = await heir.run_until_idle()
                assert report.sent == 30 - sent_by_dead - len(dead_rows)
                assert {r.id for r in outbox.list(states=[OutboxState.CLAIMED])} == dead_rows  # still the dead's

                # The dead holder's claims: free once their lease, renewed last at the kill, has run out.
                clock.set(killed_at + CLAIM - timedelta(seconds=1))
                assert await heir.heartbeat() and (await heir.run_until_idle()).claimed == 0
                clock.set(killed_at + CLAIM + timedelta(seconds=1))
                assert await heir.heartbeat()
                report = await heir.run_until_idle()
                assert report.sent == len(dead_rows)
    assert outbox.count_by_state() == {"sent": 30}
    texts = _texts(connector)
    assert len(texts) == 30 and set(texts.values()) == {1}
    assert {outbox.get(i).lease_owner for i in ids} == {None}  # type: ignore[union-attr]


async def _recorded(sender: OutboxSender) -> None:
    """Let the sends a killed instance had recorded reach the database (a real kill loses the rest at once)."""
    writer = sender._recorder._writer
    if writer is not None:
        await asyncio.gather(writer, return_exceptions=True)


async def test_the_holder_keeps_its_claims_alive_while_sends_are_on_the_wire(db: Database, clock: FakeClock) -> None:
    async with HoldingConnector() as connector:
        _rows(db, connector, 2)
        connector.held = {"19:c00@thread.tacv2", "19:c01@thread.tacv2"}
        with another_engine(db) as (other,):
            async with outbox_sender(db, clock, options=OPTIONS, owner="a", dispatcher_role=True) as a:
                assert await a.heartbeat()
                run = asyncio.create_task(a.run_until_idle())
                await connector.wait_until(lambda: connector.holding == 2)
                for _ in range(5):  # 50 s, far past a claim's 20 s, renewed every 10 s
                    clock.advance(timedelta(seconds=10))
                    assert await a.heartbeat()
                    assert OutboxRepository(other).claim_due(clock.now(), "b", CLAIM, 10) == []
                rows = OutboxRepository(db).list(states=[OutboxState.CLAIMED])
                assert [r.lease_until for r in rows] == [clock.now() + CLAIM] * 2
                connector.release.set()
                report = await run
        assert report.sent == 2 and len(connector.sent) == 2


async def test_a_clean_stop_hands_the_role_over_at_once(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    with another_engine(db) as (other,):
        async with outbox_sender(other, clock, options=OPTIONS, owner="b", dispatcher_role=True) as b:
            async with outbox_sender(db, clock, options=OPTIONS, owner="a", dispatcher_role=True) as a:
                assert await a.heartbeat() and not await b.heartbeat()
            assert not a.holds_dispatch_lease
            assert await b.heartbeat() and b.dispatch_epoch == 2  # no wait for a's lease to run out


async def test_sent_is_recorded_while_the_shared_database_thread_is_busy(db: Database, clock: FakeClock) -> None:
    """The default executor (on SQLite, the one thread every user turn's database work queues on) is blocked
    while a send is answered: the row is recorded as sent anyway, before that thread is free again."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1, thread_name_prefix="shared-db"))
    async with HoldingConnector() as connector:
        (row_id,) = _rows(db, connector, 1)
        connector.held = {"19:c00@thread.tacv2"}
        async with outbox_sender(db, clock, options=OPTIONS, owner="a", dispatcher_role=True) as a:
            assert await a.heartbeat()
            run = asyncio.create_task(a.run_until_idle())
            await connector.wait_until(lambda: connector.holding == 1)
            busy, done = asyncio.Event(), threading.Event()
            blocker = loop.run_in_executor(None, lambda: (loop.call_soon_threadsafe(busy.set), done.wait(30)))
            await busy.wait()
            connector.release.set()
            outbox = OutboxRepository(db)
            while outbox.get(row_id).state != OutboxState.SENT:  # type: ignore[union-attr]
                assert not run.done(), run
                await asyncio.sleep(0.01)
            assert not blocker.done()  # recorded while the shared thread was still busy
            done.set()
            await blocker
            assert (await run).sent == 1


def test_every_instance_runs_the_heartbeat_from_the_start() -> None:
    from unittest.mock import MagicMock

    from bot.scheduler import LEASE_EVERY_SECONDS, LEASE_JOB, build_scheduler

    job = build_scheduler(MagicMock()).get_job(LEASE_JOB)
    assert job is not None and job.max_instances == 1 and job.next_run_time is not None
    # Renewed several times within the role's lease, so a late tick or two costs nothing.
    assert ROLE.total_seconds() >= LEASE_EVERY_SECONDS * 4


def test_the_operator_sees_who_dispatches(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.cli import main
    from tests.harness.database import sqlite_database

    with sqlite_database(tmp_path) as database:
        url = str(database.engine.url)
        monkeypatch.setenv("DATABASE_URL", url)
        assert main(["outbox"]) == 0
        assert "dispatcher: none" in capsys.readouterr().out
        now = SystemClock().now()
        LeaseRepository(database).acquire(DISPATCH_LEASE, "host-a:4242:beef", now - ROLE * 3, ROLE)
        LeaseRepository(database).acquire(DISPATCH_LEASE, "host-b:77:cafe", now - ROLE, ROLE / 2)
        assert main(["outbox"]) == 0
    out = capsys.readouterr().out
    assert "dispatcher: host-b:77:cafe (lease ran out " in out and "the holder is gone; handed over 1 times)" in out


async def test_taking_the_role_dispatches_at_once(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    from unittest.mock import MagicMock

    from bot.scheduler import DISPATCH_JOB, _heartbeat

    scheduler = MagicMock()
    async with outbox_sender(db, clock, options=OPTIONS, owner="a", dispatcher_role=True) as a:
        await _heartbeat(a, scheduler)
        (call,) = scheduler.modify_job.call_args_list
        assert call.args == (DISPATCH_JOB,) and "next_run_time" in call.kwargs
        clock.advance(timedelta(seconds=2))
        await _heartbeat(a, scheduler)  # a renewal: the dispatch job keeps its rhythm
        assert scheduler.modify_job.call_count == 1


async def test_sends_accepted_together_are_recorded_together_and_a_failed_write_is_tried_again() -> None:
    from bot.delivery import SentRecorder
    from storage.db import DatabaseUnavailable
    from storage.outbox import SentMark

    written: list[list[int]] = []
    failures = [DatabaseUnavailable("down"), DatabaseUnavailable("still down")]

    class Storage:
        def write(self, marks: list[SentMark]) -> None:
            if len(written) == 1 and failures:
                raise failures.pop(0)
            written.append([m.message_id for m in marks])

    async def run(function: Any, *args: Any) -> Any:
        await asyncio.sleep(0)  # a write takes a while: sends accepted meanwhile wait for the next one
        return function(*args)

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    recorder = SentRecorder(Storage(), run, sleep)  # type: ignore[arg-type]
    first = asyncio.ensure_future(recorder.record(SentMark(1, "a1", 1, START)))
    for _ in range(2):
        await asyncio.sleep(0)  # its write is under way
    await asyncio.gather(first, *(recorder.record(SentMark(i, f"a{i}", 1, START)) for i in range(2, 6)))
    assert written == [[1], [2, 3, 4, 5]]
    assert slept == [0.25, 0.5]  # the second write failed twice, then went through


async def test_a_send_without_an_answer_is_abandoned_and_retried(db: Database, clock: FakeClock) -> None:
    """The send's bound keeps it inside the claim's margin (a stalled request cannot outlive the claim)."""
    assert OPTIONS.send_timeout < OPTIONS.lease_margin.total_seconds()
    async with HoldingConnector() as connector:
        _rows(db, connector, 1)
        connector.held = {"19:c00@thread.tacv2"}
        _asked, sleep = fake_sleep(clock)
        options = DeliveryOptions(app_per_second=1000, send_timeout=0.5)
        async with outbox_sender(db, clock, options=options, owner="a", sleep=sleep) as a:
            run = asyncio.create_task(a.dispatch_once())
            await connector.wait_until(lambda: connector.holding == 1)
            connector.held = set()  # the retry gets an answer
            report = await run
        assert (report.sent, report.failed) == (1, 0)
        assert len(connector.sent) == 1
