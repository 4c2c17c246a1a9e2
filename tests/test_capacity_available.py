"""`beschikbaar 16u week 3 [domein]` / `available 16h week 3 [domain]` (issue 17): who has that many unplanned
hours in a week, unknown availability never counted as free, narrowed by a domain; and the "add to team" button,
which writes through the project card's own path (EDIT_PROJECT, audited) once, whatever is replayed or forged. Over
HTTP, in Dutch and English, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from dialogs.capacity.available import _hours, _week
from dialogs.kernel.timeparse import monday_of
from domain.capacity import Availability
from storage.audit import AuditLog
from storage.capacity import CapacityRepository
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.projects import ProjectRepository, TeamMember
from storage.time_entries import EntryKind, TimeEntry
from tests.cardcheck import card_problems
from tests.conftest import START
from tests.harness import TeamsUser
from tests.harness.botdriver import BotDriver, TurnResult
from tests.test_project_turns import AN, create_project, grant
from tests.test_turns import card_texts

ADA = TeamsUser.named("Ada Admin", locale="en-GB")
BART = TeamsUser.named("Bart Claes", locale="nl-BE")  # on DT-042, 38 h, 10 h planned: 28 h free
CAROL = TeamsUser.named("Carol Coord", locale="en-GB")  # on DT-077 (other domain), 20 h, nothing planned
DIRK = TeamsUser.named("Dirk Onbekend", locale="nl-BE")  # on DT-042, availability unknown, 2 h planned
ELS = TeamsUser.named("Els Vol", locale="nl-BE")  # 38 h with 30 h planned: 8 h free
SAM = TeamsUser.named("Sam Stranger", locale="en-GB")  # no role, on no project
NEXT_MONDAY = monday_of(START.date()) + timedelta(weeks=1)
NEXT_WEEK = NEXT_MONDAY.isocalendar().week


def person_id(db: Database, user: TeamsUser) -> int:
    [person] = DirectoryRepository(db).find(user.aad_object_id)
    assert person.id is not None
    return person.id


def project_id(db: Database, code: str) -> int:
    found = ProjectRepository(db).by_code(code)
    assert found is not None
    return found.id


def plan(db: Database, who: int, code: str, minutes: int, day: date) -> None:
    with db.session() as session:
        session.add(
            TimeEntry(
                person_id=who,
                project_id=project_id(db, code),
                day=day,
                minutes=minutes,
                kind=EntryKind.PLANNED.value,
                created_at=START,
                updated_at=START,
            )
        )


async def staffed(bot: BotDriver, db: Database) -> dict[str, int]:
    """An (coordinator) runs DT-042 (Digitale transformatie) with Bart and Dirk on it, and DT-077 (Technologie)
    with Carol; Els is on no project; Ada is an administrator; Sam a stranger."""
    ids = {"an": await grant(bot, db, AN, Role.COORDINATOR), "ada": await grant(bot, db, ADA, Role.ADMIN)}
    for user in (BART, CAROL, DIRK, ELS, SAM):
        await bot.say(user, "help")
        ids[user.name.split()[0].lower()] = person_id(db, user)
    await create_project(bot, AN)
    await create_project(bot, AN, code="DT-077", name="Netwerk stadhuis", domain="1")
    projects = ProjectRepository(db)
    for who, code in (("bart", "DT-042"), ("dirk", "DT-042"), ("carol", "DT-077")):
        projects.add_member(project_id(db, code), ids[who], role="", external=False, actor_id=None, now=START)
    capacity = CapacityRepository(db)
    for who, hours in (("bart", 38), ("carol", 20), ("els", 38)):
        capacity.set_availability(ids[who], Availability(hours * 60, frozenset(range(5))), now=START, by=None)
    plan(db, ids["bart"], "DT-042", 10 * 60, NEXT_MONDAY + timedelta(days=1))
    plan(db, ids["dirk"], "DT-042", 2 * 60, NEXT_MONDAY)
    plan(db, ids["els"], "DT-077", 30 * 60, NEXT_MONDAY + timedelta(days=2))
    return ids


def the_card(result: TurnResult) -> dict[str, Any]:
    [card] = result.cards
    assert card_problems(card) == []
    return card


def add_buttons(card: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The 'add to team' buttons' data, by the person they name."""
    found: dict[int, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and node.get("data", {}).get("verb") == "capacity.add_form":
                found[node["data"]["person"]] = node["data"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def team_rows(db: Database, person: int, code: str) -> int:
    with db.session() as session:
        return len(
            session.exec(
                select(TeamMember).where(TeamMember.person_id == person, TeamMember.project_id == project_id(db, code))
            ).all()
        )


def team_audits(db: Database, code: str) -> int:
    with db.session() as session:
        rows = session.exec(
            select(AuditLog).where(col(AuditLog.entity_id) == project_id(db, code), AuditLog.action == "team.add")
        ).all()
        return len(rows)


# Reading what was typed ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("16u", 960), ("16h", 960), ("2,5u", 150), ("2.5h", 150), ("16 uur", 960), ("2,5 hours", 150), ("1u30", 90)],
)
def test_hours_are_read_as_people_type_them(text: str, minutes: int) -> None:
    assert _hours(f"{text} week 3".split()) == (minutes, ["week", "3"])


def test_a_week_number_is_not_taken_for_hours() -> None:
    assert _hours(["week", "3", "16u"]) == (960, ["week", "3"])
    assert _hours(["week", "3"]) == (None, ["week", "3"])


def test_the_week_and_the_domain_are_told_apart() -> None:
    today = date(2026, 11, 23)
    assert _week(["week", "3", "digitale", "transformatie"], today) == (
        (date(2027, 1, 18), 1),
        ["digitale", "transformatie"],
    )
    assert _week(["tech", "volgende", "week"], today) == ((date(2026, 11, 30), 1), ["tech"])
    assert _week(["tech"], today) == (None, ["tech"])


# Who is free ---------------------------------------------------------------------------------------------------


async def test_free_people_most_free_first_unknown_never_listed_in_dutch(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    card = the_card(await bot.say(AN, "beschikbaar 16u volgende week"))
    texts = card_texts(card)
    assert f"Minstens 16 u vrij in week {NEXT_WEEK}" in texts
    assert texts.index("Bart Claes") < texts.index("Carol Coord")  # 28 h free before 20 h
    assert "28 u vrij" in texts and "20 u vrij" in texts
    assert "Dirk Onbekend" not in texts  # unknown availability is never free
    assert "Els Vol" not in texts  # 8 h free, fewer than asked
    assert "1 persoon heeft geen gekende beschikbaarheid" in texts
    assert set(add_buttons(card)) == {person_id(db, BART), person_id(db, CAROL)}
    # Other people's projects are not shown: only the free hours.
    assert "DT-042" not in texts and "DT-077" not in texts


async def test_free_people_in_english_with_hours_as_typed(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    texts = card_texts(the_card(await bot.say(ADA, f"available 2,5u week {NEXT_WEEK}")))
    assert f"At least 2.5 h free in week {NEXT_WEEK}" in texts
    assert "Els Vol" in texts and "8 h free" in texts
    texts = card_texts(the_card(await bot.say(ADA, "available 21h next week")))
    assert "Bart Claes" in texts and "Carol Coord" not in texts
    texts = card_texts(the_card(await bot.say(ADA, "available 40h next week")))
    assert "Nobody with a known availability has that many free hours that week." in texts


async def test_a_domain_narrows_to_the_people_on_its_projects(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    texts = card_texts(the_card(await bot.say(AN, "beschikbaar 16u volgende week digitale transformatie")))
    assert "Mensen op lopende projecten van Digitale transformatie." in texts
    assert "Bart Claes" in texts and "Carol Coord" not in texts
    # An (coordinator, no availability) and Dirk are the unknown ones on DT-042.
    assert "2 mensen hebben geen gekende beschikbaarheid" in texts
    texts = card_texts(the_card(await bot.say(ADA, "available 16h tech next week")))
    assert "Carol Coord" in texts and "Bart Claes" not in texts
    texts = card_texts(the_card(await bot.say(AN, f"beschikbaar 16u in week {NEXT_WEEK} in het domein technologie")))
    assert "Mensen op lopende projecten van Technologie en infrastructuur." in texts and "Carol Coord" in texts
    [answer] = (await bot.say(ADA, "available 16h next week digitaal transformatoin")).texts
    assert "Did you mean “Digital transformation”?" in answer


@pytest.mark.parametrize(
    ("user", "text", "expected"),
    [
        (AN, "beschikbaar", "bv. **beschikbaar 16u week 48**"),
        (AN, "beschikbaar volgende week", "Zeg hoeveel uren"),
        (ADA, "available next week", "e.g. **available 16h week 48**"),
        (AN, "beschikbaar 16u", "In welke week? Bv. **beschikbaar 16u week 48**"),
        (ADA, "available 2,5h", "Which week? E.g. **available 2h30 week 48**"),
        (AN, "beschikbaar 16u volgende maand", "Kies één week, bv. **beschikbaar 16u week 49**"),
        (ADA, "available 16h week 1-4", "Pick one week, e.g. **available 16h week 1**"),
        (AN, "beschikbaar 61u volgende week", "tussen 0 en 60 uur"),
        (ADA, "available 0h next week", "between 0 and 60 hours"),
        (ADA, "available 16h week 54", "Which week?"),
        (AN, "beschikbaar 16u volgende week koffie", "Ik ken geen domein “koffie”. De domeinen zijn:"),
    ],
)
async def test_what_is_missing_or_wrong_is_said_with_an_example(
    bot: BotDriver, db: Database, user: TeamsUser, text: str, expected: str
) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await grant(bot, db, ADA, Role.ADMIN)
    result = await bot.say(user, text)
    assert result.cards == []
    [answer] = result.texts
    assert expected in answer


async def test_a_stranger_is_refused_in_both_languages(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    [answer] = (await bot.say(SAM, "available 16h next week")).texts
    assert answer.startswith("Sorry, you are not allowed to do that.") and "Bart" not in answer
    # A team member (a place on a project, no role, coordinates nothing) is refused by the capacity rule.
    [answer] = (await bot.say(BART, "beschikbaar 16u volgende week")).texts
    assert "coördinatoren, managers en beheerders" in answer and "Carol" not in answer
    [answer] = (await bot.submit(BART, {"verb": "capacity.add_form", "person": person_id(db, CAROL)})).texts
    assert "coördinatoren, managers en beheerders" in answer and "Carol" not in answer


# Adding someone to a team ----------------------------------------------------------------------------------------


async def test_the_coordinator_adds_a_free_person_once_whatever_is_replayed(bot: BotDriver, db: Database) -> None:
    ids = await staffed(bot, db)
    audits = team_audits(db, "DT-042")
    card = the_card(await bot.say(AN, "beschikbaar 16u volgende week"))
    form = the_card(await bot.submit(AN, add_buttons(card)[ids["carol"]]))
    texts = card_texts(form)
    assert "Carol Coord toevoegen aan een team" in texts
    assert "DT-042 · Digitaal loket" in texts and "DT-077 · Netwerk stadhuis" in texts
    [action] = form["actions"]
    press = {**action["data"], "code": "DT-042", "role": "  analist "}
    assert (await bot.submit(AN, press)).texts == ["Carol Coord staat nu in het team van DT-042."]
    assert (await bot.submit(AN, press)).texts == [
        "Carol Coord staat al in het team van DT-042; er is niets gewijzigd."
    ]
    await bot.execute(AN, "capacity.add_to_team", {k: v for k, v in press.items() if k != "verb"})
    assert team_rows(db, ids["carol"], "DT-042") == 1
    assert team_audits(db, "DT-042") == audits + 1
    found = ProjectRepository(db).by_code("DT-042")
    assert found is not None
    assert [line.role for line in found.team if line.person_id == ids["carol"]] == ["analist"]


async def test_someone_already_on_the_team_keeps_their_role(bot: BotDriver, db: Database) -> None:
    ids = await staffed(bot, db)
    audits = team_audits(db, "DT-042")
    answer = await bot.submit(ADA, {"verb": "capacity.add_to_team", "person": ids["bart"], "code": "DT-042"})
    assert answer.texts == ["Bart Claes is already on the team of DT-042; nothing changed."]
    assert team_audits(db, "DT-042") == audits


async def test_an_admin_is_offered_every_ongoing_project_in_english(bot: BotDriver, db: Database) -> None:
    ids = await staffed(bot, db)
    card = the_card(await bot.say(ADA, "available 16h next week"))
    form = the_card(await bot.submit(ADA, add_buttons(card)[ids["bart"]]))
    texts = card_texts(form)
    assert "Add Bart Claes to a team" in texts and "DT-077 · Netwerk stadhuis" in texts
    [action] = form["actions"]
    answer = await bot.submit(ADA, {**action["data"], "code": "DT-077"})
    assert answer.texts == ["Bart Claes is now on the team of DT-077."]
    assert team_rows(db, ids["bart"], "DT-077") == 1


async def test_a_forged_press_is_refused_and_stores_nothing(bot: BotDriver, db: Database) -> None:
    ids = await staffed(bot, db)
    audits = team_audits(db, "DT-042")
    await grant(bot, db, CAROL, Role.COORDINATOR)  # may see free hours, coordinates nothing
    await create_project(bot, ADA, code="DT-099", name="Eigen project", coordinator="Carol Coord")
    # Carol's card offers only her own project; she forges An's project instead.
    card = the_card(await bot.say(CAROL, "available 16h next week"))
    form = the_card(await bot.submit(CAROL, add_buttons(card)[ids["bart"]]))
    assert "DT-099" in card_texts(form) and "DT-042" not in card_texts(form)
    [action] = form["actions"]
    [answer] = (await bot.submit(CAROL, {**action["data"], "person": ids["els"], "code": "DT-042"})).texts
    assert "administrators" in answer or "coordinator" in answer
    assert team_rows(db, ids["els"], "DT-042") == 0
    # A stranger pressing An's buttons: refused before anything is shown.
    an_card = the_card(await bot.say(AN, "beschikbaar 16u volgende week"))
    [answer] = (await bot.submit(SAM, add_buttons(an_card)[ids["carol"]])).texts
    assert answer.startswith("Sorry, you are not allowed to do that.") and "Carol" not in answer
    [answer] = (await bot.submit(SAM, {"verb": "capacity.add_to_team", "person": ids["sam"], "code": "DT-042"})).texts
    assert "Carol" not in answer and team_rows(db, ids["sam"], "DT-042") == 0
    # A person or a project that does not exist.
    [answer] = (await bot.submit(AN, {"verb": "capacity.add_to_team", "person": 987654, "code": "DT-042"})).texts
    assert answer == "Die persoon ken ik niet (meer)."
    [answer] = (await bot.submit(AN, {"verb": "capacity.add_form", "person": 987654})).texts
    assert answer == "Die persoon ken ik niet (meer)."
    [answer] = (await bot.submit(AN, {"verb": "capacity.add_to_team", "person": ids["els"], "code": "DT-999"})).texts
    assert answer == "Kies een van je lopende projecten."
    [answer] = (await bot.submit(AN, {"verb": "capacity.add_to_team", "person": "x", "code": "DT-042"})).texts
    assert team_rows(db, ids["els"], "DT-042") == 0
    assert team_audits(db, "DT-042") == audits


async def test_the_menu_offers_available_to_coordinators_only(bot: BotDriver, db: Database) -> None:
    from tests.test_menu import rows

    await staffed(bot, db)
    assert "available" in rows((await bot.say(AN, "help")).cards[0])
    assert "available" not in rows((await bot.say(SAM, "help")).cards[0])
