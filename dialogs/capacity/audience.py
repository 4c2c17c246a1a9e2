"""Whose load a reader may see. A coordinator: the people on the projects they coordinate. A manager: everyone on
the projects of their domains and on the projects the data names them manager of. An administrator: everyone on
an ongoing project. Anyone else is refused politely (Action.VIEW_CAPACITY)."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.kernel.permissions import Action, Actor, Relation, allowed
from dialogs.kernel.turn import Request, Services, Stop
from dialogs.kernel.who import me, refusal
from storage.capacity import CapacityRepository, StaffedProject
from storage.directory import Role


@dataclass(frozen=True)
class Audience:
    """The projects a reader oversees (after any filter) and the people on them."""

    projects: tuple[StaffedProject, ...]
    person_ids: frozenset[int]

    def project_named(self, code: str) -> StaffedProject | None:
        return next((p for p in self.projects if p.code == code.upper()), None)


def overseen_projects(request: Request, services: Services) -> tuple[StaffedProject, ...]:
    """The ongoing projects whose people the reader may see; Stop with the polite refusal when they may see no one
    else's load. A coordinator by role with no project yet gets an empty tuple (the view says so)."""
    who = me(request, services)
    repository = CapacityRepository(services.db)
    if Role.ADMIN in who.roles:
        return tuple(repository.open_projects(everything=True))
    projects = repository.open_projects(
        domain_ids=who.domains if Role.MANAGER in who.roles else (),
        coordinator_id=who.id,
        manager_id=who.id,
    )
    # Without a role, the projects found are the ones they coordinate or are named manager of.
    coordinates = any(p.coordinator_id == who.id for p in projects)
    relations = frozenset({Relation.COORDINATOR if coordinates else Relation.PROJECT_MANAGER} if projects else ())
    decision = allowed(Actor(roles=who.roles, relations=relations), Action.VIEW_CAPACITY)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    return tuple(projects)


def may_view_capacity(request: Request, services: Services) -> None:
    """Stop with the polite refusal unless the reader may see other people's free time (beschikbaar)."""
    overseen_projects(request, services)


def audience(
    request: Request,
    services: Services,
    *,
    project_id: int | None = None,
    domain_id: int | None = None,
) -> Audience:
    """The reader's audience, narrowed to one of their projects or to one domain."""
    projects = overseen_projects(request, services)
    if project_id is not None:
        projects = tuple(p for p in projects if p.id == project_id)
    if domain_id is not None:
        projects = tuple(p for p in projects if p.domain_id == domain_id)
    people = CapacityRepository(services.db).people_on([p.id for p in projects])
    return Audience(projects, frozenset(people))
