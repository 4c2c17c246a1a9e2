"""What a meeting series says, shared by the recurrence rules (dialogs/meetings/recurrence.py), the meeting cards
and their verb contracts (cards/meetings/): how a series repeats and how long before a meeting a reminder may come."""

from __future__ import annotations

from enum import StrEnum


class Repeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"  # every two weeks
    MONTHLY = "monthly"  # on the n-th weekday of the month (n from the first date; a 5th weekday means "last")
    MONTHLY_LAST = "monthly_last"  # on the last such weekday of the month


# The longest a reminder may come before its meeting (14 days).
MAX_LEAD_MINUTES = 14 * 24 * 60
