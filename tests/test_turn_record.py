"""A turn records who is talking and reads who they are (roles, managed domains, projects they are named manager of)
in one transaction (storage.turns): the permission rules of that turn decide on what was read there, a change made
before the turn counts in it, and a person linked during the turn is judged as the linked person."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.projects import ProjectRepository
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import TENANT, BotDriver
from tests.harness.connector import FakeConnector
from tests.test_menu import rows
from tests.test_project_turns import create_project, grant
from tests.test_roster_linking import import_with

NADIA = TeamsUser.named("Nadia Peeters", locale="en-US")


def person_id(db: Database, user: TeamsUser) -> int:
    [person] = DirectoryRepository(db).find(user.aad_object_id)
    assert person.id is not None
    return person.id


def counting_sessions(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the transactions opened from now on (one entry each)."""
    opened: list[int] = []
    real = db.session

    def session(*args: Any, **kwargs: Any) -> AbstractContextManager[Any]:
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(db, "session", session)
    return opened


async def test_a_help_turn_goes_to_the_database_once_and_shows_what_the_standing_read_there_allows(
    bot: BotDriver, db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.say(NADIA, "help")
    DirectoryRepository(db).grant(person_id(db, NADIA), Role.MANAGER, actor_id=None, now=clock.now())
    opened = counting_sessions(db, monkeypatch)

    answer = await bot.say(NADIA, "help")

    assert "portfolio" in rows(answer.cards[0])  # the manager's menu, decided on the roles read with the record
    assert len(opened) == 1


async def test_being_named_manager_of_a_project_counts_from_the_next_turn(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    await grant(bot, db, NADIA, Role.COORDINATOR)
    await create_project(bot, NADIA, coordinator="", manager="")
    colleague = TeamsUser.named("Pieter Claes", locale="en-US")
    before = await bot.say(colleague, "help")
    assert "portfolio" not in rows(before.cards[0])

    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None
    ProjectRepository(db).update(
        project.id, {"manager_id": person_id(db, colleague)}, None, actor_id=None, now=clock.now()
    )
    after = await bot.say(colleague, "help")

    assert "portfolio" in rows(after.cards[0])


async def test_a_role_taken_away_counts_from_the_next_turn(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await bot.say(NADIA, "help")
    directory = DirectoryRepository(db)
    directory.grant(person_id(db, NADIA), Role.MANAGER, actor_id=None, now=clock.now())
    assert "portfolio" in rows((await bot.say(NADIA, "help")).cards[0])

    directory.revoke(person_id(db, NADIA), Role.MANAGER, actor_id=None, now=clock.now())

    assert "portfolio" not in rows((await bot.say(NADIA, "help")).cards[0])


async def test_a_person_linked_during_the_turn_is_judged_by_the_linked_roles_in_that_same_turn(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, tmp_path: Path
) -> None:
    email = "nadia.peeters@example.test"
    placeholder = import_with(db, tmp_path, clock, email)  # named coordinator by an import, before ever talking
    DirectoryRepository(db).grant(placeholder, Role.MANAGER, actor_id=None, now=clock.now())
    connector.add_member(Conversation.personal(NADIA).id, NADIA.member_record(TENANT, email=email), tenant_id=TENANT)

    first = await bot.say(NADIA, "help")

    assert "portfolio" in rows(first.cards[0])
