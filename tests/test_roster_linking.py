"""People named by email in an import are linked when they first talk to the bot (Teams roster lookup)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from dialogs.projects.project_import import import_projects, read_rows
from storage.audit import AuditLog
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.projects import Project, ProjectRepository, TeamMember
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import TENANT, BotDriver
from tests.harness.connector import FakeConnector
from tests.test_turns import card_texts

HEADER = "code,name,domain,coordinator_email,manager_email,budget_hours,start,end,governments"
ROWS = [
    "DT-042,Digitaal loket,Digitale transformatie,{email},,100,,,",
    "TI-007,Netwerk stadhuis,Technology & infrastructure,someone.else@example.test,,300,,,",
]

ELS = TeamsUser.named("Els Wouters", locale="nl-BE")
TOM = TeamsUser.named("Tom Baker", locale="en-GB", timezone="Europe/London")


def import_with(db: Database, tmp_path: Path, clock: FakeClock, email: str) -> int:
    """Import a portfolio that names `email` as coordinator; give the placeholder a role and a team place."""
    path = tmp_path / "projects.csv"
    path.write_text("\n".join([HEADER, *(row.format(email=email) for row in ROWS)]) + "\n", encoding="utf-8")
    import_projects(db, read_rows(path), now=clock.now())
    directory = DirectoryRepository(db)
    [placeholder] = directory.find(email)
    assert placeholder.id is not None and placeholder.aad_object_id.startswith("pending:")
    directory.grant(placeholder.id, Role.COORDINATOR, actor_id=None, now=clock.now())
    other = ProjectRepository(db).by_code("TI-007")
    assert other is not None
    ProjectRepository(db).add_member(
        other.id, placeholder.id, role="architect", external=False, actor_id=placeholder.id, now=clock.now()
    )
    return placeholder.id


def member_lookups(connector: FakeConnector) -> int:
    return sum(1 for r in connector.requests if r.route == "members")


@pytest.mark.parametrize(
    ("user", "command", "why"),
    [(ELS, "projecten", "coördinator"), (TOM, "projects", "coordinator")],
    ids=["nl", "en"],
)
async def test_placeholder_from_import_is_linked_on_first_message(
    bot: BotDriver,
    db: Database,
    clock: FakeClock,
    connector: FakeConnector,
    tmp_path: Path,
    user: TeamsUser,
    command: str,
    why: str,
) -> None:
    email = f"{user.name.lower().replace(' ', '.')}@example.test"
    placeholder_id = import_with(db, tmp_path, clock, email)
    # Teams' roster knows the address with other capitals; the userPrincipalName is the same address.
    connector.add_member(
        Conversation.personal(user).id, user.member_record(TENANT, email=email.title()), tenant_id=TENANT
    )

    first = await bot.say(user, command)

    # The very first answer already knows what the import said about them.
    listing = card_texts(first.cards[0])
    assert "DT-042" in listing and why in listing and "TI-007" in listing
    assert member_lookups(connector) == 1
    directory = DirectoryRepository(db)
    [person] = directory.find(user.aad_object_id)
    assert person.id is not None and person.id != placeholder_id
    assert person.email == email and person.tenant_id == TENANT
    assert directory.roles(person.id) == frozenset({Role.COORDINATOR})
    with db.session() as session:
        assert session.get(Person, placeholder_id) is None
        project = session.exec(select(Project).where(Project.code == "DT-042")).one()
        assert project.coordinator_id == person.id
        [member] = session.exec(select(TeamMember)).all()
        assert (member.person_id, member.role) == (person.id, "architect")
        # The audit log now points at the real person, not at the deleted placeholder.
        actors = {row.actor_id for row in session.exec(select(AuditLog)) if row.action == "team.add"}
        assert actors == {person.id}

    # Linked: nobody is pending any more, so later turns do not ask Teams again.
    await bot.say(user, command)
    assert member_lookups(connector) == 1


async def test_userprincipalname_is_used_when_the_roster_has_no_email(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, tmp_path: Path
) -> None:
    import_with(db, tmp_path, clock, "els.wouters@example.test")
    record = {**ELS.member_record(TENANT), "email": None, "userPrincipalName": "Els.Wouters@example.test"}
    connector.add_member(Conversation.personal(ELS).id, record, tenant_id=TENANT)
    await bot.say(ELS, "hulp")
    [person] = DirectoryRepository(db).find("els.wouters@example.test")
    assert person.aad_object_id == ELS.aad_object_id


@pytest.mark.parametrize(
    ("user", "command", "answer"),
    [(ELS, "hulp", "Waarmee kan ik helpen?"), (TOM, "help", "What can I do for you?")],
    ids=["nl", "en"],
)
async def test_failed_lookup_does_not_break_the_turn_and_is_not_retried_every_turn(
    bot: BotDriver,
    db: Database,
    clock: FakeClock,
    connector: FakeConnector,
    tmp_path: Path,
    user: TeamsUser,
    command: str,
    answer: str,
) -> None:
    placeholder_id = import_with(db, tmp_path, clock, "somebody@example.test")
    # The person's chat is not in the fake roster: Teams answers 404 MemberNotFound / ConversationNotFound.
    first = await bot.say(user, command)
    assert first.status in (200, 201) and first.cards
    assert answer in card_texts(first.cards[0])
    assert member_lookups(connector) == 1
    assert [r.status for r in connector.requests if r.route == "members"] == [404]

    for _ in range(3):
        again = await bot.say(user, command)
        assert again.cards
    assert member_lookups(connector) == 1  # not on every turn

    clock.advance(timedelta(hours=1, minutes=1))
    await bot.say(user, command)
    assert member_lookups(connector) == 2  # tried again after a while
    [person] = DirectoryRepository(db).find(user.aad_object_id)
    assert person.email is None
    assert DirectoryRepository(db).get(placeholder_id) is not None  # the placeholder waits for its owner


async def test_a_server_error_from_the_roster_is_harmless_too(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, tmp_path: Path
) -> None:
    import_with(db, tmp_path, clock, "tom.baker@example.test")
    connector.add_member(Conversation.personal(TOM).id, TOM.member_record(TENANT), tenant_id=TENANT)
    connector.fail_next(403, route="members")
    result = await bot.say(TOM, "projects")
    assert result.cards and "DT-042" not in card_texts(result.cards[0])


@pytest.mark.parametrize(("user", "command"), [(ELS, "hulp"), (TOM, "help")], ids=["nl", "en"])
async def test_email_is_learnt_from_the_roster_once(
    bot: BotDriver, db: Database, connector: FakeConnector, user: TeamsUser, command: str
) -> None:
    """Activities carry no email: the roster is asked once per person, also when nobody waits to be linked."""
    connector.add_member(Conversation.personal(user).id, user.member_record(TENANT), tenant_id=TENANT)
    await bot.say(user, command)
    await bot.say(user, command)
    assert member_lookups(connector) == 1
    [person] = DirectoryRepository(db).find(user.aad_object_id)
    assert person.email is not None and "@" in person.email
