"""Typeahead pickers (issue 18, item 3) over HTTP, in Dutch and English, on both databases: `application/search` on
the `projects` and `people` datasets answers at most 15 results, pages with skip, forgives case, accents and word
order, shows a person only the projects they may see (and a guest no colleagues), never an erased person; an unknown
dataset or a malformed query gets no results, never an error. The pickers' cards keep their static choices (the
terminal chat lists them) and validate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.chat.render import render_card
from cards.base import PEOPLE_DATASET, PROJECTS_DATASET
from dialogs.kernel.search import matches, read_query
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.projects import ProjectRepository
from tests.cardcheck import card_problems
from tests.harness import TeamsUser
from tests.harness.botdriver import BotDriver, TurnResult
from tests.test_project_turns import create_project, grant

SEARCH = "application/search"
RESPONSE = "application/vnd.microsoft.search.searchResponse"
STRANGER = TeamsUser.named("Carla Vreemd", locale="nl-BE")
OTHER = TeamsUser.named("Dirk Anders", locale="en-GB")

LANGS: dict[str, dict[str, Any]] = {
    "nl": {"coordinator": TeamsUser.named("An Peeters", locale="nl-BE"), "new": "nieuw@example.test (nieuw)"},
    "en": {"coordinator": TeamsUser.named("Ann Peters", locale="en-GB"), "new": "nieuw@example.test (new)"},
}


@pytest.fixture(params=["nl", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def query(text: str, dataset: str, skip: int = 0, top: int = 15) -> dict[str, Any]:
    return {"queryText": text, "dataset": dataset, "queryOptions": {"skip": skip, "top": top}}


def results(answer: TurnResult) -> list[dict[str, str]]:
    assert answer.status == 200, answer.body
    assert answer.body["type"] == RESPONSE
    found: list[dict[str, str]] = answer.body["value"]["results"]
    assert all(set(item) == {"title", "value"} for item in found)
    return found


def values(answer: TurnResult) -> list[str]:
    return [item["value"] for item in results(answer)]


async def portfolio(bot: BotDriver, db: Database, lang: str, extra: int = 0) -> TeamsUser:
    """The coordinator's DT-042 (Digitaal loket) and GIS-007 (Geoloket Lier), and `extra` more loketten."""
    an: TeamsUser = LANGS[lang]["coordinator"]
    await grant(bot, db, an, Role.COORDINATOR)
    await create_project(bot, an, coordinator=an.aad_object_id)
    await create_project(bot, an, code="GIS-007", name="Geoloket Lier", coordinator=an.aad_object_id)
    for number in range(extra):
        await create_project(bot, an, code=f"LK-{number + 1}", name=f"Lokaal loket {number + 1}", manager="")
    return an


async def test_projects_match_forgivingly_own_first_at_most_fifteen_and_page(
    bot: BotDriver, db: Database, lang: str
) -> None:
    an = await portfolio(bot, db, lang, extra=16)
    by_code = await bot.invoke(an, SEARCH, query("dt042", PROJECTS_DATASET))
    assert values(by_code) == ["DT-042"]
    assert results(by_code)[0]["title"] == "DT-042 · Digitaal loket"
    by_words = await bot.invoke(an, SEARCH, query("lier GEO", PROJECTS_DATASET))
    assert values(by_words) == ["GIS-007"]
    accented = await bot.invoke(an, SEARCH, query("Géoloket", PROJECTS_DATASET))
    assert values(accented) == ["GIS-007"]
    # 18 lokketten match "loket": 15 shown, the rest on the next page; a code that starts with the text comes first.
    first = values(await bot.invoke(an, SEARCH, query("loket", PROJECTS_DATASET)))
    assert len(first) == 15 and first[0] == "DT-042"
    second = values(await bot.invoke(an, SEARCH, query("loket", PROJECTS_DATASET, skip=15)))
    assert len(second) == 3 and not set(first) & set(second)
    small = values(await bot.invoke(an, SEARCH, query("", PROJECTS_DATASET, top=2)))
    assert small == ["DT-042", "GIS-007"]
    code_first = values(await bot.invoke(an, SEARCH, query("lk-1", PROJECTS_DATASET)))
    assert code_first[0] == "LK-1" and set(code_first) == {"LK-1", *(f"LK-{n}" for n in range(10, 17))}


async def test_a_stranger_finds_no_project_they_may_not_see_and_a_guest_no_colleague(
    bot: BotDriver, db: Database, lang: str
) -> None:
    an = await portfolio(bot, db, lang)
    await bot.say(STRANGER, "help")
    assert values(await bot.invoke(STRANGER, SEARCH, query("DT-042", PROJECTS_DATASET))) == []
    assert values(await bot.invoke(STRANGER, SEARCH, query("", PROJECTS_DATASET))) == []
    assert values(await bot.invoke(STRANGER, SEARCH, query("", PEOPLE_DATASET))) == []  # a guest: no directory
    # A coordinator of another project sees that one only; people, yes (part of the organisation's work).
    await grant(bot, db, OTHER, Role.COORDINATOR)
    await create_project(bot, OTHER, code="HR-001", name="Loket personeel", coordinator=OTHER.aad_object_id)
    assert values(await bot.invoke(OTHER, SEARCH, query("loket", PROJECTS_DATASET))) == ["HR-001"]
    assert an.name in [item["title"] for item in results(await bot.invoke(OTHER, SEARCH, query("", PEOPLE_DATASET)))]
    # An administrator sees every project.
    await grant(bot, db, STRANGER, Role.ADMIN)
    found = values(await bot.invoke(STRANGER, SEARCH, query("loket", PROJECTS_DATASET)))
    assert found == ["DT-042", "GIS-007", "HR-001"]


async def test_people_are_colleagues_by_name_or_address_never_erased(bot: BotDriver, db: Database, lang: str) -> None:
    words = LANGS[lang]
    an = await portfolio(bot, db, lang)
    await bot.say(OTHER, "help")
    people = results(await bot.invoke(an, SEARCH, query("dirk", PEOPLE_DATASET)))
    assert [item["title"] for item in people] == ["Dirk Anders"]
    # The project's manager was named by address only: found by it, and its value is the address the field reads.
    manager = results(await bot.invoke(an, SEARCH, query("marc@", PEOPLE_DATASET)))
    assert manager == [{"title": "marc@example.test", "value": "marc@example.test"}]
    # An address nobody has yet is offered as itself, so someone can be named before they talk to the bot.
    new = results(await bot.invoke(an, SEARCH, query("Nieuw@Example.test", PEOPLE_DATASET)))
    assert new == [{"title": words["new"], "value": "nieuw@example.test"}]
    directory = DirectoryRepository(db)
    [dirk] = directory.find(OTHER.aad_object_id)
    with db.session() as session:
        person = session.get(Person, dirk.id)
        assert person is not None
        person.forgotten_at = datetime(2026, 11, 23, tzinfo=UTC)
        session.add(person)
        session.commit()
    assert results(await bot.invoke(an, SEARCH, query("dirk", PEOPLE_DATASET))) == []


async def test_unknown_datasets_and_malformed_queries_get_no_results(bot: BotDriver, db: Database, lang: str) -> None:
    an = await portfolio(bot, db, lang)
    assert results(await bot.invoke(an, SEARCH, query("DT", "npm"))) == []
    for bad in (
        {},
        {"queryText": None, "dataset": PROJECTS_DATASET, "queryOptions": "x"},
        {"queryText": ["DT"], "dataset": 5},
        {"queryText": "x" * 50_000, "dataset": PROJECTS_DATASET, "queryOptions": {"skip": -3, "top": 10_000}},
        ["not", "an", "object"],
        "text",
    ):
        answer = await bot.invoke(an, SEARCH, bad)
        assert answer.status == 200 and answer.body["type"] == RESPONSE, bad
        assert len(answer.body["value"]["results"]) <= 15
    huge_skip = await bot.invoke(an, SEARCH, query("", PROJECTS_DATASET, skip=10**9))
    assert results(huge_skip) == []


async def test_the_time_form_picker_keeps_its_static_choices_and_validates(
    bot: BotDriver, db: Database, lang: str
) -> None:
    an = await portfolio(bot, db, lang)
    form = (await bot.say(an, "registreer" if lang == "nl" else "log")).cards[0]
    assert card_problems(form) == []
    [picker] = [element for element in form["body"] if element.get("id") == "project"]
    assert picker["type"] == "Input.ChoiceSet"
    assert picker["choices.data"] == {"type": "Data.Query", "dataset": PROJECTS_DATASET}
    assert [choice["value"] for choice in picker["choices"]] == ["DT-042", "GIS-007"]
    # The terminal chat (and the Playground) show the static list to pick from.
    rendered = render_card(form)
    [field] = [found for found in rendered.inputs if found.label.startswith("Project")]
    assert [value for _title, value in field.choices] == ["DT-042", "GIS-007"]
    assert "DT-042 · Digitaal loket" in rendered.text


def test_reading_a_query_and_matching() -> None:
    assert read_query({"queryText": "  a   b ", "dataset": "projects"}).text == "a b"
    assert read_query({"queryOptions": {"skip": True, "top": 2.0}}).top == 2
    assert read_query({"queryOptions": {"skip": True}}).skip == 0
    assert matches("gem zott", "Gemeente Zottegem") and matches("zottegem gemeente", "Gemeente Zottegem")
    assert matches("dt042", "DT-042") and matches("", "anything")
    assert not matches("gent", "Gemeente Zottegem")


async def test_the_team_member_form_picks_a_colleague_or_takes_a_new_address(
    bot: BotDriver, db: Database, lang: str
) -> None:
    an = await portfolio(bot, db, lang)
    await bot.say(OTHER, "help")
    form = (await bot.say(an, "teamlid toevoegen DT-042" if lang == "nl" else "add team member DT-042")).cards[0]
    assert card_problems(form) == []
    [picker] = [element for element in form["body"] if element.get("id") == "person"]
    assert picker["type"] == "Input.ChoiceSet"
    assert picker["choices.data"] == {"type": "Data.Query", "dataset": PEOPLE_DATASET}
    titles = [choice["title"] for choice in picker["choices"]]
    assert "Dirk Anders" in titles and "marc@example.test" in titles
    dirk = next(choice["value"] for choice in picker["choices"] if choice["title"] == "Dirk Anders")
    data = form["actions"][0]["data"]
    picked = await bot.submit(an, {**data, "person": dirk, "person_new": "", "role": "analist"})
    assert "Dirk Anders" in " ".join(picked.texts)
    # An address typed under the list wins over a choice; the person is named before they talk to the bot.
    typed = await bot.submit(an, {**data, "person": dirk, "person_new": "els@example.test", "role": ""})
    assert "els@example.test" in " ".join(typed.texts)
    [project] = [p for p in ProjectRepository(db).for_person(an_id(db, an)) if p.code == "DT-042"]
    assert {line.name for line in project.team} >= {"els@example.test", "Dirk Anders"}


def an_id(db: Database, user: TeamsUser) -> int:
    [person] = DirectoryRepository(db).find(user.aad_object_id)
    assert person.id is not None
    return person.id


async def test_the_project_form_picks_coordinator_and_manager(bot: BotDriver, db: Database, lang: str) -> None:
    an = await portfolio(bot, db, lang)
    await bot.say(OTHER, "help")
    form = (await bot.say(an, "wijzig project DT-042" if lang == "nl" else "edit project DT-042")).cards[0]
    assert card_problems(form) == []
    fields = {element.get("id"): element for element in form["body"]}
    coordinator, manager = fields["coordinator"], fields["manager"]
    assert coordinator["choices.data"]["dataset"] == PEOPLE_DATASET and "manager_new" in fields
    assert coordinator["choices"][0]["value"] == ""  # "nobody" first: the field may be emptied
    assert coordinator["value"] == an.aad_object_id  # the current coordinator, chosen
    assert manager["value"] == "marc@example.test"  # named by address, not talked to the bot yet
    dirk = next(choice["value"] for choice in manager["choices"] if choice["title"] == "Dirk Anders")
    inputs = {name: str(element.get("value", "")) for name, element in fields.items() if name}
    saved = await bot.submit(an, {**inputs, **form["actions"][0]["data"], "manager": dirk})
    assert "Dirk Anders" in " ".join(str(v) for v in saved.updated + saved.sent)
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None and project.manager_name == "Dirk Anders"
    # An address typed under the list wins over the choice.
    again = (await bot.say(an, "wijzig project DT-042" if lang == "nl" else "edit project DT-042")).cards[0]
    inputs = {e["id"]: str(e.get("value", "")) for e in again["body"] if isinstance(e.get("id"), str)}
    await bot.submit(an, {**inputs, **again["actions"][0]["data"], "manager_new": "els@example.test"})
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None and project.manager_email == "els@example.test"


async def test_the_roles_card_picks_the_person(bot: BotDriver, db: Database, lang: str) -> None:
    an = await portfolio(bot, db, lang)
    await grant(bot, db, an, Role.ADMIN)
    await bot.say(OTHER, "help")
    roles = (await bot.say(an, "rollen" if lang == "nl" else "roles")).cards[0]
    assert card_problems(roles) == []
    pickers = {e["id"]: e for e in _inputs(roles) if e["type"] == "Input.ChoiceSet" and "choices.data" in e}
    assert set(pickers) == {"person", "availability_person"}
    dirk = next(c["value"] for c in pickers["person"]["choices"] if c["title"] == "Dirk Anders")
    submit = next(a for a in _actions(roles) if a.get("data", {}).get("operation") == "grant")
    await bot.submit(an, {**submit["data"], "person": dirk, "person_new": "", "role": "coordinator", "domains": ""})
    [person] = DirectoryRepository(db).find(OTHER.aad_object_id)
    assert person.id is not None and Role.COORDINATOR in DirectoryRepository(db).roles(person.id)


def _inputs(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [found for item in node for found in _inputs(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if str(node.get("type", "")).startswith("Input.") else []
    return own + [found for value in node.values() for found in _inputs(value)]


def _actions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [found for item in node for found in _actions(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if node.get("type") == "Action.Submit" else []
    return own + [found for value in node.values() for found in _actions(value)]
