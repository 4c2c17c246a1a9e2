"""A turn records who is talking and reads who they are (roles, managed domains, projects they are named manager of)
in one transaction (storage.turns): the permission rules of that turn decide on what was read there, a change made
before the turn counts in it, and a person linked during the turn is judged as the linked person. It writes only what
changed (or a `last_seen` older than storage.turns.SEEN_FRESH_FOR), so most turns never wait for SQLite's writer."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.conversations import ConversationRepository, ConversationSeen
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.people import PersonRepository, PersonSeen
from storage.projects import ProjectRepository
from storage.turns import SEEN_FRESH_FOR, record_turn
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import TENANT, BotDriver
from tests.harness.connector import FakeConnector
from tests.test_menu import rows
from tests.test_project_turns import create_project, grant
from tests.test_roster_linking import import_with
from tests.test_status_jobs import counted

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


SEEN = PersonSeen("tenant-1", "aad-1", "29:1", "Nadia Peeters", "nl-BE", "Europe/Brussels")
CHAT = ConversationSeen(
    channel_id="msteams",
    conversation_id="a:1",
    conversation_type="personal",
    tenant_id="tenant-1",
    service_url="https://smba.example/emea/",
    bot_id="28:bot",
    reference={"conversation": {"id": "a:1", "tenantId": "tenant-1"}, "serviceUrl": "https://smba.example/emea/"},
    user_aad_object_id="aad-1",
)


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def test_a_turn_that_changes_nothing_only_reads_and_one_that_changes_something_writes_it(
    db: Database, clock: FakeClock
) -> None:
    first = record_turn(db, CHAT, SEEN, clock.now())
    clock.advance(SEEN_FRESH_FOR - timedelta(seconds=1))
    with counted(db) as run:
        again = record_turn(db, CHAT, SEEN, clock.now())
    assert writes(run) == []
    assert again.person.id == first.person.id and again.person.updated_at == first.person.updated_at

    for changed in (
        replace(SEEN, name="Nadia Peeters-Claes"),
        replace(SEEN, locale="en-GB"),
        replace(SEEN, timezone="Europe/London"),
        replace(SEEN, teams_user_id="29:2"),
    ):
        with counted(db) as run:
            recorded = record_turn(db, CHAT, changed, clock.now()).person
        assert len(writes(run)) == 1, changed
        assert (recorded.name, recorded.seen_locale, recorded.seen_timezone, recorded.teams_user_id) == (
            changed.name,
            changed.locale,
            changed.timezone,
            changed.teams_user_id,
        )
    # Values an activity leaves out are kept, so leaving them out changes nothing.
    with counted(db) as run:
        record_turn(db, CHAT, replace(SEEN, teams_user_id="29:2", name=None, locale=None, timezone=None), clock.now())
    assert writes(run) == []


def test_when_they_were_last_seen_is_written_again_once_it_is_older_than_the_bound(
    db: Database, clock: FakeClock
) -> None:
    record_turn(db, CHAT, SEEN, clock.now())
    later = clock.advance(SEEN_FRESH_FOR)
    with counted(db) as run:
        record_turn(db, CHAT, SEEN, later)
    assert len(writes(run)) == 2  # the conversation's last_seen and the person's updated_at
    stored = ConversationRepository(db).get("msteams", "a:1")
    person = PersonRepository(db).get("tenant-1", "aad-1")
    assert stored is not None and stored.last_seen == later
    assert person is not None and person.updated_at == later


def test_a_conversation_marked_inactive_elsewhere_is_active_again_with_the_next_activity_from_it(
    db: Database, clock: FakeClock
) -> None:
    conversations = ConversationRepository(db)
    record_turn(db, CHAT, SEEN, clock.now())
    assert conversations.mark_inactive("msteams", "a:1", "403 from the connector")  # as another instance would

    record_turn(db, CHAT, SEEN, clock.advance(timedelta(seconds=5)))

    stored = conversations.get("msteams", "a:1")
    assert stored is not None and stored.active and stored.inactive_reason is None


def test_what_a_conversation_tells_is_written_at_once_and_what_it_leaves_out_is_kept(
    db: Database, clock: FakeClock
) -> None:
    channel = replace(CHAT, conversation_type="channel", user_aad_object_id=None, team_id="19:team", team_name="Loket")
    record_turn(db, channel, SEEN, clock.now())
    with counted(db) as run:
        record_turn(db, replace(channel, team_name=None), SEEN, clock.now())  # most activities do not name the team
    assert writes(run) == []
    moved = replace(channel, team_name=None, service_url="https://smba.example/amer/")
    with counted(db) as run:
        record_turn(db, moved, SEEN, clock.now())
    assert len(writes(run)) == 1
    stored = ConversationRepository(db).get("msteams", "a:1")
    assert stored is not None and (stored.service_url, stored.team_name) == ("https://smba.example/amer/", "Loket")


def test_a_name_the_person_corrected_is_no_change_when_teams_sends_its_own(db: Database, clock: FakeClock) -> None:
    person = record_turn(db, CHAT, SEEN, clock.now()).person
    assert person.id is not None
    with db.session() as session:
        stored = session.get_one(Person, person.id)
        stored.name, stored.name_corrected = "Nadia P.", True
        session.add(stored)
    with counted(db) as run:
        again = record_turn(db, CHAT, SEEN, clock.now()).person
    assert writes(run) == [] and again.name == "Nadia P."
