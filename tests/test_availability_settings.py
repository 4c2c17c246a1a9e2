"""Setting one's availability (issue 17, item 1): hours per week and working days in the settings form, and an
admin setting a colleague's on the roles card (audited; refused for anyone else, forged presses included). Both
languages, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import select

from dialogs.kernel.capacity import week_loads
from domain.availability import parse_hours_per_week, read_availability
from domain.capacity import Availability, Load
from storage import demo
from storage.audit import AuditLog
from storage.capacity import CapacityRepository
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from tests.cardcheck import assert_valid_card
from tests.harness import TeamsUser
from tests.harness.botdriver import TENANT, BotDriver
from tests.test_project_turns import grant, shown_card
from tests.test_turns import card_texts

AN = TeamsUser.named("An Peeters", locale="nl-BE")
BOB = TeamsUser.named("Bob Smith", locale="en-US", timezone="Europe/London")
SAVE = {"verb": "settings.save", "language": "auto", "timezone": ""}


def element(card: dict[str, Any], element_id: str) -> dict[str, Any]:
    """The element with this id anywhere on the card (inputs sit in containers on the roles card)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("id") == element_id:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    assert len(found) == 1, f"{len(found)} elements called {element_id}"
    return found[0]


def error_under(card: dict[str, Any], element_id: str) -> str:
    """The error right under an input, wherever the input sits."""

    def siblings(node: Any) -> list[Any] | None:
        if isinstance(node, dict):
            for value in node.values():
                if (found := siblings(value)) is not None:
                    return found
        elif isinstance(node, list):
            if any(isinstance(e, dict) and e.get("id") == element_id for e in node):
                return node
            for value in node:
                if (found := siblings(value)) is not None:
                    return found
        return None

    items = siblings(card)
    assert items is not None
    index = next(i for i, e in enumerate(items) if isinstance(e, dict) and e.get("id") == element_id)
    following = items[index + 1]
    assert following.get("color") == "Attention", f"no error under {element_id}"
    return str(following["text"])


def person_id(db: Database, user: TeamsUser) -> int:
    [found] = DirectoryRepository(db).find(user.aad_object_id)
    assert found.id is not None
    return found.id


def stored(db: Database, user: TeamsUser) -> Availability | None:
    who = person_id(db, user)
    return CapacityRepository(db).availability([who]).get(who)


def audited(db: Database) -> list[AuditLog]:
    with db.session() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == "person.availability")))


# Reading what people type --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("38", 2280),
        ("30,4", 1824),
        ("30.4", 1824),
        ("32u", 1920),
        ("32 u", 1920),
        ("30u24", 1824),
        ("0", 0),
        ("60", 3600),
    ],
)
def test_hours_per_week_as_people_write_them(typed: str, minutes: int) -> None:
    assert parse_hours_per_week(typed) == minutes


@pytest.mark.parametrize("typed", ["61", "-1", "veel", "", "60,5", "38u75"])
def test_hours_per_week_refused(typed: str) -> None:
    assert parse_hours_per_week(typed) is None


def test_both_fields_read_together() -> None:
    assert read_availability("", "").availability is None and not read_availability("", "").wrong
    assert read_availability("30,4", "ma-do").availability == Availability(1824, frozenset(range(4)))
    assert read_availability("61", "xx").wrong == ("hours", "days")
    assert read_availability("38", "").wrong == ("days",)
    defaults = read_availability("", "", empty_hours=2280, empty_days=frozenset(range(5)))
    assert defaults.availability == Availability.full_time()


# Settings -------------------------------------------------------------------------------------------------------


async def test_settings_show_unknown_honestly_and_save_part_time_in_dutch(bot: BotDriver, db: Database) -> None:
    form = (await bot.say(AN, "instellingen")).cards[0]
    assert_valid_card(form)
    assert element(form, "hours").get("value") == ""  # unknown: empty, never guessed as full time
    assert element(form, "hours")["placeholder"] == "bv. 38"
    assert element(form, "days")["value"] == "mon,tue,wed,thu,fri"
    assert "Voltijds is 38 u over ma–vr" in card_texts(form)
    assert [c["title"] for c in element(form, "days")["choices"]][:2] == ["maandag", "dinsdag"]

    saved = await bot.submit(AN, {**SAVE, "hours": "30,4", "days": "mon,tue,wed,thu"})
    assert saved.texts == [
        "Je instellingen zijn opgeslagen: taal Nederlands, tijdzone Brussel (Europe/Brussels). "
        "Je beschikbaarheid is nu 30,4 u per week over ma, di, wo, do."
    ]
    assert stored(db, AN) == Availability(1824, frozenset(range(4)))
    refreshed = shown_card(saved)
    assert_valid_card(refreshed)
    assert (element(refreshed, "hours")["value"], element(refreshed, "days")["value"]) == ("30,4", "mon,tue,wed,thu")
    [row] = audited(db)
    assert (row.actor_id, row.entity_id, row.fields) == (
        person_id(db, AN),
        person_id(db, AN),
        ["minutes_per_week", "working_days"],
    )

    again = await bot.submit(AN, {**SAVE, "hours": "30.4", "days": "mon,tue,wed,thu"})
    assert "beschikbaarheid" not in again.texts[0]  # unchanged: nothing said, nothing recorded
    assert len(audited(db)) == 1

    # A card without the fields (an older card) leaves the availability as it is.
    await bot.submit(AN, SAVE)
    assert stored(db, AN) == Availability(1824, frozenset(range(4)))

    # Emptying the hours makes it unknown again.
    cleared = await bot.submit(AN, {**SAVE, "hours": "", "days": "mon,tue,wed,thu"})
    assert cleared.texts[0].endswith("Je beschikbaarheid is nu onbekend.")
    assert stored(db, AN) is None


@pytest.mark.parametrize(
    ("hours", "days", "field", "dutch", "english"),
    [
        (
            "61",
            "mon",
            "hours",
            "“61” is geen aantal uren per week tussen 0 en 60.",
            "“61” is not a number of hours per week",
        ),
        ("-1", "mon", "hours", "“-1” is geen aantal uren per week", "“-1” is not a number of hours per week"),
        ("veel", "mon", "hours", "“veel” is geen aantal uren per week", "“veel” is not a number of hours per week"),
        ("38", "", "days", "Kies minstens één werkdag.", "Choose at least one working day."),
        ("38", "xx", "days", "Kies minstens één werkdag.", "Choose at least one working day."),
    ],
)
async def test_bad_values_come_back_under_their_field_and_store_nothing(
    bot: BotDriver, db: Database, hours: str, days: str, field: str, dutch: str, english: str
) -> None:
    for user, expected in ((AN, dutch), (BOB, english)):
        await bot.say(user, "help")
        [before] = DirectoryRepository(db).find(user.aad_object_id)
        # The name changes too in the same form: nothing of the form is stored when a field is wrong.
        refused = await bot.submit(user, {**SAVE, "name": "Someone Else", "hours": hours, "days": days})
        assert refused.texts == []
        again = shown_card(refused)
        assert_valid_card(again)
        assert error_under(again, field).startswith(expected)
        assert element(again, "hours").get("value") == hours  # what was typed is kept
        assert stored(db, user) is None
        [after] = DirectoryRepository(db).find(user.aad_object_id)
        assert after.name == before.name
    assert audited(db) == []


async def test_settings_in_english(bot: BotDriver, db: Database) -> None:
    form = (await bot.say(BOB, "settings")).cards[0]
    assert "Full time is 38 h over Mon–Fri" in card_texts(form)
    assert [c["title"] for c in element(form, "days")["choices"]][-1] == "Sunday"
    saved = await bot.submit(BOB, {**SAVE, "hours": "32u", "days": "mon,tue,wed,thu,fri"})
    assert saved.texts[0].endswith("Your availability is now 32 h a week over mon, tue, wed, thu, fri.")
    assert stored(db, BOB) == Availability(32 * 60, frozenset(range(5)))
    assert element(shown_card(saved), "hours")["value"] == "32"


async def test_someone_elses_settings_card_saves_nothing(bot: BotDriver, db: Database) -> None:
    an = (await bot.say(AN, "instellingen")).cards[0]
    owner = next(a["data"]["owner"] for a in an["actions"] if a.get("data", {}).get("verb") == "settings.save")
    await bot.submit(BOB, {**SAVE, "owner": owner, "hours": "10", "days": "mon"})
    assert stored(db, AN) is None and stored(db, BOB) is None


# The roles card -------------------------------------------------------------------------------------------------


async def test_an_admin_sets_a_colleagues_availability_in_english(bot: BotDriver, db: Database) -> None:
    admin = await grant(bot, db, BOB, Role.ADMIN)
    await bot.say(AN, "help")
    card = (await bot.say(BOB, "roles")).cards[0]
    assert_valid_card(card)
    assert "Set availability" in card_texts(card)
    assert element(card, "availability-section")["isVisible"] is False  # folded until tapped

    pressed = {
        "verb": "roles.availability",
        "availability_person": "An Peeters",
        "hours": "30,4",
        "days": "mon,tue,wed,thu",
    }
    saved = await bot.submit(BOB, pressed)
    assert saved.texts == ["An Peeters now works 30.4 h a week over mon, tue, wed, thu."]
    assert stored(db, AN) == Availability(1824, frozenset(range(4)))
    [row] = audited(db)
    assert (row.actor_id, row.entity, row.entity_id) == (admin, "person", person_id(db, AN))
    assert (await bot.submit(BOB, pressed)).texts == ["An Peeters's availability was already so; nothing changed."]
    assert len(audited(db)) == 1

    bad = await bot.submit(BOB, {**pressed, "availability_person": "Nobody", "hours": "61", "days": ""})
    again = shown_card(bad)
    assert_valid_card(again)
    assert element(again, "availability-section")["isVisible"] is True
    assert "I know nobody as “Nobody”" in card_texts(again)
    assert error_under(again, "hours").startswith("“61” is not a number of hours per week")
    assert stored(db, AN) == Availability(1824, frozenset(range(4))) and len(audited(db)) == 1

    removed = await bot.submit(BOB, {**pressed, "hours": ""})
    assert removed.texts == ["An Peeters's availability is now unknown."]
    assert stored(db, AN) is None


async def test_an_admin_sets_availability_in_dutch_and_others_are_refused(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, AN, Role.ADMIN)
    await grant(bot, db, BOB, Role.COORDINATOR)
    forged = {"verb": "roles.availability", "availability_person": "An Peeters", "hours": "60", "days": "sat,sun"}
    # Bob is no admin: a forged press is refused, in his language, and stores nothing.
    refused = await bot.submit(BOB, {**forged})
    assert refused.texts == ["Sorry, you are not allowed to do that. Who can: administrators."]
    assert stored(db, AN) is None and audited(db) == []

    card = (await bot.say(AN, "rollen")).cards[0]
    assert "Beschikbaarheid instellen" in card_texts(card)
    saved = await bot.submit(AN, {**forged, "availability_person": "Bob Smith", "hours": "38", "days": "ma-vr"})
    assert saved.texts == ["Bob Smith werkt nu 38 u per week over ma, di, wo, do, vr."]
    assert stored(db, BOB) == Availability.full_time()
    bad = await bot.submit(AN, {**forged, "availability_person": "Bob Smith", "hours": "veel", "days": "xx"})
    again = shown_card(bad)
    assert error_under(again, "hours").startswith("“veel” is geen aantal uren per week")
    assert error_under(again, "days") == "Kies minstens één werkdag."
    assert stored(db, BOB) == Availability.full_time()
    with db.session() as session:
        assert session.exec(select(Person).where(Person.name == "Bob Smith")).one().id == person_id(db, BOB)


# The demo -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("loaded_on", [date(2026, 12, 3), date(2026, 12, 13), date(2027, 3, 26), date(2027, 4, 22)])
def test_the_demo_has_availability_an_over_booked_week_and_one_at_risk(db: Database, loaded_on: date) -> None:
    """Whatever day it is loaded (a Thursday, a Sunday; before Christmas, Easter, 1 May and Ascension)."""
    now = datetime.combine(loaded_on, time(9, 30), tzinfo=UTC)
    trier = demo.Trier(TENANT, AN.aad_object_id, AN.name, AN.teams_id)
    assert demo.load(db, [trier], now=now, today=loaded_on).outcome == "loaded"
    first = loaded_on - timedelta(days=loaded_on.weekday())
    loads = {load.name: load for load in week_loads(db, None, first, 6, at_risk_percent=90)}
    assert loads["Nadia Bouzid"].availability == Availability(1824, frozenset(range(4)))
    assert loads["Jeroen Smolders"].availability is None  # unknown, never free
    assert loads["Sofie Verhaegen"].availability == Availability.full_time()
    assert loads["Tom Verstraeten"].weeks_with(Load.OVER)
    # Hanne is at risk, and only that (a public holiday in her full week would make it over-booked).
    assert loads["Hanne Lauwers"].weeks_with(Load.AT_RISK) and not loads["Hanne Lauwers"].weeks_with(Load.OVER)
    assert not loads["Nadia Bouzid"].weeks_with(Load.OVER)
