"""Where `projectbot chat` writes its log: a file, so that no log line lands in the middle of the conversation.

The terminal gets warnings and errors only, one short line each (their tracebacks are in the file); everything else
(each turn, the first-run grant, the database pool) goes to the file, whose path the chat prints once at the start.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.settings import Settings
from storage.db import DEFAULT_SQLITE_PATH

CHAT_LOG_NAME = "projectbot-chat.log"


class ChatLogError(Exception):
    """The log file cannot be written (a folder, no permission, ...): said before the chat starts."""


def chat_log_path(settings: Settings) -> Path:
    """PROJECTBOT_CHAT_LOG, else beside the SQLite database (data/projectbot-chat.log by default), else (PostgreSQL)
    in the default data directory."""
    if settings.chat_log:
        return Path(settings.chat_log)
    database = settings.database_location()
    folder = database.parent if database is not None else DEFAULT_SQLITE_PATH.parent
    return folder / CHAT_LOG_NAME


def log_to_file(settings: Settings) -> Path:
    """Send the root logger's lines to the chat's log file (appending) and only warnings to stderr; the resolved
    path. The formatter the CLI chose for the root logger is kept for the file (the same lines as the server's)."""
    path = chat_log_path(settings).resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(path, encoding="utf-8")
    except OSError as problem:
        raise ChatLogError(
            f"cannot write the chat's log to {path}: {problem.strerror or problem}; "
            "PROJECTBOT_CHAT_LOG names a file to append to"
        ) from None
    root = logging.getLogger()
    chosen = next((handler.formatter for handler in root.handlers if handler.formatter is not None), None)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    to_file.setFormatter(chosen or logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    to_terminal = logging.StreamHandler(sys.stderr)
    to_terminal.setLevel(logging.WARNING)
    to_terminal.setFormatter(_ShortFormatter(path))
    root.addHandler(to_file)
    root.addHandler(to_terminal)
    return path


class _ShortFormatter(logging.Formatter):
    """`projectbot: WARNING message`, one line: a traceback between the bot's answers helps nobody at the terminal;
    it is in the file."""

    def __init__(self, log_path: Path) -> None:
        super().__init__("projectbot: %(levelname)s %(message)s")
        self.log_path = log_path

    def format(self, record: logging.LogRecord) -> str:
        line = self.formatMessage(_without_details(record)).split("\n", 1)[0]
        if record.exc_info or "\n" in record.getMessage():
            line += f" (details in {self.log_path})"
        return line


def _without_details(record: logging.LogRecord) -> logging.LogRecord:
    brief = logging.makeLogRecord(record.__dict__)
    brief.message = brief.getMessage()
    brief.exc_info = None
    brief.exc_text = None
    brief.stack_info = None
    return brief
