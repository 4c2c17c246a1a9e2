"""How log lines are written: JSON objects, one a line, for a log collector, or human text (PROJECTBOT_LOG_FORMAT).

Every line carries the instance's id (the same as its name in the outbox's dispatcher lease, `projectbot outbox
list`); every line written during a turn, on the event loop or in a worker thread, carries the turn's id (the
"[ref]" a person sees when something went wrong) and its activity type, so one turn's lines can be found together.
The turn's summary line (bot/teams_bot.py) adds the command or card verb, the duration and the outcome. What a
person typed never goes into these fields (dialogs/kernel/turn_log.py); tracebacks go through bot/log_safety.py.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

from bot.log_safety import safe_traceback
from bot.settings import LogFormat
from dialogs.kernel.turn_log import CURRENT_TURN

# The summary line's fields (passed as `extra`), copied into the JSON object when a record has them.
TURN_FIELDS = ("command", "duration_ms", "outcome")


@cache
def instance_id() -> str:
    """This process: its host, its pid and a random part (a restarted process on the same pid is a new instance)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def default_format(*, verb: str | None, dev: bool) -> LogFormat:
    """Text for people at a terminal (--dev, the chat and the operator's verbs), JSON for a server in production,
    whose output goes to a collector (the container's log, journald)."""
    return LogFormat.JSON if verb == "serve" and not dev else LogFormat.TEXT


def use_format(chosen: LogFormat) -> None:
    """Every line from now on has its turn's context; the root logger's handlers (set up by the CLI) write the
    chosen format. Idempotent."""
    install_turn_context()
    formatter: logging.Formatter = JsonFormatter() if chosen == LogFormat.JSON else TextFormatter()
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)


_previous_factory = logging.getLogRecordFactory()


def install_turn_context() -> None:
    """Every log record from now on carries the turn it was written in (its id and activity type)."""
    if logging.getLogRecordFactory() is not _with_turn:
        logging.setLogRecordFactory(_with_turn)


def _with_turn(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """The turn is read where the line is written (a context variable), not where it is formatted."""
    record = _previous_factory(*args, **kwargs)
    turn = CURRENT_TURN.get()
    record.turn_id = turn.turn_id if turn is not None else None
    record.activity_type = turn.activity_type if turn is not None else None
    return record


class TextFormatter(logging.Formatter):
    """The text format as before, with the turn's id after the logger's name in a turn's lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(turn)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        turn_id = getattr(record, "turn_id", None)
        record.turn = f" [{turn_id}]" if turn_id else ""
        return super().formatMessage(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, instance, and the turn's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "instance": instance_id(),
        }
        for key in ("turn_id", "activity_type", *TURN_FIELDS):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            # Messages kept only where code wrote them (bot/log_safety.py), as in the text lines of a failed turn.
            entry["exception"] = safe_traceback(record.exc_info[1])
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)
