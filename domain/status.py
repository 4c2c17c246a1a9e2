"""The vocabulary of project status that storage, cards and dialogs share: the RAG scale and its dimensions, the
states of a risk, the days of the week a digest may come on, and when an update counts as stale."""

from __future__ import annotations

RAG_VALUES = ("green", "amber", "red")  # best to worst
DIMENSIONS = ("schedule", "budget", "scope")  # what a report rates besides the overall status
RISK_STATES = ("open", "mitigated", "occurred", "closed")
ACTIVE_RISK_STATES = ("open", "occurred")  # listed first, and in colour
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_STALE_DAYS = 14  # no update in more than this many days: stale (each manager may choose their own)
DEFAULT_DIGEST_DAY = "monday"
DEFAULT_DIGEST_TIME = "08:30"
