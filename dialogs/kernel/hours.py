"""Hours spent per project, behind a small interface: status, portfolio and report read it without knowing how time
is registered. The default source reads performed time entries (storage.time_entries); a test or a later change of
registration registers another with `register_hours_source(...)`. Every source answers for many projects in one
query (the portfolio must not issue a query per project).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Protocol

from storage.db import Database
from storage.time_entries import TimeEntryRepository


class HoursSource(Protocol):
    def spent(self, db: Database, project_ids: Collection[int]) -> dict[int, Decimal]:
        """Performed hours per project (projects without any may be left out), in one query."""
        ...

    def spent_by_month(self, db: Database, project_id: int) -> list[tuple[date, Decimal]]:
        """Performed hours per calendar month (its first day), oldest first: for the chart."""
        ...


class NoHours:
    """Nothing spent: what status shows where no time is registered."""

    def spent(self, db: Database, project_ids: Collection[int]) -> dict[int, Decimal]:
        return {}

    def spent_by_month(self, db: Database, project_id: int) -> list[tuple[date, Decimal]]:
        return []


class TimeEntryHours:
    """Performed time entries, summed in SQL (the entry table's project/kind/day/minutes index covers it)."""

    def spent(self, db: Database, project_ids: Collection[int]) -> dict[int, Decimal]:
        minutes = TimeEntryRepository(db).performed_minutes(project_ids)
        return {project_id: _hours(total) for project_id, total in minutes.items()}

    def spent_by_month(self, db: Database, project_id: int) -> list[tuple[date, Decimal]]:
        return [(month, _hours(total)) for month, total in TimeEntryRepository(db).performed_by_month(project_id)]


def _hours(minutes: int) -> Decimal:
    # To the hundredth, as the cards write hours (cards.base.hours_text): the status card and the budget card then
    # say the same 5,25 u, not 5,2 and 5,25.
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


_SOURCES: list[HoursSource] = []


def register_hours_source(source: HoursSource) -> None:
    """The latest registration wins (tests may register a fake, then `reset_hours_source()`)."""
    _SOURCES.append(source)


def reset_hours_source() -> None:
    _SOURCES.clear()


def hours_source() -> HoursSource:
    return _SOURCES[-1] if _SOURCES else TimeEntryHours()
