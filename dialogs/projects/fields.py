"""The project form read by a model: each field read, or refused with the message to show under it (a project.*
catalog key as the error's type, which cards.payloads.field_errors translates). The lists the form chooses from (the
domains, the governments) come in the validation context; what needs a query per value (is the code taken, who is
the person named) is checked by the handler (form.py)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from cards.projects import STATES
from cards.values import parse_date, parse_decimal, parse_id
from storage.projects import is_valid_code, normalise_code

_HOUR_UNIT = re.compile(r"\s*(?:u|uur|uren|h|hr|hrs|hour|hours)\.?$", re.IGNORECASE)

NAME_MAX = 200
BUDGET_LIMIT = Decimal("1e10")  # the budget columns' precision


def _stripped(value: Any) -> str:
    return str(value if value is not None else "").strip()


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context or {}


class ProjectFields(BaseModel):
    """The project form, read; named as the form's inputs, so each error lands under its input. Validated with the
    context {"editing": bool, "domains": ids, "governments": ids}."""

    model_config = ConfigDict(frozen=True)

    code: str  # normalised; "" when editing (the code is not on the form then)
    name: str
    domain: int
    description: str
    goal: str
    scope: str
    governments: tuple[int, ...]
    start: date | None
    end: date | None
    budget_hours: Decimal | None
    budget_euros: Decimal | None
    state: str | None  # only when editing

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any, info: ValidationInfo) -> str:
        if _context(info).get("editing"):
            return ""
        code = normalise_code(str(value or ""))
        if not code:
            raise PydanticCustomError("project.code.missing", "a code")
        if not is_valid_code(code):
            raise PydanticCustomError("project.code.invalid", "like DT-042", {"value": _stripped(value)[:20]})
        return code

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        name = " ".join(str(value or "").split())
        if not name:
            raise PydanticCustomError("project.name.missing", "a name")
        if len(name) > NAME_MAX:
            raise PydanticCustomError("project.name.too_long", "too long")
        return name

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: Any, info: ValidationInfo) -> int:
        domain = parse_id(value)
        if domain is None or domain not in _context(info).get("domains", ()):
            raise PydanticCustomError("project.domain.missing", "a domain")
        return domain

    @field_validator("description", "goal", "scope", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return _stripped(value)  # too long: length_errors, against the column (cards/payloads.py)

    @field_validator("governments", mode="before")
    @classmethod
    def _governments(cls, value: Any, info: ValidationInfo) -> tuple[int, ...]:
        known = _context(info).get("governments", ())
        chosen = [part.strip() for part in str(value or "").split(",") if part.strip()]
        ids = tuple(parse_id(part) for part in chosen)
        if any(government not in known for government in ids):
            raise PydanticCustomError("project.governments.invalid", "one of the list")
        return tuple(government for government in ids if government is not None)

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: Any) -> date | None:
        return _day(value)

    @field_validator("end", mode="before")
    @classmethod
    def _end(cls, value: Any, info: ValidationInfo) -> date | None:
        end, start = _day(value), info.data.get("start")
        if end is not None and start is not None and end < start:
            raise PydanticCustomError("project.date.end_before_start", "after the start")
        return end

    @field_validator("budget_hours", "budget_euros", mode="before")
    @classmethod
    def _budget(cls, value: Any, info: ValidationInfo) -> Decimal | None:
        typed = _stripped(value)
        if not typed:
            return None
        # Hours may be typed with their unit in either language: "120u", "120 uur", "120 h", "120 hours".
        number = parse_decimal(_HOUR_UNIT.sub("", typed) if info.field_name == "budget_hours" else typed)
        if number is None or number < 0 or number >= BUDGET_LIMIT:
            raise PydanticCustomError("project.number.invalid", "a number", {"value": typed[:20]})
        return number.quantize(Decimal("0.01"))

    @field_validator("state", mode="before")
    @classmethod
    def _state(cls, value: Any, info: ValidationInfo) -> str | None:
        if not _context(info).get("editing"):
            return None
        if value not in STATES:
            raise PydanticCustomError("project.state.invalid", "one of the states")
        return str(value)

    def values(self) -> dict[str, Any]:
        """The project's columns this form sets (its people and governments apart)."""
        values: dict[str, Any] = {
            "name": self.name,
            "domain_id": self.domain,
            "description": self.description,
            "goal": self.goal,
            "scope": self.scope,
            "planned_start": self.start,
            "planned_end": self.end,
            "budget_hours": self.budget_hours,
            "budget_euros": self.budget_euros,
        }
        if self.state is not None:
            values["state"] = self.state
        return values


def _day(value: Any) -> date | None:
    typed = _stripped(value)
    if not typed:
        return None
    day = parse_date(typed)
    if day is None:
        raise PydanticCustomError("project.date.invalid", "a date", {"value": typed[:20]})
    return day
