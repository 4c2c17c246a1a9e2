"""The fake clock tests move instead of sleeping (the real one, SystemClock, lives in dialogs.kernel.clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialogs.kernel.clock import Clock, SystemClock

__all__ = ["Clock", "FakeClock", "SystemClock"]


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware instant")
        self._now = instant.astimezone(UTC)
