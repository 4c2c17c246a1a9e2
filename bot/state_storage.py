"""The Bot Framework `Storage` interface over our database, so dialog state survives restarts and is shared."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import jsonpickle
from botbuilder.core import Storage, StoreItem

from storage.state import ANY_ETAG, EtagConflict, StateStore, StateWrite

_ETAG = "e_tag"


class DatabaseStorage(Storage):  # type: ignore[misc]
    """Optimistic concurrency as in the SDK's own stores: a write with a stale e-tag fails, '*' always wins."""

    def __init__(self, store: StateStore) -> None:
        super().__init__()
        self._store = store

    async def read(self, keys: list[str]) -> dict[str, Any]:
        if not keys:
            raise ValueError("Storage.read(): keys are required")
        stored = await asyncio.to_thread(self._store.read, keys)
        return {key: _revive(item.data, item.etag) for key, item in stored.items()}

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise ValueError("Storage.write(): changes are required")
        if not changes:
            return
        writes = {key: _to_write(value) for key, value in changes.items()}
        try:
            etags = await asyncio.to_thread(self._store.write, writes, datetime.now(UTC))
        except EtagConflict as conflict:
            raise KeyError(f"Etag conflict: {conflict}") from conflict
        for key, value in changes.items():
            _set_etag(value, etags[key])

    async def delete(self, keys: list[str]) -> None:
        await asyncio.to_thread(self._store.delete, keys)


def _to_write(value: Any) -> StateWrite:
    etag = value.get(_ETAG) if isinstance(value, dict) else getattr(value, _ETAG, None)
    if isinstance(value, StoreItem) or not isinstance(value, dict):
        data = {"pickled": jsonpickle.encode(value, unpicklable=True)}
    else:
        data = {"plain": {k: v for k, v in value.items() if k != _ETAG}}
    return StateWrite(data=data, expected_etag=etag if etag not in (None, "", ANY_ETAG) else None)


def _revive(data: dict[str, Any], etag: str) -> Any:
    if "pickled" in data:
        value = jsonpickle.decode(data["pickled"])
        _set_etag(value, etag)
        return value
    return {**data.get("plain", {}), _ETAG: etag}


def _set_etag(value: Any, etag: str) -> None:
    if isinstance(value, dict):
        value[_ETAG] = etag
    elif hasattr(value, "__dict__"):
        setattr(value, _ETAG, etag)
