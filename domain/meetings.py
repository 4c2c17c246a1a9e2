"""Meeting values shared by storage, the recurrence rules (dialogs/meetings/recurrence.py) and the meeting cards
(cards/meetings/): how a series repeats, how long before a meeting a reminder may come, and an action item as
storage returns it and the cards show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Repeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"  # every two weeks
    MONTHLY = "monthly"  # on the n-th weekday of the month (n from the first date; a 5th weekday means "last")
    MONTHLY_LAST = "monthly_last"  # on the last such weekday of the month


# The longest a reminder may come before its meeting (14 days).
MAX_LEAD_MINUTES = 14 * 24 * 60


@dataclass(frozen=True)
class ActionItemFacts:
    """An action item from a meeting report: what the action list and the reminders show."""

    id: int
    project_id: int
    text: str
    owner_id: int | None
    owner: str | None  # the owner's name (or address, for someone who has not talked to the bot yet)
    due_on: date | None
    done: bool = False
