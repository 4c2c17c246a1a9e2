"""The meeting itself (issue 18, item 4), over HTTP in Dutch and English on both databases: a Teams meeting's chat
linked to a series by its coordinator (refused for others, explained outside a meeting chat), or by the join URL of
an Outlook import; at meetingStart the agenda card of that occurrence, at meetingEnd the report form, each posted
once however often Teams sends it; events for chats linked to nothing ignored; the saved report posted in the
meeting chat and the working group's channel and offered as a DOCX."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from storage.db import Database
from storage.meetings import MeetingChatEvent, MeetingRepository
from storage.projects import ProjectRepository
from storage.status import StatusRepository
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver, TurnResult
from tests.harness.connector import FakeConnector
from tests.test_meeting_turns import (
    CHANNEL,
    LANGS,
    MEETING,
    STATUS,
    cards_in,
    channel_bot,
    send_due,
    setup_series,
    valid,
)
from tests.test_project_turns import form_data
from tests.test_turns import card_texts

__all__ = ["channel_bot"]  # the fixture, used by name

MEETING_CHAT = Conversation.group_chat("19:meeting_NjA0ZDk5@thread.v2")
OTHER_CHAT = Conversation.group_chat("19:meeting_b3RoZXI@thread.v2")
PLAIN_CHAT = Conversation.group_chat("19:d4f1c0ffee@thread.v2")
START = "application/vnd.microsoft.meetingStart"
END = "application/vnd.microsoft.meetingEnd"
JOIN_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA0ZDk5%40thread.v2/0?context=%7b%22Tid%22%7d"
WORDS = {
    "nl": {
        "link": "vergadering koppelen DT-042",
        "linked": "Deze vergaderchat hoort nu bij “Werkgroep loket” (DT-042).",
        "elsewhere": "Typ dit in de chat van de Teams-vergadering zelf",
        "ended": "De vergadering is afgelopen.",
        "report": "Verslag van de vergadering: Werkgroep loket",
        "minutes": "Verslag: Werkgroep loket",
    },
    "en": {
        "link": "link meeting DT-042",
        "linked": "This meeting chat now belongs to “Werkgroep loket” (DT-042).",
        "elsewhere": "Type this in the Teams meeting's own chat",
        "ended": "The meeting has ended.",
        "report": "Meeting report: Werkgroep loket",
        "minutes": "Report: Werkgroep loket",
    },
}
_MEETING = {"Id": "MCMxOTptZWV0aW5n", "JoinUrl": JOIN_URL, "Title": "Werkgroep loket", "MeetingType": "Scheduled"}


def started(at: str = "2026-11-24T09:01:02.1234567Z") -> dict[str, Any]:
    """The value of a meetingStart as Teams sends it (the meeting's id, join URL, title, type and start, UTC)."""
    return {
        "Id": "MCMxOTptZWV0aW5n",
        "JoinUrl": JOIN_URL,
        "Title": "Werkgroep loket",
        "MeetingType": "Scheduled",
        "StartTime": at,
    }


def ended(at: str = "2026-11-24T10:02:00Z") -> dict[str, Any]:
    return {
        "Id": "MCMxOTptZWV0aW5n",
        "JoinUrl": JOIN_URL,
        "Title": "Werkgroep loket",
        "MeetingType": "Scheduled",
        "EndTime": at,
    }


def claims(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(row.key for row in session.exec(select(MeetingChatEvent)).all())


def posted(result: TurnResult, chat: Conversation) -> list[dict[str, Any]]:
    assert result.status < 300
    assert all(activity["conversation"]["id"] == chat.id for activity in result.sent)
    return result.cards


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_a_linked_meeting_gets_its_agenda_at_the_start_and_the_report_form_at_the_end_once(
    channel_bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, lang: str
) -> None:
    bot, words, said = channel_bot, LANGS[lang], WORDS[lang]
    an: TeamsUser = words["coordinator"]
    member: TeamsUser = words["member"]
    _, series_id = await setup_series(bot, db, lang)
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None
    StatusRepository(db).add_report(project.id, STATUS, author_id=None, now=clock.now(), form_id=None)
    await bot.say(member, "agenda DT-042 Demo van het nieuwe loket", conversation=CHANNEL)

    # Only who manages the project's meetings links the chat, and only a meeting's own chat.
    refused = await bot.say(member, said["link"], conversation=MEETING_CHAT)
    assert refused.texts and "Werkgroep loket" not in refused.texts[0]
    elsewhere = await bot.say(an, said["link"], conversation=PLAIN_CHAT)
    assert elsewhere.texts[0].startswith(said["elsewhere"])
    assert MeetingRepository(db).chat(MEETING_CHAT.id) is None and MeetingRepository(db).chat(PLAIN_CHAT.id) is None
    linked = await bot.say(an, said["link"], conversation=MEETING_CHAT)
    assert linked.texts[0].startswith(said["linked"])
    link = MeetingRepository(db).chat(MEETING_CHAT.id)
    assert link is not None and link.series_id == series_id

    # The meeting starts (any participant's client may send it): the agenda card of that occurrence, once.
    clock.set(datetime(2026, 11, 24, 9, 1, tzinfo=UTC))
    start = await bot.event(member, START, started(), conversation=MEETING_CHAT)
    [agenda] = posted(start, MEETING_CHAT)
    texts = card_texts(valid(agenda))
    assert "Agenda: Werkgroep loket" in texts
    assert "Demo van het nieuwe loket" in texts and "Loket live in test" in texts and "🟢" in texts
    assert (await bot.event(member, START, started(), conversation=MEETING_CHAT)).sent == []  # Teams retries
    assert (await bot.event(an, START, started("2026-11-24T09:40:00Z"), conversation=MEETING_CHAT)).sent == []

    # It ends: the report form for the coordinator, once; the personal reminder to write it is not sent any more.
    clock.set(datetime(2026, 11, 24, 10, 2, tzinfo=UTC))
    end = await bot.event(member, END, ended(), conversation=MEETING_CHAT)
    assert end.texts[0].startswith(said["ended"])
    [form] = posted(end, MEETING_CHAT)
    assert said["report"] in card_texts(valid(form))
    assert (await bot.event(member, END, ended(), conversation=MEETING_CHAT)).sent == []
    assert claims(db) == [f"{series_id}:2026-11-24:end", f"{series_id}:2026-11-24:start"]
    connector.clear()
    await send_due(db, clock, lang)
    assert not any(words["report"] in card_texts(card) for card in cards_in(connector.sent))

    # Someone else cannot save it; its coordinator does, in the meeting chat: posted there and in the channel,
    # and offered to them as the DOCX "projectverslag".
    report = {**form_data(form), "decisions": "Go-live op 1 december", "action_1": "Offerte opvragen"}
    intruder = await bot.submit(member, report, conversation=MEETING_CHAT)
    assert MeetingRepository(db).report_of(series_id, "2026-11-24") is None
    assert "Go-live" not in repr(intruder.sent)
    saved = await bot.submit(an, report, conversation=MEETING_CHAT)
    assert saved.status < 300
    assert any(".docx" in repr(activity) for activity in saved.sent)
    connector.clear()
    await send_due(db, clock, lang)
    for where in (MEETING_CHAT, CHANNEL):
        [minutes] = cards_in(connector.sent_to(where.id))
        texts = card_texts(valid(minutes))
        assert said["minutes"] in texts and "Go-live op 1 december" in texts and "Offerte opvragen" in texts
    again = await bot.submit(an, report, conversation=MEETING_CHAT)
    assert again.texts and "Werkgroep loket" in again.texts[0]
    connector.clear()
    await send_due(db, clock, lang)
    assert cards_in(connector.sent) == []  # posted once


async def test_events_for_a_chat_linked_to_nothing_or_far_from_any_meeting_are_ignored(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    _, series_id = await setup_series(bot, db, "nl")
    an: TeamsUser = LANGS["nl"]["coordinator"]
    unlinked = {**started(), "JoinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_b3RoZXI%40thread.v2/0"}
    clock.set(datetime(2026, 11, 24, 9, 1, tzinfo=UTC))
    for name, value in ((START, unlinked), (END, ended())):
        answered = await bot.event(an, name, value, conversation=OTHER_CHAT)
        assert answered.status < 300 and answered.sent == []
    await bot.say(an, "vergadering koppelen DT-042", conversation=MEETING_CHAT)
    far = await bot.event(an, START, started("2026-12-20T09:00:00Z"), conversation=MEETING_CHAT)
    assert far.sent == []  # no occurrence of the series that day
    assert claims(db) == []
    assert MeetingRepository(db).chat(OTHER_CHAT.id) is None
    assert series_id


@pytest.mark.parametrize(
    "value",
    [None, "text", [1, 2], {"StartTime": "yesterday"}, {"StartTime": 12}, {"StartTime": "9" * 5000}, {"JoinUrl": 3}],
)
async def test_odd_event_values_are_no_error(bot: BotDriver, db: Database, clock: FakeClock, value: Any) -> None:
    """A value Teams would not send: read as far as it goes (a moment it does not give is now), never a 500."""
    await setup_series(bot, db, "nl")
    an: TeamsUser = LANGS["nl"]["coordinator"]
    await bot.say(an, "vergadering koppelen DT-042", conversation=MEETING_CHAT)
    clock.set(datetime(2026, 11, 24, 9, 5, tzinfo=UTC))
    answered = await bot.event(an, START, value, conversation=MEETING_CHAT)
    assert answered.status < 300
    assert len(answered.cards) <= 1


async def test_a_series_imported_from_outlook_links_its_meeting_chat_by_the_join_url(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    _, series_id = await setup_series(bot, db, "en", link=JOIN_URL)
    member: TeamsUser = LANGS["en"]["member"]
    clock.set(datetime(2026, 11, 24, 9, 1, tzinfo=UTC))
    start = await bot.event(member, START, started(), conversation=MEETING_CHAT)
    [agenda] = posted(start, MEETING_CHAT)
    assert "Agenda: Werkgroep loket" in card_texts(valid(agenda))
    link = MeetingRepository(db).chat(MEETING_CHAT.id)
    assert link is not None and link.series_id == series_id and link.linked_by_id is None
    assert link.join_url == JOIN_URL


async def test_link_meeting_names_the_series_when_a_project_has_several_and_explains_when_it_has_none(
    bot: BotDriver, db: Database
) -> None:
    _, first = await setup_series(bot, db, "nl")
    an: TeamsUser = LANGS["nl"]["coordinator"]
    again = valid((await bot.say(an, "nieuwe vergadering DT-042", conversation=CHANNEL)).cards[0])
    await bot.submit(an, {**form_data(again), **MEETING, "title": "Stuurgroep"}, conversation=CHANNEL)
    which = await bot.say(an, "vergadering koppelen DT-042", conversation=MEETING_CHAT)
    assert "“Werkgroep loket”" in which.texts[0] and "“Stuurgroep”" in which.texts[0]
    assert MeetingRepository(db).chat(MEETING_CHAT.id) is None
    named = await bot.say(an, "vergadering koppelen DT-042 stuurgroep", conversation=MEETING_CHAT)
    assert "Stuurgroep" in named.texts[0]
    link = MeetingRepository(db).chat(MEETING_CHAT.id)
    assert link is not None and link.series_id != first

    english = await bot.say(LANGS["en"]["coordinator"], "link meeting DT-999", conversation=OTHER_CHAT)
    assert english.texts and "DT-999" in english.texts[0]
