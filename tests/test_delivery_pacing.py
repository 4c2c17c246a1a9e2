"""The app's send budget: paced evenly, waiters let in by place, a retried row keeping its place."""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery import DeliveryOptions, OrderedSemaphore, Pace
from dialogs.kernel.clock import SystemClock
from storage.db import Database
from tests.conftest import START
from tests.harness import FakeClock, FakeConnector
from tests.outbox_support import add_conversation, enqueue_text, fake_sleep, outbox_sender


def test_pace_lets_a_small_burst_through_then_one_per_interval() -> None:
    pace = Pace(per_second=10, tolerance=0.25)  # 0.1 s apart, up to 0.25 s ahead of that schedule
    sent = 0
    while pace.wait_time(0.0) == 0:
        pace.record(0.0)
        sent += 1
    assert sent == 3  # the one due now and the two the tolerance allows ahead
    assert pace.wait_time(0.0) == pytest.approx(0.05)


def test_pace_does_not_add_up_lateness() -> None:
    """Each send happens 30 ms after its turn (a late wake-up); 100 sends still take 100 intervals, not 130."""
    pace = Pace(per_second=10, tolerance=0.05)
    now = 0.0
    for _ in range(100):
        now += pace.wait_time(now) + 0.03
        pace.record(now)
    assert now == pytest.approx(9.9 + 0.03 - 0.05, abs=0.06)


def test_pace_after_an_idle_spell_allows_no_catch_up_burst() -> None:
    pace = Pace(per_second=10, tolerance=0.15)
    pace.record(0.0)
    now, sent = 60.0, 0
    while pace.wait_time(now) == 0:
        pace.record(now)
        sent += 1
    assert sent == 2  # not the 600 that an idle minute would "owe"


async def test_ordered_semaphore_lets_the_lowest_place_in_first() -> None:
    gate = OrderedSemaphore(1)
    order: list[int] = []

    async def use(place: int) -> None:
        async with gate.hold(place):
            order.append(place)
            await asyncio.sleep(0)

    async with gate.hold(0):
        tasks = [asyncio.create_task(use(place)) for place in (5, 3, 9, 1)]
        await asyncio.sleep(0)  # all four queue behind the holder
    await asyncio.gather(*tasks)
    assert order == [1, 3, 5, 9]


async def test_ordered_semaphore_loses_no_permit_to_cancelled_waiters() -> None:
    gate = OrderedSemaphore(1)
    async with gate.hold(0):
        waiting = asyncio.create_task(gate.hold(1).__aenter__())
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    # Cancelled while granted: the permit is passed on, not kept by the cancelled task.
    async with gate.hold(0):
        granted_then_cancelled = asyncio.create_task(gate.hold(1).__aenter__())
        await asyncio.sleep(0)
    granted_then_cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await granted_then_cancelled
    async with asyncio.timeout(1):
        async with gate.hold(2):
            pass


async def test_the_app_budget_is_spread_over_each_second(db: Database, clock: FakeClock) -> None:
    """90 rows for 90 conversations at 30/s, on the fake clock: never more than 30 arrivals in any second, and
    the sends granted evenly within the second (unpaced, the first 30 would all go at once)."""
    async with FakeConnector(monotonic=lambda: clock.now().timestamp()) as connector:
        for i in range(90):
            ref = add_conversation(db, connector.url, f"19:c{i}@thread.tacv2", START)
            enqueue_text(db, ref, f"k{i:03}", START, START)
        _asked, sleep = fake_sleep(clock)
        options = DeliveryOptions(app_per_second=30, pace_tolerance=0.05)
        async with outbox_sender(db, clock, sleep=sleep, options=options) as sender:
            granted: list[float] = []
            record = sender.limits.pace.record
            sender.limits.pace.record = lambda now: (granted.append(now), record(now))[1]  # type: ignore[method-assign]
            report = await sender.run_until_idle()
        arrivals = sorted(r.at for r in connector.requests)
    assert report.sent == 90 and len(arrivals) == len(granted) == 90
    for i in range(len(arrivals) - 30):  # as the connector counts: by arrival
        assert arrivals[i + 30] - arrivals[i] >= 1.0 - 1e-6, i
    for i in range(len(granted) - 8):  # the 8th send after any other: 8 intervals later, less the tolerance
        assert granted[i + 8] - granted[i] >= 8 / 30 - 0.05 - 1e-6, i
    # And not much slower than the budget (2.97 s): the in-flight window holds a slot until a second after its
    # answer, which on the fake clock comes a little late.
    assert granted[-1] - granted[0] <= 4.0


async def test_a_retried_row_goes_before_rows_claimed_after_it(db: Database, connector: FakeConnector) -> None:
    """In real time (a fake sleep moves one clock for all sleepers at once, so it cannot order them): 20 rows at
    10/s, the first failing once. Its retry is ready within 0.05 s, before the next slot, and takes it instead of
    queueing behind the 19 rows claimed after it."""
    now = SystemClock().now()
    for i in range(20):
        ref = add_conversation(db, connector.url, f"19:c{i:02}@thread.tacv2", now)
        enqueue_text(db, ref, f"k{i:02}", now, now)
    connector.fail_next(503)  # the first row's first attempt
    options = DeliveryOptions(app_per_second=10, base_delay=0.05, pace_tolerance=0.05)
    async with outbox_sender(db, None, options=options, system_clock=True) as sender:
        report = await sender.run_until_idle()
    order = [(r.conversation_id, r.status) for r in connector.requests]
    assert report.sent == 20 and order[0] == ("19:c00@thread.tacv2", 503)
    assert order.index(("19:c00@thread.tacv2", 201)) <= 4, order  # first come, first served would make it 20th
