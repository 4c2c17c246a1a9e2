"""Exceptions for the log: where they were raised and their types, without messages that may quote a person's input."""

from __future__ import annotations

import itertools
import traceback

# The messages of these are written by code (names of types, attributes and modules), or were made safe where they
# arise (database errors: storage/db.py hides statement parameters and cuts PostgreSQL's DETAIL; HTTP client and Bot
# Connector errors carry status codes, error codes and URLs of ids). Any other message (ValueError's
# `invalid literal for int(): '...'`, KeyError's key, pydantic's input_value, a parser's "unknown string: ...") may
# quote what somebody typed, so it is withheld.
_MESSAGE_FROM_CODE = (
    AttributeError,
    ImportError,
    NameError,
    NotImplementedError,
    RecursionError,
    TimeoutError,
    TypeError,
    ZeroDivisionError,
)
_SAFE_MODULES = ("sqlalchemy.", "sqlite3", "psycopg", "storage.db", "aiohttp.", "msrest.")
WITHHELD = "(message withheld: it may quote personal data)"
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def safe_traceback(error: BaseException) -> str:
    """Like traceback.format_exception, chained exceptions included, with each message kept only when it is safe."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        if current.__cause__ is not None:
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            current = current.__context__
        else:
            current = None
    parts: list[str] = []
    for newer, older in itertools.pairwise(chain):
        parts.append(_one(newer))
        parts.append(_CAUSE if newer.__cause__ is older else _CONTEXT)
    parts.append(_one(chain[-1]))
    return "".join(reversed(parts)).rstrip("\n")


def _one(error: BaseException) -> str:
    frames = "".join(traceback.format_tb(error.__traceback__))
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return f"Traceback (most recent call last):\n{frames}{name}: {safe_message(error)}\n"


def safe_message(error: BaseException) -> str:
    if isinstance(error, _MESSAGE_FROM_CODE) or type(error).__module__.startswith(_SAFE_MODULES):
        return str(error)
    return WITHHELD
