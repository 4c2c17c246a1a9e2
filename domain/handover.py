"""A project's handover to operational management as plain values: what storage returns (storage.handover) and the
handover's cards render (cards/handover), so nothing is copied field by field on the way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

# An after-care length is stored ISO-8601-like: "P3M", "P6W", "P10D".
_LENGTH_UNITS = {"M": "months", "W": "weeks", "D": "days"}


class HandoverState(StrEnum):
    PLANNED = "planned"
    NOT_YET = "not_yet"  # the receiving party said "not yet", with a reason; the plan goes on
    ACCEPTED = "accepted"  # after-care runs until after_care_until
    CLOSED = "closed"  # after-care ended, the project is closed


# A plan may still change (and be accepted) in these states.
OPEN_STATES = (HandoverState.PLANNED.value, HandoverState.NOT_YET.value)


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    tenant_id: str
    aad_object_id: str | None  # None for a placeholder (named by email, never talked to the bot)


@dataclass(frozen=True)
class ChecklistItem:
    id: int
    key: str | None  # a standard item: its title is the catalog's handover.item.<key>, in the reader's language
    title: str
    owner: PersonRef | None
    due_on: date | None
    link: str
    done_at: datetime | None
    done_by: str | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class HandoverFacts:
    """A handover with everything its cards, reminders and dossier need (no session needed)."""

    id: int
    project_id: int
    code: str
    name: str
    phase: str
    coordinator: PersonRef | None
    receiver_person: PersonRef | None
    receiver_conversation_id: int | None
    receiver_conversation: str | None  # a readable name of the conversation
    receiver_conversation_key: str | None  # its Teams conversation id
    planned_on: date
    after_care_end: date | None
    after_care_length: str  # "P3M"; "" when the plan has an end date
    after_care_until: date | None  # fixed at acceptance
    support: PersonRef | None
    inform_days: int
    state: str  # a HandoverState value
    accepted_by: str | None
    accepted_at: datetime | None
    not_yet_reason: str
    not_yet_by: str | None
    not_yet_at: datetime | None
    stakeholders: tuple[PersonRef, ...]
    items: tuple[ChecklistItem, ...]
    tenant_id: str

    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.done_at is None]


def length_parts(length: str) -> tuple[int, str]:
    """A stored after-care length as (count, unit), unit one of months, weeks, days: "P3M" -> (3, "months")."""
    return int(length[1:-1]), _LENGTH_UNITS[length[-1]]
