"""The database health probe: reachable, writable, not locked beyond the bound, schema current; outbox lag.

It runs on a connection of its own, made for it with short timeouts, never one of the turns' pool: when the turns
queue, the probe does not queue behind them (issue 13: `/healthz` once took 13.6 s, waiting where the turns waited).
It writes nothing: the write probe is rolled back. The caller (bot/health.py) runs it on a thread of its own and
stops waiting after a second, whatever the database does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool

from storage import migrate
from storage.db import Database, normalise_url
from storage.outbox import OutboxRepository

log = logging.getLogger(__name__)

# How long the probe itself waits for the write lock and for each statement: well inside the second /healthz has.
PROBE_WAIT_SECONDS = 0.4


@dataclass(frozen=True)
class DatabaseHealth:
    state: str  # ok, unreachable, read_only, locked, behind
    backend: str
    reason: str | None = None
    revision: str | None = None
    head: str | None = None
    outbox_lag_seconds: float | None = None  # how long the oldest due, unsent outbox row has waited
    lock_waited_seconds: float | None = None  # the write lock has been held elsewhere this long (not yet beyond)

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "state": self.state,
            "backend": self.backend,
            "revision": self.revision,
            "up_to_date": self.revision is not None and self.revision == self.head,
        }
        if self.reason:
            body["reason"] = self.reason
        if self.lock_waited_seconds is not None:
            body["lock_waited_seconds"] = round(self.lock_waited_seconds, 1)
        return body


@dataclass(frozen=True)
class OutboxFigures:
    """The outbox for /metrics: rows by state, and how long the oldest due, unsent row has waited (0: none)."""

    by_state: dict[str, int]
    oldest_due_seconds: float


class DatabaseProbe:
    """One per process. `check` is synchronous and called from one thread at a time (bot/health.py)."""

    def __init__(self, db: Database, *, lock_bound_seconds: float, wait_seconds: float = PROBE_WAIT_SECONDS) -> None:
        created = db.created_with
        self.url = normalise_url(str(created["url"]))
        self.backend = db.engine.dialect.name
        self.lock_bound_seconds = lock_bound_seconds
        self.wait_seconds = min(wait_seconds, lock_bound_seconds)
        self._search_path: str | None = created.get("search_path")
        self._engine: Engine | None = None
        # Since when (time.monotonic()) every probe found the write lock held elsewhere; None when the last got it.
        self._locked_since: float | None = None

    def check(self, now: datetime) -> DatabaseHealth:
        started = time.monotonic()
        try:
            with self._connection() as connection:
                revision = migrate.revision_of(connection)
                problem = self._write_probe(connection, has_schema=revision is not None)
            head = migrate.head_revision()
            if problem is not None and problem[0] == "locked":
                # Locked now; "beyond the bound" once every probe since `since` found it so for as long as a turn
                # waits (a single probe that waited the whole bound is enough when the bound is that short).
                since = self._locked_since = self._locked_since or started
                waited = time.monotonic() - since
                if waited >= self.lock_bound_seconds:
                    return DatabaseHealth("locked", self.backend, f"{problem[1]} for {waited:.1f} s", revision, head)
                lag = self._outbox_lag(now) if revision == head else None
                return DatabaseHealth("ok", self.backend, None, revision, head, lag, lock_waited_seconds=waited)
            self._locked_since = None
            if problem is not None:
                return DatabaseHealth(problem[0], self.backend, problem[1], revision, head)
            if revision != head:
                reason = f"schema at {revision or 'nothing'}, this version needs {head}: run `projectbot db upgrade`"
                return DatabaseHealth("behind", self.backend, reason, revision, head)
            return DatabaseHealth("ok", self.backend, None, revision, head, self._outbox_lag(now))
        except (DBAPIError, PoolTimeout, sqlite3.Error, OSError) as exc:
            self._dispose()  # a fresh connection next time, once it is back
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
            return DatabaseHealth("unreachable", self.backend, reason)

    # The probe's own connection -----------------------------------------------------------------------------

    def _engine_for_probe(self) -> Engine:
        if self._engine is None:
            if self.backend == "sqlite":
                self._engine = self._sqlite_engine()
            else:
                options = [f"-c lock_timeout={int(self.wait_seconds * 1000)}", "-c statement_timeout=900"]
                query = make_url(self.url).query
                if "options" in query:
                    options.insert(0, str(query["options"]))
                if self._search_path:
                    options.append(f"-csearch_path={self._search_path}")
                # One connection, kept; libpq will not time a connect out in under 2 s, the caller stops waiting
                # sooner. pre_ping notices a server that went away and came back.
                self._engine = create_engine(
                    self.url,
                    pool_size=1,
                    max_overflow=0,
                    pool_timeout=self.wait_seconds,
                    pool_pre_ping=True,
                    hide_parameters=True,
                    connect_args={"connect_timeout": 2, "options": " ".join(options)},
                )
        return self._engine

    def _sqlite_engine(self) -> Engine:
        """A fresh connection per probe that never creates the file: a database file deleted or moved under the
        running bot (whose pooled connections would go on writing to the unlinked file) shows as unreachable."""
        parsed = make_url(self.url)
        database = parsed.database or ""
        query = {key: str(value) for key, value in parsed.query.items() if key != "uri"}
        query.setdefault("mode", "rw")
        if not parsed.query.get("uri"):
            database = f"file:{quote(os.path.abspath(database))}"
        target = database + "?" + "&".join(f"{key}={value}" for key, value in query.items())

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(
                target, uri=True, timeout=self.wait_seconds, isolation_level=None, check_same_thread=False
            )

        return create_engine("sqlite://", creator=connect, poolclass=NullPool, hide_parameters=True)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Connection]:
        with self._engine_for_probe().connect() as connection:
            yield connection

    def connect(self) -> None:
        """Open the probe's own connection ahead of the first check (it stays in the probe's pool of one); a
        failure here is only reported by the checks."""
        try:
            with self._connection():
                pass
        except (DBAPIError, PoolTimeout, sqlite3.Error, OSError):
            self._dispose()

    def _dispose(self) -> None:
        if self._engine is not None:
            with contextlib.suppress(Exception):
                self._engine.dispose()
            self._engine = None

    def close(self) -> None:
        self._dispose()

    # The checks -----------------------------------------------------------------------------------------

    def _write_probe(self, connection: Connection, *, has_schema: bool) -> tuple[str, str] | None:
        """Take the write lock and change a row, then roll back: what every turn needs (it records who spoke).
        ("locked" | "read_only", why), or None when writing would work."""
        if self.backend == "sqlite":
            return self._sqlite_write_probe(connection, has_schema=has_schema)
        return self._postgres_write_probe(connection, has_schema=has_schema)

    def _sqlite_write_probe(self, connection: Connection, *, has_schema: bool) -> tuple[str, str] | None:
        raw: Any = connection.connection.driver_connection
        if raw.execute("PRAGMA query_only").fetchone()[0]:
            return "read_only", "the connection is query_only"
        path = _file_path(make_url(self.url).database or "")
        if path and os.path.exists(path) and not os.access(path, os.W_OK):
            return "read_only", f"{os.path.basename(path)} is not writable by this process"
        try:
            raw.execute("BEGIN IMMEDIATE")
            if has_schema:
                raw.execute(f"UPDATE {migrate.VERSION_TABLE} SET version_num = version_num")
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if "readonly" in message or "read-only" in message:
                return "read_only", message
            if "locked" in message or "busy" in message:
                return "locked", "the write lock is held by another connection"
            raise
        finally:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
        return None

    def _postgres_write_probe(self, connection: Connection, *, has_schema: bool) -> tuple[str, str] | None:
        try:
            recovery, read_only = connection.execute(
                text("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
            ).one()
            if recovery:
                return "read_only", "the server is a standby (in recovery)"
            if read_only == "on":
                return "read_only", "transactions are read-only (default_transaction_read_only)"
            if has_schema:
                # The lock an INSERT or UPDATE takes on the tables every turn writes: it waits for (and so finds) a
                # SHARE or stronger lock someone else holds, up to the probe's lock_timeout.
                connection.execute(text("LOCK TABLE person, conversation_ref IN ROW EXCLUSIVE MODE"))
        except DBAPIError as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if sqlstate == "55P03":
                return "locked", "a table every turn writes is locked by another connection"
            if sqlstate == "25006":
                return "read_only", "transactions are read-only"
            raise
        finally:
            connection.rollback()
        return None

    def outbox_figures(self, now: datetime) -> OutboxFigures | None:
        """Two short reads on the probe's own connection, under its short lock and statement timeouts (/metrics);
        None when the database does not answer them."""
        try:
            outbox = OutboxRepository(Database(self._engine_for_probe()))
            return OutboxFigures(outbox.count_by_state(), outbox.oldest_overdue_seconds(now))
        except Exception as exc:  # figures are information: /metrics answers without them
            log.info("metrics: outbox figures unknown (%s)", type(exc).__name__)
            return None

    def _outbox_lag(self, now: datetime) -> float | None:
        try:
            return OutboxRepository(Database(self._engine_for_probe())).oldest_overdue_seconds(now)
        except Exception as exc:  # the lag is information, not a reason to fail the check
            log.info("health check: outbox lag unknown (%s)", type(exc).__name__)
            return None


def _file_path(database: str) -> str:
    """The file behind a SQLite URL's database part (plain path or `file:` URI)."""
    return unquote(database.removeprefix("file:").split("?", 1)[0])
