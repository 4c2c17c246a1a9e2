"""Database engine and sessions: SQLite (WAL, busy timeout, foreign keys) by default; PostgreSQL for scale."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
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
        return _sqlite_engine(url, echo=echo, busy_timeout_ms=busy_timeout_ms)
    connect_args = {"options": f"-csearch_path={search_path}"} if search_path else {}
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args=connect_args)


def _sqlite_engine(url: str, *, echo: bool, busy_timeout_ms: int) -> Engine:
    parsed = make_url(url)
    in_memory = parsed.database in (None, "", ":memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}}
    if in_memory:
        # One shared connection, or every session would see its own empty database.
        kwargs["poolclass"] = StaticPool
    else:
        Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, **kwargs)

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
