"""Conversations with the whole bot over HTTP: what a user sends, what the bot says, what it stores."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import ConversationRef, Person
from tests.harness import Conversation, FakeConnector, TeamsUser
from tests.harness.botdriver import TENANT, BotDriver

AN = TeamsUser.named("An Peeters", locale="nl-BE")
BOB = TeamsUser.named("Bob Smith", locale="en-US", timezone="Europe/London")
CHANNEL = Conversation.channel(team_name="DT-042 Digitaal loket")


def card_texts(card: dict[str, Any]) -> str:
    """Every text on a card, flattened, to assert on what a reader sees."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "label", "value", "placeholder"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)


def verbs_on(card: dict[str, Any]) -> list[str]:
    return re.findall(r"'verb': '([^']+)'", repr(card))


# Install and welcome -------------------------------------------------------------------------------------


async def test_install_in_personal_chat_greets_once_in_dutch(bot: BotDriver) -> None:
    first = await bot.post(bot.activities.install(AN))
    second = await bot.post(bot.activities.members_added(AN))
    assert first.status == 201 and second.status == 201
    assert len(first.cards) == 1 and not second.sent
    assert "Hallo, ik ben projectbot" in card_texts(first.cards[0])
    assert "menu.open" in verbs_on(first.cards[0])


async def test_install_in_channel_greets_the_channel_in_its_locale(bot: BotDriver) -> None:
    result = await bot.post(bot.activities.install(BOB, CHANNEL))
    assert "reminders" in card_texts(result.cards[0])
    assert result.sent[0]["conversation"]["id"] == CHANNEL.id


async def test_reinstall_after_uninstall_greets_again_and_reactivates(bot: BotDriver, db: Database) -> None:
    await bot.post(bot.activities.install(AN))
    await bot.post(bot.activities.uninstall(AN))
    with db.session() as session:
        ref = session.exec(select(ConversationRef)).one()
        assert ref.active is False and ref.inactive_reason
    again = await bot.post(bot.activities.install(AN))
    assert len(again.cards) == 1
    with db.session() as session:
        assert session.exec(select(ConversationRef)).one().active is True


async def test_bot_removed_from_team_marks_reference_inactive(bot: BotDriver, db: Database) -> None:
    await bot.post(bot.activities.install(AN, CHANNEL))
    await bot.post(bot.activities.members_removed(AN, CHANNEL))
    with db.session() as session:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == CHANNEL.id)).one()
    assert ref.active is False


# Help and unknown input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "text", "title"),
    [
        (BOB, "help", "What can I do for you?"),
        (AN, "hulp", "Waarmee kan ik helpen?"),
        (BOB, "  HELP  ", None),
    ],
)
async def test_help_menu_in_the_users_language(bot: BotDriver, user: TeamsUser, text: str, title: str | None) -> None:
    result = await bot.say(user, text)
    assert result.status == 201
    assert len(result.cards) == 1
    texts = card_texts(result.cards[0])
    assert (title or "What can I do for you?") in texts
    assert "settings" in texts.lower() or "instellingen" in texts.lower()


async def test_unknown_command_says_what_was_not_understood_with_an_example(bot: BotDriver) -> None:
    result = await bot.say(BOB, "make me a sandwich")
    assert result.texts == [
        "I did not understand “make me a sandwich”. Try for example **help**, or pick something from the menu below."
    ]
    assert len(result.cards) == 1


async def test_unknown_command_in_dutch(bot: BotDriver) -> None:
    result = await bot.say(AN, "maak koffie")
    assert result.texts[0].startswith("Ik begreep “maak koffie” niet.")


async def test_empty_message_gets_an_answer(bot: BotDriver) -> None:
    result = await bot.say(AN, "   ")
    assert result.texts == ["Ik heb geen bericht ontvangen. Typ **hulp** om te zien wat ik kan."]


async def test_channel_message_with_only_the_mention(bot: BotDriver) -> None:
    result = await bot.say(BOB, "", conversation=CHANNEL, mention_bot=True)
    assert result.texts == ["I did not receive a message. Type **help** to see what I can do."]


async def test_channel_mention_is_stripped_before_routing(bot: BotDriver) -> None:
    result = await bot.say(BOB, "help", conversation=CHANNEL, mention_bot=True)
    assert len(result.cards) == 1
    assert result.sent[0]["conversation"]["id"] == CHANNEL.id


async def test_menu_button_runs_its_command(bot: BotDriver) -> None:
    result = await bot.submit(BOB, {"verb": "menu.open", "command": "settings"})
    assert "Your settings" in card_texts(result.cards[0])


# Card submits and invokes with bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"verb": "menu.open"},
        {"verb": "menu.open", "command": ["settings"]},
        {"verb": "menu.open", "command": None},
    ],
)
async def test_card_submit_with_missing_or_wrong_typed_fields(bot: BotDriver, value: dict[str, Any]) -> None:
    result = await bot.submit(BOB, value)
    assert result.status == 201
    assert result.texts and result.texts[0].startswith("Some fields of the card could not be read: command")


async def test_card_submit_without_a_verb(bot: BotDriver) -> None:
    result = await bot.submit(AN, {"whatever": 1})
    assert result.texts == ["Deze knop wordt niet meer ondersteund. Typ **hulp** om te zien wat ik kan."]


async def test_invoke_with_unknown_verb_answers_200_with_a_message(bot: BotDriver) -> None:
    result = await bot.execute(BOB, "nothing.here", {"x": 1})
    assert result.status == 200
    assert result.invoke_message == "This button is no longer supported. Type **help** to see what I can do."


async def test_invoke_running_a_command_answers_200_and_sends_the_card(bot: BotDriver) -> None:
    result = await bot.execute(BOB, "menu.open", {"command": "help"})
    assert result.status == 200
    # A text command run from an Action.Execute answers with a new message and leaves the pressed card alone.
    assert result.invoke_card is None and result.invoke_message == ""
    assert len(result.cards) == 1


# Settings form -------------------------------------------------------------------------------------------


async def test_settings_form_keeps_values_and_shows_the_error_next_to_the_field(bot: BotDriver, db: Database) -> None:
    shown = await bot.say(BOB, "settings")
    form = shown.cards[0]
    card_id = shown.sent[0]["id"]
    refused = await bot.submit(
        BOB, {"verb": "settings.save", "language": "nl", "timezone": "Mars/Phobos"}, reply_to_id=card_id
    )
    assert not refused.sent, "the form is updated in place, not sent again"
    assert len(refused.updated) == 1 and refused.updated[0]["id"] == card_id
    again = refused.updated[0]["attachments"][0]["content"]
    body = again["body"]
    timezone_index = next(i for i, e in enumerate(body) if e.get("id") == "timezone")
    assert body[timezone_index]["value"] == "Mars/Phobos"
    assert "“Mars/Phobos” is not a time zone I know" in body[timezone_index + 1]["text"]
    assert next(e for e in body if e.get("id") == "language")["value"] == "nl"
    assert form != again
    with db.session() as session:
        person = session.exec(select(Person).where(Person.aad_object_id == BOB.aad_object_id)).one()
    assert person.preferred_language is None and person.preferred_timezone is None

    fixed = await bot.submit(
        BOB, {"verb": "settings.save", "language": "nl", "timezone": "Europe/Brussels"}, reply_to_id=card_id
    )
    assert fixed.texts == ["Je instellingen zijn opgeslagen: taal Nederlands, tijdzone Brussel (Europe/Brussels)."]
    refreshed = fixed.updated[0]["attachments"][0]["content"]
    assert "Attention" not in repr(refreshed), "the earlier error is gone from the form"
    # Shown as the reader calls it; saved as the IANA id.
    assert next(e for e in refreshed["body"] if e.get("id") == "timezone")["value"] == "Brussel"


async def test_settings_saved_and_used_for_the_next_answer(bot: BotDriver, db: Database) -> None:
    saved = await bot.submit(BOB, {"verb": "settings.save", "language": "nl", "timezone": "Europe/Brussels"})
    assert saved.texts == ["Je instellingen zijn opgeslagen: taal Nederlands, tijdzone Brussel (Europe/Brussels)."]
    follow_up = await bot.say(BOB, "help")
    assert "Waarmee kan ik helpen?" in card_texts(follow_up.cards[0])
    with db.session() as session:
        person = session.exec(select(Person).where(Person.aad_object_id == BOB.aad_object_id)).one()
    assert (person.preferred_language, person.preferred_timezone) == ("nl", "Europe/Brussels")


async def test_settings_with_unreadable_fields_shows_a_fresh_form(bot: BotDriver) -> None:
    result = await bot.submit(BOB, {"verb": "settings.save", "language": {"x": 1}, "timezone": 5})
    assert result.status == 201
    assert "Your settings" in card_texts((result.updated or result.sent)[0]["attachments"][0]["content"])


# What is stored from each activity -----------------------------------------------------------------------


async def test_conversation_reference_and_person_are_stored(bot: BotDriver, db: Database) -> None:
    await bot.say(BOB, "help", conversation=CHANNEL, mention_bot=True)
    with db.session() as session:
        ref = session.exec(select(ConversationRef)).one()
        person = session.exec(select(Person)).one()
    assert ref.conversation_type == "channel"
    assert ref.team_id == CHANNEL.team_id and ref.tenant_id == TENANT
    assert ref.service_url == bot.connector.url
    assert ref.reference["conversation"]["tenantId"] == TENANT
    assert "activityId" not in ref.reference
    assert ref.active is True
    assert (person.name, person.seen_locale, person.seen_timezone) == ("Bob Smith", "en-US", "Europe/London")


async def test_time_zone_is_only_updated_when_teams_sends_one(bot: BotDriver, db: Database) -> None:
    await bot.say(AN, "help")
    await bot.post(bot.activities.install(AN))  # installs carry no time zone
    with db.session() as session:
        person = session.exec(select(Person)).one()
    assert person.seen_timezone == "Europe/Brussels"


# Faults --------------------------------------------------------------------------------------------------


async def test_exception_in_a_handler_apologises_with_a_reference(
    db: Database, clock: Any, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    import dialogs.settings.form

    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(dialogs.settings.form, "build_settings_card", broken)
    async with BotDriver.start(db=db, clock=clock, connector=connector) as driver:
        with caplog.at_level(logging.ERROR):
            result = await driver.say(BOB, "settings")
    assert result.status == 201
    match = re.search(r"reference to your administrator: ([0-9a-f]{8})$", result.texts[0])
    assert match, result.texts
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    # The traceback says where and what; the message is withheld (it may quote input; tests/test_log_privacy.py).
    assert logged and "in broken" in logged[0].getMessage()
    assert "RuntimeError: (message withheld" in logged[0].getMessage()


async def test_database_down_gets_try_again(clock: Any, connector: FakeConnector) -> None:
    down = Database.from_url("postgresql://projectbot@127.0.0.1:1/nothing?connect_timeout=1")
    async with BotDriver.start(db=down, clock=clock, connector=connector) as driver:
        result = await driver.say(BOB, "help")
        health = await driver.client.get("/healthz")
        assert health.status == 503
        assert (await health.json())["database"]["state"] == "unreachable"
    assert result.texts == [
        "I cannot reach my database right now, so nothing was changed. Please try again in a minute."
    ]


async def test_database_locked_gets_busy_try_again_and_nothing_is_written(
    tmp_path: Any, clock: Any, connector: FakeConnector
) -> None:
    import sqlite3

    from storage import migrate
    from storage.db import create_db_engine

    path = tmp_path / "locked.db"
    db = Database(create_db_engine(f"sqlite:///{path}", busy_timeout_ms=50))
    migrate.upgrade(db)
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        async with BotDriver.start(db=db, clock=clock, connector=connector) as driver:
            result = await driver.say(AN, "hulp")
    finally:
        blocker.rollback()
        blocker.close()
    assert result.texts == [
        "Ik heb het nu te druk om te antwoorden, er is dus niets gewijzigd. Probeer het zo meteen opnieuw."
    ]
    with db.session() as session:
        assert session.exec(select(Person)).all() == []
        assert session.exec(select(ConversationRef)).all() == []
    db.dispose()


async def test_healthz_reports_database_state(bot: BotDriver) -> None:
    response = await bot.client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["database"]["state"] == "ok" and body["database"]["up_to_date"] is True


# Protocol edge cases -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[1, 2]", b'{"no": "type"}', b'{"type": ""}', b'{"type": "message"}', b'"text"'],
)
async def test_body_that_is_not_an_activity_answers_400(bot: BotDriver, payload: bytes) -> None:
    response = await bot.client.post("/api/messages", data=payload, headers={"Content-Type": "application/json"})
    assert response.status == 400


async def test_expect_replies_delivery_mode_works(bot: BotDriver) -> None:
    activity = bot.activities.message(BOB, "help")
    activity["deliveryMode"] = "expectReplies"
    result = await bot.post(activity)
    assert result.status == 200
    assert not result.sent, "replies come back in the HTTP response, not through the connector"
    assert len(result.body["activities"]) == 1
    assert result.body["activities"][0]["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"


async def test_service_url_outside_teams_and_loopback_is_refused_even_in_dev(bot: BotDriver) -> None:
    activity = bot.activities.message(BOB, "help")
    activity["serviceUrl"] = "https://evil.example.com/"
    result = await bot.post(activity)
    assert result.status == 403 and not result.sent


async def test_welcome_comes_from_the_installation_update_in_its_locale(bot: BotDriver) -> None:
    """Teams sends conversationUpdate (no locale) and installationUpdate (with locale) at once, in any order."""
    update = await bot.post(bot.activities.members_added(BOB))
    install = await bot.post(bot.activities.install(BOB))
    assert not update.sent
    assert "Hello, I am projectbot" in card_texts(install.cards[0])


async def test_settings_labels_show_what_teams_says_not_the_saved_choice(bot: BotDriver) -> None:
    await bot.submit(BOB, {"verb": "settings.save", "language": "nl", "timezone": "Asia/Tokyo"})
    form = (await bot.say(BOB, "settings")).cards[0]
    texts = card_texts(form)
    assert "Zoals in Teams (English)" in texts
    assert "Laat leeg om Teams te volgen; nu is dat Londen (Europe/London)." in texts


async def test_time_zone_typed_loosely_is_understood(bot: BotDriver, db: Database) -> None:
    saved = await bot.submit(BOB, {"verb": "settings.save", "language": "auto", "timezone": " brussels "})
    assert saved.texts == ["Your settings are saved: language English, time zone Brussels (Europe/Brussels)."]
    with db.session() as session:
        assert session.exec(select(Person)).one().preferred_timezone == "Europe/Brussels"
