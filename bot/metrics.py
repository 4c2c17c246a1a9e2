"""GET /metrics: the server process's metrics in Prometheus' text format (the official prometheus-client).

One registry per server process, prometheus-client's default: it holds the process, platform and garbage collector
collectors, and the projectbot_* metrics below, which the turn, the database waits, the Bot Connector calls, the
outbox and the scheduler update as they go. The outbox's rows by state and the age of the oldest due row are read
when Prometheus scrapes, on the health probe's own thread and connection (bot/health.py), and never waited for
longer than OUTBOX_ANSWER_SECONDS: a locked or unreachable database makes /metrics answer without them
(projectbot_outbox_query_ok 0), never hang. The render worker processes keep no metrics.

Labels are names written by code (a command's or card verb's name, a job id, an HTTP status), never what a person
typed, so their number stays small. docs/operations.md lists the metrics; docs/ops/ has a dashboard and alert rules.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from bot.health import HEALTH
from storage.db import observe_waits
from storage.health import OutboxFigures
from storage.outbox import OutboxState

log = logging.getLogger(__name__)

# The *_created series add one line per labelled series and nothing a dashboard here uses.
disable_created_metrics()  # type: ignore[no-untyped-call]

OUTBOX_ANSWER_SECONDS = 0.9

TURNS = Counter(
    "projectbot_turns",
    "Turns handled, by activity kind, the command or card verb that answered (none: no command; unknown: none "
    "matched) and outcome (ok, refused, unknown, invalid, busy, unavailable, error).",
    ["kind", "command", "outcome"],
)
TURN_SECONDS = Histogram(
    "projectbot_turn_duration_seconds",
    "How long turns took, from the activity's arrival to the answer sent, by activity kind.",
    ["kind"],
    # Teams waits 15 s for a message's answer and 5 s for a card action's; the turn's own bounds are 10 s and 4 s.
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0),
)
DB_WAIT_SECONDS = Histogram(
    "projectbot_db_wait_seconds",
    "Time spent waiting for the database, by what was waited for: a database thread (within turns), a connection "
    "from the pool (or a new one), SQLite's one writer's turn. Waits past PROJECTBOT_DB_WAIT_SECONDS end as busy.",
    ["wait"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0),
)
CONNECTOR_RESPONSES = Counter(
    "projectbot_connector_responses",
    "HTTP answers of the Bot Connector to replies and proactive sends, by status (none: no answer: a network "
    "error or a timeout). status=429 counts the sends Teams throttled.",
    ["status"],
)
CONNECTOR_RETRIES = Counter(
    "projectbot_connector_retries",
    "Replies retried inline after a retryable answer (412, 429, 502, 503, 504), by that status.",
    ["status"],
)
OUTBOX_RETRIES = Counter(
    "projectbot_outbox_retries",
    "Proactive sends tried again (at once or rescheduled), by the status that made them (none: no answer).",
    ["status"],
)
OUTBOX_DELIVERIES = Counter(
    "projectbot_outbox_deliveries",
    "Outbox rows this instance finished or handed back, by result (sent, retried, failed, missed, cancelled, "
    "released).",
    ["result"],
)
OUTBOX_ROWS = Gauge("projectbot_outbox_rows", "Outbox rows by state, read at scrape time.", ["state"])
OUTBOX_OLDEST_DUE = Gauge(
    "projectbot_outbox_oldest_due_age_seconds",
    "How long the oldest due, unsent outbox row has waited (0: none waits), read at scrape time.",
)
OUTBOX_QUERY_OK = Gauge(
    "projectbot_outbox_query_ok",
    f"1 when the scrape's outbox query answered within {OUTBOX_ANSWER_SECONDS} s; 0: the outbox gauges keep the "
    "last values read.",
)
JOB_RUNS = Counter(
    "projectbot_scheduler_job_runs",
    "Scheduled job runs in this process, by job id and result (ok, failed, missed: skipped beyond its grace time).",
    ["job", "result"],
)


def count_turn(kind: str, command: str | None, outcome: str, seconds: float) -> None:
    TURNS.labels(kind=kind, command=command or "none", outcome=outcome).inc()
    TURN_SECONDS.labels(kind=kind).observe(seconds)


def record_db_wait(what: str, seconds: float) -> None:
    DB_WAIT_SECONDS.labels(wait=what).observe(seconds)


def record_connector_answer(status: int | None) -> None:
    CONNECTOR_RESPONSES.labels(status=_status(status)).inc()


def record_connector_retry(status: int) -> None:
    CONNECTOR_RETRIES.labels(status=_status(status)).inc()


def record_outbox_retry(status: int | None) -> None:
    OUTBOX_RETRIES.labels(status=_status(status)).inc()


def record_outbox_results(**counts: int) -> None:
    for result, count in counts.items():
        if count:
            OUTBOX_DELIVERIES.labels(result=result).inc(count)


def record_job_run(job_id: str, result: str) -> None:
    JOB_RUNS.labels(job=job_id, result=result).inc()


def _status(status: int | None) -> str:
    return str(status) if status else "none"


def start_recording_db_waits() -> None:
    """The storage layer reports its waits (the pool, SQLite's writer gate) to whoever listens; once per process."""
    observe_waits(record_db_wait)


def set_outbox_figures(figures: OutboxFigures | None) -> None:
    if figures is None:
        OUTBOX_QUERY_OK.set(0)
        return
    OUTBOX_QUERY_OK.set(1)
    for state in OutboxState:
        OUTBOX_ROWS.labels(state=state.value).set(figures.by_state.get(state.value, 0))
    OUTBOX_OLDEST_DUE.set(figures.oldest_due_seconds)


async def metrics(request: web.Request) -> web.Response:
    """GET /metrics, on the bot's port or on PROJECTBOT_METRICS_PORT's (bot/http_app.py)."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(OUTBOX_ANSWER_SECONDS):
            figures = await request.app[HEALTH].outbox()
    except TimeoutError:
        figures = None
    if figures is None:
        log.info("metrics: no outbox figures within %.1f s", time.monotonic() - started)
    set_outbox_figures(figures)
    return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})
