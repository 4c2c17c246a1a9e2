"""`bezetting` / `capacity` (issue 17, item 3): people x weeks for a coordinator's, manager's or admin's people, with
spans, filters, paging and the heatmap; over HTTP, in Dutch and English, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cards.capacity.occupancy import CARD_BYTES_MAX, OccupancyFilters, OccupancyView, build_occupancy_card
from cards.i18n import translator
from dialogs.kernel.capacity import week_loads
from dialogs.kernel.heatmap import HeatLabels, HeatRow, render_heatmap
from domain.capacity import Availability
from storage.capacity import CapacityRepository
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.projects import ProjectRepository, TeamMember
from storage.time_entries import TimeEntry
from tests.cardcheck import assert_valid_card
from tests.harness import FakeClock, TeamsUser
from tests.harness.botdriver import BotDriver, TurnResult
from tests.test_menu import rows, walk
from tests.test_project_turns import AN, create_project, grant, shown_card
from tests.test_turns import card_texts

# Today is Monday 23 November 2026 (ISO week 48; 2026 has 53): the default span is weeks 48 to 2 (11 January 2027).
WEEK_49 = date(2026, 11, 30)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

CAROL = TeamsUser.named("Carol Coord", locale="en-GB")  # coordinator of DT-077 (domain 2), in English
BART = TeamsUser.named("Bart Claes", locale="nl-BE")  # on DT-042's team, availability unknown
LIEN = TeamsUser.named("Lien Vos", locale="nl-BE")  # on DT-043's team (domain 1)
OTTO = TeamsUser.named("Otto Other", locale="en-GB")  # on DT-077's team only
MARC = TeamsUser.named("Marc Janssens", locale="nl-BE")  # manager of domain 1, named manager of DT-077
SAM = TeamsUser.named("Sam Stranger", locale="en-GB")  # no role, on no project
PIM = TeamsUser.named("Pim Plain", locale="nl-BE")  # no role, on no project, Dutch
ADA = TeamsUser.named("Ada Admin", locale="en-GB")


def person_id(db: Database, user: TeamsUser) -> int:
    [person] = DirectoryRepository(db).find(user.aad_object_id)
    assert person.id is not None
    return person.id


def project_id(db: Database, code: str) -> int:
    found = ProjectRepository(db).by_code(code)
    assert found is not None
    return found.id


def add_member(db: Database, code: str, who: int) -> None:
    with db.session() as session:
        session.add(TeamMember(project_id=project_id(db, code), person_id=who, role="", added_at=NOW))


def plan(db: Database, who: int, code: str, monday: date, hours: float) -> None:
    """Planned hours in a week, spread over its Monday to Friday."""
    minutes = round(hours * 60 / 5)
    with db.session() as session:
        for i in range(5):
            session.add(
                TimeEntry(
                    person_id=who,
                    project_id=project_id(db, code),
                    day=monday + timedelta(days=i),
                    minutes=minutes,
                    kind="planned",
                    category="other",
                    note="",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )


def full_time(db: Database, *who: int) -> None:
    for person in who:
        CapacityRepository(db).set_availability(person, Availability.full_time(), now=NOW, by=None)


async def three_teams(bot: BotDriver, db: Database, clock: FakeClock) -> dict[str, int]:
    """An coordinates DT-042 (domain 2; Bart on the team) and DT-043 (domain 1; Lien); Carol coordinates DT-077
    (domain 2; Otto; named manager Marc). Marc manages domain 1 by role. An is over-booked in week 49 (45 h), Lien
    at risk in week 50 (36 h), Otto over-booked in week 2; Bart's availability is unknown."""
    await grant(bot, db, AN, Role.COORDINATOR)
    await grant(bot, db, CAROL, Role.COORDINATOR)
    marc = await grant(bot, db, MARC, Role.MANAGER)
    DirectoryRepository(db).set_managed_domains(marc, {1}, actor_id=None, now=clock.now())
    for user in (BART, LIEN, OTTO, SAM, PIM):
        await bot.say(user, "help")
    ids = {user.name: person_id(db, user) for user in (AN, CAROL, MARC, BART, LIEN, OTTO, SAM, PIM)}
    await create_project(bot, AN)
    await create_project(bot, AN, code="DT-043", name="Archief", domain="1")
    await create_project(bot, CAROL, code="DT-077", name="Netwerk stadhuis", manager="Marc Janssens")
    add_member(db, "DT-042", ids["Bart Claes"])
    add_member(db, "DT-043", ids["Lien Vos"])
    add_member(db, "DT-077", ids["Otto Other"])
    full_time(db, ids["An Peeters"], ids["Lien Vos"], ids["Otto Other"], ids["Carol Coord"])
    plan(db, ids["An Peeters"], "DT-042", WEEK_49, 25)
    plan(db, ids["An Peeters"], "DT-043", WEEK_49, 20)
    plan(db, ids["Lien Vos"], "DT-043", WEEK_49 + timedelta(weeks=1), 36)
    plan(db, ids["Otto Other"], "DT-077", date(2027, 1, 11), 40)
    plan(db, ids["Bart Claes"], "DT-042", WEEK_49, 12)
    return ids


def the_card(result: TurnResult) -> dict[str, Any]:
    card = shown_card(result)
    assert_valid_card(card)
    assert len(json.dumps(card, ensure_ascii=False).encode()) <= CARD_BYTES_MAX
    return card


def names_on(card: dict[str, Any]) -> list[str]:
    """The people's rows, in the card's order (each row's name is in bold after its load icon)."""
    return [
        element["text"].split("**")[1]
        for element in walk(card["body"])
        if element.get("type") == "TextBlock"
        and str(element.get("text", "")).count("**") == 2
        and element["text"][0] in "🔴🟠🟢⚪"
    ]


def heatmap_png(card: dict[str, Any]) -> bytes | None:
    images = [e["url"] for e in walk(card["body"]) if e.get("type") == "Image"]
    if not images:
        return None
    [uri] = images
    assert uri.startswith("data:image/png;base64,")
    return base64.b64decode(uri.split(",", 1)[1])


def card_first_monday(title: str) -> str:
    """The Monday a title's span starts on, from the weeks the tests ask for."""
    starts = {"week 3": "2027-01-18", "week 49": "2026-11-30", "week 1": "2027-01-04"}
    return next(monday for name, monday in starts.items() if f": {name} (" in title)


def page_data(card: dict[str, Any], title: str) -> dict[str, Any]:
    [data] = [
        e["data"] for e in walk(card) if e.get("type") == "Action.Submit" and e.get("title") == title and "data" in e
    ]
    return dict(data)


async def test_a_coordinator_sees_their_projects_people_worst_first(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    await three_teams(bot, db, clock)
    assert "capacity" in rows((await bot.say(AN, "hulp")).cards[0])  # the menu's planning section
    card = the_card(await bot.say(AN, "bezetting"))
    texts = card_texts(card)
    assert "Bezetting: week 48 (23 nov 2026) tot week 2 (11 jan 2027)" in texts
    assert "1 van 3 mensen overboekt; 1 bijna vol; 1 onbekend" in texts
    assert names_on(card) == ["An Peeters", "Lien Vos", "Bart Claes"]  # over-booked, at risk, then by name
    assert "wk 49: 45 u van 38 u" in texts
    assert "beschikbaarheid onbekend · 12 u gepland" in texts  # Bart: unknown, never free
    # An's weeks, folded: week 49 names the projects that fill it.
    assert "🔴 wk 49: 45 u van 38 u (118 %) · DT-042 25 u, DT-043 20 u" in texts
    assert "Otto Other" not in texts and "DT-077" not in texts  # Carol's project and people are not An's
    png = heatmap_png(card)
    assert png is not None and png.startswith(b"\x89PNG") and len(png) < 12_000

    english = the_card(await bot.say(CAROL, "capacity"))
    texts = card_texts(english)
    assert "Capacity: week 48 (23 Nov 2026) to week 2 (11 Jan 2027)" in texts
    assert "1 of 2 people over-booked; 0 at risk; 0 unknown" in texts
    assert names_on(english) == ["Otto Other", "Carol Coord"]
    assert "wk 2: 40 h of 38 h" in texts
    assert "nothing planned in these weeks" in texts
    assert "An Peeters" not in texts


async def test_a_manager_sees_their_domain_and_named_projects(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await three_teams(bot, db, clock)
    card = the_card(await bot.say(MARC, "bezetting"))
    # Domain 1 (DT-043: An and Lien) and DT-077, where he is named manager (Carol and Otto); not Bart (DT-042 only).
    assert names_on(card) == ["An Peeters", "Otto Other", "Lien Vos", "Carol Coord"]
    # An's week counts all her plans, DT-042 too: the load is the person's; a project not his is not named.
    assert "🔴 wk 49: 45 u van 38 u (118 %) · DT-043 20 u, andere projecten 25 u" in card_texts(card)
    assert "DT-042" not in card_texts(card)


async def test_an_administrator_sees_everyone_on_an_ongoing_project(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    await three_teams(bot, db, clock)
    await grant(bot, db, ADA, Role.ADMIN)
    card = the_card(await bot.say(ADA, "capacity"))
    assert names_on(card) == ["An Peeters", "Otto Other", "Lien Vos", "Bart Claes", "Carol Coord"]
    assert "2 of 5 people over-booked; 1 at risk; 1 unknown" in card_texts(card)
    # Every project by code in the weeks that are full, none as "other projects".
    assert "🔴 wk 49: 45 h of 38 h (118%) · DT-042 25 h, DT-043 20 h" in card_texts(card)


@pytest.mark.parametrize(
    ("user", "typed", "who_can"),
    [
        (BART, "bezetting", "coördinatoren, managers en beheerders"),  # on a team, no role: the handler's refusal
        (OTTO, "capacity", "coordinators, managers and administrators"),
        (SAM, "capacity", "a role in the organisation or a place on a project team"),  # nowhere: the router's
        (PIM, "bezetting", "wie een rol heeft in de organisatie of in een projectteam zit"),
    ],
)
async def test_someone_who_staffs_nothing_is_refused(
    bot: BotDriver, db: Database, clock: FakeClock, user: TeamsUser, typed: str, who_can: str
) -> None:
    await three_teams(bot, db, clock)
    refused = await bot.say(user, typed)
    assert refused.cards == []
    assert who_can in refused.texts[0]
    assert "capacity" not in rows((await bot.say(user, "help")).cards[0])
    forged = await bot.submit(user, {"verb": "capacity.page", "page": 1, "domain": "2"})
    assert forged.cards == [] and forged.texts == refused.texts


@pytest.mark.parametrize(
    ("user", "typed", "title", "weeks"),
    [
        (AN, "bezetting week 3", "Bezetting: week 3 (18 jan)", 1),
        (AN, "bezetting volgende maand", "Bezetting: week 49 (30 nov) tot week 53 (28 dec)", 5),
        (AN, "bezetting van week 1 tot week 13", "Bezetting: week 1 (4 jan) tot week 13 (29 mrt)", 13),
        (CAROL, "capacity week 3", "Capacity: week 3 (18 Jan)", 1),
        (CAROL, "capacity next month", "Capacity: week 49 (30 Nov) to week 53 (28 Dec)", 5),
        (CAROL, "capacity from week 1 to week 13", "Capacity: week 1 (4 Jan) to week 13 (29 Mar)", 13),
    ],
)
async def test_spans_of_weeks(
    bot: BotDriver, db: Database, clock: FakeClock, user: TeamsUser, typed: str, title: str, weeks: int
) -> None:
    await three_teams(bot, db, clock)
    card = the_card(await bot.say(user, typed))
    assert title in card_texts(card)
    assert user.name in names_on(card)
    assert heatmap_png(card) is not None
    if user is AN:  # the filter (two projects to choose from) keeps the span
        data = page_data(card, "Filters toepassen")
        assert data["weeks"] == weeks and data["first"] == card_first_monday(title)


async def test_a_span_and_a_filter_together(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await three_teams(bot, db, clock)
    for typed in ("bezetting DT-043 week 50", "bezetting week 50 archief"):
        card = the_card(await bot.say(AN, typed))
        assert "Bezetting: week 50 (7 dec)" in card_texts(card)
        assert names_on(card) == ["Lien Vos", "An Peeters"]


@pytest.mark.parametrize(
    ("user", "typed", "answer"),
    [
        (AN, "bezetting week 54", "Die weken ken ik niet: “week 54”"),
        (AN, "bezetting DT-042 week 0", "Die weken ken ik niet: “DT-042 week 0”"),
        (CAROL, "capacity next 99 weeks", "I don't know those weeks: “next 99 weeks”"),
    ],
)
async def test_a_span_that_does_not_exist_is_said_so(
    bot: BotDriver, db: Database, clock: FakeClock, user: TeamsUser, typed: str, answer: str
) -> None:
    await three_teams(bot, db, clock)
    result = await bot.say(user, typed)
    assert result.cards == []
    assert answer in result.texts[0]


async def test_typed_filters_by_project_and_domain(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await three_teams(bot, db, clock)
    assert names_on(the_card(await bot.say(AN, "bezetting DT-042"))) == ["An Peeters", "Bart Claes"]
    assert names_on(the_card(await bot.say(AN, "bezetting archief"))) == ["An Peeters", "Lien Vos"]
    by_domain = the_card(await bot.say(MARC, "bezetting tech"))
    assert names_on(by_domain) == ["An Peeters", "Lien Vos"]
    assert "Gefilterd op domein “Technologie en infrastructuur”" in card_texts(by_domain)
    english = the_card(await bot.say(CAROL, "capacity digital"))
    assert names_on(english) == ["Otto Other", "Carol Coord"]
    # A domain with none of Carol's projects: said so, and everyone of hers below.
    result = await bot.say(CAROL, "capacity technology")
    assert "The domain “Technology and infrastructure” has none of your projects." in result.texts[0]
    assert names_on(the_card(result)) == ["Otto Other", "Carol Coord"]


async def test_a_project_that_is_not_theirs_reads_like_one_that_does_not_exist(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    await three_teams(bot, db, clock)
    theirs = await bot.say(AN, "bezetting DT-077")
    nobody = await bot.say(AN, "bezetting DT-099")
    assert theirs.texts[0].replace("DT-077", "DT-099") == nobody.texts[0]
    assert "Ik ken geen project of domein “DT-077”" in theirs.texts[0]
    assert "Otto Other" not in card_texts(shown_card(theirs))


async def test_the_card_filters_and_a_forged_filter_is_ignored(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    ids = await three_teams(bot, db, clock)
    card = the_card(await bot.say(AN, "bezetting"))
    [projects] = [e for e in walk(card) if e.get("id") == "project"]
    assert [c["title"] for c in projects["choices"]] == ["Alle", "DT-042 · Digitaal loket", "DT-043 · Archief"]
    apply = page_data(card, "Filters toepassen")
    chosen = the_card(
        await bot.submit(AN, {**apply, "verb": "capacity.page", "project": str(project_id(db, "DT-042"))})
    )
    assert names_on(chosen) == ["An Peeters", "Bart Claes"]
    assert "Gefilterd op project “DT-042 · Digitaal loket”" in card_texts(chosen)
    by_domain = the_card(await bot.submit(AN, {**apply, "verb": "capacity.page", "domain": "1"}))
    assert names_on(by_domain) == ["An Peeters", "Lien Vos"]
    # Another coordinator's project, or a domain with none of An's projects: ignored, never widened.
    forged = the_card(
        await bot.submit(AN, {**apply, "verb": "capacity.page", "project": str(project_id(db, "DT-077"))})
    )
    assert names_on(forged) == ["An Peeters", "Lien Vos", "Bart Claes"]
    assert "Otto Other" not in card_texts(forged) and "Gefilterd" not in card_texts(forged)
    forged = the_card(await bot.submit(CAROL, {"verb": "capacity.page", "domain": "1", "owner": ids["Carol Coord"]}))
    assert names_on(forged) == ["Otto Other", "Carol Coord"]
    # Someone else's card pressed: whose it is, nothing of theirs shown.
    other = await bot.submit(CAROL, {**apply, "verb": "capacity.page"})
    assert other.cards == [] and "An Peeters" in other.texts[0] and "Bart Claes" not in other.texts[0]
    # Card data that is no page at all.
    for bad in ({"weeks": 0}, {"weeks": 99}, {"first": "0001-01-01"}, {"page": "x"}):
        refused = await bot.submit(AN, {**apply, "verb": "capacity.page", **bad})
        assert refused.cards == [] or "Bezetting" not in card_texts(refused.cards[0])


async def test_ten_people_a_page_over_booked_first(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    ids = await three_teams(bot, db, clock)
    with db.session() as session:
        extra = [
            Person(tenant_id="t", aad_object_id=f"aad-extra-{i}", name=f"Extra {i:02d}", created_at=NOW, updated_at=NOW)
            for i in range(12)
        ]
        session.add_all(extra)
        session.flush()
        extra_ids = [p.id for p in extra if p.id is not None]
    for i, who in enumerate(extra_ids):
        add_member(db, "DT-042", who)
        full_time(db, who)
        if i == 11:
            plan(db, who, "DT-042", WEEK_49, 50)  # the last by name, the first on the card
    card = the_card(await bot.say(AN, "bezetting"))
    first = names_on(card)
    assert len(first) == 10 and first[:3] == ["An Peeters", "Extra 11", "Lien Vos"]
    assert "Pagina 1 van 2" in card_texts(card)
    result = await bot.submit(AN, {**page_data(card, "Volgende"), "verb": "capacity.page"})
    second = the_card(result)
    assert result.updated  # the page replaces the card
    assert "Bart Claes" in first  # unknown availability sorts by name among the rest: never as "free" last
    assert names_on(second) == ["Extra 06", "Extra 07", "Extra 08", "Extra 09", "Extra 10"]
    back = the_card(await bot.submit(AN, {**page_data(second, "Vorige"), "verb": "capacity.page"}))
    assert names_on(back) == first
    assert ids["An Peeters"] not in extra_ids


async def test_without_a_drawing_the_card_still_says_it_all(db: Database, clock: FakeClock) -> None:
    """The card builder alone: a heatmap that would not fit leaves the card without it."""
    t = translator("nl")
    loads = week_loads(db, [], WEEK_49, 8, at_risk_percent=90)
    view = OccupancyView(
        people=loads,
        total=0,
        over=0,
        at_risk=0,
        unknown=0,
        first=WEEK_49,
        weeks=8,
        page=1,
        pages=1,
        filters=OccupancyFilters(projects=[], domains=[]),
        project_codes={},
        chart_uri="data:image/png;base64," + "A" * 40_000,
    )
    card = build_occupancy_card(view, t)
    assert_valid_card(card)
    assert not [e for e in walk(card) if e.get("type") == "Image"]
    assert "Nog niemand op het team van deze projecten." in card_texts(card)


def test_the_heatmap_draws_many_weeks_and_nobody() -> None:
    labels = HeatLabels("Bezetting", "?", (("over", "overboekt"), ("unknown", "onbekend")))
    many = render_heatmap((HeatRow("An", tuple(("over", 120) for _ in range(26))),), ("wk 9",) * 26, labels)
    nobody = render_heatmap((), (), labels)
    no_legend = render_heatmap((), (), HeatLabels("", "?", ()))
    unknown = render_heatmap((HeatRow("Bart", (("unknown", None),)),), ("wk 1",), labels)
    assert all(png.startswith(b"\x89PNG") for png in (many, nobody, no_legend, unknown))
