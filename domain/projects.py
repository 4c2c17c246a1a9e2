"""A project as storage reads it and the cards show it: its facts with the names behind its ids, and its team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class TeamLine:
    """Someone on a project's team: their name as the card shows it, their role in the project, internal or not."""

    person_id: int
    name: str
    role: str
    external: bool


@dataclass(frozen=True)
class ProjectFacts:
    """A project with the names behind its ids (storage.projects builds it; no session needed to read it)."""

    id: int
    code: str
    name: str
    domain_id: int
    domain_nl: str
    domain_en: str
    description: str
    goal: str
    scope: str
    coordinator_id: int | None
    coordinator_name: str | None
    coordinator_email: str | None
    manager_id: int | None
    manager_name: str | None
    manager_email: str | None
    planned_start: date | None
    planned_end: date | None
    budget_hours: Decimal | None
    budget_euros: Decimal | None
    phase: str
    state: str
    government_ids: tuple[int, ...] = ()
    governments: tuple[str, ...] = ()
    team: tuple[TeamLine, ...] = ()

    def domain(self, language: str) -> str:
        """The domain's name in a language (Dutch or English)."""
        return self.domain_nl if language == "nl" else self.domain_en

    def member_ids(self) -> frozenset[int]:
        return frozenset(line.person_id for line in self.team)
