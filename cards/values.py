"""Reading numbers and dates the way people type them here: Dutch decimal comma, day-first dates (pure)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
# The dates people plan and log work on; outside them calendars and time-zone arithmetic overflow (year 1, 9999).
FIRST_YEAR, LAST_YEAR = 2000, 2100
# PostgreSQL's bigint, the type of every id column (Python's ints have no limit).
ID_MAX = 2**63 - 1


def parse_decimal(text: str) -> Decimal | None:
    """'1.234,5', '1234,5', '1 234.5' and '1234.5' all read as 1234.5; None when it is no number."""
    cleaned = re.sub(r"[\s\u00a0€]", "", text or "").replace("'", "")
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        # Whichever comes last is the decimal separator; the other groups thousands.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def parse_date(value: object) -> date | None:
    """A date from a form (ISO), a spreadsheet cell (a date) or typed text (27/11/2026, 27-11-2026); None when it
    is none, or lies outside FIRST_YEAR..LAST_YEAR."""
    if isinstance(value, datetime):
        return sane(value.date())
    if isinstance(value, date):
        return sane(value)
    text = str(value or "").strip()
    for pattern in _DATE_FORMATS:
        try:
            return sane(datetime.strptime(text, pattern).date())  # noqa: DTZ007 (a calendar date, no instant)
        except ValueError:
            continue
    return None


def sane(day: date) -> date | None:
    """The day, when it lies within FIRST_YEAR..LAST_YEAR."""
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def whole_number(value: object) -> int | None:
    """A whole number typed or chosen on a card: ASCII digits only (str.isdigit() also accepts '²', which int()
    refuses), at most 18 of them (so it fits a database integer); None otherwise."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 18 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def parse_id(value: object) -> int | None:
    """A row id from a card (a chosen domain, government, conversation): a positive whole_number, else None."""
    number = whole_number(value)
    return number if number is not None and 0 < number <= ID_MAX else None
