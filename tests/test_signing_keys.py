"""The signing-key refresh runs in a worker thread, never on the event loop, and survives a failing endpoint."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from bot import signing_keys


class FakeResponse:
    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def raise_for_status(self) -> None:
        return None

    def json(self) -> dict[str, Any]:
        return self._data


@pytest.fixture
def saved_cache() -> Any:
    saved = dict(JwtTokenExtractor.metadataCache)
    yield
    JwtTokenExtractor.metadataCache.clear()
    JwtTokenExtractor.metadataCache.update(saved)


async def test_refresh_fetches_keys_off_the_event_loop(monkeypatch: pytest.MonkeyPatch, saved_cache: Any) -> None:
    loop_thread = threading.get_ident()
    calls: list[tuple[str, int]] = []

    def fake_get(url: str) -> FakeResponse:
        calls.append((url, threading.get_ident()))
        if url.endswith("/keys"):
            return FakeResponse({"keys": [{"kid": "k1", "kty": "RSA", "n": "x", "e": "AQAB"}]})
        return FakeResponse({"jwks_uri": "https://login.example/keys"})

    monkeypatch.setattr("botframework.connector.auth.jwt_token_extractor.requests.get", fake_get)
    await signing_keys.refresh_signing_keys()
    assert calls and all(thread != loop_thread for _, thread in calls)
    metadata = JwtTokenExtractor.get_open_id_metadata(signing_keys.METADATA_URLS[0])
    assert [key["kid"] for key in metadata.keys] == ["k1"]
    assert metadata.last_updated > datetime.now() - timedelta(minutes=1)


async def test_a_failing_endpoint_keeps_the_old_keys(monkeypatch: pytest.MonkeyPatch, saved_cache: Any) -> None:
    metadata = JwtTokenExtractor.get_open_id_metadata(signing_keys.METADATA_URLS[0])
    metadata.keys = [{"kid": "old"}]

    def failing_get(url: str) -> FakeResponse:
        raise ConnectionError("no route")

    monkeypatch.setattr("botframework.connector.auth.jwt_token_extractor.requests.get", failing_get)
    await signing_keys.refresh_signing_keys()
    assert metadata.keys == [{"kid": "old"}]
