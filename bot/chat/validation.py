"""What the person types into a card's inputs: parsed into what Teams would submit, then checked as a Teams client
checks a card before sending it (isRequired, maxLength, regex, min/max)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.chat.render import CardInput, plain_text, text_of

_YES = {"y", "yes", "j", "ja", "1", "true", "on"}
_NO = {"n", "no", "nee", "0", "false", "off"}
_TIME = re.compile(r"^\d{1,2}:\d{2}$")


@dataclass(frozen=True)
class Problem:
    message: str


def parse_answer(card_input: CardInput, answer: str) -> str | Problem:
    if card_input.kind == "Input.Toggle":
        if answer.lower() in _YES:
            return card_input.value_on
        if answer.lower() in _NO:
            return card_input.value_off
        return Problem("answer y or n")
    if card_input.kind == "Input.ChoiceSet" and card_input.choices:
        parts = [p.strip() for p in answer.split(",")] if card_input.multi_select else [answer]
        chosen = []
        for part in parts:
            value = _choice(card_input, part)
            if value is None:
                return Problem(f"choose a number from 1 to {len(card_input.choices)} (or type a value from the list)")
            chosen.append(value)
        return ",".join(chosen)
    if card_input.kind == "Input.Number":
        try:
            number = float(answer.replace(",", "."))
        except ValueError:
            return Problem("type a number")
        return text_of(number)
    if card_input.kind == "Input.Date":
        try:
            return date.fromisoformat(answer).isoformat()
        except ValueError:
            return Problem("type a date as YYYY-MM-DD")
    if card_input.kind == "Input.Time":
        if not _TIME.match(answer):
            return Problem("type a time as HH:MM")
        hours, minutes = (int(part) for part in answer.split(":"))
        if hours > 23 or minutes > 59:
            return Problem("type a time as HH:MM")
        return f"{hours:02d}:{minutes:02d}"
    return answer


def _choice(card_input: CardInput, answer: str) -> str | None:
    if answer.isdigit() and 1 <= int(answer) <= len(card_input.choices):
        return card_input.choices[int(answer) - 1][1]
    for title, value in card_input.choices:
        if answer.lower() in (value.lower(), plain_text(title).lower()):
            return value
    return None


def check(card_input: CardInput, value: str) -> str | None:
    """The checks a Teams client makes before it sends a card (isRequired, maxLength, regex, min/max)."""
    element = card_input.element
    message = text_of(element.get("errorMessage")) or None
    if card_input.required and (not value or (card_input.kind == "Input.Toggle" and value != card_input.value_on)):
        return message or "this field is required"
    if not value:
        return None
    max_length = element.get("maxLength")
    if isinstance(max_length, int) and len(value) > max_length:
        return message or f"at most {max_length} characters"
    regex = element.get("regex")
    if isinstance(regex, str) and regex:
        try:
            if re.search(regex, value) is None:
                return message or "this value does not have the expected form"
        except re.error:
            pass
    if card_input.kind == "Input.Number":
        number = float(value)
        low, high = element.get("min"), element.get("max")
        if isinstance(low, int | float) and number < low:
            return message or f"at least {text_of(low)}"
        if isinstance(high, int | float) and number > high:
            return message or f"at most {text_of(high)}"
    if card_input.kind in ("Input.Date", "Input.Time"):
        low, high = element.get("min"), element.get("max")
        if isinstance(low, str) and low and value < low:
            return message or f"not before {low}"
        if isinstance(high, str) and high and value > high:
            return message or f"not after {high}"
    return None
