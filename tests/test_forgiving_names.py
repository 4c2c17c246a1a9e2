"""Names as people write them, in use: the seeded domain in the organisation's spelling (migration 0013), typed
filters and activity tags in any spelling, lists that refuse a name that is already there in another spelling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from storage import migrate
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.lists import ListRepository
from storage.projects import Government, GovernmentKind, Project, ProjectRepository
from storage.time_entries import TimeEntry
from tests.harness import FakeClock
from tests.harness.botdriver import BotDriver
from tests.harness.database import database_at
from tests.test_people_settings_and_lists import BOB, error_under
from tests.test_project_turns import AN, create_project, grant, shown_card
from tests.test_status_turns import MARC, coordinator_with_project, submit_data
from tests.test_turns import card_texts, verbs_on

SEEDED = ("Technologie & infrastructuur", "Technology & infrastructure")
OWN_SPELLING = ("Technologie en infrastructuur", "Technology and infrastructure")


# The migration ---------------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def db_at_0012(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at the revision before the rename, with the seeded names."""
    with database_at(request.param, tmp_path, "0012") as database:
        yield database


def _names(db: Database) -> dict[str, tuple[str, str]]:
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT key, name_nl, name_en FROM domain")).all()
    return {key: (nl, en) for key, nl, en in rows}


def _downgrade(db: Database, revision: str) -> None:
    from alembic import command  # the product only upgrades; the test checks the way back too

    with db.engine.begin() as connection:
        command.downgrade(migrate._config(connection), revision)


def test_the_seeded_domain_takes_the_organisations_spelling(db_at_0012: Database) -> None:
    assert _names(db_at_0012)["tech_infra"] == SEEDED
    migrate.upgrade(db_at_0012)
    names = _names(db_at_0012)
    assert names["tech_infra"] == OWN_SPELLING
    assert names["digital_transformation"] == ("Digitale transformatie", "Digital transformation")  # untouched
    _downgrade(db_at_0012, "0012")
    assert _names(db_at_0012)["tech_infra"] == SEEDED


def test_a_name_an_admin_changed_stays_theirs(db_at_0012: Database) -> None:
    with db_at_0012.engine.begin() as connection:
        connection.execute(sa.text("UPDATE domain SET name_nl = 'ICT & netwerk' WHERE key = 'tech_infra'"))
    migrate.upgrade(db_at_0012)
    # The Dutch name was the admin's and stays; the English one was still the seeded name and follows.
    assert _names(db_at_0012)["tech_infra"] == ("ICT & netwerk", OWN_SPELLING[1])


# Typed names in the chat -----------------------------------------------------------------------------------------


def _chosen(card: dict[str, Any], field_id: str) -> Any:
    return next(e for e in card["body"] if e.get("id") == field_id).get("value")


async def test_lessons_by_domain_in_any_spelling(bot: BotDriver, db: Database) -> None:
    await coordinator_with_project(bot, db)  # DT-042, in "Digitale transformatie"
    closed = await bot.submit(AN, {"verb": "projects.phase_save", "code": "DT-042", "phase": "closed"})
    retro = next(c for c in closed.cards if "retro.save" in verbs_on(c))
    await bot.submit(AN, {**submit_data(retro, "retro.save"), "lessons": "Betrek de DPO vroeg."})
    digital = str(next(d.id for d in ProjectRepository(db).domains() if d.key == "digital_transformation"))
    for typed in (
        "lessen DIGITALE  transformatie",
        "lessen digi",
        "lessen Digital Transformation.",
        "lessen dig trans",
    ):
        card = (await bot.say(AN, typed)).cards[0]
        assert _chosen(card, "domain") == digital, typed
        assert "Betrek de DPO vroeg." in card_texts(card), typed
    other = (await bot.say(AN, "lessen Technologie en infrastructuur")).cards[0]
    assert _chosen(other, "domain") != digital and "Nog geen lessen vastgelegd." in card_texts(other)
    searched = (await bot.say(AN, "lessen DPO")).cards[0]  # no domain: searched for in the lessons
    assert "Betrek de DPO vroeg." in card_texts(searched)


async def test_a_typed_phase_in_any_spelling_is_chosen_on_the_form(bot: BotDriver, db: Database) -> None:
    await coordinator_with_project(bot, db)
    for typed, phase in (
        ("fase DT-042 Uitvoering", "execution"),
        ("fase dt-042 nazorg", "after_care"),
        ("fase DT-042 impl", "implementation"),
        ("wijzig fase Digitaal loket overdracht", "handover"),  # by the project's name
    ):
        card = (await bot.say(AN, typed)).cards[0]
        assert _chosen(card, "phase") == phase, typed
        assert "Nu: analyse" in card_texts(card)
    english = (await bot.say(AN, "phase DT-042 after care")).cards[0]
    assert _chosen(english, "phase") == "after_care"
    typo = (await bot.say(AN, "fase DT-042 uitvoring")).cards[0]
    assert "“uitvoring” is geen fase die ik ken. Bedoel je uitvoering? Kies er hier een." in card_texts(typo)
    assert _chosen(typo, "phase") == "analysis"  # nothing chosen for them
    unknown = (await bot.say(AN, "fase DT-042 klaar")).cards[0]
    assert "“klaar” is geen fase die ik ken. Kies er hier een." in card_texts(unknown)
    with db.session() as session:
        assert session.exec(select(Project.phase)).all() == ["analysis"]  # the form only proposes


async def test_typed_activity_tags_in_odd_spellings(bot: BotDriver, db: Database) -> None:
    await coordinator_with_project(bot, db)
    await bot.say(AN, "registreer 1u DT-042 #VERGADER stuurgroep")
    await bot.say(AN, "registreer 1u DT-042 #Opl cursus")
    await bot.say(AN, "registreer 1u DT-042 #coördinatie")
    with db.session() as session:
        categories = session.exec(select(TimeEntry.category).order_by(col(TimeEntry.id))).all()
    assert categories == ["meeting", "training", "coordination"]


async def test_lists_know_a_name_in_another_spelling(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, BOB, Role.ADMIN)
    domain = {"verb": "lists.domain_save", "operation": "add", "domain": "", "name_en": ""}
    again = await bot.submit(BOB, {**domain, "name_nl": "Technologie & Infrastructuur"})
    assert again.texts == ["“Technologie en infrastructuur” was already in the list."]
    english = await bot.submit(BOB, {**domain, "name_nl": "technology AND infrastructure"})
    assert error_under(shown_card(english), "name_nl") == "That name is already taken: “Technologie en infrastructuur”."
    assert len(ProjectRepository(db).domains()) == 2

    def government(**values: str) -> dict[str, Any]:
        return {
            "verb": "lists.government_save",
            "operation": "add",
            "current": "",
            "name": "",
            "kind": "auto",
            **values,
        }

    for name in ("Gemeente Zottegem", "Gemeente Zwalm"):
        await bot.submit(BOB, government(name=name))
    same = await bot.submit(BOB, government(name="gemeente  ZOTTEGEM."))
    assert same.texts == ["“Gemeente Zottegem” was already in the list."]
    changed = await bot.submit(BOB, government(operation="change", current="gem zott", kind="other"))
    assert changed.texts == ["“Gemeente Zottegem” is updated."]
    both = await bot.submit(BOB, government(operation="change", current="gemeente z", kind="other"))
    assert error_under(shown_card(both), "current") == (
        "“gemeente z” could be more than one government: “Gemeente Zottegem”, “Gemeente Zwalm”. Type the full name."
    )
    typo = await bot.submit(BOB, government(operation="change", current="Gemeente Zwam", kind="other"))
    assert error_under(shown_card(typo), "current") == (
        "I know no government called “Gemeente Zwam”. Did you mean “Gemeente Zwalm”?"
    )
    with db.session() as session:
        assert sorted(session.exec(select(Government.name)).all()) == ["Gemeente Zottegem", "Gemeente Zwalm"]


async def test_a_typed_portfolio_filter_in_any_spelling(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await coordinator_with_project(bot, db)  # DT-042 in Digital transformation (2)
    await create_project(bot, AN, code="TI-001", name="Netwerk", domain="1")  # Technology and infrastructure
    for name in ("Gemeente Zottegem", "Gemeente Zwalm"):
        ListRepository(db).add_government(name, GovernmentKind.MUNICIPALITY, actor_id=None, now=clock.now())
    await grant(bot, db, BOB, Role.ADMIN)
    tech = (await bot.say(BOB, "portfolio TECHNOLOGY & infra")).cards[0]
    assert "Portfolio (1 project)" in card_texts(tech) and "TI-001" in card_texts(tech)
    assert "Filtered by domain “Technology and infrastructure”" in card_texts(tech)
    digital = (await bot.say(BOB, "portfolio digi")).cards[0]
    assert "DT-042" in card_texts(digital) and "TI-001" not in card_texts(digital)
    both = await bot.say(BOB, "portfolio gemeente z")
    assert both.texts == [
        "“gemeente z” could be more than one domain or government: “Gemeente Zottegem”, “Gemeente Zwalm”. "
        "Here is the whole portfolio; type the full name or use Filter."
    ]
    assert "Portfolio (2 projects)" in card_texts(both.cards[0])
    # The place name alone, as people say it: "zwalm" is Gemeente Zwalm (a filter may match a later word).
    zwalm = await bot.say(BOB, "portfolio zwalm")
    assert zwalm.texts == [] and "Filtered by local government “Gemeente Zwalm”" in card_texts(zwalm.cards[0])
    typo = await bot.say(BOB, "portfolio Technolgy and infrastructure")
    assert typo.texts == [
        "I know no domain or government called “Technolgy and infrastructure”. Did you mean “Technology and "
        "infrastructure”? Here is the whole portfolio."
    ]
    # A manager of Digital transformation only: another domain is not his to filter on.
    marc_id = await grant(bot, db, MARC, Role.MANAGER)
    DirectoryRepository(db).set_managed_domains(marc_id, {2}, actor_id=None, now=clock.now())
    outside = await bot.say(MARC, "overzicht technologie en infrastructuur")
    assert outside.texts == [
        "Het domein “Technologie en infrastructuur” valt niet onder jouw overzicht. Hieronder het hele overzicht."
    ]
    assert "TI-001" not in card_texts(outside.cards[0]) and "DT-042" in card_texts(outside.cards[0])
    # Someone who may see no portfolio hears only that, whatever they typed.
    refused = await bot.say(AN, "overzicht gemeente z")
    assert len(refused.texts) == 1 and "Gemeente" not in refused.texts[0]
