"""The portfolio: domains, local governments, projects, their teams; and the repository that reads and changes them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Numeric, UniqueConstraint, bindparam, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel, col, select

from domain.projects import ProjectFacts, TeamLine
from storage.audit import audit_by_request, record_audit
from storage.db import Database
from storage.directory import person_for_email
from storage.models import Person
from storage.types import UTCDateTime

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,9}-\d{1,5}$")


class GovernmentKind(StrEnum):
    MUNICIPALITY = "municipality"
    POLICE_ZONE = "police_zone"
    EMERGENCY_ZONE = "emergency_zone"
    INTERMUNICIPAL = "intermunicipal"
    OTHER = "other"


class Phase(StrEnum):
    ANALYSIS = "analysis"
    EXECUTION = "execution"
    IMPLEMENTATION = "implementation"
    HANDOVER = "handover"
    AFTER_CARE = "after_care"
    CLOSED = "closed"


class ProjectState(StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


def normalise_code(code: str) -> str:
    """Codes are case-insensitive: stored and compared upper-case, without surrounding spaces."""
    return re.sub(r"\s+", "", code).upper()


def is_valid_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(normalise_code(code)))


class Domain(SQLModel, table=True):
    """A line of business a project belongs to; managers oversee one or more."""

    __tablename__ = "domain"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    name_nl: str = Field(max_length=128)
    name_en: str = Field(max_length=128)

    def name(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_en


class Government(SQLModel, table=True):
    """A local government a project serves (the managed list)."""

    __tablename__ = "government"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(default=GovernmentKind.OTHER.value, max_length=32)


class Project(SQLModel, table=True):
    __tablename__ = "project"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)  # normalised upper-case
    name: str = Field(max_length=200)
    domain_id: int = Field(foreign_key="domain.id")
    description: str = Field(default="", max_length=4000)
    goal: str = Field(default="", max_length=4000)
    scope: str = Field(default="", max_length=4000)
    coordinator_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    manager_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL", index=True)
    planned_start: date | None = None
    planned_end: date | None = None
    budget_hours: Decimal | None = Field(default=None, sa_type=Numeric(12, 2))
    budget_euros: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))
    phase: str = Field(default=Phase.ANALYSIS.value, max_length=32)
    state: str = Field(default=ProjectState.ACTIVE.value, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ProjectGovernment(SQLModel, table=True):
    __tablename__ = "project_government"

    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    government_id: int = Field(foreign_key="government.id", primary_key=True, ondelete="CASCADE")


class TeamMember(SQLModel, table=True):
    """Someone working on a project, internal or external, with their role in it."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("project_id", "person_id", name="uq_team_member"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role: str = Field(default="", max_length=128)
    external: bool = False
    added_at: datetime = Field(sa_type=UTCDateTime)


# The fields a project form or an import may set, with the names the audit log uses.
PROJECT_FIELDS = (
    "name",
    "domain_id",
    "description",
    "goal",
    "scope",
    "coordinator_id",
    "manager_id",
    "planned_start",
    "planned_end",
    "budget_hours",
    "budget_euros",
    "phase",
    "state",
)


@dataclass(frozen=True)
class Lookup:
    """What a project reference (code or part of a name) points at."""

    found: ProjectFacts | None = None
    candidates: list[tuple[str, str]] = field(default_factory=list)  # (code, name) when several match
    suggestions: list[tuple[str, str]] = field(default_factory=list)  # close matches when none does


@dataclass(frozen=True)
class Visibility:
    """Which projects a lookup may show someone: those they coordinate, manage, are on the team of, or (managers)
    oversee by domain. `everything` is for administrators."""

    person_id: int
    domain_ids: frozenset[int] = frozenset()
    everything: bool = False

    def condition(self) -> ColumnElement[bool] | None:
        if self.everything:
            return None
        member_of = select(TeamMember.project_id).where(TeamMember.person_id == self.person_id)
        conditions: list[ColumnElement[bool]] = [
            col(Project.coordinator_id) == self.person_id,
            col(Project.manager_id) == self.person_id,
            col(Project.id).in_(member_of),
        ]
        if self.domain_ids:
            conditions.append(col(Project.domain_id).in_(self.domain_ids))
        return or_(*conditions)

    def sees(self, project: ProjectFacts) -> bool:
        return (
            self.everything
            or self.person_id in (project.coordinator_id, project.manager_id)
            or self.person_id in project.member_ids()
            or project.domain_id in self.domain_ids
        )


def person_label(person: Person | None) -> str | None:
    if person is None:
        return None
    return person.name or person.email or None


class ProjectRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Reading --------------------------------------------------------------------------------------------

    def facts(self, project_id: int) -> ProjectFacts | None:
        with self._db.session() as session:
            return _facts_where(session, _FACTS_BY_ID, id=project_id)

    def by_code(self, code: str) -> ProjectFacts | None:
        with self._db.session() as session:
            return _facts_where(session, _FACTS_BY_CODE, code=normalise_code(code))

    def lookup(
        self, reference: str, *, visible_to: Visibility | None = None, limit: int = 8, suggest: bool = True
    ) -> Lookup:
        """By code (any case), else by a unique part of the name; several give candidates, none suggestions
        (unless `suggest` is False: finding them reads every project's code and name).

        With `visible_to`, only the projects that person may see are considered, for the match as for the
        candidates and suggestions: a project they may not see is not found, and its code and name never shown."""
        wanted = " ".join(reference.split())
        if not wanted:
            return Lookup()
        visible = visible_to.condition() if visible_to is not None else None
        with self._db.session() as session:
            exact = _facts_where(session, _FACTS_BY_CODE, code=normalise_code(wanted))
            if exact is not None and (visible_to is None or visible_to.sees(exact)):
                return Lookup(found=exact)
            pattern = f"%{_escape_like(wanted.lower())}%"
            query = select(Project).where(
                or_(
                    func.lower(Project.name).like(pattern, escape="\\"),
                    func.lower(Project.code).like(pattern, escape="\\"),
                )
            )
            if visible is not None:
                query = query.where(visible)
            matches = list(session.exec(query.order_by(col(Project.code)).limit(limit + 1)))
            if len(matches) == 1:
                return Lookup(found=_facts(session, matches[0]))
            if matches:
                exact_names = [p for p in matches if p.name.lower() == wanted.lower()]
                if len(exact_names) == 1:
                    return Lookup(found=_facts(session, exact_names[0]))
                return Lookup(candidates=[(p.code, p.name) for p in matches[:limit]])
            if not suggest:
                return Lookup()
            every_query = select(Project.code, Project.name)
            if visible is not None:
                every_query = every_query.where(visible)
            every = list(session.exec(every_query))
        return Lookup(suggestions=_close_matches(wanted, [(code, name) for code, name in every]))

    def for_person(self, person_id: int, domain_ids: frozenset[int] = frozenset()) -> list[ProjectFacts]:
        """Projects the person coordinates, manages, is a member of or (managers) oversees by domain."""
        visible = Visibility(person_id, domain_ids).condition()
        assert visible is not None
        with self._db.session() as session:
            projects = session.exec(select(Project).where(visible).order_by(col(Project.code))).all()
            return [_facts(session, p) for p in projects]

    def managed_project_domains(self, person_id: int) -> frozenset[int]:
        """The domains of the projects (not closed) the data names this person manager of; empty when none.

        The portfolio and the digest follow it, with or without the manager role. Read anew for every turn, never
        kept: someone who is no longer named manager of a project stops seeing it at once."""
        with self._db.session() as session:
            return managed_project_domains_in(session, person_id)

    def named_managers(self) -> list[Person]:
        """Everyone named manager of a project that is not closed, once each (the weekly digest's recipients
        besides the managers by role)."""
        with self._db.session() as session:
            named = select(Project.manager_id).where(
                col(Project.manager_id).is_not(None), Project.state != ProjectState.CLOSED.value
            )
            return list(session.exec(select(Person).where(col(Person.id).in_(named)).order_by(col(Person.id))))

    def pickable(self, visible_to: Visibility) -> list[tuple[str, str, bool]]:
        """(code, name, own) of every project not closed that this person may see, by code: what a project picker
        searches. `own`: they coordinate or manage it or are on its team (not only see it through a domain)."""
        own = Visibility(visible_to.person_id).condition()
        assert own is not None
        query = select(Project.code, Project.name, case((own, True), else_=False)).where(
            Project.state != ProjectState.CLOSED.value
        )
        if (visible := visible_to.condition()) is not None:
            query = query.where(visible)
        with self._db.session() as session:
            return [(code, name, bool(mine)) for code, name, mine in session.exec(query.order_by(col(Project.code)))]

    def has_place(self, person_id: int) -> bool:
        """Coordinates, manages or is on the team of any project: part of the organisation's project work."""
        visible = Visibility(person_id).condition()
        assert visible is not None
        with self._db.session() as session:
            return session.exec(select(Project.id).where(visible).limit(1)).first() is not None

    def domains(self) -> list[Domain]:
        with self._db.session() as session:
            return list(session.exec(select(Domain).order_by(col(Domain.id))))

    def governments(self) -> list[Government]:
        with self._db.session() as session:
            return list(session.exec(select(Government).order_by(col(Government.name))))

    # Changing -------------------------------------------------------------------------------------------

    def create(
        self,
        code: str,
        values: dict[str, Any],
        government_ids: list[int],
        *,
        actor_id: int | None,
        now: datetime,
        request_id: str | None = None,
        placeholders: Mapping[str, str] | None = None,
    ) -> ProjectFacts:
        """A new project, in one transaction with the people `placeholders` names (see _placeholders_in)."""
        with self._db.session() as session:
            values = {**values, **_placeholders_in(session, placeholders, now)}
            return self.create_in(
                session, code, values, government_ids, actor_id=actor_id, now=now, request_id=request_id
            )

    def created_by(self, request_id: str) -> int | None:
        """The project one submission of a new project form (its request id) created, if it did."""
        with self._db.session() as session:
            done = audit_by_request(session, request_id, "project.create")
            return done.entity_id if done is not None else None

    @staticmethod
    def create_in(
        session: Session,
        code: str,
        values: dict[str, Any],
        government_ids: list[int],
        *,
        actor_id: int | None,
        now: datetime,
        request_id: str | None = None,
    ) -> ProjectFacts:
        project = Project(code=normalise_code(code), created_at=now, updated_at=now, **values)
        session.add(project)
        session.flush()
        assert project.id is not None
        for government_id in sorted(set(government_ids)):
            session.add(ProjectGovernment(project_id=project.id, government_id=government_id))
        record_audit(
            session,
            actor_id=actor_id,
            action="project.create",
            entity="project",
            entity_id=project.id,
            fields=sorted([k for k, v in values.items() if v not in (None, "")] + ["code"]),
            now=now,
            request_id=request_id,
        )
        session.flush()
        return _facts(session, project)

    def update(
        self,
        project_id: int,
        values: dict[str, Any],
        government_ids: list[int] | None,
        *,
        actor_id: int | None,
        now: datetime,
        action: str = "project.update",
        placeholders: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Apply the values that differ, in one transaction with the people `placeholders` names (see
        _placeholders_in); returns the names of the fields that changed (empty: nothing to do)."""
        with self._db.session() as session:
            values = {**values, **_placeholders_in(session, placeholders, now)}
            return self.update_in(
                session, project_id, values, government_ids, actor_id=actor_id, now=now, action=action
            )

    @staticmethod
    def update_in(
        session: Session,
        project_id: int,
        values: dict[str, Any],
        government_ids: list[int] | None,
        *,
        actor_id: int | None,
        now: datetime,
        action: str = "project.update",
    ) -> list[str]:
        project = session.get_one(Project, project_id)
        changed = [name for name, value in values.items() if getattr(project, name) != value]
        for name in changed:
            setattr(project, name, values[name])
        if government_ids is not None:
            current = set(
                session.exec(select(ProjectGovernment.government_id).where(ProjectGovernment.project_id == project_id))
            )
            wanted = set(government_ids)
            if current != wanted:
                changed.append("governments")
                for government_id in current - wanted:
                    link = session.get_one(ProjectGovernment, (project_id, government_id))
                    session.delete(link)
                for government_id in wanted - current:
                    session.add(ProjectGovernment(project_id=project_id, government_id=government_id))
        if changed:
            project.updated_at = now
            session.add(project)
            record_audit(
                session,
                actor_id=actor_id,
                action=action,
                entity="project",
                entity_id=project_id,
                fields=sorted(changed),
                now=now,
            )
            session.flush()
        return sorted(changed)

    def add_member(
        self, project_id: int, person: int | str, *, role: str, external: bool, actor_id: int | None, now: datetime
    ) -> tuple[bool, str]:
        """Someone on the team with a role, in one transaction: `person` is their id, or an e-mail address naming
        someone who may not have talked to the bot yet (their placeholder person is made then). Returns False when
        the person is already on the team with this role (a repeated submit changes nothing), and their name as
        the card shows it."""
        with self._db.session() as session:
            found = (
                session.get_one(Person, person)
                if isinstance(person, int)
                else person_for_email(session, person, now=now)
            )
            assert found.id is not None
            person_id, name = found.id, person_label(found) or "?"
            existing = session.exec(
                select(TeamMember).where(TeamMember.project_id == project_id, TeamMember.person_id == person_id)
            ).first()
            if existing is not None and existing.role == role and existing.external == external:
                return False, name
            if existing is None:
                session.add(
                    TeamMember(project_id=project_id, person_id=person_id, role=role, external=external, added_at=now)
                )
                action = "team.add"
            else:
                existing.role, existing.external = role, external
                session.add(existing)
                action = "team.update"
            record_audit(
                session,
                actor_id=actor_id,
                action=action,
                entity="project",
                entity_id=project_id,
                fields=["team"],
                now=now,
            )
            return True, name

    def code_taken(self, code: str) -> bool:
        with self._db.session() as session:
            return session.exec(select(Project.id).where(Project.code == normalise_code(code))).first() is not None


# Made once: a new alias per call would give every statement a new cache key, compiled again each time.
_COORDINATOR = aliased(Person, name="coordinator")
_MANAGER = aliased(Person, name="manager")

# Built once and run with parameters: on the path of every typed log, status or project card, building a
# statement (coercion, cache key) cost about as much as running it on SQLite.
_WITH_PEOPLE = (
    select(Project, Domain, _COORDINATOR, _MANAGER)
    .join(Domain, col(Domain.id) == col(Project.domain_id))
    .outerjoin(_COORDINATOR, col(_COORDINATOR.id) == col(Project.coordinator_id))
    .outerjoin(_MANAGER, col(_MANAGER.id) == col(Project.manager_id))
)
_FACTS_BY_ID = _WITH_PEOPLE.where(col(Project.id) == bindparam("id"))
_FACTS_BY_CODE = _WITH_PEOPLE.where(col(Project.code) == bindparam("code"))
_GOVERNMENTS_OF = (
    select(Government)
    .join(ProjectGovernment, col(ProjectGovernment.government_id) == col(Government.id))
    .where(col(ProjectGovernment.project_id) == bindparam("project_id"))
    .order_by(col(Government.name))
)
_TEAM_OF = (
    select(TeamMember, Person)
    .join(Person, col(Person.id) == col(TeamMember.person_id))
    .where(col(TeamMember.project_id) == bindparam("project_id"))
    .order_by(col(TeamMember.id))
)


def _placeholders_in(session: Session, placeholders: Mapping[str, str] | None, now: datetime) -> dict[str, int]:
    """The person ids for the fields a form named by e-mail address only (coordinator_id, manager_id: an address):
    whoever holds the address, else a new placeholder person (storage.directory.person_for_email)."""
    found: dict[str, int] = {}
    for name, email in (placeholders or {}).items():
        person_id = person_for_email(session, email, now=now).id
        assert person_id is not None
        found[name] = person_id
    return found


def _facts_where(session: Session, statement: Any, **params: Any) -> ProjectFacts | None:
    """The one project a prebuilt statement (_FACTS_BY_ID, _FACTS_BY_CODE) finds, with its domain, coordinator and
    manager from the same query."""
    row = session.exec(statement, params=params).first()
    return _facts_of(session, *row) if row is not None else None


def _facts(session: Session, project: Project) -> ProjectFacts:
    """For a project already loaded: its domain, coordinator and manager in one query."""
    domain, coordinator, manager = session.exec(
        select(Domain, _COORDINATOR, _MANAGER)
        .select_from(Domain)
        .where(Domain.id == project.domain_id)
        .outerjoin(_COORDINATOR, col(_COORDINATOR.id) == project.coordinator_id)
        .outerjoin(_MANAGER, col(_MANAGER.id) == project.manager_id)
    ).one()
    return _facts_of(session, project, domain, coordinator, manager)


def _facts_of(
    session: Session, project: Project, domain: Domain, coordinator: Person | None, manager: Person | None
) -> ProjectFacts:
    assert project.id is not None
    governments = session.exec(_GOVERNMENTS_OF, params={"project_id": project.id}).all()
    team_rows = session.exec(_TEAM_OF, params={"project_id": project.id}).all()
    return ProjectFacts(
        id=project.id,
        code=project.code,
        name=project.name,
        domain_id=project.domain_id,
        domain_nl=domain.name_nl,
        domain_en=domain.name_en,
        description=project.description,
        goal=project.goal,
        scope=project.scope,
        coordinator_id=project.coordinator_id,
        coordinator_name=person_label(coordinator),
        coordinator_email=coordinator.email if coordinator else None,
        manager_id=project.manager_id,
        manager_name=person_label(manager),
        manager_email=manager.email if manager else None,
        planned_start=project.planned_start,
        planned_end=project.planned_end,
        budget_hours=project.budget_hours,
        budget_euros=project.budget_euros,
        phase=project.phase,
        state=project.state,
        government_ids=tuple(g.id for g in governments if g.id is not None),
        governments=tuple(g.name for g in governments),
        team=tuple(
            TeamLine(
                person_id=member.person_id, name=person_label(person) or "?", role=member.role, external=member.external
            )
            for member, person in team_rows
        ),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _close_matches(wanted: str, projects: list[tuple[str, str]], limit: int = 3) -> list[tuple[str, str]]:
    """Projects whose code or name (or a word of it) looks like what was typed: typos, missing letters."""
    lowered = wanted.lower()
    scored: list[tuple[float, str, str]] = []
    for code, name in projects:
        keys = [code.lower(), name.lower(), *name.lower().split()]
        best = max(difflib.SequenceMatcher(None, lowered, key).ratio() for key in keys)
        if best >= 0.6:
            scored.append((best, code, name))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(code, name) for _score, code, name in scored[:limit]]


# Every turn asks it (storage.turns): built once, run with the person's id (building it cost more than running it).
_DOMAINS_NAMED_MANAGER_OF = (
    select(Project.domain_id)
    .where(col(Project.manager_id) == bindparam("person_id"), Project.state != ProjectState.CLOSED.value)
    .distinct()
)


def managed_project_domains_in(session: Session, person_id: int) -> frozenset[int]:
    """ProjectRepository.managed_project_domains inside the caller's transaction."""
    return frozenset(session.exec(_DOMAINS_NAMED_MANAGER_OF, params={"person_id": person_id}))
