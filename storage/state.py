"""Key/value state with e-tags (optimistic concurrency), the ground under the Bot Framework Storage adapter."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import Database
from storage.models import BotStateItem

ANY_ETAG = "*"


class EtagConflict(Exception):
    """Someone else changed the item since it was read."""

    def __init__(self, key: str) -> None:
        super().__init__(f"state item {key!r} was changed by someone else")
        self.key = key


@dataclass(frozen=True)
class StoredState:
    data: dict[str, Any]
    etag: str


@dataclass(frozen=True)
class StateWrite:
    data: dict[str, Any]
    # None or "*": write unconditionally; otherwise only when the stored e-tag still matches.
    expected_etag: str | None = None


class StateStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def read(self, keys: Iterable[str]) -> dict[str, StoredState]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        with self._db.session() as session:
            rows = session.exec(select(BotStateItem).where(col(BotStateItem.key).in_(wanted))).all()
            return {row.key: StoredState(data=row.data, etag=row.etag) for row in rows}

    def write(self, changes: Mapping[str, StateWrite], now: datetime) -> dict[str, str]:
        """Write all changes in one transaction; returns the new e-tags. Raises EtagConflict, writing nothing."""
        new_etags: dict[str, str] = {}
        with self._db.session() as session:
            for key, change in changes.items():
                etag = uuid.uuid4().hex
                if change.expected_etag in (None, ANY_ETAG):
                    self._put(session, key, change.data, etag, now)
                else:
                    result = session.execute(
                        update(BotStateItem)
                        .where(col(BotStateItem.key) == key, col(BotStateItem.etag) == change.expected_etag)
                        .values(data=change.data, etag=etag, updated_at=now)
                    )
                    if not result.rowcount and not self._insert_new(session, key, change.data, etag, now):  # type: ignore[attr-defined]
                        raise EtagConflict(key)
                new_etags[key] = etag
        return new_etags

    @staticmethod
    def _put(session: Any, key: str, data: dict[str, Any], etag: str, now: datetime) -> None:
        overwrite = (
            update(BotStateItem).where(col(BotStateItem.key) == key).values(data=data, etag=etag, updated_at=now)
        )
        if session.execute(overwrite).rowcount or StateStore._insert_new(session, key, data, etag, now):
            return
        # Another writer inserted it between our update and insert; last writer wins, as '*' asks.
        session.execute(overwrite)

    @staticmethod
    def _insert_new(session: Any, key: str, data: dict[str, Any], etag: str, now: datetime) -> bool:
        """An e-tag for an item that does not exist (any more) is no conflict, as in the SDK's own stores."""
        try:
            with session.begin_nested():
                session.execute(insert(BotStateItem).values(key=key, data=data, etag=etag, updated_at=now))
        except IntegrityError:
            return False
        return True

    def delete(self, keys: Iterable[str]) -> None:
        wanted = list(keys)
        if not wanted:
            return
        with self._db.session() as session:
            session.execute(delete(BotStateItem).where(col(BotStateItem.key).in_(wanted)))
