"""`mijn week` / `my week` (issue 17): my availability (or how to set it), and for this week and the next the load
line and, day by day, my plans per project, my leave and the public holidays — here the week of Easter Monday 2027.
Over HTTP, in Dutch and English, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.capacity import Availability
from storage.capacity import CapacityRepository
from storage.db import Database
from storage.directory import Role
from storage.time_entries import TimeEntryRepository
from tests.cardcheck import card_problems
from tests.harness import FakeClock, TeamsUser
from tests.harness.botdriver import BotDriver
from tests.test_capacity_available import BART, person_id, plan
from tests.test_menu import rows
from tests.test_project_turns import AN, create_project, grant
from tests.test_turns import card_texts

BOB = TeamsUser.named("Bob Builder", locale="en-GB")
EASTER_WEEK = datetime(2027, 3, 30, 8, 0, tzinfo=UTC)  # Tuesday of ISO week 13 of 2027; Easter Monday 29 March


async def bart_in_easter_week(bot: BotDriver, db: Database, clock: FakeClock) -> int:
    """Bart works 38 h over Monday to Friday, is on leave Thursday 1 April, and planned 6 h on DT-042 on Tuesday
    and 4 h on Friday 9 April (the next week)."""
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN, end="2027-12-17")
    await bot.say(BART, "help")
    bart = person_id(db, BART)
    clock.set(EASTER_WEEK)
    CapacityRepository(db).set_availability(bart, Availability.full_time(), now=EASTER_WEEK, by=None)
    TimeEntryRepository(db).set_leave(bart, [date(2027, 4, 1)])
    plan(db, bart, "DT-042", 6 * 60, date(2027, 3, 30))
    plan(db, bart, "DT-042", 4 * 60, date(2027, 4, 9))
    return bart


async def test_my_week_with_easter_monday_and_leave_in_dutch(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await bart_in_easter_week(bot, db, clock)
    [card] = (await bot.say(BART, "mijn week")).cards
    assert card_problems(card) == []
    texts = card_texts(card)
    assert "Beschikbaar: 38 u per week, op ma, di, wo, do, vr." in texts
    assert "week 13 (29 mrt)" in texts and "week 14 (5 apr)" in texts
    # 38 h less Easter Monday and a day of leave: 22,8 h available, 6 h planned.
    assert "ok: 6 u van 22,8 u (26 %)" in texts
    assert "ma 29 mrt" in texts and "feestdag" in texts
    assert "do 1 apr" in texts and "verlof" in texts
    assert "DT-042 6 u" in texts and "DT-042 4 u" in texts
    assert "niets gepland" in texts
    assert "za 3 apr" not in texts  # not a working day, nothing on it


async def test_my_week_in_english_says_how_to_set_an_unknown_availability(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    await bart_in_easter_week(bot, db, clock)
    [card] = (await bot.say(BOB, "my week")).cards
    assert card_problems(card) == []
    texts = card_texts(card)
    assert "Available: unknown. Set your hours a week and working days with **settings**" in texts
    assert "unknown: 0 h planned, availability unknown" in texts
    assert "Mon 29 Mar" in texts and "public holiday" in texts
    assert "DT-042" not in texts  # Bart's plans are his own


async def test_my_week_over_booked_is_marked(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    bart = await bart_in_easter_week(bot, db, clock)
    plan(db, bart, "DT-042", 20 * 60, date(2027, 3, 31))
    [card] = (await bot.say(BART, "mijn week")).cards
    texts = card_texts(card)
    assert "overboekt: 26 u van 22,8 u (114 %)" in texts
    [band] = [c for c in _nodes(card, "Container") if card_texts(c).startswith("overboekt")]
    assert band["style"] == "attention"


async def test_everyone_finds_my_week_in_the_menu(bot: BotDriver, db: Database) -> None:
    assert "my week" in rows((await bot.say(BOB, "help")).cards[0])
    assert "my week" in rows((await bot.say(BART, "help")).cards[0])


def _nodes(node: Any, kind: str) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == kind else []
        return found + [n for value in node.values() for n in _nodes(value, kind)]
    if isinstance(node, list):
        return [n for item in node for n in _nodes(item, kind)]
    return []


async def test_the_timesheet_opens_my_week_in_both_languages(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await bart_in_easter_week(bot, db, clock)
    for user, typed, title, shown in (
        (BART, "uren", "Mijn week", "feestdag"),
        (BOB, "timesheet", "My week", "unknown"),
    ):
        [sheet] = (await bot.say(user, typed)).cards
        [data] = [a["data"] for a in sheet["actions"] if a["title"] == title]
        [card] = (await bot.submit(user, data)).cards
        assert card_texts(card).startswith(title) and shown in card_texts(card)
