"""Benchmark: 1,000 rows for 1,000 conversations due at once, a fake connector at a per-app rate with 5% 429, 1% 503.

    .venv/bin/python -m bench.outbox [--instances 1|2] [--database sqlite|postgresql://postgres@127.0.0.1:5432/test]

Reports all delivered, none twice, and total time against the floor (count / rate).
"""

from __future__ import annotations

import argparse
import asyncio
import random
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


async def run(database: str, instances: int, count: int, rate: int, retry_after: float | None) -> dict[str, Any]:
    with ExitStack() as stack:
        if database == "sqlite":
            db = stack.enter_context(sqlite_database(Path(stack.enter_context(tempfile.TemporaryDirectory()))))
            dbs = [db]
        else:
            db = stack.enter_context(postgres_database(database))
            with db.engine.connect() as connection:
                schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            dbs = [db] + [Database(create_db_engine(database, search_path=schema)) for _ in range(instances - 1)]
        connector = FlakyConnector(random.Random(7), 0.05, 0.01, retry_after)
        await connector.start()
        connector.rate_limit(rate, per_conversation=False, retry_after=1)
        now = SystemClock().now()
        for i in range(count):
            ref = add_conversation(db, connector.url, f"19:bench{i}@thread.tacv2", now)
            enqueue_text(db, ref, f"k{i:04}", now - timedelta(seconds=1), now)
        # The app's budget is the connector's rate, shared by the instances: each takes an equal, fixed share
        # (DeliveryOptions.app_per_second is per process), so together they never exceed it.
        options = DeliveryOptions(app_per_second=rate / instances, batch_size=100)
        # Timed from the moment the running senders find the rows due until every row is settled; making the
        # senders (HTTP session, adapter) is process start-up, not delivery.
        async with ExitStack_async(dbs, options) as senders:
            started = time.monotonic()
            reports = await asyncio.gather(*(s.run_until_idle() for s in senders))
            elapsed = time.monotonic() - started
        await connector.close()
        for extra in dbs[1:]:
            extra.dispose()
    delivered = Counter(r.body["attachments"][0]["content"]["body"][0]["text"] for r in connector.requests if r.ok)
    statuses = Counter(r.status for r in connector.requests)
    floor = count / rate
    return {
        "database": "sqlite" if database == "sqlite" else "postgresql",
        "instances": instances,
        "rows": count,
        "delivered": len(delivered),
        "sent_twice": sum(1 for n in delivered.values() if n > 1),
        "requests": dict(sorted(statuses.items())),
        "seconds": round(elapsed, 2),
        "first_request_after": round(min(r.at for r in connector.requests) - started, 2),
        "last_request_after": round(max(r.at for r in connector.requests) - started, 2),
        "floor_seconds": floor,
        "ratio": round(elapsed / floor, 2),
        "per_instance_sent": [r.sent for r in reports],
    }


class ExitStack_async:
    def __init__(self, dbs: list[Database], options: DeliveryOptions) -> None:
        self._contexts = [
            outbox_sender(db, None, options=options, owner=f"i{n}", system_clock=True) for n, db in enumerate(dbs)
        ]

    async def __aenter__(self) -> list[Any]:
        return [await c.__aenter__() for c in self._contexts]

    async def __aexit__(self, *exc: object) -> None:
        for c in self._contexts:
            await c.__aexit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument(
        "--retry-after", type=float, default=None, help="seconds the injected 429s ask for (default: no Retry-After)"
    )
    args = parser.parse_args()
    print(asyncio.run(run(args.database, args.instances, args.rows, args.rate, args.retry_after)))


if __name__ == "__main__":
    main()
