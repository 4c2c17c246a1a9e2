"""Identity: a person is who Teams says, never who they type (issue 12, item 1).

An address links roles, projects, placeholders, handovers and imports only when Teams reported it for that Entra
object id. What someone types in settings is a contact preference; names never identify anyone to an operator.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.cli_people import OperatorError
from bot.cli_people import run as run_operator_verb
from dialogs.projects.project_import import import_projects, read_rows
from storage import migrate
from storage.db import Database
from storage.directory import RELEASED_EMAIL, DirectoryRepository, Role
from storage.identity_review import people_to_review
from storage.linking import link_email
from storage.models import Person
from storage.projects import Project
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import TENANT, BotDriver
from tests.harness.connector import FakeConnector
from tests.harness.database import database_at
from tests.test_turns import card_texts

BOB = TeamsUser.named("Bob Smith", locale="en-US")  # the curious colleague
MARC = TeamsUser.named("Marc Claes", locale="nl-BE")  # the future manager, not yet on the bot
FUTURE = "marc.claes@example.test"
HEADER = "code,name,domain,coordinator_email,manager_email,budget_hours,start,end,governments"


def operator(db: Database, *words: str, now: datetime) -> str:
    """Run `projectbot admin grant ...` / `people audit` as the CLI does; what it printed."""
    out = io.StringIO()
    if words[0] == "admin":
        args = argparse.Namespace(verb="admin", admin_verb="grant", person=words[2], role=words[3])
    else:
        args = argparse.Namespace(verb="people", people_verb=words[1])
    assert run_operator_verb(args, db, now=now, out=out) == 0
    return out.getvalue()


def person_of(db: Database, user: TeamsUser) -> Person:
    found = DirectoryRepository(db).identify(user.aad_object_id)
    assert found is not None and found.id is not None
    return found


async def test_typing_a_future_managers_address_claims_nothing(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, tmp_path: Path
) -> None:
    # Bob types the address of a manager who has not talked to the bot yet.
    await bot.say(BOB, "help")
    typed = await bot.submit(
        BOB, {"verb": "settings.save", "language": "auto", "timezone": "", "name": "Bob Smith", "email": FUTURE}
    )
    assert typed.texts[0].endswith(f"Your contact address is now {FUTURE}.")

    # The operator grants the role to that address, and the portfolio import names it as coordinator and manager.
    printed = operator(db, "admin", "grant", FUTURE, "admin", now=clock.now())
    assert "pending" in printed
    csv = tmp_path / "projects.csv"
    csv.write_text(
        f"{HEADER}\nDT-042,Digitaal loket,Digitale transformatie,{FUTURE},{FUTURE},100,,,\n", encoding="utf-8"
    )
    import_projects(db, read_rows(csv), now=clock.now())

    # Bob got none of it: no role, no project.
    bob = person_of(db, BOB)
    assert bob.id is not None and DirectoryRepository(db).roles(bob.id) == frozenset()
    listing = await bot.say(BOB, "projects")
    assert "DT-042" not in " ".join([*listing.texts, *(card_texts(c) for c in listing.cards)])
    assert "not allowed" in (await bot.say(BOB, "roles")).texts[0]

    # When Marc arrives, Teams reports the address for him: the role and the project are his, nobody else has it.
    connector.add_member(Conversation.personal(MARC).id, MARC.member_record(TENANT, email=FUTURE), tenant_id=TENANT)
    await bot.say(MARC, "hulp")
    marc = person_of(db, MARC)
    assert marc.id is not None and marc.email == FUTURE
    assert DirectoryRepository(db).roles(marc.id) == frozenset({Role.ADMIN})
    with db.session() as session:
        project = session.exec(select(Project).where(Project.code == "DT-042")).one()
        assert (project.coordinator_id, project.manager_id) == (marc.id, marc.id)
        assert [p.id for p in session.exec(select(Person).where(Person.email == FUTURE))] == [marc.id]
    assert (await bot.say(MARC, "rollen")).cards  # the roles card: Marc is the admin now
    # And the operator's next grant by that address finds exactly Marc, never "matches 2 people".
    assert operator(db, "admin", "grant", FUTURE, "manager", now=clock.now()).startswith(f"{FUTURE} is now manager")


def test_two_people_can_never_hold_one_address(db: Database, clock: FakeClock) -> None:
    now = clock.now()
    with pytest.raises(IntegrityError), db.session() as session:
        for n in (1, 2):
            session.add(Person(tenant_id=TENANT, aad_object_id=f"obj-{n}", email="same@example.test", created_at=now,
                               updated_at=now))  # fmt: skip
            session.flush()


def test_an_operator_grants_by_address_or_object_id_never_by_a_chosen_name(db: Database, clock: FakeClock) -> None:
    now = clock.now()
    with db.session() as session:
        session.add(Person(tenant_id=TENANT, aad_object_id="obj-bob", name="Marc Claes", created_at=now,
                           updated_at=now))  # fmt: skip
    with pytest.raises(OperatorError):
        operator(db, "admin", "grant", "Marc Claes", "admin", now=now)
    assert operator(db, "admin", "grant", "obj-bob", "member", now=now).endswith("is now member\n")


def test_an_address_teams_reports_for_someone_else_is_released_and_listed_for_review(
    db: Database, clock: FakeClock
) -> None:
    now = clock.now()
    with db.session() as session:
        old = Person(tenant_id=TENANT, aad_object_id="obj-old", name="Former Holder", created_at=now, updated_at=now)
        new = Person(tenant_id=TENANT, aad_object_id="obj-new", name="New Holder", created_at=now, updated_at=now)
        session.add(old)
        session.add(new)
        session.flush()
        assert old.id is not None and new.id is not None
        link_email(session, old.id, "it-ops@example.test", now=now)
    DirectoryRepository(db).grant(old.id, Role.MANAGER, actor_id=None, now=now)

    with db.session() as session:
        link_email(session, new.id, "IT-Ops@example.test", now=now)
    directory = DirectoryRepository(db)
    assert directory.get(new.id).email == "it-ops@example.test"  # type: ignore[union-attr]
    assert directory.get(old.id).email is None  # type: ignore[union-attr]
    assert directory.roles(old.id) == frozenset({Role.MANAGER})  # rows stay with their person

    [review] = people_to_review(db)
    assert (review.person_id, review.reasons) == (old.id, (RELEASED_EMAIL,))
    assert ("person_role.person_id", 1) in review.holdings
    printed = operator(db, "people", "audit", now=now)
    assert "Former Holder" in printed and "person_role.person_id x1" in printed and "released" in printed


# The migration that repairs existing data -----------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def db_at_0010(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_at(request.param, tmp_path, "0010") as database:
        yield database


def test_migration_moves_typed_addresses_out_and_reports_what_they_linked(db_at_0010: Database) -> None:
    db = db_at_0010
    at = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    meta = sa.MetaData()
    meta.reflect(db.engine, only=["person", "audit_log", "person_role"])
    person, audit, role = meta.tables["person"], meta.tables["audit_log"], meta.tables["person_role"]
    common = {"tenant_id": TENANT, "teams_user_id": "", "name_corrected": False, "created_at": at, "updated_at": at}
    with db.engine.begin() as connection:
        connection.execute(
            sa.insert(person),
            [
                {"id": 1, "aad_object_id": "obj-typist", "name": "Typist", "email": "boss@example.test", **common},
                {"id": 2, "aad_object_id": "obj-boss", "name": "Boss", "email": "boss@example.test", **common},
                {"id": 3, "aad_object_id": "obj-dan", "name": "Dan", "email": "dup@example.test", **common},
                {"id": 4, "aad_object_id": "pending:dup@example.test", "name": "", "email": "dup@example.test",
                 **common},
            ],
        )  # fmt: skip
        # The typist typed the address in settings (audited as their own correction), then was granted admin by it.
        connection.execute(
            sa.insert(audit).values(at=at, actor_id=1, action="person.email", entity="person", entity_id=1,
                                    fields=["email"])
        )  # fmt: skip
        connection.execute(sa.insert(role).values(person_id=1, role="admin", granted_at=at))

    migrate.upgrade(db)

    with db.session() as session:
        rows = {p.id: p for p in session.exec(select(Person))}
    assert (rows[1].email, rows[1].contact_email) == (None, "boss@example.test")  # typed: kept as contact only
    assert rows[2].email == "boss@example.test"  # reported by Teams: keeps it
    assert (rows[3].email, rows[4].email) == ("dup@example.test", None)  # a real person wins over a placeholder
    by_person = {r.person_id: r for r in people_to_review(db)}
    assert set(by_person) == {1, 4}
    assert ("person_role.person_id", 1) in by_person[1].holdings
    # The index is unique now.
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(Person(tenant_id=TENANT, aad_object_id="obj-x", email="boss@example.test", created_at=at,
                           updated_at=at))  # fmt: skip
        session.flush()
