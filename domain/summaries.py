"""What the status card shows of other capabilities' data: plain values their capabilities return through the
registry's status slots (dialogs/kernel/registry.py: Slot.STATUS_HANDOVER, Slot.STATUS_MEETINGS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class HandoverSummary:
    """What a summary (the status card) shows of a project's handover."""

    planned_on: date
    receiver: str
    state: str  # planned, not_yet, accepted, closed
    open_items: int
    total_items: int
    after_care_note: str | None  # during after-care: who gives second-line support until when


@dataclass(frozen=True)
class UpcomingMeeting:
    """One coming occurrence, as a summary shows it (the status card)."""

    title: str
    start: datetime  # aware UTC: the reader's zone is the caller's business
    place: str
    moved: bool
