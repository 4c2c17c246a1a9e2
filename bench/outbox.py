"""Benchmark: 1,000 rows for 1,000 conversations due at once, a fake connector at a per-app rate with 5% 429, 1% 503.

    .venv/bin/python -m bench.outbox [--instances 1|2] [--database sqlite|postgresql://postgres@127.0.0.1:5432/test]
        [--rows 1000] [--rate 200] [--retry-after SECONDS] [--runs 3] [--seed 7] [--kill-at SECONDS]

Each instance is its own process with its own database engine, as in production, running what the scheduler runs:
the dispatcher role's heartbeat and a dispatch run every 2 s. The fake connector (the remote Bot Connector) runs in
this process. Reports, per run, all delivered, none twice, and the total time against the floor (count / rate),
timed from the moment the instances are told to start until every row is settled.

`--kill-at S` sends SIGKILL, S seconds after the start, to the instance that dispatches (the holder of the role; with
a sender without the role, the first instance) and reports what that cost: messages lost and sent twice, the rows
the dead instance had claimed, how many of those the connector had already accepted when it died (sent, not yet
recorded: these are sent again), when another instance took over, and how long after the kill the dead instance's
rows and all rows were delivered.

Run against another checkout (e.g. the code before a change) by copying this file into it and running it there: a
sender without the dispatcher role (older code) gets 1/N of the rate per instance, as that code was deployed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import multiprocessing
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func, text
from sqlmodel import select

from bot.delivery import DeliveryOptions
from dialogs.kernel.clock import SystemClock
from storage.db import Database, create_db_engine
from storage.outbox import OutboxMessage
from tests.harness.connector import ConnectorRequest, FakeConnector, error_body
from tests.harness.database import postgres_database, sqlite_database
from tests.outbox_support import add_conversation, enqueue_text, outbox_sender

EVERY = 2.0  # the scheduler's dispatch and heartbeat interval (bot.scheduler)
# A sender with the dispatcher role (bot.delivery); older code has none: each instance then sends on its own.
HAS_ROLE = "dispatcher_role" in inspect.signature(outbox_sender).parameters


class FlakyConnector(FakeConnector):
    """Per-app rate limit (429 beyond it) plus random 429 and 503 faults.

    The injected 429s carry `Retry-After` only when `retry_after` is given: Teams documents no Retry-After on its
    429s and asks bots to back off exponentially with jitter, so by default the sender's own backoff is measured.
    """

    def __init__(self, rng: random.Random, p429: float, p503: float, retry_after: float | None) -> None:
        super().__init__()
        self._rng, self._p429, self._p503 = rng, p429, p503
        self._throttled_headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}

    async def _begin(self, request: web.Request, route: Any, conversation_id: str | None, activity_id: str | None):  # type: ignore[no-untyped-def]
        record: ConnectorRequest
        record, early = await super()._begin(request, route, conversation_id, activity_id)
        if early is not None or route != "send":
            return record, early
        roll = self._rng.random()
        if roll < self._p429:
            return record, self._answer(record, 429, error_body("Throttled", "injected"), self._throttled_headers)
        if roll < self._p429 + self._p503:
            return record, self._answer(record, 503, error_body("ServiceUnavailable", "injected"))
        return record, None


def _instance(url: str, schema: str | None, owner: str, per_second: float, go: Any, stop: Any, results: Any) -> None:
    """One bot instance (a child process): its own engine and sender, running the scheduler's two outbox jobs
    (heartbeat, dispatch) every 2 s from the start signal until told to stop (or killed)."""

    async def serve() -> None:
        db = Database(create_db_engine(url, search_path=schema))
        with db.engine.connect() as connection:  # a running instance has its connection pool open
            connection.execute(text("SELECT 1"))
        options = DeliveryOptions(app_per_second=per_second)
        role: dict[str, Any] = {"dispatcher_role": True} if HAS_ROLE else {}
        loop = asyncio.get_running_loop()
        async with outbox_sender(db, None, options=options, owner=owner, system_clock=True, **role) as sender:
            windows = _time_recording(sender)
            results.put(("ready", owner))
            await loop.run_in_executor(None, go.wait)
            started = time.monotonic()

            took_role = asyncio.Event()

            async def heartbeats() -> None:
                holding = False
                while True:
                    held = await sender.heartbeat()
                    if held and not holding:
                        results.put(("role", owner, time.monotonic()))
                        took_role.set()  # the scheduler's heartbeat then runs the dispatch job at once
                    holding = held
                    await asyncio.sleep(EVERY - (time.monotonic() - started) % EVERY)

            async def dispatching() -> None:
                while True:
                    await sender.run_until_idle()
                    took_role.clear()
                    with contextlib.suppress(TimeoutError):  # the next tick, or at once on taking the role
                        await asyncio.wait_for(took_role.wait(), EVERY - (time.monotonic() - started) % EVERY)

            jobs = []
            if HAS_ROLE:
                await sender.heartbeat()  # the scheduler's lease job runs first, at start (start_now)
                jobs.append(asyncio.create_task(heartbeats()))
            jobs.append(asyncio.create_task(dispatching()))
            await loop.run_in_executor(None, stop.wait)
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            results.put(("windows", owner, windows))
        db.dispose()

    asyncio.run(serve())


def _time_recording(sender: Any) -> list[float]:
    """Instrument the sender: for each accepted send, the seconds from its answer reaching the sender until its
    `mark_sent` committed (the window in which a crash sends it twice, less the answer's time on the wire)."""
    windows: list[float] = []
    recorder = getattr(sender, "_recorder", None)
    if recorder is None:  # older code: no recorder to time
        return windows
    record = recorder.record

    async def timed(mark: Any) -> None:
        began = time.monotonic()
        await record(mark)
        windows.append(time.monotonic() - began)

    recorder.record = timed
    return windows


def _unsettled(db: Database) -> int:
    with db.engine.connect() as connection:
        query = text("SELECT count(*) FROM outbox_message WHERE state IN ('pending', 'claimed')")
        return int(connection.execute(query).scalar_one())


def _last_settled(db: Database) -> datetime | None:
    """When the last row reached its end (sent, failed, ...): its commit's time, as the instance's clock had it."""
    with db.session() as session:
        return session.exec(select(func.max(OutboxMessage.updated_at))).one()


def _holder(db: Database) -> str | None:
    with db.engine.connect() as connection:
        try:
            return connection.execute(text("SELECT holder FROM lease WHERE name = 'outbox.dispatch'")).scalar()
        except Exception:  # no lease table: older code
            return None


def _claimed_by(db: Database, owner: str) -> set[str]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT dedup_key FROM outbox_message WHERE state = 'claimed' AND lease_owner = :owner"),
            {"owner": owner},
        )
        return {str(key) for key in rows.scalars()}


async def run(
    database: str,
    instances: int,
    count: int,
    rate: int,
    retry_after: float | None,
    seed: int = 7,
    kill_at: float | None = None,
    max_seconds: float = 300.0,
) -> dict[str, Any]:
    with ExitStack() as stack:
        if database == "sqlite":
            db = stack.enter_context(sqlite_database(Path(stack.enter_context(tempfile.TemporaryDirectory()))))
            url, schema = str(db.engine.url), None
        else:
            db = stack.enter_context(postgres_database(database))
            with db.engine.connect() as connection:
                schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            url = database
        connector = FlakyConnector(random.Random(seed), 0.05, 0.01, retry_after)
        await connector.start()
        connector.rate_limit(rate, per_conversation=False, retry_after=1)
        now = SystemClock().now()
        for i in range(count):
            ref = add_conversation(db, connector.url, f"19:bench{i}@thread.tacv2", now)
            enqueue_text(db, ref, f"k{i:04}", now - timedelta(seconds=1), now)
        # The app's budget is the connector's rate. With the dispatcher role one instance sends at a time, so each
        # gets all of it; without (older code) each instance got a fixed share, as that code was deployed.
        per_instance = rate if HAS_ROLE else rate / instances
        spawn = multiprocessing.get_context("spawn")
        owners = [f"i{n}" for n in range(instances)]
        # Each instance its own events and queue: one killed while holding a shared one's lock would hang the rest.
        go = {owner: spawn.Event() for owner in owners}
        stop = {owner: spawn.Event() for owner in owners}
        results = {owner: spawn.Queue() for owner in owners}
        processes = {
            owner: spawn.Process(
                target=_instance, args=(url, schema, owner, per_instance, go[owner], stop[owner], results[owner])
            )
            for owner in owners
        }
        loop = asyncio.get_running_loop()
        killed: str | None = None
        killed_at = started = settled_at = 0.0
        last: datetime | None = None
        dead_rows: set[str] = set()
        try:
            for process in processes.values():
                process.start()
            messages = [await loop.run_in_executor(None, results[owner].get) for owner in owners]
            assert all(message[0] == "ready" for message in messages), messages
            started, started_wall = time.monotonic(), SystemClock().now()
            for owner in owners:
                go[owner].set()
            while True:
                await asyncio.sleep(0.05)
                if kill_at is not None and killed is None and time.monotonic() - started >= kill_at:
                    holder = await asyncio.to_thread(_holder, db)
                    killed = holder if holder in processes else owners[0]
                    killed_at = time.monotonic()
                    processes[killed].kill()  # SIGKILL
                    await loop.run_in_executor(None, processes[killed].join)
                    dead_rows = await asyncio.to_thread(_claimed_by, db, killed)
                if not await asyncio.to_thread(_unsettled, db):
                    settled_at = time.monotonic()
                    # Timed to the last row's commit (the instances' clocks and this one are this machine's).
                    last = await asyncio.to_thread(_last_settled, db)
                    break
                if time.monotonic() - started > max_seconds:
                    break
        finally:
            for owner in owners:
                if owner != killed:
                    stop[owner].set()
            for process in processes.values():
                await loop.run_in_executor(None, process.join, 30)
                if process.is_alive():
                    process.kill()
            await connector.close()
    reports: list[tuple[Any, ...]] = []
    for owner in owners:
        if owner != killed:  # a killed instance may have died halfway through writing to its queue
            while not results[owner].empty():
                reports.append(results[owner].get())
    seconds = (last - started_wall).total_seconds() if last is not None else None
    windows = sorted(w for m in reports if m[0] == "windows" for w in m[2])
    accepted: dict[str, list[float]] = defaultdict(list)
    for r in connector.requests:
        if r.ok:
            accepted[r.body["attachments"][0]["content"]["body"][0]["text"].removeprefix("message ")].append(r.at)
    floor = count / rate
    result: dict[str, Any] = {
        "database": "sqlite" if database == "sqlite" else "postgresql",
        "instances": instances,
        "dispatcher_role": HAS_ROLE,
        "rows": count,
        "rate": rate,
        "delivered": len(accepted),
        "lost": count - len(accepted),
        "sent_twice": sum(1 for times in accepted.values() if len(times) > 1),
        "requests": dict(sorted(Counter(r.status for r in connector.requests).items())),
        # 429s for going over the connector's rate (the others were injected): the budget kept, this stays 0.
        "over_rate": sum(1 for r in connector.requests if r.status == 429 and "per second" in str(r.response)),
        "settled": bool(settled_at),
        "seconds": round(seconds, 2) if seconds is not None else None,
        "floor_seconds": floor,
        "ratio": round(seconds / floor, 2) if seconds is not None else None,
        # answer -> committed, in ms: p50, p99, max (None for older code)
        "record_ms": [round(windows[int(q * (len(windows) - 1))] * 1000, 1) for q in (0.5, 0.99, 1.0)]
        if windows
        else None,
        # (instance, seconds after the start) each time an instance took the dispatcher role
        "role_taken": [(m[1], round(m[2] - started, 1)) for m in reports if m[0] == "role"],
    }
    if killed is not None:
        # The dead instance's sends accepted just before (or as) it died: the connector has them, the database
        # does not (they were on the wire, or answered and not yet committed). A resend can come no earlier
        # than a claim's lease later, so what was accepted within a second of the kill is the dead instance's.
        in_flight = {key for key in dead_rows if any(at <= killed_at + 1.0 for at in accepted.get(key, []))}
        heirs = [m[2] for m in reports if m[0] == "role" and m[1] != killed and m[2] > killed_at]
        result["kill"] = {
            "instance": killed,
            "at_seconds": round(killed_at - started, 2),
            "dead_claimed_rows": len(dead_rows),
            "in_flight_at_kill": len(in_flight),
            "role_taken_over_after": round(min(heirs) - killed_at, 1) if heirs else None,
            "dead_rows_delivered_after": (
                round(max(max(accepted[key]) for key in dead_rows) - killed_at, 1)
                if dead_rows and all(key in accepted for key in dead_rows)
                else None
            ),
            "all_delivered_after": (
                round(max(max(times) for times in accepted.values()) - killed_at, 1) if settled_at else None
            ),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument(
        "--retry-after", type=float, default=None, help="seconds the injected 429s ask for (default: no Retry-After)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs, each on a fresh database (default 3)")
    parser.add_argument("--seed", type=int, default=7, help="the faults of run N are drawn with seed + N")
    parser.add_argument("--kill-at", type=float, default=None, help="SIGKILL the dispatching instance after S s")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="give a run up after this long")
    args = parser.parse_args()
    if args.kill_at is not None and args.instances < 2:
        parser.error("--kill-at needs --instances 2 or more")
    ratios = []
    for n in range(args.runs):
        result = asyncio.run(
            run(
                args.database,
                args.instances,
                args.rows,
                args.rate,
                args.retry_after,
                args.seed + n,
                args.kill_at,
                args.max_seconds,
            )
        )
        print(result, flush=True)
        if result["ratio"] is not None:
            ratios.append(result["ratio"])
    if ratios:
        median, worst = statistics.median(ratios), max(ratios)
        print(f"ratio to the floor: median {median:.2f}, worst {worst:.2f} of {len(ratios)} runs")


if __name__ == "__main__":
    main()
