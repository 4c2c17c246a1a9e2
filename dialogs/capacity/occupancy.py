"""`bezetting` / `capacity`: people x weeks, planned against available, for a coordinator's or manager's people."""

from __future__ import annotations
