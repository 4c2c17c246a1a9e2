"""Logging, planning, undo/edit, refusals, double submit, timesheets and budget burn, in both languages, over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from storage.db import Database
from storage.directory import Role
from storage.outbox import OutboxMessage
from storage.time_entries import TimeEntry
from tests.harness.botdriver import BotDriver
from tests.test_project_turns import AN, BOB, create_project, form_data, grant, shown_card
from tests.test_turns import card_texts, verbs_on


def entries(db: Database) -> list[TimeEntry]:
    with db.session() as session:
        return list(session.exec(select(TimeEntry).order_by(TimeEntry.id)))  # type: ignore[arg-type]


async def setup_project(bot: BotDriver, db: Database, **changes: str) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN, **changes)


def button(card: dict[str, Any], verb: str) -> dict[str, Any]:
    for action in card.get("actions") or []:
        data = action.get("data") or {}
        if data.get("verb") == verb or action.get("verb") == verb:
            return dict(data)
    raise AssertionError(f"no {verb} button")


async def test_log_in_dutch_confirms_and_undo_removes_exactly_that_entry(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    first = await bot.say(AN, "registreer 2u30 DT-042 analyse aanvraag")
    texts = card_texts(first.cards[0])
    assert "Uren geregistreerd" in texts and "DT-042 · Digitaal loket" in texts and "2,5 u" in texts
    assert "analyse aanvraag" in texts and "maandag 23 november 2026" in texts
    second = await bot.say(AN, "registreer 1,5u DT-042 gisteren: workshop")
    assert "zondag 22 november 2026" in card_texts(second.cards[0])
    assert [(e.minutes, e.day, e.note, e.kind) for e in entries(db)] == [
        (150, date(2026, 11, 23), "analyse aanvraag", "performed"),
        (90, date(2026, 11, 22), "workshop", "performed"),
    ]
    undo = button(first.cards[0], "timelog.undo")
    undone = await bot.submit(AN, undo)
    assert undone.texts == ["Verwijderd: die registratie telt niet meer mee."]
    assert "Registratie verwijderd" in card_texts(shown_card(undone))
    assert [e.note for e in entries(db)] == ["workshop"]
    again = await bot.submit(AN, undo)
    assert again.texts[0].startswith("Die registratie bestaat niet meer")
    assert [e.note for e in entries(db)] == ["workshop"]


async def test_log_and_plan_in_english(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    await grant(bot, db, BOB, Role.ADMIN)
    await bot.submit(
        AN, {"verb": "projects.member_save", "code": "DT-042", "person": BOB.aad_object_id, "role": "analyst"}
    )
    logged = await bot.say(BOB, "log 1.5h on DT-042 yesterday: workshop")
    assert "Time logged" in card_texts(logged.cards[0]) and "Sunday 22 November 2026" in card_texts(logged.cards[0])
    planned = await bot.say(BOB, "plan 4h DT-042 next tuesday workshop")
    assert "Planned" in card_texts(planned.cards[0]) and "Tuesday 24 November 2026" in card_texts(planned.cards[0])
    assert [(e.minutes, e.kind, e.day) for e in entries(db)] == [
        (90, "performed", date(2026, 11, 22)),
        (240, "planned", date(2026, 11, 24)),
    ]
    dutch_plan = await bot.say(AN, "plan 4u DT-042 volgende dinsdag workshop")
    assert "Gepland" in card_texts(dutch_plan.cards[0])


async def test_a_typed_activity_tag_sets_the_category_in_both_languages(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    await grant(bot, db, BOB, Role.ADMIN)
    await bot.submit(
        AN, {"verb": "projects.member_save", "code": "DT-042", "person": BOB.aad_object_id, "role": "analyst"}
    )
    dutch = await bot.say(AN, "registreer 2u30 DT-042 #analyse aanvraag")
    assert "Activiteit\nAnalyse\nNotitie\naanvraag" in card_texts(dutch.cards[0])
    accents = await bot.say(AN, "registreer 1u DT-042 gisteren: stuurgroep voorbereiden #Coordinatie")
    assert "Activiteit\nCoördinatie" in card_texts(accents.cards[0])
    english = await bot.say(BOB, "log 1.5h DT-042 yesterday: steering group #meeting")
    assert "Activity\nMeeting\nNote\nsteering group" in card_texts(english.cards[0])
    planned = await bot.say(BOB, "plan 4h DT-042 next tuesday #travel to Lier")
    assert "Activity\nTravel" in card_texts(planned.cards[0])
    # The Dutch name works in English and the other way round; without a tag it stays "other".
    await bot.say(BOB, "log 1h DT-042 #documentatie")
    await bot.say(AN, "registreer 1u DT-042 analyse")
    assert [(e.category, e.note) for e in entries(db)] == [
        ("analysis", "aanvraag"),
        ("coordination", "stuurgroep voorbereiden"),
        ("meeting", "steering group"),
        ("travel", "to Lier"),
        ("documentation", ""),
        ("other", "analyse"),
    ]


async def test_an_unknown_activity_tag_lists_the_valid_ones_and_stores_nothing(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    await grant(bot, db, BOB, Role.ADMIN)
    await bot.submit(
        AN, {"verb": "projects.member_save", "code": "DT-042", "person": BOB.aad_object_id, "role": "analyst"}
    )
    dutch = (await bot.say(AN, "registreer 2u DT-042 #vergaderen stuurgroep")).cards[0]
    texts = card_texts(dutch)
    assert (
        "“#vergaderen” is geen activiteit die ik ken. Bedoel je #vergadering? Kies er hier een, of typ een van: "
        "#analyse, #vergadering, #coördinatie, #implementatie, #documentatie, #verplaatsing, #opleiding, #andere."
        in texts
    )
    assert "Ik begreep: duur 2 u, project DT-042, notitie “stuurgroep”." in texts
    [category] = [e for e in dutch["body"] if e.get("id") == "category"]
    assert "value" not in category  # nothing chosen for them: they pick one
    english = (await bot.say(BOB, "log 2h DT-042 #lunch")).cards[0]
    assert (
        "“#lunch” is not an activity I know. Pick one here, or type one of: #analysis, #meeting, #coordination, "
        "#implementation, #documentation, #travel, #training, #other." in card_texts(english)
    )
    two = (await bot.say(AN, "registreer 2u DT-042 #ver")).cards[0]
    assert (
        "“#ver” kan meer dan één activiteit zijn: #vergadering, #verplaatsing. Kies er hier een, of typ een paar "
        "letters meer." in card_texts(two)
    )
    several = (await bot.say(BOB, "log 2h DT-042 #meeting #travel")).cards[0]
    assert "One activity per entry, and your tags name more: Meeting, Travel. Pick one here." in card_texts(several)
    assert entries(db) == []
    # Saving the form without picking one is refused next to the field; picking one saves.
    unpicked = await bot.submit(
        AN,
        {
            **form_data(dutch),
            "project": "DT-042",
            "date": "2026-11-23",
            "duration": "2u",
            "kind": "performed",
            "category": "",
            "note": "stuurgroep",
        },
    )
    assert "Kies een activiteit." in card_texts(shown_card(unpicked))
    assert entries(db) == []
    picked = await bot.submit(
        AN,
        {
            **form_data(dutch),
            "project": "DT-042",
            "date": "2026-11-23",
            "duration": "2u",
            "kind": "performed",
            "category": "meeting",
            "note": "stuurgroep",
        },
    )
    assert "Activiteit\nVergadering" in card_texts(shown_card(picked))
    assert [(e.minutes, e.category, e.note) for e in entries(db)] == [(120, "meeting", "stuurgroep")]


async def test_refusals_store_nothing_and_say_why(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    await setup_closed(bot, db)
    cases = {
        "registreer 0u DT-042": "Niet geregistreerd: de duur moet meer dan nul zijn.",
        "registreer -2u DT-042": "Niet geregistreerd: de duur moet meer dan nul zijn.",
        "registreer 25u DT-042": "Niet geregistreerd: een dag telt niet meer dan 24 uur.",
        "registreer 2u DT-042 morgen": "Niet geregistreerd: gepresteerde uren kunnen niet in de toekomst liggen.",
        "plan 2u DT-042 gisteren": "Niet geregistreerd: geplande uren kunnen niet in het verleden liggen.",
        "registreer 2u DT-043": "Niet geregistreerd: project DT-043 is afgesloten.",
    }
    for message, answer in cases.items():
        result = await bot.say(AN, message)
        assert result.texts and result.texts[0].startswith(answer), (message, result.texts)
    assert entries(db) == []
    await bot.say(AN, "registreer 20u DT-042")
    full = await bot.say(AN, "registreer 5u DT-042")
    assert full.texts == [
        "Niet geregistreerd: dan kom je boven 24 uur op één dag (al gepresteerd die dag: 20 u, hoogstens 4 u over)."
    ]
    unknown = await bot.say(AN, "registreer 2u XX-999")
    assert "Ik vind geen project “XX-999”" in card_texts(unknown.cards[0])
    # Someone not on the team gets the answer a code nobody uses gets: nothing about the project.
    outsider = await bot.say(BOB, "log 2h DT-042")
    nobody = await bot.say(BOB, "log 2h XX-998")
    assert card_texts(outsider.cards[0]).replace("DT-042", "XX-998") == card_texts(nobody.cards[0])
    assert [e.minutes for e in entries(db)] == [1200]


async def setup_closed(bot: BotDriver, db: Database) -> None:
    await create_project(bot, AN, code="DT-043", name="Oud archief")
    await bot.submit(AN, {"verb": "projects.phase_save", "code": "DT-043", "phase": "closed"})


async def test_ambiguous_message_asks_with_what_was_understood_and_stores_nothing(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    await create_project(bot, AN, code="DT-044", name="Digitaal archief")
    no_duration = await bot.say(AN, "registreer DT-042 workshop")
    texts = card_texts(no_duration.cards[0])
    assert "Ik begreep: project DT-042, notitie “workshop”" in texts and "Hoe lang?" in texts
    several = await bot.say(AN, "registreer 2u digitaal gisteren")
    card = several.cards[0]
    assert "Meerdere projecten passen bij “digitaal”: kies er een." in card_texts(card)
    assert entries(db) == []
    data = {**form_data(card), "project": "DT-044", "date": "2026-11-22", "duration": "2u", "kind": "performed"}
    saved = await bot.submit(AN, data)
    assert "Uren geregistreerd" in card_texts(shown_card(saved))
    twice = await bot.submit(AN, data)
    assert twice.texts == ["Dit formulier was al opgeslagen; ik heb de uren niet dubbel geregistreerd."]
    assert [(e.minutes, e.day) for e in entries(db)] == [(120, date(2026, 11, 22))]


async def test_log_alone_opens_the_form_recent_projects_first_and_errors_sit_next_to_fields(
    bot: BotDriver, db: Database
) -> None:
    await setup_project(bot, db)
    await create_project(bot, AN, code="DT-044", name="Digitaal archief")
    await bot.say(AN, "registreer 1u DT-044")
    form = (await bot.say(AN, "registreer")).cards[0]
    [project_input] = [e for e in form["body"] if e.get("id") == "project"]
    assert [c["value"] for c in project_input["choices"]] == ["DT-044", "DT-042"]
    bad = await bot.submit(
        AN, {**form_data(form), "project": "DT-042", "date": "2026-11-23", "duration": "lang", "kind": "performed"}
    )
    again = shown_card(bad)
    assert "“lang” is geen duur die ik begrijp. Typ bv. 2u30, 1,5u, 90m of 2:30." in card_texts(again)
    assert len(entries(db)) == 1
    good = await bot.submit(
        AN,
        {
            **form_data(again),
            "project": "DT-042",
            "date": "2026-11-20",
            "duration": "45 min",
            "kind": "performed",
            "category": "meeting",
            "note": "stuurgroep",
        },
    )
    assert "Vergadering" in card_texts(shown_card(good))
    assert [(e.minutes, e.category, e.note) for e in entries(db)][-1] == (45, "meeting", "stuurgroep")


async def test_edit_changes_the_entry_in_place(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    logged = await bot.say(AN, "registreer 2u DT-042")
    form = shown_card(await bot.submit(AN, button(logged.cards[0], "timelog.edit")))
    assert "Registratie wijzigen" in card_texts(form)
    changed = await bot.submit(AN, {**form_data(form), "project": "DT-042", "date": "2026-11-23", "duration": "3u"})
    assert "Registratie gewijzigd" in card_texts(shown_card(changed))
    assert [e.minutes for e in entries(db)] == [180]


async def test_the_same_message_delivered_twice_records_once(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    activity = bot.activities.message(AN, "registreer 2u DT-042")
    await bot.post(activity)
    await bot.post(activity)  # a retry of the very same activity (same id)
    assert len(entries(db)) == 1


async def test_timesheet_pages_weeks_in_place(bot: BotDriver, db: Database, clock: Any) -> None:
    await setup_project(bot, db)
    await bot.say(AN, "registreer 2u30 DT-042 maandag")
    await bot.say(AN, "registreer 1u DT-042 vorige vrijdag")
    await bot.say(AN, "plan 4u DT-042 woensdag")
    sheet = (await bot.say(AN, "uren")).cards[0]
    texts = card_texts(sheet)
    assert "Urenstaat week 48 (23 nov – 29 nov 2026)" in texts
    assert "2,5" in texts and "4" in texts and "Gepland (uren)" in texts
    previous = await bot.execute(AN, "timelog.week", button(sheet, "timelog.week"))
    card = previous.invoke_card
    assert card is not None
    assert "Urenstaat week 47" in card_texts(card) and "1" in card_texts(card)
    last = (await bot.say(AN, "uren vorige week")).cards[0]
    assert "Urenstaat week 47" in card_texts(last)
    english = (await bot.say(BOB, "timesheet last week")).cards[0]
    assert "Timesheet week 47" in card_texts(english) and "No time worked this week." in card_texts(english)
    assert "timelog.week" in verbs_on(english)
    unknown = await bot.say(AN, "uren gisteren morgen")
    assert unknown.texts[0].startswith("Welke week is")


async def test_burn_warning_once_per_crossing(bot: BotDriver, db: Database) -> None:
    # Budget 100 h from 1 November to 30 December 2026: on 23 November about 38 % of the time has passed.
    await setup_project(bot, db, budget_hours="100", start="2026-11-01", end="2026-12-30")
    for day in range(16, 23):
        await bot.say(AN, f"registreer 8u DT-042 {day}/11")  # 56 h = 56 %: 18 points ahead
    with db.session() as session:
        warnings = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "time.burn")).all()
    assert len(warnings) == 1
    assert warnings[0].target_aad_object_id == AN.aad_object_id
    await bot.say(AN, "registreer 1u DT-042")
    card = (await bot.say(AN, "budget DT-042")).cards[0]
    assert "Het verbruik loopt meer dan 15 procentpunt voor op de verstreken tijd." in card_texts(card)
    with db.session() as session:
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "time.burn")).all()) == 1


async def test_export_sends_xlsx_and_csv_of_what_the_person_may_see(bot: BotDriver, db: Database) -> None:
    await setup_project(bot, db)
    await grant(bot, db, BOB, Role.ADMIN)
    await bot.submit(AN, {"verb": "projects.member_save", "code": "DT-042", "person": BOB.aad_object_id, "role": "x"})
    await bot.say(AN, "registreer 2u30 DT-042 20/11: analyse")
    await bot.say(BOB, "log 1h DT-042 2026-10-30")
    # An coordinates DT-042: both entries. Bob is a team member: only his own.
    an_export = await bot.say(AN, "export DT-042 november")
    assert an_export.texts[0] == "Hier is 1 registratie (DT-042) van 1 nov 2026 tot 30 nov 2026 als XLSX en CSV."
    everything = await bot.say(AN, "export")
    assert everything.texts[0].startswith("Hier zijn 2 registraties (alles wat je mag zien)")
    bob_export = await bot.say(BOB, "export")
    assert bob_export.texts[0].startswith("Here is 1 time entry")
