"""Database engine and sessions: SQLite (WAL, busy timeout, foreign keys) by default; PostgreSQL for scale."""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool, StaticPool
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

DEFAULT_SQLITE_PATH = Path("data") / "projectbot.db"
# The longest a turn waits for the database: for a connection from the pool, for its turn to write (SQLite), for a
# lock another connection or process holds (SQLite busy timeout, PostgreSQL lock_timeout). Beyond it the person is
# told to try again, well before Teams gives up on the turn (15 s). PROJECTBOT_DB_WAIT_SECONDS.
DEFAULT_WAIT_SECONDS = 3.0
SQLITE_BUSY_TIMEOUT_MS = int(DEFAULT_WAIT_SECONDS * 1000)
# Connections per process (PROJECTBOT_DB_POOL_SIZE). SQLite: readers beside the one writer (WAL); more only wait.
SQLITE_POOL_SIZE = 4
POSTGRES_POOL_SIZE = 10

# When the current turn must be answered by (time.monotonic()), set by the transport for each turn
# (bot/teams_bot.py); None outside turns (scheduler jobs, tools), which get the fixed bounds. Every wait for the
# database (a worker thread, a connection, the writer's turn) and for a drawing is cut to what is left of it.
# asyncio.to_thread copies it into the worker thread with the rest of the context.
TURN_DEADLINE: ContextVar[float | None] = ContextVar("projectbot_turn_deadline", default=None)


# Who hears how long work waited for the database, by what it waited for ("connection": the pool; "writer": SQLite's
# writer gate): bot/metrics.py listens. Storage knows nothing of metrics, so it only reports.
WaitObserver = Callable[[str, float], None]
_WAIT_OBSERVERS: list[WaitObserver] = []


def observe_waits(observer: WaitObserver) -> None:
    if observer not in _WAIT_OBSERVERS:
        _WAIT_OBSERVERS.append(observer)


def _report_wait(what: str, seconds: float) -> None:
    for observer in _WAIT_OBSERVERS:
        observer(what, seconds)


class _TimedQueuePool(QueuePool):
    """The turns' pool, reporting how long each checkout waited for a connection (or for a new one to open)."""

    def _do_get(self) -> ConnectionPoolEntry:
        started = time.monotonic()
        try:
            return super()._do_get()
        finally:
            _report_wait("connection", time.monotonic() - started)


# SQLAlchemy names a pool's logger after its class; its own pools' loggers (under "sqlalchemy") are quiet unless
# echo_pool is set, and so is this one ("Pool disposed" at every shutdown says nothing to an operator).
logging.getLogger(f"{__name__}.{_TimedQueuePool.__name__}").setLevel(logging.WARNING)


def wait_budget(bound: float) -> float:
    """How long the current work may wait for something: `bound`, or less when the turn's deadline is nearer."""
    deadline = TURN_DEADLINE.get()
    if deadline is None:
        return bound
    return max(0.0, min(bound, deadline - time.monotonic()))


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or is locked; the user should try again shortly."""


class DatabaseBusy(DatabaseUnavailable):
    """The database is there but this work waited its whole bound for a connection, its turn to write, or a lock
    someone else holds: nothing was written; try again in a moment."""


def default_database_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs (psycopg2 is not a dependency)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_db_engine(
    url: str,
    *,
    echo: bool = False,
    search_path: str | None = None,
    busy_timeout_ms: int | None = None,
    pool_size: int | None = None,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
) -> Engine:
    """search_path (PostgreSQL only) puts every table in that schema; tests use it to stay apart. pool_size: the
    connections this process keeps (default per backend); wait_seconds: the longest anything waits for one, for its
    turn to write or for a lock (busy_timeout_ms: SQLite's wait for another process's lock, default the same)."""
    url = normalise_url(url)
    if is_sqlite(url):
        busy_ms = busy_timeout_ms if busy_timeout_ms is not None else int(wait_seconds * 1000)
        engine = _sqlite_engine(
            url, echo=echo, busy_timeout_ms=busy_ms, pool_size=pool_size or SQLITE_POOL_SIZE, wait_seconds=wait_seconds
        )
    else:
        engine = create_engine(
            url,
            echo=echo,
            # Statement parameters are people's names, addresses and notes: never in an error's text or a log line.
            hide_parameters=True,
            # A real pool: at most pool_size connections, a turn waits wait_seconds for one, then hears "busy".
            # pre_ping replaces connections the server dropped (a restart, a failover) before a turn meets them.
            pool_pre_ping=True,
            poolclass=_TimedQueuePool,
            pool_size=pool_size or POSTGRES_POOL_SIZE,
            max_overflow=0,
            pool_timeout=wait_seconds,
            connect_args=_postgres_connect_args(url, search_path, wait_seconds),
        )
    event.listen(engine, "handle_error", _keep_values_out_of_errors)
    _CREATED_WITH[engine] = {"url": url, "search_path": search_path, "wait_seconds": wait_seconds}
    return engine


# How each engine was made, so that the health check can open a connection of its own to the same database
# (storage/health.py) rather than queue in the turns' pool.
_CREATED_WITH: weakref.WeakKeyDictionary[Engine, dict[str, Any]] = weakref.WeakKeyDictionary()


def _postgres_connect_args(url: str, search_path: str | None, wait_seconds: float) -> dict[str, Any]:
    """lock_timeout: a statement waits at most the bound for a lock another connection holds (a long migration, an
    operator's LOCK TABLE), then fails, is rolled back, and the person hears "try again". connect_timeout: libpq's
    minimum is 2 s. Options already in the URL are kept."""
    query = make_url(url).query
    options = [str(query["options"])] if "options" in query else []
    options.append(f"-c lock_timeout={int(wait_seconds * 1000)}")
    if search_path:
        options.append(f"-csearch_path={search_path}")
    args: dict[str, Any] = {"options": " ".join(options)}
    if "connect_timeout" not in query:
        args["connect_timeout"] = max(2, math.ceil(wait_seconds))
    return args


def _keep_values_out_of_errors(context: ExceptionContext) -> None:
    """PostgreSQL repeats offending values in an error's DETAIL and CONTEXT (`Key (email)=(an@x.be) already exists`)
    and after the colon of some messages (`invalid input syntax for type integer: "..."`), and psycopg puts all of
    it into the error's text. Keep the primary message up to that colon, and the SQLSTATE; the full diagnostics stay
    on `error.diag` for code that needs them. SQLite's messages name tables, columns and constraints, never values;
    a failed connection has no SQLSTATE and nothing but the server's address in its text."""
    error = context.original_exception
    sqlstate = getattr(error, "sqlstate", None)
    diag = getattr(error, "diag", None)
    if not sqlstate or diag is None:
        return
    primary = str(getattr(diag, "message_primary", None) or type(error).__name__).split(": ", 1)[0]
    safe = f"{primary} (SQLSTATE {sqlstate})"
    error.args = (safe,)
    wrapped = context.sqlalchemy_exception
    if wrapped is not None:
        wrapped.args = (f"({type(error).__module__}.{type(error).__name__}) {safe}",)


def _sqlite_engine(url: str, *, echo: bool, busy_timeout_ms: int, pool_size: int, wait_seconds: float) -> Engine:
    parsed = make_url(url)
    in_memory = parsed.database in (None, "", ":memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}}
    if in_memory:
        # One shared connection, or every session would see its own empty database.
        kwargs["poolclass"] = StaticPool
    else:
        if not parsed.query.get("uri"):
            Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.update(poolclass=_TimedQueuePool, pool_size=pool_size, max_overflow=0, pool_timeout=wait_seconds)
    engine = create_engine(url, echo=echo, hide_parameters=True, **kwargs)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, busy_timeout_ms)

    event.listen(engine, "connect", on_connect)
    if not in_memory:
        _WriterGate(wait_seconds).install(engine)
    return engine


_HOLDS_GATE = "projectbot_writer_gate"
_READS = ("SELECT", "PRAGMA", "EXPLAIN")
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _writes(statement: str) -> bool:
    head = statement.lstrip()[:8].upper()
    if head.startswith(_READS):
        return False
    if head.startswith("WITH"):
        return _WRITE_WORD.search(statement) is not None
    return True  # INSERT, UPDATE, DELETE, REPLACE, SAVEPOINT, DDL


class _WriterGate:
    """SQLite has one writer at a time. Writers of this process take turns here, in order, each waiting at most the
    bound (less when its turn's deadline is nearer), instead of in SQLite's busy handler, which polls with sleeps of
    up to 100 ms (several writing threads made the slowest turns ten times slower that way). Readers never wait:
    WAL lets them read beside the writer, each on a connection of its own. A connection takes the gate just before
    its first writing statement (the driver opens the write transaction right there) and gives it back when it
    returns to the pool, after its commit or rollback. Other processes (the CLI) meet SQLite's busy timeout."""

    def __init__(self, wait_seconds: float) -> None:
        self._lock = threading.Lock()
        self.wait_seconds = wait_seconds

    def install(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before_execute)
        event.listen(engine, "checkin", self._release)
        event.listen(engine, "detach", self._release)

    def _before_execute(
        self, conn: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _executemany: bool
    ) -> None:
        info = conn.info
        if _HOLDS_GATE in info or not _writes(statement):
            return
        wait = wait_budget(self.wait_seconds)
        started = time.monotonic()
        acquired = self._lock.acquire(timeout=wait)
        _report_wait("writer", time.monotonic() - started)
        if not acquired:
            # A driver error, so that it is handled (rolled back, reported) like SQLite's own "database is locked".
            raise sqlite3.OperationalError(f"database is locked (waited {wait:.1f} s for another write to finish)")
        info[_HOLDS_GATE] = True

    def _release(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_HOLDS_GATE, False):
            self._lock.release()


def _sqlite_pragmas(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL + NORMAL is durable across application crashes; only an OS crash can lose the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


# PostgreSQL SQLSTATEs that mean "not now" rather than "wrong": a lock or statement timeout, a deadlock victim,
# a serialization failure; and those that mean "not writable here": a read-only transaction or server.
_PG_BUSY = {"55P03", "57014", "40P01", "40001"}
_PG_READ_ONLY = {"25006"}


def unavailable_from(exc: BaseException) -> DatabaseUnavailable | None:
    """What a driver or pool error means for the person waiting: busy (try again in a moment), unavailable
    (unreachable, read-only), or None when it is a plain error (a bug, a constraint) that is not theirs to retry."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    if isinstance(exc, PoolTimeout):
        return DatabaseBusy(f"no free database connection: {exc}")
    if not isinstance(exc, DBAPIError):
        return None
    original = exc.orig
    message = str(original) if original is not None else str(exc)
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate in _PG_BUSY or (
        isinstance(original, sqlite3.OperationalError) and ("locked" in message or "busy" in message)
    ):
        return DatabaseBusy(message)
    if isinstance(exc, OperationalError) or sqlstate in _PG_READ_ONLY or (sqlstate or "").startswith("08"):
        return DatabaseUnavailable(message)
    return None


class Database:
    """The engine plus a session factory; the one object repositories are built from."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(
        cls, url: str, *, pool_size: int | None = None, wait_seconds: float = DEFAULT_WAIT_SECONDS
    ) -> Database:
        return cls(create_db_engine(url, pool_size=pool_size, wait_seconds=wait_seconds))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def concurrency(self) -> int:
        """How many threads may use the database at once: the pool's size (one for an in-memory SQLite database,
        whose single shared connection must not be used by two threads at a time)."""
        size = getattr(self.engine.pool, "size", None)
        return int(size()) if callable(size) else 1

    @property
    def created_with(self) -> dict[str, Any]:
        """The URL, search path and wait bound the engine was made with (health check)."""
        return dict(_CREATED_WITH.get(self.engine) or {"url": self.engine.url.render_as_string(hide_password=False)})

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back otherwise. Errors that mean "not
        now" become DatabaseBusy / DatabaseUnavailable (after the rollback: nothing half-written)."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                try:
                    session.rollback()
                except Exception:  # the connection died with its transaction: the original error says why
                    log.debug("rollback failed after %s", type(exc).__name__, exc_info=True)
                mapped = unavailable_from(exc)
                if mapped is None or mapped is exc:
                    raise
                raise mapped from exc

    def ping(self) -> None:
        """Raise DatabaseUnavailable when a trivial query fails."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except (DBAPIError, PoolTimeout) as exc:
            raise (unavailable_from(exc) or DatabaseUnavailable(str(exc))) from exc

    def dispose(self) -> None:
        self.engine.dispose()
