"""Reading numbers and dates the way people type them here: Dutch decimal comma, day-first dates (pure)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


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
    """A date from a form (ISO), a spreadsheet cell (a date) or typed text (27/11/2026, 27-11-2026)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar date, no instant)
        except ValueError:
            continue
    return None
