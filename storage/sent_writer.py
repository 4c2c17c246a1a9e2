"""Recording accepted sends on a path of their own, so a sent message is marked sent without queueing behind other
database work (docs/architecture.md: proactive delivery)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from storage.db import Database, create_db_engine
from storage.outbox import MARK_SENT, OutboxRepository, SentMark, mark_sent_parameters


class SentWriter:
    """Records accepted sends (`mark_sent`) with as little in the way as the database allows; for one thread.

    PostgreSQL: a connection of its own, kept open (no pool to wait for, no ping), in autocommit with
    synchronous_commit off, so a batch is one pipelined round trip and one statement per row: each row's update is
    its own transaction and holds one row lock, so it cannot deadlock with anything. Without the WAL flush a
    commit is as visible to every other session as with it; only a crash of the database server itself could
    undo the last ones (those rows would be sent again, not lost), and waiting for the disk's slowest flushes would
    widen the window in which a crash of this process sends a message twice.

    SQLite: a short transaction on a pooled connection like every other write (SQLite has one writer at a time).
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._engine: Engine | None = None
        self._connection: Connection | None = None

    def write(self, marks: Sequence[SentMark]) -> None:
        if not marks:
            return
        if self._db.is_sqlite:
            OutboxRepository(self._db).mark_sent_many(marks)
            return
        connection = self._connection or self._connect()
        try:
            connection.execute(MARK_SENT, mark_sent_parameters(marks))
        except Exception:
            self._connection = None  # the next write opens it again (the pool pings it first)
            with contextlib.suppress(Exception):
                connection.close()
            raise

    def connect(self) -> None:
        """Open the connection ahead of the first write (that write then waits for no connection set-up)."""
        if not self._db.is_sqlite and self._connection is None:
            self._connect()

    @property
    def connected(self) -> bool:
        return self._db.is_sqlite or self._connection is not None

    def _connect(self) -> Connection:
        if self._engine is None:
            made = self._db.created_with
            self._engine = create_db_engine(
                made["url"],
                search_path=made.get("search_path"),
                pool_size=1,
                **({"wait_seconds": made["wait_seconds"]} if "wait_seconds" in made else {}),
            )
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            connection.execute(text("SET synchronous_commit = off"))
        except Exception:
            connection.close()
            raise
        self._connection = connection
        return connection

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
