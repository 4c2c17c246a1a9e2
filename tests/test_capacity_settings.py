"""The capacity setting: PROJECTBOT_CAPACITY_AT_RISK_PERCENT is read and bounded (a bad value stops the start)."""

from __future__ import annotations

import pytest

from bot.settings import Settings


def test_at_risk_share_defaults_to_ninety(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROJECTBOT_CAPACITY_AT_RISK_PERCENT", raising=False)
    assert Settings(_env_file=None).capacity_at_risk_percent == 90


def test_at_risk_share_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROJECTBOT_CAPACITY_AT_RISK_PERCENT", "80")
    assert Settings(_env_file=None).capacity_at_risk_percent == 80


@pytest.mark.parametrize("value", ["0", "101", "veel"])
def test_at_risk_share_out_of_range_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PROJECTBOT_CAPACITY_AT_RISK_PERCENT", value)
    with pytest.raises(ValueError, match=r"capacity_at_risk_percent|PROJECTBOT_CAPACITY_AT_RISK_PERCENT"):
        Settings(_env_file=None)
