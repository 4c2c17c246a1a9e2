"""The permission policy as a table: each role or relation, each action, allowed or refused."""

from __future__ import annotations

import pytest

from dialogs.kernel.permissions import Action, Actor, Relation, allowed, relations_to_project
from storage.directory import Role

A = Action
ADMIN = Actor(roles=frozenset({Role.ADMIN}))
MANAGER_IN_DOMAIN = Actor(roles=frozenset({Role.MANAGER}), relations=frozenset({Relation.DOMAIN_MANAGER}))
MANAGER_ELSEWHERE = Actor(roles=frozenset({Role.MANAGER}))
PROJECT_MANAGER = Actor(roles=frozenset({Role.MANAGER}), relations=frozenset({Relation.PROJECT_MANAGER}))
# No role: the data names them manager of the project (by import or on the form); for the portfolio and the digest,
# of at least one project that is not closed.
NAMED_MANAGER = Actor(relations=frozenset({Relation.PROJECT_MANAGER}))
COORDINATOR = Actor(roles=frozenset({Role.COORDINATOR}), relations=frozenset({Relation.COORDINATOR}))
OTHER_COORDINATOR = Actor(roles=frozenset({Role.COORDINATOR}))
MEMBER = Actor(roles=frozenset({Role.MEMBER}), relations=frozenset({Relation.TEAM_MEMBER}))
SELF = Actor(relations=frozenset({Relation.SELF}))
STRANGER = Actor()
RECEIVER = Actor(roles=frozenset({Role.MEMBER}), relations=frozenset({Relation.RECEIVING_PARTY}))

TABLE = {
    # Columns: view, edit, create, log, time, portfolio, people, lists, status, report; meetings;
    # handover: manage, view, accept; capacity (the order of ACTIONS below).
    "admin": (ADMIN, (True, True, True, False, False, True, True, True, True, True, True, True, True, True, True)),
    "manager, project in domain": (
        MANAGER_IN_DOMAIN,
        (True, False, True, False, False, True, False, False, False, True, False, False, True, False, True),
    ),
    "manager, other domain": (
        MANAGER_ELSEWHERE,
        (False, False, True, False, False, True, False, False, False, False, False, False, False, False, True),
    ),
    "manager named on project": (
        PROJECT_MANAGER,
        (True, False, True, False, True, True, False, False, False, True, False, False, True, False, True),
    ),
    "named manager, no role": (
        NAMED_MANAGER,
        (True, False, False, False, True, True, False, False, False, True, False, False, True, False, True),
    ),
    "coordinator of project": (
        COORDINATOR,
        (True, True, True, True, True, False, False, False, True, True, True, True, True, False, True),
    ),
    "coordinator, other project": (
        OTHER_COORDINATOR,
        (False, False, True, False, False, False, False, False, False, False, False, False, False, False, True),
    ),
    "team member": (
        MEMBER,
        (True, False, False, True, False, False, False, False, False, False, False, False, True, False, False),
    ),
    "the person themselves": (
        SELF,
        (False, False, False, False, True, False, False, False, False, False, False, False, False, False, False),
    ),
    "receiving party": (
        RECEIVER,
        (False, False, False, False, False, False, False, False, False, False, False, False, True, True, False),
    ),
    "stranger": (
        STRANGER,
        (False, False, False, False, False, False, False, False, False, False, False, False, False, False, False),
    ),
}
ACTIONS = (
    A.VIEW_PROJECT,
    A.EDIT_PROJECT,
    A.CREATE_PROJECT,
    A.LOG_OWN_TIME,
    A.VIEW_TIME_OF_OTHER,
    A.VIEW_PORTFOLIO,
    A.MANAGE_PEOPLE,
    A.MANAGE_LISTS,
    A.UPDATE_STATUS,
    A.VIEW_BOARD_REPORT,
    A.MANAGE_MEETINGS,
    A.MANAGE_HANDOVER,
    A.VIEW_HANDOVER,
    A.ACCEPT_HANDOVER,
    A.VIEW_CAPACITY,
)
CASES = [(who, action, expected[i]) for who, (_, expected) in TABLE.items() for i, action in enumerate(ACTIONS)]


@pytest.mark.parametrize(("who", "action", "expected"), CASES, ids=[f"{w}-{a.value}" for w, a, _ in CASES])
def test_permission_table(who: str, action: Action, expected: bool) -> None:
    decision = allowed(TABLE[who][0], action)
    assert decision.allowed is expected
    assert decision.who_can.startswith("permission.who.")


def test_every_action_is_in_the_table() -> None:
    assert set(ACTIONS) == set(Action)


def test_relations_to_a_project() -> None:
    relations = relations_to_project(
        7,
        coordinator_id=7,
        manager_id=8,
        member_ids=frozenset({7, 9}),
        project_domain_id=2,
        managed_domain_ids=frozenset({2}),
        is_manager=False,
    )
    assert relations == {Relation.COORDINATOR, Relation.TEAM_MEMBER}
    as_manager = relations_to_project(
        8,
        coordinator_id=7,
        manager_id=8,
        member_ids=frozenset(),
        project_domain_id=2,
        managed_domain_ids=frozenset({2}),
        is_manager=True,
    )
    assert as_manager == {Relation.PROJECT_MANAGER, Relation.DOMAIN_MANAGER}
