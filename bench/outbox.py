"""Benchmark: 1,000 rows for 1,000 conversations due at once, a fake connector at a per-app rate with 5% 429, 1% 503.

    .venv/bin/python -m bench.outbox [--instances 1|2] [--database sqlite|postgresql://postgres@127.0.0.1:5432/test]
        [--rows 1000] [--rate 200] [--retry-after SECONDS] [--runs 3] [--seed 7]

Each instance is its own process with its own database engine, as in production; the fake connector (the remote
Bot Connector) runs in this process. Reports, per run, all delivered, none twice, and the total time against the
floor (count / rate), timed from the moment the running instances are told to dispatch until the last one is done.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.delivery import DeliveryOptions
from dialogs.clock import SystemClock
from storage.db import Database, create_db_engine
from tests.harness.connector import ConnectorRequest, FakeConnector, error_body
from tests.harness.database import postgres_database, sqlite_database
from tests.outbox_support import add_conversation, enqueue_text, outbox_sender


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


def _instance(url: str, schema: str | None, owner: str, per_second: float, go: Any, results: Any) -> None:
    """One bot instance (a child process): its own engine and sender; dispatches when told, reports its times."""

    async def serve() -> None:
        db = Database(create_db_engine(url, search_path=schema))
        with db.engine.connect() as connection:  # a running instance has its connection pool open
            connection.execute(text("SELECT 1"))
        options = DeliveryOptions(app_per_second=per_second)
        async with outbox_sender(db, None, options=options, owner=owner, system_clock=True) as sender:
            results.put(("ready", owner))
            await asyncio.get_running_loop().run_in_executor(None, go.wait)
            started = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process on this machine
            report = await sender.run_until_idle()
            results.put(("done", owner, started, time.monotonic(), report.sent))
        db.dispose()

    asyncio.run(serve())


async def run(
    database: str, instances: int, count: int, rate: int, retry_after: float | None, seed: int = 7
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
        # The app's budget is the connector's rate, shared by the instances: each takes an equal, fixed share
        # (PROJECTBOT_OUTBOX_PER_SECOND is per process), so together they never exceed it.
        spawn = multiprocessing.get_context("spawn")
        go, results = spawn.Event(), spawn.Queue()
        processes = [
            spawn.Process(target=_instance, args=(url, schema, f"i{n}", rate / instances, go, results))
            for n in range(instances)
        ]
        for process in processes:
            process.start()
        loop = asyncio.get_running_loop()
        messages = [await loop.run_in_executor(None, results.get) for _ in range(instances)]
        assert all(message[0] == "ready" for message in messages), messages
        go.set()
        finished = [await loop.run_in_executor(None, results.get) for _ in range(instances)]
        for process in processes:
            await loop.run_in_executor(None, process.join)
        await connector.close()
    started = min(message[2] for message in finished)
    elapsed = max(message[3] for message in finished) - started
    delivered = Counter(r.body["attachments"][0]["content"]["body"][0]["text"] for r in connector.requests if r.ok)
    floor = count / rate
    return {
        "database": "sqlite" if database == "sqlite" else "postgresql",
        "instances": instances,
        "rows": count,
        "delivered": len(delivered),
        "sent_twice": sum(1 for n in delivered.values() if n > 1),
        "requests": dict(sorted(Counter(r.status for r in connector.requests).items())),
        # 429s for going over the connector's rate (the others were injected): the budget kept, this stays 0.
        "over_rate": sum(1 for r in connector.requests if r.status == 429 and "per second" in str(r.response)),
        "seconds": round(elapsed, 2),
        "first_request_after": round(min(r.at for r in connector.requests) - started, 2),
        "floor_seconds": floor,
        "ratio": round(elapsed / floor, 2),
        "per_instance_sent": sorted(message[4] for message in finished),
    }


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
    args = parser.parse_args()
    ratios = []
    for n in range(args.runs):
        result = asyncio.run(run(args.database, args.instances, args.rows, args.rate, args.retry_after, args.seed + n))
        print(result, flush=True)
        ratios.append(result["ratio"])
    print(f"ratio to the floor: median {statistics.median(ratios):.2f}, worst {max(ratios):.2f} of {args.runs} runs")


if __name__ == "__main__":
    main()
