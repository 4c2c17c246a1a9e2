"""What the log and the metrics say about the turn under way: its id, which command or card verb answered it, and
how it ended. Never what was typed: a command's or verb's name is written by code, the text after it is not.

The transport (bot/teams_bot.py) starts one per turn and writes the turn's summary line; the router notes the
command and its refusals. A context variable, so that every log line of the turn (on the event loop and in the
worker threads `asyncio.to_thread` copies the context into) carries the turn's id.
"""

from __future__ import annotations

import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

# ok: answered as asked; refused: not allowed, or a handler's early answer (not found, which project?); unknown: no
# command or card verb matched; invalid: the text or the card's data could not be taken (too long, unreadable,
# fields wrong); busy: the database or the drawing workers did not free up within the turn's bound; unavailable:
# the database cannot be reached or is read-only; error: a defect (logged with its traceback).
Outcome = Literal["ok", "refused", "unknown", "invalid", "busy", "unavailable", "error"]
OUTCOMES: tuple[Outcome, ...] = ("ok", "refused", "unknown", "invalid", "busy", "unavailable", "error")


def new_turn_id() -> str:
    """Short enough to read out to the service desk ("something went wrong [ref]"), random enough to find one turn
    among a day's lines."""
    return uuid.uuid4().hex[:8]


@dataclass
class TurnLog:
    activity_type: str
    turn_id: str = field(default_factory=new_turn_id)
    command: str | None = None  # a command's or registered card verb's name, never the text that named it
    outcome: Outcome = "ok"
    started: float = field(default_factory=time.monotonic)

    def elapsed_ms(self) -> float:
        return (time.monotonic() - self.started) * 1000


CURRENT_TURN: ContextVar[TurnLog | None] = ContextVar("projectbot_turn_log", default=None)


def current_turn_id() -> str | None:
    turn = CURRENT_TURN.get()
    return turn.turn_id if turn is not None else None


def note_command(name: str) -> None:
    """The command or card verb that answers the turn (the last one noted wins: a "which project?" choice runs its
    command again)."""
    turn = CURRENT_TURN.get()
    if turn is not None:
        turn.command = name


def note_outcome(outcome: Outcome) -> None:
    turn = CURRENT_TURN.get()
    if turn is not None:
        turn.outcome = outcome
