"""The fake clock tests move instead of sleeping (the real one lives in dialogs.clock)."""

from dialogs.clock import Clock, FakeClock, SystemClock

__all__ = ["Clock", "FakeClock", "SystemClock"]
