"""What storage, cards and dialogs share of project status: the vocabulary (the RAG scale and its dimensions, the
states of a risk, the days of the week a digest may come on, when an update counts as stale) and the values storage
returns and the cards render as they are (a status report, a milestone, a risk, a decision)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

RAG_VALUES = ("green", "amber", "red")  # best to worst
DIMENSIONS = ("schedule", "budget", "scope")  # what a report rates besides the overall status
RISK_STATES = ("open", "mitigated", "occurred", "closed")
ACTIVE_RISK_STATES = ("open", "occurred")  # listed first, and in colour
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_STALE_DAYS = 14  # no update in more than this many days: stale (each manager may choose their own)
DEFAULT_DIGEST_DAY = "monday"
DEFAULT_DIGEST_TIME = "08:30"


@dataclass(frozen=True)
class Report:
    """One status report as written (reports are never changed afterwards)."""

    id: int
    project_id: int
    overall: str  # a RAG value
    schedule: str
    budget: str
    scope: str
    summary: str
    achievements: str
    next_steps: str
    decisions_needed: str
    blockers: str
    author: str | None  # None: unknown, or forgotten
    created_at: datetime  # aware; a card shows it in the reader's zone (the caller moves it there)


@dataclass(frozen=True)
class Decision:
    """A decision or scope change in a project's log."""

    id: int
    kind: str  # decision, scope_change
    decided_on: date
    text: str
    decided_by: str


@dataclass(frozen=True)
class MilestoneFacts:
    id: int
    project_id: int
    title: str
    description: str
    due_on: date
    done_at: datetime | None  # aware; None while open


@dataclass(frozen=True)
class RiskFacts:
    id: int
    project_id: int
    title: str
    description: str
    probability: int  # 1-5
    impact: int  # 1-5
    score: int  # probability x impact
    mitigation: str
    owner_id: int | None
    owner: str | None  # the owner's name, for the cards
    state: str  # one of RISK_STATES
