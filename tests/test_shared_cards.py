"""Cards in a channel are seen and pressed by everyone there (issue 12, item 3): a card that belongs to one person
tells anyone else whose it is and stores nothing for them; a shared form keys its double-submit check on who
submits, so two people never collide. Over HTTP, on both databases."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from storage.db import Database
from storage.directory import Role
from storage.time_entries import TimeEntry
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver
from tests.test_project_turns import AN, BOB, create_project, form_data, grant

CHANNEL = Conversation.channel(team_name="Digitaal loket")


def entries(db: Database) -> list[TimeEntry]:
    with db.session() as session:
        return list(session.exec(select(TimeEntry).order_by(TimeEntry.id)))  # type: ignore[arg-type]


def actions_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The data of each button on a card, by verb."""
    found: dict[str, dict[str, Any]] = {}
    for action in card.get("actions") or []:
        data = dict(action.get("data") or {})
        verb = data.get("verb") or action.get("verb")
        found[str(verb)] = data
    return found


async def team_of_two(bot: BotDriver, db: Database) -> None:
    """An coordinates DT-042 and Bob is on its team; both talk to the bot in the project's channel."""
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    await grant(bot, db, BOB, Role.COORDINATOR)
    await bot.submit(
        AN, {"verb": "projects.member_save", "code": "DT-042", "person": BOB.aad_object_id, "role": "analyst"}
    )
    await bot.say(AN, "help", conversation=CHANNEL)
    await bot.say(BOB, "help", conversation=CHANNEL)


FORM_OF_AN = "This form belongs to An Peeters; nothing was saved for you. Type **log** for your own."
ENTRY_OF_AN = "This entry belongs to An Peeters; only they can undo or change it. Nothing changed."
FILLED = {"project": "DT-042", "date": "2026-11-23", "kind": "performed", "category": "meeting"}


# Time registration: personal cards ------------------------------------------------------------------------------


async def test_someone_elses_time_form_in_a_channel_is_refused_and_stores_nothing(bot: BotDriver, db: Database) -> None:
    await team_of_two(bot, db)
    form = (await bot.say(AN, "registreer", conversation=CHANNEL)).cards[0]
    saved = await bot.submit(
        AN, {**form_data(form), **FILLED, "duration": "2u", "note": "stuurgroep"}, conversation=CHANNEL
    )
    assert saved.texts == []
    # Bob fills in the same card in the channel: he is told whose it is, in English, and shown nothing of An's.
    other = await bot.submit(
        BOB, {**form_data(form), **FILLED, "duration": "3h", "note": "bob's notes"}, conversation=CHANNEL
    )
    assert other.texts == [FORM_OF_AN]
    assert other.updated == [] and other.cards == []
    assert [(e.minutes, e.note) for e in entries(db)] == [(120, "stuurgroep")]
    # Before An saved it, too: Bob's hours never land on An's form.
    fresh = (await bot.say(AN, "registreer", conversation=CHANNEL)).cards[0]
    first = await bot.submit(BOB, {**form_data(fresh), **FILLED, "duration": "3h"}, conversation=CHANNEL)
    assert first.texts == [FORM_OF_AN]
    assert len(entries(db)) == 1
    # Bob's own form works for him.
    own = (await bot.say(BOB, "log", conversation=CHANNEL)).cards[0]
    mine = await bot.submit(BOB, {**form_data(own), **FILLED, "duration": "3h"}, conversation=CHANNEL)
    assert mine.texts == []
    assert sorted(e.minutes for e in entries(db)) == [120, 180]


async def test_the_double_submit_key_of_a_time_form_includes_who_submits(bot: BotDriver, db: Database) -> None:
    """A card without its owner (older, or its data edited) still never answers with someone else's entry."""
    await team_of_two(bot, db)
    form = (await bot.say(AN, "registreer", conversation=CHANNEL)).cards[0]
    data = {k: v for k, v in form_data(form).items() if k != "owner"}
    await bot.submit(AN, {**data, **FILLED, "duration": "2u", "note": "stuurgroep"}, conversation=CHANNEL)
    other = await bot.submit(BOB, {**data, **FILLED, "duration": "3h", "note": "bob"}, conversation=CHANNEL)
    assert not any("stuurgroep" in text for text in other.texts)
    assert "already" not in " ".join(other.texts)
    assert sorted((e.minutes, e.note) for e in entries(db)) == [(120, "stuurgroep"), (180, "bob")]
    # The same person twice is still one entry.
    again = await bot.submit(BOB, {**data, **FILLED, "duration": "3h", "note": "bob"}, conversation=CHANNEL)
    assert again.texts and again.texts == ["This form was already saved; I did not log the time twice."]
    assert len(entries(db)) == 2


async def test_undo_and_edit_on_someone_elses_entry_are_refused(bot: BotDriver, db: Database) -> None:
    await team_of_two(bot, db)
    logged = await bot.say(AN, "registreer 2u DT-042 stuurgroep", conversation=CHANNEL)
    buttons = actions_of(logged.cards[0])
    undo = await bot.submit(BOB, buttons["timelog.undo"], conversation=CHANNEL)
    assert undo.texts == [ENTRY_OF_AN]
    assert undo.updated == []
    edit = await bot.submit(BOB, buttons["timelog.edit"], conversation=CHANNEL)
    assert edit.texts == [ENTRY_OF_AN]
    assert edit.updated == [] and edit.cards == []
    # An edit form An opened, submitted by Bob: refused as well, An's entry unchanged.
    an_edit = await bot.submit(AN, buttons["timelog.edit"], conversation=CHANNEL)
    edit_form = an_edit.updated[0]["attachments"][0]["content"]
    changed = await bot.submit(
        BOB, {**form_data(edit_form), **FILLED, "duration": "7h", "note": "bob"}, conversation=CHANNEL
    )
    assert changed.texts == [FORM_OF_AN]
    assert [(e.minutes, e.note, e.day) for e in entries(db)] == [(120, "stuurgroep", date(2026, 11, 23))]


async def test_paging_someone_elses_timesheet_is_refused(bot: BotDriver, db: Database) -> None:
    await team_of_two(bot, db)
    sheet = (await bot.say(AN, "uren", conversation=CHANNEL)).cards[0]
    following = actions_of(sheet)["timelog.week"]
    refused = await bot.execute(BOB, "timelog.week", following, conversation=CHANNEL)
    assert refused.invoke_message == "This timesheet belongs to An Peeters. Type **timesheet** for your own."
    mine = await bot.execute(AN, "timelog.week", following, conversation=CHANNEL)
    assert mine.invoke_card is not None
