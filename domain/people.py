"""Who is asking, as a turn sees them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonFacts:
    """The person of a turn, read from their row when the turn starts (storage.people.person_facts) and never
    written back: a handler that changes the person does so through a repository, not through the request."""

    id: int | None
    tenant_id: str
    aad_object_id: str
    name: str
    preferred_timezone: str | None = None
    seen_timezone: str | None = None
    # "nl" or "en" when the person chose a language in settings; "auto" when they declined the offer to make the
    # language they typed their choice (dialogs/kernel/typed_language.py); None when they never said.
    preferred_language: str | None = None
