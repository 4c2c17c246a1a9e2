"""GET /livez, /readyz and /healthz: alive, and ready to serve (the database checks of storage/health.py).

The probe runs on a thread of its own with a connection of its own, so it never waits where the turns wait, and the
answer comes within HEALTH_ANSWER_SECONDS whatever the database does: a probe still running then is reported as
"no answer" (503), and the next request waits for that same probe rather than starting another.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from aiohttp import web

from dialogs.kernel.clock import Clock
from storage.db import Database
from storage.health import DatabaseHealth, DatabaseProbe, OutboxFigures

log = logging.getLogger(__name__)

HEALTH_ANSWER_SECONDS = 0.9


class HealthChecker:
    """dispatching: whether this instance holds the outbox's dispatcher role now (None: cannot tell)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        lock_bound_seconds: float,
        dispatching: Callable[[], bool | None] = lambda: None,
    ) -> None:
        self.clock = clock
        self.dispatching = dispatching
        self.backend = db.engine.dialect.name
        self.probe = DatabaseProbe(db, lock_bound_seconds=lock_bound_seconds)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="projectbot-health")
        self._running: Future[DatabaseHealth] | None = None

    def start(self) -> None:
        """Open the probe's connection now, on its thread: it is open before the first readiness check comes
        (connecting to PostgreSQL on a busy machine can take more than the second a check has)."""
        self._thread.submit(self.probe.connect)

    async def database(self) -> DatabaseHealth:
        running = self._running
        if running is None or running.done():
            running = self._running = self._thread.submit(self.probe.check, self.clock.now())
        try:
            async with asyncio.timeout(HEALTH_ANSWER_SECONDS):
                return await asyncio.shield(asyncio.wrap_future(running))
        except TimeoutError:
            return DatabaseHealth("unreachable", self.backend, f"no answer within {HEALTH_ANSWER_SECONDS:.1f} s")

    async def outbox(self) -> OutboxFigures | None:
        """The outbox's figures for /metrics, read on the probe's thread and connection (after a check under way):
        the caller bounds the wait (bot/metrics.py)."""
        return await asyncio.wrap_future(self._thread.submit(self.probe.outbox_figures, self.clock.now()))

    def close(self) -> None:
        # Waits for a probe or connect under way (each bounded by the probe's own timeouts, a few seconds at most):
        # closing the probe beside it would leave the connection it is opening behind.
        self._thread.shutdown(wait=True, cancel_futures=True)
        self.probe.close()


HEALTH = web.AppKey("health", HealthChecker)


async def livez(request: web.Request) -> web.Response:
    """The process is alive and its event loop answers: restart it only when this fails."""
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    """Ready for turns: 200, or 503 with the reason (take the instance out of the load balancer, do not restart)."""
    checker = request.app[HEALTH]
    health = await checker.database()
    body: dict[str, Any] = {"status": "ok" if health.ok else "unavailable", "database": health.as_json()}
    if not health.ok:
        body["reason"] = f"database {health.state.replace('_', ' ')}: {health.reason}"
        log.warning("health check: %s", body["reason"])
    lag = health.outbox_lag_seconds
    body["outbox"] = {
        "oldest_overdue_seconds": round(lag, 1) if lag is not None else None,
        "dispatcher": checker.dispatching(),
    }
    return web.json_response(body, status=200 if health.ok else 503)
