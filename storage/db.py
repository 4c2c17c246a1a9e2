"""Database engine and sessions: SQLite (WAL, busy timeout, foreign keys) by default; PostgreSQL for scale."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, ExceptionContext, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

DEFAULT_SQLITE_PATH = Path("data") / "projectbot.db"
SQLITE_BUSY_TIMEOUT_MS = 5000


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or is locked; the user should try again shortly."""


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
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
) -> Engine:
    """search_path (PostgreSQL only) puts every table in that schema; tests use it to stay apart."""
    url = normalise_url(url)
    if is_sqlite(url):
        engine = _sqlite_engine(url, echo=echo, busy_timeout_ms=busy_timeout_ms)
    else:
        connect_args = {"options": f"-csearch_path={search_path}"} if search_path else {}
        engine = create_engine(
            url,
            echo=echo,
            # Statement parameters are people's names, addresses and notes: never in an error's text or a log line.
            hide_parameters=True,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=10,
            connect_args=connect_args,
        )
    event.listen(engine, "handle_error", _keep_values_out_of_errors)
    return engine


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


def _sqlite_engine(url: str, *, echo: bool, busy_timeout_ms: int) -> Engine:
    parsed = make_url(url)
    in_memory = parsed.database in (None, "", ":memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}}
    if in_memory:
        # One shared connection, or every session would see its own empty database.
        kwargs["poolclass"] = StaticPool
    else:
        Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, hide_parameters=True, **kwargs)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, busy_timeout_ms)

    event.listen(engine, "connect", on_connect)
    return engine


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


class Database:
    """The engine plus a session factory; the one object repositories are built from."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_db_engine(url))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back otherwise."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                raise DatabaseUnavailable(str(exc.orig) if exc.orig else str(exc)) from exc
            except BaseException:
                session.rollback()
                raise

    def ping(self) -> None:
        """Raise DatabaseUnavailable when a trivial query fails."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as exc:
            raise DatabaseUnavailable(str(exc.orig) if exc.orig else str(exc)) from exc

    def dispose(self) -> None:
        self.engine.dispose()
