"""Planning by week (issue 17): `plan 16u DT-042 week 3` spreads the hours over the person's working days of that
week (not on public holidays or their leave, not before today), stores one entry per day all or nothing, and says
how full the week is now, warning when it is over-booked; its Undo removes the whole plan. In Dutch and English,
over HTTP, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from babel.dates import format_date

from dialogs.kernel.timeparse import BAD_WEEK, parse_entry
from domain.capacity import Availability
from storage.capacity import CapacityRepository
from storage.db import Database
from storage.directory import Role
from storage.time_entries import TimeEntryRepository
from tests.cardcheck import assert_valid_card
from tests.harness import TeamsUser
from tests.harness.botdriver import BotDriver, TurnResult
from tests.harness.clock import FakeClock
from tests.test_project_turns import AN, BOB, create_project, form_data, grant, shown_card
from tests.test_time_turns import button, entries, setup_closed
from tests.test_turns import card_texts

CARL = TeamsUser.named("Carl Jansens", locale="nl-BE")  # on no team
CARL_ON_TEAM = TeamsUser.named("Cas Maes", locale="nl-BE")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def availability(db: Database, person_id: int, hours: int = 38, days: range = range(5)) -> None:
    CapacityRepository(db).set_availability(person_id, Availability(hours * 60, frozenset(days)), now=NOW, by=None)


def planned(db: Database) -> list[tuple[date, int, str]]:
    """(day, minutes, project code) of every planned entry."""
    codes = TimeEntryRepository(db).project_codes({e.project_id for e in entries(db)})
    return [(e.day, e.minutes, codes[e.project_id]) for e in entries(db) if e.kind == "planned"]


async def team(bot: BotDriver, db: Database) -> tuple[int, int]:
    """DT-042 (coordinated by An, Bob on its team) and DT-017 (An's too); (An's id, Bob's id)."""
    an = await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    await create_project(bot, AN, code="dt-017", name="Archiefbeheer")
    bob = await grant(bot, db, BOB, Role.ADMIN)
    for code in ("DT-042", "DT-017"):
        await bot.submit(
            AN, {"verb": "projects.member_save", "code": code, "person": BOB.aad_object_id, "role": "analyst"}
        )
    await grant(bot, db, CARL_ON_TEAM, Role.ADMIN)
    await bot.submit(
        AN, {"verb": "projects.member_save", "code": "DT-042", "person": CARL_ON_TEAM.aad_object_id, "role": "analyst"}
    )
    return an, bob


def plan_card(result: TurnResult) -> dict[str, Any]:
    [card] = result.cards
    assert_valid_card(card)
    return card


# Reading the week words -----------------------------------------------------------------------------------------

DEC_4 = date(2026, 12, 4)  # a Friday in ISO week 49


@pytest.mark.parametrize(
    ("text", "monday", "note"),
    [
        ("16u DT-042 week 3", date(2027, 1, 18), ""),  # in December, week 3 is next January's
        ("16h DT-042 wk 3", date(2027, 1, 18), ""),
        ("16u DT-042 week3", date(2027, 1, 18), ""),
        ("16u DT-042 week 3 2027: intake", date(2027, 1, 18), "intake"),
        ("16u DT-042 week 3/2027 intake", date(2027, 1, 18), "intake"),
        ("16u DT-042 in week 13", date(2027, 3, 29), ""),
        ("16u week 53 DT-042", date(2026, 12, 28), ""),  # 2026 has a week 53
        ("16u DT-042 deze week", date(2026, 11, 30), ""),
        ("16h DT-042 this week", date(2026, 11, 30), ""),
        ("16u DT-042 volgende week", date(2026, 12, 7), ""),
        ("16h DT-042 next week workshop", date(2026, 12, 7), "workshop"),
        ("16u DT-042 komende week", date(2026, 12, 7), ""),
        ("16u DT-042 week 49", date(2026, 11, 30), ""),  # this week: it has not ended yet
    ],
)
def test_week_words_give_the_weeks_monday(text: str, monday: date, note: str) -> None:
    parsed = parse_entry(text, kind="planned", today=DEC_4)
    assert (parsed.week, parsed.day, parsed.minutes, parsed.project, parsed.note) == (
        monday,
        monday,
        960,
        "DT-042",
        note,
    )
    assert parsed.date_given and not parsed.problems


@pytest.mark.parametrize(
    ("text", "named"), [("16u DT-042 week 54", "week 54"), ("16u DT-042 week 53 2027", "week 53 2027")]
)
def test_a_week_that_does_not_exist_is_a_problem(text: str, named: str) -> None:
    parsed = parse_entry(text, kind="planned", today=DEC_4)
    assert parsed.week is None and parsed.day is None and parsed.problems == ((BAD_WEEK, named),)


@pytest.mark.parametrize(
    "text", ["4u DT-042 vrijdag", "4u DT-042 volgende vrijdag", "4u DT-042 weekrapport", "4u DT-042"]
)
def test_days_and_words_like_week_are_no_week(text: str) -> None:
    parsed = parse_entry(text, kind="planned", today=DEC_4)
    assert parsed.week is None and not parsed.problems


# Over HTTP ------------------------------------------------------------------------------------------------------

WEEK_3 = [date(2027, 1, day) for day in range(18, 23)]


async def test_a_week_in_dutch_is_spread_over_the_working_days_with_the_load(bot: BotDriver, db: Database) -> None:
    an, _ = await team(bot, db)
    availability(db, an)
    card = plan_card(await bot.say(AN, "plan 16u DT-042 week 3 #analyse: intake"))
    texts = card_texts(card)
    assert "Uren gepland voor week 3 (18 jan)" in texts
    assert "DT-042 · Digitaal loket\nTotaal\n16 u\nActiviteit\nAnalyse\nNotitie\nintake" in texts
    assert "ma 18 jan\n3,2 u\ndi 19 jan\n3,2 u\nwo 20 jan\n3,2 u\ndo 21 jan\n3,2 u\nvr 22 jan\n3,2 u" in texts
    assert "Je week 3 (18 jan) na deze planning: 16 u van 38 u (42 %)." in texts
    assert "Let op" not in texts
    assert planned(db) == [(day, 192, "DT-042") for day in WEEK_3]
    assert {(e.category, e.note) for e in entries(db)} == {("analysis", "intake")}


async def test_a_week_in_english_with_unknown_availability_is_never_free(bot: BotDriver, db: Database) -> None:
    await team(bot, db)
    card = plan_card(await bot.say(BOB, "plan 16h DT-042 wk 3"))
    texts = card_texts(card)
    assert "Hours planned for week 3 (18 Jan)" in texts and "Mon 18 Jan\n3.2 h" in texts
    assert "Your week 3 (18 Jan) after this plan: 16 h planned, availability unknown." in texts
    assert "Set your hours per week in **settings**." in texts
    assert "free" not in texts.lower()
    assert planned(db) == [(day, 192, "DT-042") for day in WEEK_3]
    dutch = card_texts(plan_card(await bot.say(CARL_ON_TEAM, "plan 8u DT-042 week 3")))
    assert "8 u gepland, beschikbaarheid onbekend" in dutch and "met **instellingen**" in dutch


async def test_an_over_booked_week_warns_naming_the_other_projects_largest_first(bot: BotDriver, db: Database) -> None:
    an, bob = await team(bot, db)
    availability(db, an)
    availability(db, bob, hours=30)
    await create_project(bot, AN, code="dt-003", name="Website")
    await bot.say(AN, "plan 20u DT-017 week 3")
    await bot.say(AN, "plan 4u DT-003 week 3")
    texts = card_texts(plan_card(await bot.say(AN, "plan 16u DT-042 week 3")))
    assert "Je week 3 (18 jan) na deze planning: 40 u van 38 u (105 %)." in texts
    assert (
        "Let op: die week is overboekt, er staat meer gepland dan je beschikbaar bent. De uren zijn toch opgeslagen. "
        "Ook gepland die week: DT-017 20 u, DT-003 4 u." in texts
    )
    assert len([p for p in planned(db) if p[2] == "DT-042"]) == 5  # saved all the same
    # At risk (above 90 % of 30 h) in English, the other project named.
    await bot.say(BOB, "plan 20h DT-017 week 3")
    english = card_texts(plan_card(await bot.say(BOB, "plan 8h DT-042 week 3")))
    assert "Your week 3 (18 Jan) after this plan: 28 h of 30 h (93%)." in english
    assert (
        "Watch out: that week is nearly full, more than 90% of your available time is planned. "
        "Also planned that week: DT-017 20 h." in english
    )
    over = card_texts(plan_card(await bot.say(BOB, "plan 8h DT-042 next tuesday")))
    assert "Your week 48 (23 Nov) after this plan: 8 h of 30 h (27%)." in over
    await bot.say(BOB, "plan 30h DT-017 this week")
    single = card_texts(plan_card(await bot.say(BOB, "plan 4h DT-042 next wednesday")))
    assert "Watch out: that week is over-booked" in single and "Also planned that week: DT-017 30 h." in single


async def test_a_day_plan_says_the_weeks_load_in_dutch(bot: BotDriver, db: Database) -> None:
    an, _ = await team(bot, db)
    availability(db, an)
    texts = card_texts(plan_card(await bot.say(AN, "plan 4u DT-042 vrijdag")))
    assert "Uren gepland" in texts and "Je week 48 (23 nov) na deze planning: 4 u van 38 u (11 %)." in texts
    await bot.say(AN, "plan 33u DT-017 deze week")
    warned = card_texts(plan_card(await bot.say(AN, "plan 4u DT-042 donderdag")))
    assert "Je week 48 (23 nov) na deze planning: 41 u van 38 u (108 %)." in warned
    assert "Ook gepland die week: DT-017 33 u." in warned
    logged = card_texts(plan_card(await bot.say(AN, "registreer 2u DT-042")))
    assert "na deze planning" not in logged  # time worked says nothing about the plan


async def test_a_plan_saved_on_the_form_says_the_weeks_load_too(bot: BotDriver, db: Database) -> None:
    """The log form with "planned" chosen (`plan` alone), saved and then edited, answers like a typed plan."""
    an, _ = await team(bot, db)
    availability(db, an)
    await bot.say(AN, "plan 33u DT-017 deze week")
    form = plan_card(await bot.say(AN, "plan"))
    values = {"project": "DT-042", "date": "2026-11-26", "duration": "6u", "kind": "planned", "category": "other"}
    saved = shown_card(await bot.submit(AN, {**form_data(form), **values}))
    texts = card_texts(saved)
    assert "Je week 48 (23 nov) na deze planning: 39 u van 38 u (103 %)." in texts
    assert "Ook gepland die week: DT-017 33 u." in texts
    [edit] = [a for a in saved["actions"] if a.get("data", {}).get("verb") == "timelog.edit"]
    again = shown_card(await bot.submit(AN, edit["data"]))
    updated = card_texts(shown_card(await bot.submit(AN, {**form_data(again), **values, "duration": "2u"})))
    assert "Je week 48 (23 nov) na deze planning: 35 u van 38 u (92 %)." in updated
    performed = {**values, "kind": "performed", "date": "2026-11-23"}
    logged = card_texts(
        shown_card(await bot.submit(AN, {**form_data(plan_card(await bot.say(AN, "registreer"))), **performed}))
    )
    assert "na deze planning" not in logged  # time worked says nothing about the plan


async def test_easter_monday_leaves_four_days_and_leave_is_skipped(bot: BotDriver, db: Database) -> None:
    an, bob = await team(bot, db)
    availability(db, an)
    texts = card_texts(plan_card(await bot.say(AN, "plan 16u DT-042 week 13")))
    assert "ma 29 mrt\n" not in texts and "di 30 mrt\n4 u" in texts
    assert "Niet op: ma 29 mrt (feestdag)." in texts
    assert "Je week 13 (29 mrt) na deze planning: 16 u van 30,4 u (53 %)." in texts
    assert planned(db) == [(date(2027, 3, day), 240, "DT-042") for day in (30, 31)] + [
        (date(2027, 4, day), 240, "DT-042") for day in (1, 2)
    ]
    TimeEntryRepository(db).set_leave(bob, [date(2027, 1, 19), date(2027, 1, 21)])
    english = card_texts(plan_card(await bot.say(BOB, "plan 9h DT-042 week 3 2027")))
    assert "Tue 19 Jan\n" not in english and "Mon 18 Jan\n3 h\nWed 20 Jan\n3 h\nFri 22 Jan\n3 h" in english
    assert "Not on: Tue 19 Jan (leave), Thu 21 Jan (leave)." in english
    assert [p for p in planned(db) if p[0].year == 2027 and p[0].month == 1] == [
        (date(2027, 1, day), 180, "DT-042") for day in (18, 20, 22)
    ]


@pytest.mark.parametrize(
    ("today", "words", "days", "available", "after"),
    [
        # Summer time starts Sunday 28 March 2027 (week 12), which is Easter Sunday: a public holiday, not planned.
        (
            datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
            "week 12",
            [date(2027, 3, day) for day in range(22, 28)],
            "30",
            ("Niet op: zo 28 mrt (feestdag).", "Not on: Sun 28 Mar (public holiday)."),
        ),
        # Winter time starts Sunday 25 October 2026 (week 43): planned on its own calendar day.
        (
            datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
            "week 43",
            [date(2026, 10, day) for day in range(19, 26)],
            "35",
            ("Je week 43", "Your week 43"),
        ),
    ],
)
async def test_the_dst_weeks_keep_their_calendar_days(
    bot: BotDriver,
    db: Database,
    clock: FakeClock,
    today: datetime,
    words: str,
    days: list[date],
    available: str,
    after: tuple[str, str],
) -> None:
    dutch_after, english_after = after  # what follows the last day planned: the day left out, or the load
    an, bob = await team(bot, db)
    clock.set(today)
    # Seven working days, so the Sunday the clocks change on counts too.
    availability(db, an, hours=35, days=range(7))
    availability(db, bob, hours=35, days=range(7))
    hours = 2 * len(days)
    dutch = card_texts(plan_card(await bot.say(AN, f"plan {hours}u DT-042 {words}")))
    assert f"{short(days[-1], 'nl')}\n2 u\n{dutch_after}" in dutch
    assert f"na deze planning: {hours} u van {available} u" in dutch
    english = card_texts(plan_card(await bot.say(BOB, f"plan {hours}h DT-042 {words}")))
    assert f"{short(days[-1], 'en')}\n2 h\n{english_after}" in english
    assert f"after this plan: {hours} h of {available} h" in english
    assert sorted(planned(db)) == sorted([(day, 120, "DT-042") for day in days] * 2)


def short(day: date, language: str) -> str:
    return format_date(day, format="EEE d MMM", locale="nl_BE" if language == "nl" else "en_US")


async def test_from_today_on_and_a_week_with_no_day_left(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await team(bot, db)
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # Wednesday of week 48
    texts = card_texts(plan_card(await bot.say(AN, "plan 6u DT-042 deze week")))
    assert "ma 23 nov\n" not in texts and "wo 25 nov\n2 u" in texts
    assert "Niet op: ma 23 nov (voorbij), di 24 nov (voorbij)." in texts
    assert planned(db) == [(date(2026, 11, day), 120, "DT-042") for day in (25, 26, 27)]
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))  # Saturday
    refused = await bot.say(AN, "plan 6u DT-042 deze week")
    assert refused.texts == [
        "Niet geregistreerd: in week 48 (23 nov) blijft geen werkdag meer over om op te plannen "
        "(voorbij, feestdag of verlof)."
    ]
    english = await bot.say(BOB, "plan 6h DT-042 this week")
    assert english.texts == [
        "Not logged: week 48 (23 Nov) has no working day left to plan on (past, public holiday or leave)."
    ]
    assert len(planned(db)) == 3


async def test_bad_and_past_weeks_are_refused_and_nothing_is_stored(bot: BotDriver, db: Database) -> None:
    await team(bot, db)
    form = card_texts((await bot.say(AN, "plan 16u DT-042 week 54")).cards[0])
    assert "“week 54” bestaat niet: een jaar heeft 52 of 53 weken." in form
    form = card_texts((await bot.say(BOB, "plan 16h DT-042 week 53 2027")).cards[0])
    assert "“week 53 2027” does not exist: a year has 52 or 53 weeks." in form
    past = await bot.say(AN, "plan 16u DT-042 week 3 2026")
    assert past.texts == ["Niet geregistreerd: week 3 (12 jan) is al voorbij. Plan in een week die nog komt."]
    past = await bot.say(BOB, "plan 16h DT-042 week 47 2026")
    assert past.texts == ["Not logged: week 47 (16 Nov) is over already. Plan in a week still to come."]
    worked = await bot.say(AN, "registreer 16u DT-042 volgende week")
    assert worked.texts[0].startswith("Niet geregistreerd: een hele week kan je alleen plannen")
    worked = await bot.say(BOB, "log 16h DT-042 next week")
    assert worked.texts[0].startswith("Not logged: you can only plan a whole week")
    await setup_closed(bot, db)
    closed = await bot.say(AN, "plan 16u DT-043 week 3")
    assert closed.texts == ["Niet geregistreerd: project DT-043 is afgesloten."]
    nothing = await bot.say(AN, "plan 0u DT-042 week 3")
    assert nothing.texts == ["Niet geregistreerd: de duur moet meer dan nul zijn."]
    # Someone not on the team gets the answer a code nobody uses gets: nothing about the project.
    outsider = await bot.say(CARL, "plan 16u DT-042 week 3")
    nobody = await bot.say(CARL, "plan 16u XX-998 week 3")
    assert card_texts(outsider.cards[0]).replace("DT-042", "XX-998") == card_texts(nobody.cards[0])
    assert "Ik vind geen project “DT-042”" in card_texts(outsider.cards[0])
    assert entries(db) == []


async def test_a_day_past_24_hours_stores_none_of_the_week(bot: BotDriver, db: Database) -> None:
    await team(bot, db)
    await bot.say(AN, "plan 20u DT-017 2027-01-20")
    refused = await bot.say(AN, "plan 30u DT-042 week 3")
    assert refused.texts == [
        "Niet geregistreerd: op wo 20 jan kom je dan boven 24 uur (al gepland die dag: 20 u, hoogstens 4 u over)."
    ]
    english = await bot.say(BOB, "plan 125h DT-042 week 3")
    assert english.texts == ["Not logged: a day has no more than 24 hours."]  # 25 h on each of five days
    await bot.say(BOB, "plan 20h DT-017 2027-01-22")
    full = await bot.say(BOB, "plan 25h DT-042 week 3")
    assert full.texts == [
        "Not logged: on Fri 22 Jan that would go past 24 hours (planned that day already: 20 h, at most 4 h left)."
    ]
    assert planned(db) == [(date(2027, 1, 20), 1200, "DT-017"), (date(2027, 1, 22), 1200, "DT-017")]


async def test_the_same_message_twice_stores_the_week_once(bot: BotDriver, db: Database) -> None:
    await team(bot, db)
    activity = bot.activities.message(AN, "plan 16u DT-042 week 3")
    first = await bot.post(activity)
    again = await bot.post(activity)  # a Teams retry of the very same activity
    assert planned(db) == [(day, 192, "DT-042") for day in WEEK_3]
    assert button(again.cards[0], "timelog.undo_plan") == button(first.cards[0], "timelog.undo_plan")
    english = bot.activities.message(BOB, "plan 16h DT-042 next week")
    await bot.post(english)
    await bot.post(english)
    assert len(planned(db)) == 10


async def test_undo_removes_the_whole_week_only_for_its_person(bot: BotDriver, db: Database) -> None:
    await team(bot, db)
    await bot.say(AN, "plan 2u DT-042 2027-01-19")  # a day plan of the same week stays
    card = plan_card(await bot.say(AN, "plan 16u DT-042 week 3"))
    undo = button(card, "timelog.undo_plan")
    refused = await bot.submit(BOB, undo)
    assert refused.texts == ["This entry belongs to An Peeters; only they can undo or change it. Nothing changed."]
    assert len(planned(db)) == 6
    # A forged press with Bob's own ids next to An's is refused the same; a payload of no or too many ids is no undo.
    bob_plan = button(plan_card(await bot.say(BOB, "plan 8h DT-042 week 3")), "timelog.undo_plan")
    mixed = {**bob_plan, "entry_ids": [*bob_plan["entry_ids"][:2], *undo["entry_ids"][:2]]}
    assert (await bot.submit(BOB, mixed)).texts[0].startswith("This entry belongs to An Peeters")
    for forged in ([], list(range(1, 9)), ["x"]):
        answer = await bot.submit(AN, {**undo, "entry_ids": forged})
        assert answer.texts[0].startswith("Sommige velden van de kaart kon ik niet lezen: entry_ids")
    assert len(planned(db)) == 11
    done = await bot.submit(AN, undo)
    assert done.texts == ["Verwijderd: de geplande uren van die week tellen niet meer mee."]
    assert "Planning voor week 3 (18 jan) verwijderd" in card_texts(shown_card(done))
    assert_valid_card(shown_card(done))
    assert planned(db) == [(date(2027, 1, 19), 120, "DT-042")] + [(day, 96, "DT-042") for day in WEEK_3]
    again = await bot.submit(AN, undo)
    assert again.texts == ["Die weekplanning bestaat niet meer (al verwijderd?). Er is niets veranderd."]
    english = await bot.submit(BOB, bob_plan)
    assert english.texts == ["Removed: the hours planned that week no longer count."]
    assert (await bot.submit(BOB, bob_plan)).texts == [
        "That week plan no longer exists (undone already?). Nothing changed."
    ]
    assert planned(db) == [(date(2027, 1, 19), 120, "DT-042")]
