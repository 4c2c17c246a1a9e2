"""Who may do what: the one policy every handler asks (pure; tested as a table in tests/test_permissions.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.directory import Role


class Action(StrEnum):
    VIEW_PROJECT = "view_project"
    EDIT_PROJECT = "edit_project"  # facts, team, phase
    CREATE_PROJECT = "create_project"
    LOG_OWN_TIME = "log_own_time"
    VIEW_TIME_OF_OTHER = "view_time_of_other"
    VIEW_PORTFOLIO = "view_portfolio"
    MANAGE_PEOPLE = "manage_people"
    MANAGE_LISTS = "manage_lists"  # the domains and local governments projects choose from
    UPDATE_STATUS = "update_status"  # status reports, milestones, risks, decisions, retrospective
    VIEW_BOARD_REPORT = "view_board_report"
    MANAGE_MEETINGS = "manage_meetings"  # meeting series, occurrences, reports; any action item's state
    MANAGE_HANDOVER = "manage_handover"  # plan, checklist, asking for acceptance
    VIEW_HANDOVER = "view_handover"  # the plan and its dossier
    ACCEPT_HANDOVER = "accept_handover"  # accept (or say "not yet")
    VIEW_CAPACITY = "view_capacity"  # other people's load per week (bezetting, beschikbaar, export planning)


class Relation(StrEnum):
    """How the actor stands to the thing acted on (a project, or a person's time)."""

    COORDINATOR = "coordinator"  # coordinates the project
    PROJECT_MANAGER = "project_manager"  # is the manager named on the project
    DOMAIN_MANAGER = "domain_manager"  # manager overseeing the project's domain
    TEAM_MEMBER = "team_member"
    SELF = "self"  # the person whose data it is
    RECEIVING_PARTY = "receiving_party"  # takes the project over: the named person, or someone in the named team chat


@dataclass(frozen=True)
class Actor:
    roles: frozenset[Role] = frozenset()
    relations: frozenset[Relation] = frozenset()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    who_can: str  # catalog key naming who may do it, for the polite refusal


_WHO = {
    Action.VIEW_PROJECT: "permission.who.view_project",
    Action.EDIT_PROJECT: "permission.who.edit_project",
    Action.CREATE_PROJECT: "permission.who.create_project",
    Action.LOG_OWN_TIME: "permission.who.log_own_time",
    Action.VIEW_TIME_OF_OTHER: "permission.who.view_time_of_other",
    Action.VIEW_PORTFOLIO: "permission.who.view_portfolio",
    Action.MANAGE_PEOPLE: "permission.who.manage_people",
    Action.MANAGE_LISTS: "permission.who.manage_lists",
    Action.UPDATE_STATUS: "permission.who.update_status",
    Action.VIEW_BOARD_REPORT: "permission.who.view_board_report",
    Action.MANAGE_MEETINGS: "permission.who.manage_meetings",
    Action.MANAGE_HANDOVER: "permission.who.manage_handover",
    Action.VIEW_HANDOVER: "permission.who.view_handover",
    Action.ACCEPT_HANDOVER: "permission.who.accept_handover",
    Action.VIEW_CAPACITY: "permission.who.view_capacity",
}

# For each action: the roles that allow it anywhere, and the relations to the target that allow it.
_RULES: dict[Action, tuple[frozenset[Role], frozenset[Relation]]] = {
    Action.VIEW_PROJECT: (
        frozenset({Role.ADMIN}),
        frozenset({Relation.COORDINATOR, Relation.PROJECT_MANAGER, Relation.DOMAIN_MANAGER, Relation.TEAM_MEMBER}),
    ),
    # Coordinators change the projects they coordinate; admins can step in (someone left, a project is orphaned).
    Action.EDIT_PROJECT: (frozenset({Role.ADMIN}), frozenset({Relation.COORDINATOR})),
    Action.CREATE_PROJECT: (frozenset({Role.ADMIN, Role.COORDINATOR, Role.MANAGER}), frozenset()),
    Action.LOG_OWN_TIME: (frozenset(), frozenset({Relation.TEAM_MEMBER, Relation.COORDINATOR})),
    # Personal time entries: the person, the project's coordinator and its manager — nobody else, not even admins.
    Action.VIEW_TIME_OF_OTHER: (
        frozenset(),
        frozenset({Relation.SELF, Relation.COORDINATOR, Relation.PROJECT_MANAGER}),
    ),
    # The portfolio and its weekly digest: managers (their domains), admins (everything), and whoever the data names
    # as manager of a project that is not closed (those projects), with or without the role. Here the relation is
    # to the portfolio: PROJECT_MANAGER means "named manager of at least one of its projects".
    Action.VIEW_PORTFOLIO: (frozenset({Role.MANAGER, Role.ADMIN}), frozenset({Relation.PROJECT_MANAGER})),
    Action.MANAGE_PEOPLE: (frozenset({Role.ADMIN}), frozenset()),
    # Admins manage people and settings; the shared lists are settings every project depends on.
    Action.MANAGE_LISTS: (frozenset({Role.ADMIN}), frozenset()),
    # The status of a project is the coordinator's to keep; admins can step in like for the project's facts.
    Action.UPDATE_STATUS: (frozenset({Role.ADMIN}), frozenset({Relation.COORDINATOR})),
    # The board description is for those who report on the project: its coordinator and managers.
    Action.VIEW_BOARD_REPORT: (
        frozenset({Role.ADMIN}),
        frozenset({Relation.COORDINATOR, Relation.PROJECT_MANAGER, Relation.DOMAIN_MANAGER}),
    ),
    # The handover is the coordinator's to plan, like the project's facts; admins can step in.
    # Project meetings are organised by the coordinator (the product's "organise and lead meetings").
    Action.MANAGE_MEETINGS: (frozenset({Role.ADMIN}), frozenset({Relation.COORDINATOR})),
    Action.MANAGE_HANDOVER: (frozenset({Role.ADMIN}), frozenset({Relation.COORDINATOR})),
    # Everyone who may see the project, and the receiving party (who needs the dossier for their records).
    Action.VIEW_HANDOVER: (
        frozenset({Role.ADMIN}),
        frozenset(
            {
                Relation.COORDINATOR,
                Relation.PROJECT_MANAGER,
                Relation.DOMAIN_MANAGER,
                Relation.TEAM_MEMBER,
                Relation.RECEIVING_PARTY,
            }
        ),
    ),
    # Only the receiving party accepts; an admin can record it for them (e.g. accepted by mail).
    Action.ACCEPT_HANDOVER: (frozenset({Role.ADMIN}), frozenset({Relation.RECEIVING_PARTY})),
    # Other people's planned hours against their availability: those who staff projects (coordinators, by role or
    # because they coordinate one), managers (their domains, or the projects they are named manager of), admins.
    # Here the relations are to the capacity view: COORDINATOR means "coordinates at least one ongoing project".
    Action.VIEW_CAPACITY: (
        frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR}),
        frozenset({Relation.COORDINATOR, Relation.PROJECT_MANAGER}),
    ),
}


def allowed(actor: Actor, action: Action) -> Decision:
    roles, relations = _RULES[action]
    ok = bool(actor.roles & roles) or bool(actor.relations & relations)
    return Decision(allowed=ok, who_can=_WHO[action])


def relations_to_project(
    person_id: int,
    *,
    coordinator_id: int | None,
    manager_id: int | None,
    member_ids: frozenset[int],
    project_domain_id: int,
    managed_domain_ids: frozenset[int],
    is_manager: bool,
) -> frozenset[Relation]:
    found: set[Relation] = set()
    if coordinator_id == person_id:
        found.add(Relation.COORDINATOR)
    if manager_id == person_id:
        found.add(Relation.PROJECT_MANAGER)
    if person_id in member_ids:
        found.add(Relation.TEAM_MEMBER)
    if is_manager and project_domain_id in managed_domain_ids:
        found.add(Relation.DOMAIN_MANAGER)
    return frozenset(found)
