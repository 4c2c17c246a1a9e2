"""The first administrator: the first person to talk to a local trial (`serve --dev`, `projectbot chat`) becomes
admin and is told what next; production never does that; PROJECTBOT_ADMINS names admins by the address Teams reports."""

from __future__ import annotations

import io
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import Activity
from pydantic import ValidationError
from sqlmodel import select

from bot.chat import ActivityBuilder, ChatUser, Console, TerminalAdapter, run_chat
from bot.http_app import RUNTIME, create_app
from bot.settings import AppType, Settings
from cards.i18n import translator
from dialogs.kernel.rendering import InlineRenderer
from storage import demo, migrate
from storage.db import Database
from storage.directory import DirectoryRepository, PersonRole, Role
from storage.first_run import apply_configured_admins, claim_first_admin
from storage.linking import LinkRepository
from storage.people import PersonRepository, PersonSeen
from tests.conftest import START
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import TENANT, BotDriver
from tests.harness.connector import FakeConnector

NL = translator("nl")
EN = translator("en")
ANN = ChatUser.named("ann")
BOB = ChatUser.named("bob")


def dev_settings(**values: Any) -> Settings:
    return Settings(_env_file=None, dev=True, database_url="sqlite://", default_locale="nl-BE", **values)


def production_settings() -> Settings:
    return Settings(
        _env_file=None,
        dev=False,
        app_id="00000000-0000-4000-8000-0000000000a1",
        app_password="secret",
        app_tenant_id=TENANT,
        app_type=AppType.SINGLE_TENANT,
        database_url="sqlite://",
        default_locale="nl-BE",
    )


@asynccontextmanager
async def running_bot(settings: Settings, db: Database, clock: FakeClock) -> AsyncIterator[Any]:
    """The bot create_app builds, asked for the first-run admin as `serve` asks for it; turns run in process."""
    app = create_app(
        settings,
        db=db,
        clock=clock,
        migrate_on_start=False,
        start_scheduler=False,
        renderer=InlineRenderer(),
        first_run_admin=True,
    )
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield app[RUNTIME].bot
    finally:
        await client.close()


async def say(bot: Any, user: ChatUser, text: str, clock: FakeClock, *, locale: str = "nl-BE") -> str:
    """One typed message through the bot's own turn handler; what it answered, as text."""
    output = io.StringIO()
    adapter = TerminalAdapter(Console(output), first_id=1)
    builder = ActivityBuilder(user, locale=locale, timezone="Europe/Brussels", clock=clock)
    await adapter.run_turn(Activity().deserialize(builder.message(text)), bot.on_turn)
    return " ".join(output.getvalue().split())


def admins(db: Database) -> list[int]:
    with db.session() as session:
        return list(session.exec(select(PersonRole.person_id).where(PersonRole.role == Role.ADMIN.value)))


def person_id(db: Database, user: ChatUser) -> int:
    person = PersonRepository(db).get(user.tenant_id, user.aad_object_id)
    assert person is not None and person.id is not None
    return person.id


def first_lines(key: str, language: str = "nl") -> str:
    """The start of a catalog text as the terminal shows it (markdown markers dropped, spaces collapsed)."""
    text = translator(language)(key)  # type: ignore[arg-type]
    return " ".join(text.replace("**", "").split())[:60]


# Dev mode ------------------------------------------------------------------------------------------------------


async def test_in_dev_mode_the_first_person_becomes_admin_and_hears_what_next(db: Database, clock: FakeClock) -> None:
    async with running_bot(dev_settings(), db, clock) as bot:
        first = await say(bot, ANN, "hulp", clock)
        assert first_lines("first_run.admin") in first
        assert "projectbot demo" in first and "nieuw project" in first
        assert NL("menu.title") in first  # and the answer to what was typed, after it
        ann = person_id(db, ANN)
        assert admins(db) == [ann]
        assert Role.ADMIN in DirectoryRepository(db).roles(ann)

        again = await say(bot, ANN, "hulp", clock)
        second_person = await say(bot, BOB, "help", clock, locale="en-US")
    assert first_lines("first_run.admin") not in again  # said once
    assert first_lines("first_run.admin", "en") not in second_person
    assert admins(db) == [ann]  # the second person is not made admin
    assert Role.ADMIN not in DirectoryRepository(db).roles(person_id(db, BOB))


async def test_the_notice_is_in_the_language_of_the_person(db: Database, clock: FakeClock) -> None:
    async with running_bot(dev_settings(), db, clock) as bot:
        answer = await say(bot, ANN, "help", clock, locale="en-US")
    assert first_lines("first_run.admin", "en") in answer and "new project" in answer


async def test_the_notice_follows_the_words_typed_when_they_are_not_teams_language(
    db: Database, clock: FakeClock
) -> None:
    # Flemish with English Teams (the Playground always says en-US): Dutch words get a Dutch answer, greeting included.
    async with running_bot(dev_settings(), db, clock) as bot:
        answer = await say(bot, ANN, "hulp", clock, locale="en-US")
    assert first_lines("first_run.admin") in answer and NL("menu.title") in answer
    assert first_lines("first_run.admin", "en") not in answer


async def test_in_dev_mode_nobody_is_made_admin_when_someone_already_is(db: Database, clock: FakeClock) -> None:
    # A pending grant (an address nobody has reported yet) counts: the operator chose the admin.
    apply_configured_admins(db, ["chosen@example.test"], clock.now())
    async with running_bot(dev_settings(), db, clock) as bot:
        answer = await say(bot, ANN, "hulp", clock)
    assert first_lines("first_run.admin") not in answer
    assert Role.ADMIN not in DirectoryRepository(db).roles(person_id(db, ANN))


async def test_production_never_makes_the_first_person_admin(db: Database, clock: FakeClock) -> None:
    async with running_bot(production_settings(), db, clock) as bot:  # asked for it, as `serve` asks
        answer = await say(bot, ANN, "hulp", clock)
    assert NL("menu.title") in answer  # the turn ran
    assert first_lines("first_run.admin") not in answer
    assert admins(db) == []


def test_the_terminal_chat_asks_for_it_and_its_tests_do_not(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'chat.db'}", default_locale="nl-BE")

    def chat(user: str, *, first_run_admin: bool) -> str:
        lines = ["hulp"]
        output = io.StringIO()
        run_chat(
            settings,
            input_fn=lambda _prompt: lines.pop(0) if lines else (_ for _ in ()).throw(EOFError),
            output=output,
            clock=FakeClock(START),
            user=user,
            first_run_admin=first_run_admin,
        )
        return " ".join(output.getvalue().split())

    assert first_lines("first_run.admin") not in chat("sam", first_run_admin=False)
    assert first_lines("first_run.admin") in chat("ann", first_run_admin=True)
    assert first_lines("first_run.admin") not in chat("bob", first_run_admin=True)


def test_two_first_messages_at_once_make_one_admin(db: Database, clock: FakeClock) -> None:
    people = PersonRepository(db)
    ids = []
    for n in range(6):
        seen = PersonSeen(TENANT, f"aad-{n}", f"29:{n}", f"Person {n}", "nl-BE", None)
        person = people.record_seen(seen, clock.now())
        assert person.id is not None
        ids.append(person.id)
    start = threading.Barrier(len(ids))

    def claim(pid: int) -> bool:
        start.wait()
        return claim_first_admin(db, pid, clock.now())

    with ThreadPoolExecutor(len(ids)) as pool:
        outcomes = list(pool.map(claim, ids))
    assert outcomes.count(True) == 1
    assert admins(db) == [ids[outcomes.index(True)]]


# PROJECTBOT_ADMINS --------------------------------------------------------------------------------------------


def test_projectbot_admins_takes_addresses_only() -> None:
    assert dev_settings(admins="Ann@Example.org, bob@example.org").admins == ["ann@example.org", "bob@example.org"]
    with pytest.raises(ValidationError, match="PROJECTBOT_ADMINS"):
        dev_settings(admins="ann@example.org, Bob Peeters")


def test_configured_admins_wait_for_teams_to_report_the_address(db: Database, clock: FakeClock) -> None:
    done = apply_configured_admins(db, ["ann@example.test"], clock.now())
    assert (done.granted, done.already, done.pending) == (1, 0, 1)
    again = apply_configured_admins(db, ["ANN@example.test"], clock.now())  # every start: nothing new
    assert (again.granted, again.already) == (0, 1)
    assert len(admins(db)) == 1

    people, links, directory = PersonRepository(db), LinkRepository(db), DirectoryRepository(db)
    ann = people.record_seen(PersonSeen(TENANT, "aad-ann", "29:ann", "Ann", "nl-BE", None), clock.now())
    bob = people.record_seen(PersonSeen(TENANT, "aad-bob", "29:bob", "Bob", "nl-BE", None), clock.now())
    assert ann.id is not None and bob.id is not None
    assert Role.ADMIN not in directory.roles(ann.id)  # a name or a typed address never counts
    links.link_email(bob.id, "bob@example.test", now=clock.now())
    links.link_email(ann.id, "ann@example.test", now=clock.now())
    assert Role.ADMIN in directory.roles(ann.id)
    assert Role.ADMIN not in directory.roles(bob.id)
    assert admins(db) == [ann.id]
    # Once the address is someone's, a later start finds them, not a new placeholder.
    assert apply_configured_admins(db, ["ann@example.test"], clock.now()).pending == 0


async def test_configured_admins_are_applied_at_start_and_honoured_when_teams_reports_them(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    ann, bob = TeamsUser.named("Ann Admin"), TeamsUser.named("Bob Other")
    for user, email in ((ann, "ann@example.test"), (bob, "bob@example.test")):
        connector.add_member(Conversation.personal(user).id, user.member_record(TENANT, email=email), tenant_id=TENANT)
    settings = dev_settings(admins="ann@example.test")
    async with BotDriver.start(db=db, clock=clock, connector=connector, settings=settings) as driver:
        refused = await driver.say(bob, "rollen")
        granted = await driver.say(ann, "rollen")
    assert refused.texts and not refused.cards  # the polite "only administrators"
    assert granted.cards and not granted.texts  # the roles card
    [ann_row] = DirectoryRepository(db).find(ann.aad_object_id)
    assert ann_row.id is not None and admins(db) == [ann_row.id]


def test_on_the_demo_data_the_notice_says_what_to_try(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'chat.db'}", default_locale="nl-BE")
    db = Database.from_url(settings.database_url)
    try:
        migrate.upgrade(db)
        demo.load(
            db, [demo.Trier(ANN.tenant_id, ANN.aad_object_id, ANN.name, ANN.teams_id)], now=START, today=START.date()
        )
    finally:
        db.dispose()
    lines = ["uren"]
    output = io.StringIO()
    run_chat(
        settings,
        input_fn=lambda _prompt: lines.pop(0) if lines else (_ for _ in ()).throw(EOFError),
        output=output,
        clock=FakeClock(START),
        user=ANN,
        first_run_admin=True,
    )
    said = " ".join(output.getvalue().split())
    assert first_lines("first_run.admin_demo") in said and "status DT-042" in said
    assert "projectbot demo" not in said  # it is loaded already: no advice to load it
    assert "DT-042" in said.split("status DT-042")[-1]  # and the timesheet it asked for, with the demo's hours
