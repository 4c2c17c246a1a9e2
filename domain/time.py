"""Time entries as storage reads them and the time cards render them, with nothing copied field by field between
the two: one entry (the confirmation with Undo and Edit, the form that edits it) and a timesheet's cell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class EntryFacts:
    """One time entry, with its project's code and name."""

    id: int
    person_id: int
    project_id: int
    project_code: str
    project_name: str
    day: date
    minutes: int
    kind: str  # performed | planned
    category: str
    note: str


@dataclass(frozen=True)
class WeekCell:
    """Minutes of one kind on one day for one project (a timesheet cell)."""

    day: date
    project_code: str
    project_name: str
    kind: str
    minutes: int
