"""Time zones as people type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.kernel.timezones import resolve_timezone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Brussels", "Europe/Brussels"),
        ("europe/brussels", "Europe/Brussels"),
        ("  Brussels ", "Europe/Brussels"),
        ("new york", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
    ],
)
def test_understood(typed: str, zone: str) -> None:
    assert resolve_timezone(typed) == zone


@pytest.mark.parametrize("typed", ["", "   ", "Mars/Phobos", "Brussel", "Europe"])
def test_not_understood(typed: str) -> None:
    assert resolve_timezone(typed) is None


@given(st.text(max_size=60))
def test_never_crashes_and_only_returns_real_zones(typed: str) -> None:
    from zoneinfo import ZoneInfo

    zone = resolve_timezone(typed)
    if zone is not None:
        ZoneInfo(zone)
