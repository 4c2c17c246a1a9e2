"""The fake clock tests move instead of sleeping (the real one lives in dialogs.kernel.clock)."""

from dialogs.kernel.clock import Clock, FakeClock, SystemClock

__all__ = ["Clock", "FakeClock", "SystemClock"]
