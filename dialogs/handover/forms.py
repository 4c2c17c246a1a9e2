"""The handover's forms read by models: what the plan form and the item form say, each field read or refused with
the message to show under it (a handover.* catalog key as the error's type). What needs the database (the people
named, the conversation chosen, whether a date is past for this plan) is checked by the handler (plan.py,
checklist.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from cards.i18n import Translator
from cards.payloads import field_errors
from cards.values import parse_date, whole_number
from dialogs.handover import rules
from storage.handover import LINK_MAX, TITLE_MAX

MAX_EXTRA_ITEMS = 20
_LINK = re.compile(r"^https?://\S+$")
# Days typed with their unit in either language: "30 dagen", "30 days", "4 weken", "4 weeks".
_DAYS = re.compile(r"^(?P<n>\d{1,4})\s*(?P<unit>d|dg|dag|dagen|day|days|w|wk|week|weken|weeks)\.?$", re.IGNORECASE)


def _stripped(value: Any) -> str:
    return str(value if value is not None else "").strip()


class PlanForm(BaseModel):
    """The plan form, read. Fields are validated in this order, so the receiver sees the conversation chosen and
    the after-care period sees the handover date."""

    model_config = ConfigDict(frozen=True)

    receiver_conversation: str
    receiver: str
    planned: date
    after_care: rules.AfterCare
    support: str
    stakeholders: str
    inform_days: int
    extra_items: tuple[str, ...]

    @field_validator("receiver_conversation", "support", "stakeholders", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return _stripped(value)

    @field_validator("receiver", mode="before")
    @classmethod
    def _receiver(cls, value: Any, info: ValidationInfo) -> str:
        """A person or a team's conversation, not both and not neither."""
        receiver, conversation = _stripped(value), info.data.get("receiver_conversation", "")
        if receiver and conversation:
            raise PydanticCustomError("handover.receiver.both", "a person or a conversation, not both")
        if not receiver and not conversation:
            raise PydanticCustomError("handover.receiver.missing", "who takes it over?")
        return receiver

    @field_validator("planned", mode="before")
    @classmethod
    def _planned(cls, value: Any) -> date:
        typed = _stripped(value)
        if not typed:
            raise PydanticCustomError("handover.planned.missing", "which day?")
        day = parse_date(typed)
        if day is None:
            raise PydanticCustomError("handover.planned.invalid", "not a date", {"value": typed[:20]})
        return day

    @field_validator("after_care", mode="before")
    @classmethod
    def _after_care(cls, value: Any, info: ValidationInfo) -> rules.AfterCare:
        typed = _stripped(value)
        if not typed:
            raise PydanticCustomError("handover.after_care.missing", "how long?")
        care = rules.parse_after_care(typed)
        if care is None:
            raise PydanticCustomError("handover.after_care.invalid", "not a period", {"value": typed[:40]})
        planned = info.data.get("planned")
        if care.end is not None and planned is not None and care.end <= planned:
            raise PydanticCustomError("handover.after_care.before_handover", "ends before the handover")
        return care

    @field_validator("inform_days", mode="before")
    @classmethod
    def _inform_days(cls, value: Any) -> int:
        days = _days(_stripped(value) or str(rules.DEFAULT_INFORM_DAYS))
        if days is None or days > rules.MAX_INFORM_DAYS:
            raise PydanticCustomError("handover.inform_days.invalid", "0 to a year", {"limit": rules.MAX_INFORM_DAYS})
        return days

    @field_validator("extra_items", mode="before")
    @classmethod
    def _extra_items(cls, value: Any) -> tuple[str, ...]:
        """One item a line, spaces collapsed."""
        extra = tuple(" ".join(line.split()) for line in str(value or "").splitlines() if line.strip())
        if len(extra) > MAX_EXTRA_ITEMS:
            raise PydanticCustomError("handover.extra_items.too_many", "too many", {"limit": MAX_EXTRA_ITEMS})
        if any(len(line) > TITLE_MAX for line in extra):
            raise PydanticCustomError("handover.extra_items.too_long", "too long", {"limit": TITLE_MAX})
        return extra


class ItemFields(BaseModel):
    """The item form, read (its owner is a person: the handler looks them up)."""

    model_config = ConfigDict(frozen=True)

    title: str
    due: date | None
    link: str

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, value: Any) -> str:
        title = " ".join(str(value or "").split())
        if not title:
            raise PydanticCustomError("handover.item.title.missing", "what is to be done?")
        if len(title) > TITLE_MAX:
            raise PydanticCustomError("handover.item.title.too_long", "too long", {"limit": TITLE_MAX})
        return title

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, value: Any) -> date | None:
        typed = _stripped(value)
        if not typed:
            return None
        day = parse_date(typed)
        if day is None:
            raise PydanticCustomError("handover.planned.invalid", "not a date", {"value": typed[:20]})
        return day

    @field_validator("link", mode="before")
    @classmethod
    def _link(cls, value: Any) -> str:
        link = _stripped(value)
        if link and (not _LINK.match(link) or len(link) > LINK_MAX):
            raise PydanticCustomError("handover.item.link.invalid", "a web address")
        return link


def form_errors(invalid: ValidationError, t: Translator) -> dict[str, str]:
    """Per field, in the reader's language: this capability's own messages (handover.* catalog keys) and the
    generic ones."""
    own = {
        str(error["loc"][0]): t(error["type"], **dict(error.get("ctx") or {}))
        for error in invalid.errors()
        if error["type"].startswith("handover.") and error["loc"]
    }
    return {**field_errors(invalid, t), **own}


def _days(typed: str) -> int | None:
    """A number of days: bare, or with a day or week unit in either language; None when it is neither."""
    found = _DAYS.match(typed)
    if found is None:
        return whole_number(typed)
    weeks = found["unit"].lower().startswith("w")
    return int(found["n"]) * (7 if weeks else 1)
