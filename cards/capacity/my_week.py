"""The my_week cards of the capacity capability (pure)."""

from __future__ import annotations
