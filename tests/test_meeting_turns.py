"""Meetings end to end over HTTP with a fake clock, in Dutch and English, on both databases: a series in a channel,
an agenda item, reminders at 24 h and 1 h with the current status line, RSVPs updating the card in place (a double
press counted once), the meeting report with action items, and those on the next reminder; edits and cancels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.settings import Settings
from storage.db import Database
from storage.directory import Role
from storage.meeting_records import ActionItem, Rsvp
from storage.meetings import MeetingSeries
from storage.models import Person
from storage.outbox import OutboxMessage, OutboxRepository
from storage.projects import ProjectRepository
from storage.status import StatusRepository
from tests.cardcheck import card_problems
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver
from tests.harness.connector import FakeConnector
from tests.outbox_support import outbox_sender
from tests.test_availability_settings import element
from tests.test_project_turns import create_project, form_data, grant, shown_card
from tests.test_turns import card_texts

CHANNEL = Conversation.channel(team_name="Digitaal loket")
STATUS = {
    "overall": "green",
    "schedule": "green",
    "budget": "amber",
    "scope": "green",
    "summary": "Loket live in test",
    "achievements": "",
    "next_steps": "",
    "decisions_needed": "",
    "blockers": "",
}

LANGS: dict[str, dict[str, Any]] = {
    "nl": {
        "coordinator": TeamsUser.named("An Peeters", locale="nl-BE"),
        "member": TeamsUser.named("Bart Claes", locale="nl-BE"),
        "new": "nieuwe vergadering DT-042",
        "actions": "acties DT-042",
        "created": "De vergadering “Werkgroep loket” van DT-042 is gepland.",
        "soon": "Begint over 1 uur: Werkgroep loket",
        "answers": "Aanwezig: 1 · Afwezig: 1",
        "report": "Verslag van de vergadering: Werkgroep loket",
        "saved": "Het verslag van “Werkgroep loket” is bewaard, met 1 actiepunt.",
        "when": "dinsdag 24 november 2026, 10:00–11:00 (Europe/Brussels)",
        "moved_when": "dinsdag 24 november 2026, 14:00–15:00 (Europe/Brussels)",
        "holiday_series": "Werkgroep loket",
    },
    "en": {
        "coordinator": TeamsUser.named("Ann Peters", locale="en-GB"),
        "member": TeamsUser.named("Bob Smith", locale="en-US"),
        "new": "new meeting DT-042",
        "actions": "actions DT-042",
        "created": "The meeting “Werkgroep loket” of DT-042 is planned.",
        "soon": "Starts in 1 hour: Werkgroep loket",
        "answers": "Attending: 1 · Not attending: 1",
        "report": "Meeting report: Werkgroep loket",
        "saved": "The report of “Werkgroep loket” is saved, with 1 action item.",
        "when": "Tuesday, 24 November 2026, 10:00–11:00 (Europe/Brussels)",
        "moved_when": "Tuesday, 24 November 2026, 14:00–15:00 (Europe/Brussels)",
    },
}
MEETING = {
    "title": "Werkgroep loket",
    "kind": "working_group",
    "date": "2026-11-24",  # a Tuesday; the clock starts Monday 23 November 09:00 UTC
    "time": "10:00",
    "duration": "60",
    "timezone": "Europe/Brussels",
    "repeat": "weekly",
    "count": "3",
    "place": "Zaal 2",
    "link": "https://teams.microsoft.com/l/meetup-join/x",
    "leads": "24h, 1h",
    "skip_holidays": "false",
}


def cards_in(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for activity in activities:
        for attachment in activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                found.append(attachment["content"])
    return found


def valid(card: dict[str, Any]) -> dict[str, Any]:
    assert card_problems(card) == []
    return card


async def setup_series(bot: BotDriver, db: Database, lang: str, **changes: str) -> tuple[dict[str, Any], int]:
    words = LANGS[lang]
    an: TeamsUser = words["coordinator"]
    await grant(bot, db, an, Role.COORDINATOR)
    await create_project(bot, an)
    await bot.say(words["member"], "help", conversation=CHANNEL)  # the bot is in the channel; Bart/Bob exist
    form = valid((await bot.say(an, words["new"], conversation=CHANNEL)).cards[0])
    saved = await bot.submit(an, {**form_data(form), **MEETING, **changes}, conversation=CHANNEL)
    with db.session() as session:
        [series] = session.exec(select(MeetingSeries)).all()
    assert series.id is not None
    return {"saved": saved, "form": form}, series.id


async def send_due(db: Database, clock: FakeClock, lang: str = "nl") -> None:
    """Channels get proactive cards in the organisation's default language: here the test's language."""
    async with outbox_sender(db, clock) as sender:
        sender.default_language = "en" if lang == "en" else "nl"
        await sender.run_until_idle()


@pytest.fixture
async def channel_bot(db: Database, clock: FakeClock, connector: FakeConnector, lang: str) -> AsyncIterator[BotDriver]:
    """The bot with the channel's language as its default (channel cards are in the conversation's language)."""
    locale = "en-US" if lang == "en" else "nl-BE"
    settings = Settings(dev=True, database_url="sqlite://", default_locale=locale)
    async with BotDriver.start(db=db, clock=clock, connector=connector, settings=settings) as driver:
        yield driver


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_whole_meeting_loop(
    channel_bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, lang: str
) -> None:
    bot = channel_bot
    words = LANGS[lang]
    an: TeamsUser = words["coordinator"]
    member: TeamsUser = words["member"]
    created, series_id = await setup_series(bot, db, lang)
    assert words["created"] in created["saved"].texts[0]
    # The same form submitted again (double click) records once.
    again = await bot.submit(an, {**form_data(created["form"]), **MEETING}, conversation=CHANNEL)
    assert "al bewaard" in again.texts[0] or "already saved" in again.texts[0]
    with db.session() as session:
        assert len(session.exec(select(MeetingSeries)).all()) == 1

    # An agenda item typed in the channel by a working-group member, and the project's status.
    added = await bot.say(member, "agenda DT-042 Demo van het nieuwe loket", conversation=CHANNEL)
    assert "Demo van het nieuwe loket" in added.texts[0]
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None
    StatusRepository(db).add_report(project.id, STATUS, author_id=None, now=clock.now(), form_id=None)

    # 24 hours before: the first reminder in the channel, with agenda, status line, time, place and link.
    before = len(connector.sent)
    await send_due(db, clock, lang)
    [first] = cards_in(connector.sent_to(CHANNEL.id)[-1:])
    first_id = connector.sent_to(CHANNEL.id)[-1]["id"]
    assert len(connector.sent) == before + 1
    texts = card_texts(valid(first))
    assert "Werkgroep loket" in texts and "Demo van het nieuwe loket" in texts
    assert "Loket live in test" in texts and "🟢" in texts
    assert words["when"] in texts and "Zaal 2" in texts
    assert "{{TIME(2026-11-24T09:00:00Z)}}" in texts  # Teams shows each reader their own time

    # Two people answer; the card comes back updated for everyone; a double press counts once.
    execute = next(a for a in first["actions"] if a.get("type") == "Action.Execute")
    data = execute["data"]
    await bot.execute(an, "meeting.attend", data, conversation=CHANNEL, reply_to_id=first_id)
    await bot.execute(an, "meeting.attend", data, conversation=CHANNEL, reply_to_id=first_id)
    declined = await bot.execute(member, "meeting.decline", data, conversation=CHANNEL, reply_to_id=first_id)
    updated = declined.invoke_card
    assert updated is not None
    texts = card_texts(valid(updated))
    assert words["answers"] in texts
    assert an.name in texts and member.name in texts
    # The one who pressed gets the card in the invoke answer; the posted message is updated for everyone.
    [for_everyone] = declined.updated
    assert for_everyone["id"] == first_id
    assert for_everyone["attachments"][0]["content"] == updated
    with db.session() as session:
        assert len(session.exec(select(Rsvp)).all()) == 2

    # The status changes; 1 hour before, the short reminder shows the current status line.
    StatusRepository(db).add_report(
        project.id,
        {**STATUS, "overall": "amber", "summary": "Vertraging bij leverancier"},
        author_id=None,
        now=clock.advance(timedelta(hours=1)),
        form_id=None,
    )
    clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    await send_due(db, clock, lang)
    [second] = cards_in(connector.sent_to(CHANNEL.id)[-1:])
    texts = card_texts(valid(second))
    assert words["soon"] in texts
    assert "Vertraging bij leverancier" in texts and "🟠" in texts
    assert words["answers"] in texts

    # After the meeting the coordinator is asked for the report, in the personal chat.
    clock.set(datetime(2026, 11, 24, 10, 5, tzinfo=UTC))
    await send_due(db, clock, lang)
    [prompt] = cards_in(connector.sent[-1:])
    assert words["report"] in card_texts(valid(prompt))
    # Each action's owner is picked: the project's people listed, every colleague searched as one types (Teams).
    owner = element(prompt, "owner_1")
    assert owner["type"] == "Input.ChoiceSet" and owner["choices.data"] == {"type": "Data.Query", "dataset": "people"}
    assert an.name in {choice["title"].split(" · ")[0] for choice in owner["choices"]}  # its coordinator
    assert element(prompt, "owner_1_new")["type"] == "Input.Text"  # someone not listed: their address
    report = {
        **form_data(prompt),
        "decisions": "Go-live op 1 december",
        "action_1": "Offerte opvragen",
        "owner_1": member.name,
        "due_1": "2026-11-28",
        "owner_2": "Nobody Known",
    }
    refused = await bot.submit(an, report)
    assert "action_2" in str(shown_card(refused)) or refused.texts == []
    report.pop("owner_2")
    saved = await bot.submit(an, {**report, "owner_2": ""})
    assert saved.texts == [words["saved"]]
    twice = await bot.submit(an, {**report, "owner_2": ""})
    assert twice.texts and "Werkgroep loket" in twice.texts[0]
    with db.session() as session:
        [action] = session.exec(select(ActionItem)).all()
    assert action.text == "Offerte opvragen"

    # The action item is listed for the project and shows on the next meeting's reminder.
    listed = await bot.say(an, words["actions"])
    assert "Offerte opvragen" in card_texts(valid(listed.cards[0]))
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await send_due(db, clock, lang)
    [nextone] = cards_in(connector.sent_to(CHANNEL.id)[-1:])
    texts = card_texts(valid(nextone))
    assert "Offerte opvragen" in texts and member.name in texts
    assert "Demo van het nieuwe loket" not in texts  # that agenda item was for the first meeting

    # The owner marks it done; it is gone from the list.
    done_card = await bot.submit(member, {"verb": "meeting.action_done", "action": action.id})
    assert "Offerte opvragen" in done_card.texts[0]
    assert OutboxRepository(db).by_key(f"reminder:{series_id}:2026-11-24:1440") is not None


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_edit_after_queueing_sends_the_new_time_and_a_cancelled_one_sends_nothing(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, lang: str
) -> None:
    words = LANGS[lang]
    an: TeamsUser = words["coordinator"]
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # before the first reminder is due
    _created, series_id = await setup_series(bot, db, lang)
    first_key = f"reminder:{series_id}:2026-11-24:1440"
    row = OutboxRepository(db).by_key(first_key)
    assert row is not None and row.due_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert row.not_after == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    # The series moves to 14:00: the queued row follows (due and deadline) and the card shows the new time.
    edit = await bot.submit(an, {"verb": "meeting.edit", "series": series_id}, conversation=CHANNEL)
    form = valid(edit.cards[0])
    saved = await bot.submit(an, {**form_data(form), **MEETING, "time": "14:00"}, conversation=CHANNEL)
    assert saved.texts
    row = OutboxRepository(db).by_key(first_key)
    assert row is not None and row.due_at == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    await send_due(db, clock, lang)
    [card] = cards_in(connector.sent_to(CHANNEL.id)[-1:])
    assert words["moved_when"] in card_texts(valid(card))

    # The second meeting is cancelled: its reminders are cancelled and nothing is sent for it.
    listing = await bot.say(an, "meetings DT-042" if lang == "en" else "vergaderingen DT-042", conversation=CHANNEL)
    valid(listing.cards[0])
    cancel = await bot.submit(
        an, {"verb": "meeting.cancel_one", "series": series_id, "occurrence": "2026-12-01"}, conversation=CHANNEL
    )
    assert cancel.texts
    with db.session() as session:
        rows = session.exec(
            select(OutboxMessage).where(OutboxMessage.dedup_key.like(f"reminder:{series_id}:2026-12-01%"))
        ).all()  # type: ignore[attr-defined]
    assert rows and {r.state for r in rows} == {"cancelled"}
    sent_before = len(connector.sent_to(CHANNEL.id))
    for moment in (datetime(2026, 11, 30, 13, 0, tzinfo=UTC), datetime(2026, 12, 1, 12, 0, tzinfo=UTC)):
        clock.set(moment)
        await send_due(db, clock, lang)
    assert len(connector.sent_to(CHANNEL.id)) == sent_before


async def test_new_meeting_in_a_personal_chat_explains_where(bot: BotDriver, db: Database) -> None:
    an: TeamsUser = LANGS["nl"]["coordinator"]
    await grant(bot, db, an, Role.COORDINATOR)
    answer = await bot.say(an, "nieuwe vergadering DT-042")
    assert "kanaal of de groepschat" in answer.texts[0]


async def test_series_form_errors_stay_next_to_fields_and_nothing_is_saved(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    an: TeamsUser = LANGS["en"]["coordinator"]
    await grant(bot, db, an, Role.COORDINATOR)
    await create_project(bot, an)
    await bot.say(an, "help", conversation=CHANNEL)
    form = (await bot.say(an, "new meeting DT-042", conversation=CHANNEL)).cards[0]
    bad = {
        **MEETING,
        "time": "late",
        "timezone": "Mars/Base",
        "leads": "soon",
        "link": "http://x",
        "until": "2026-01-01",
    }
    refused = await bot.submit(an, {**form_data(form), **bad}, conversation=CHANNEL)
    texts = card_texts(valid(shown_card(refused)))
    assert "“late” is not a time I understand" in texts
    assert "“Mars/Base” is not a time zone I know" in texts
    assert "“soon” is not understood" in texts
    assert "An online link starts with https://." in texts
    assert "Werkgroep loket" in texts  # what was typed is kept
    with db.session() as session:
        assert session.exec(select(MeetingSeries)).all() == []


LIST_WORDS = {
    "nl": {
        "page1": "Pagina 1 van 2 · nog 3 andere vergaderingen",
        "page2": "Pagina 2 van 2",
        "next": "Volgende",
        "hint": "Tik op een vergadering om ze te verplaatsen of te annuleren.",
        "line": "di 1 dec 2026, 10:00–11:00",
        "where": "Zaal 2 · herinneringen in Digitaal loket (kanaal)",
        "relink": "Kanaal of chat wijzigen",
        "now": "Nu gepland: dinsdag 1 december 2026, 10:00–11:00 (Europe/Brussels)",
        "cancel": "Vergadering annuleren",
        "here": "Komende vergaderingen: dit gesprek",
    },
    "en": {
        "page1": "Page 1 of 2 · 3 more meetings",
        "page2": "Page 2 of 2",
        "next": "Next",
        "hint": "Tap a meeting to move or cancel it.",
        "line": "Tue 1 Dec 2026, 10:00–11:00",
        "where": "Zaal 2 · reminders in Digitaal loket (channel)",
        "relink": "Change channel or chat",
        "now": "Now planned: Tuesday, 1 December 2026, 10:00–11:00 (Europe/Brussels)",
        "cancel": "Cancel meeting",
        "here": "Upcoming meetings: this conversation",
    },
}


def card_actions(node: Any) -> list[dict[str, Any]]:
    """Every action on a card: card actions, buttons in ActionSets and tappable rows (selectAction)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            found.append(node)
        for value in node.values():
            found.extend(card_actions(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(card_actions(item))
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_list_names_a_series_once_pages_on_and_a_tapped_meeting_is_moved_or_cancelled(
    bot: BotDriver, db: Database, clock: FakeClock, lang: str
) -> None:
    words, w = LANGS[lang], LIST_WORDS[lang]
    an: TeamsUser = words["coordinator"]
    created, series_id = await setup_series(bot, db, lang, count="11")  # Tuesdays 24 November to 2 February

    # After saving: the series' title, place and conversation once, then a page of 8 short tappable lines; the
    # note says how many more there are and Next shows them (in the same card).
    listing = valid(shown_card(created["saved"]))
    texts = card_texts(listing)
    assert texts.count("Werkgroep loket") == 1 and texts.count("Zaal 2") == 1
    assert w["where"] in texts and w["hint"] in texts and w["line"] in texts and w["page1"] in texts
    assert w["relink"] in texts and "Ander gesprek" not in texts and "(Europe/Brussels)" not in texts
    taps = [a["data"] for a in card_actions(listing) if a.get("data", {}).get("verb") == "meeting.move_form"]
    assert [tap["occurrence"] for tap in taps] == [
        "2026-11-24", "2026-12-01", "2026-12-08", "2026-12-15", "2026-12-22", "2026-12-29", "2027-01-05", "2027-01-12"
    ]  # fmt: skip
    [following] = [a for a in listing["actions"] if a["title"] == w["next"]]
    assert following["data"] == {"verb": "meeting.list", "series": series_id, "page": 2}
    paged = await bot.submit(an, following["data"], conversation=CHANNEL, reply_to_id="list-1")
    [update] = paged.updated
    second = valid(update["attachments"][0]["content"])
    assert w["page2"] in card_texts(second) and w["page1"] not in card_texts(second)
    occurrences = [a["data"]["occurrence"] for a in card_actions(second) if a["data"]["verb"] == "meeting.move_form"]
    assert occurrences == ["2027-01-19", "2027-01-26", "2027-02-02"]

    # Tapping a meeting: its card says when it is now; it can be moved, or cancelled (without the date fields).
    opened = await bot.submit(an, taps[1], conversation=CHANNEL)
    move = valid(opened.cards[0])
    assert w["now"] in card_texts(move)
    [cancel] = [a for a in move["actions"] if a["title"] == w["cancel"]]
    assert cancel["associatedInputs"] == "none"
    cancelled = await bot.submit(an, cancel["data"], conversation=CHANNEL)
    assert cancelled.texts and "2026-12-01" not in repr(shown_card(cancelled))

    # A member of the working group sees the same list of this channel, with nothing to tap.
    seen = valid(
        (await bot.say(words["member"], "meetings" if lang == "en" else "vergaderingen", conversation=CHANNEL)).cards[0]
    )
    assert w["here"] in card_texts(seen) and "DT-042 · Werkgroep loket" in card_texts(seen)
    assert w["hint"] not in card_texts(seen)
    assert {a["data"]["verb"] for a in card_actions(seen)} == {"meeting.list"}  # only Next


async def test_a_report_action_owned_by_an_unknown_address_makes_its_placeholder_with_the_report(
    bot: BotDriver, db: Database
) -> None:
    """The placeholder for an owner named by e-mail is made in the report's own transaction: a refused report
    (a due date that is no date) leaves no placeholder behind, a saved one links its action to it."""
    an: TeamsUser = LANGS["en"]["coordinator"]
    _, series_id = await setup_series(bot, db, "en")
    ids = {"verb": "meeting.report_save", "series": series_id, "occurrence": "2026-11-24", "decisions": "Go"}
    # Typed under the owner's picker, the address wins over the person picked in it.
    row = {"action_1": "Ask for a quote", "owner_1": an.aad_object_id, "owner_1_new": "Eva.Nieuw@example.org"}
    refused = await bot.submit(an, {**ids, **row, "due_1": "someday"})
    assert "“someday” is not a date I understand" in str(shown_card(refused))
    with db.session() as session:
        assert session.exec(select(Person).where(Person.email == "eva.nieuw@example.org")).first() is None
    saved = await bot.submit(an, {**ids, **row, "due_1": "2026-12-01"})
    assert saved.texts and "1 action item" in saved.texts[0]
    with db.session() as session:
        placeholder = session.exec(select(Person).where(Person.email == "eva.nieuw@example.org")).one()
        [action] = session.exec(select(ActionItem)).all()
    assert action.owner_id == placeholder.id
