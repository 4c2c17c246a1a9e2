"""`projectbot chat`: the terminal conversation runs the real bot on Teams-shaped activities and its database."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity

from bot.chat import (
    CHAT_TENANT_ID,
    ActivityBuilder,
    ChatUser,
    Console,
    TerminalAdapter,
    TerminalChat,
    render_card,
    run_chat,
)
from bot.settings import Settings
from bot.teams_bot import CARD_CONTENT_TYPE
from cards.i18n import translator
from storage.db import Database
from storage.people import PersonRepository
from tests.conftest import START
from tests.harness import ActivityFactory, FakeClock, TeamsUser

JSON = dict[str, Any]
NL = translator("nl")
EN = translator("en")
ALEX = ChatUser.named("alex")


def scripted(*lines: str) -> Callable[[str], str]:
    """An input() that types the given lines, then reports end of input like Ctrl-D."""
    queue = list(lines)

    def input_fn(prompt: str) -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

    return input_fn


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url="sqlite:///" + str(tmp_path / "chat.db"),
        dev=True,
        default_locale="nl-BE",
        default_timezone="Europe/Brussels",
    )


def chat(settings: Settings, *lines: str, user: ChatUser | str = ALEX) -> tuple[int, str]:
    output = io.StringIO()
    status = run_chat(settings, input_fn=scripted(*lines), output=output, clock=FakeClock(START), user=user)
    return status, output.getvalue()


def flat(transcript: str) -> str:
    """The transcript without prefixes, card borders and line wrapping, for asserting on sentences."""
    lines = []
    for line in transcript.splitlines():
        line = re.sub(r"^(bot> |you> |-- |\s+)", "", line)
        line = re.sub(r"^\| ?", "", line)
        lines.append(line.strip())
    return re.sub(r"\s+", " ", " ".join(lines))


# The whole conversation ----------------------------------------------------------------------------------


def test_the_welcome_card_shows_on_the_first_session_only(settings: Settings) -> None:
    status, first = chat(settings, "/quit")
    assert status == 0
    assert NL("welcome.title") in first
    assert "[1] " + NL("welcome.open_menu") in first

    status, second = chat(settings, "/quit")
    assert status == 0
    assert NL("welcome.title") not in second
    assert "bot> " not in second  # nothing from the bot at all: installs are greeted once


def test_another_person_on_the_same_database_is_welcomed_too(settings: Settings) -> None:
    chat(settings, "/quit", user="alex")
    _, transcript = chat(settings, "/quit", user="sam")
    assert NL("welcome.title") in transcript


def test_help_shows_the_menu_folded_in_sections_and_unfolds_one(settings: Settings) -> None:
    status, transcript = chat(settings, "help", "/7")
    assert status == 0
    folded, unfolded = transcript.split(f"pressing [7] {NL('menu.section.you')}")
    menu = folded[folded.index(NL("menu.title")) :]
    # Folded: the sections, each with what to type in it, and no entry rows yet.
    time, you = menu.index("[1] " + NL("menu.section.time")), menu.index("[7] " + NL("menu.section.you"))
    assert menu.index("registreer · uren · export · verlof") < time < you
    assert "instellingen · mijn gegevens · vergeet mij" in menu
    assert NL("menu.settings.description") not in menu
    assert NL("menu.section.admin") not in menu  # not an administrator
    # Unfolded: the section's rows, each a button, with the typed command.
    assert "[8] " + NL("menu.settings.title") in unfolded and "[10] " + NL("menu.forget_me.title") in unfolded
    assert NL("menu.example", example="instellingen").replace("**", "") in unfolded
    assert NL("menu.log.description").replace("**", "") not in unfolded  # the other sections stay folded
    assert "**" not in transcript  # markdown shown plainly


def test_the_welcome_button_opens_the_menu(settings: Settings) -> None:
    _, transcript = chat(settings, "/1")
    assert f"pressing [1] {NL('welcome.open_menu')} on card 1" in transcript
    assert NL("menu.title") in transcript


def test_settings_from_the_menu_refuses_an_unknown_zone_and_then_saves(settings: Settings) -> None:
    status, transcript = chat(
        settings,
        "help",
        "/7",  # unfold "You and your data"
        "/8",  # its settings row
        "/1",  # Save: asks for each field
        "3",  # English, by number
        "Mars/Phobos",
        "",  # keep the name Teams gave
        "",  # no email address
        "",  # hours per week: unknown
        "",  # working days: keep Monday to Friday
        "n",  # reminder to log time: off
        "",  # its time: keep
        "",  # its minimum: the usual day
        "/press 1",
        "",  # keep English
        "Europe/Brussels",
        "",
        "",
        "",
        "",
        "n",
        "",
        "",
    )
    assert status == 0
    text = flat(transcript)
    assert "pressing [8] " + NL("menu.settings.title") in text
    assert NL("settings.title") in transcript

    refused = transcript.split("(card 3 updated)")[1]
    lines = [line.removeprefix("     | ") for line in refused.splitlines()]
    field = lines.index(f"[{NL('settings.timezone')}] (Mars/Phobos)")
    assert lines[field + 1].startswith("! “Mars/Phobos”")  # the error right under its field
    assert NL("settings.timezone.invalid", value="Mars/Phobos") in flat(refused)
    assert f"[{NL('settings.language')}] (English)" in refused  # the choice was kept

    saved = EN("settings.saved", language="English", timezone="Brussels (Europe/Brussels)")
    assert saved in text
    assert text.index(saved) > text.index(NL("settings.timezone.invalid", value="Mars/Phobos"))

    db = Database.from_url(settings.database_url)
    try:
        person = PersonRepository(db).get(CHAT_TENANT_ID, ALEX.aad_object_id)
    finally:
        db.dispose()
    assert person is not None
    assert (person.preferred_language, person.preferred_timezone) == ("en", "Europe/Brussels")


def test_a_choice_can_be_typed_as_its_value_and_a_bad_one_is_asked_again(settings: Settings) -> None:
    _, transcript = chat(settings, "instellingen", "/1", "klingon", "en", "", "", "", "", "", "n", "", "", "/quit")
    assert "! choose a number from 1 to 3" in transcript
    assert EN("settings.saved", language="English", timezone="Brussels (Europe/Brussels)") in flat(transcript)


def test_lang_switches_the_locale_of_the_messages(settings: Settings) -> None:
    _, transcript = chat(settings, "/lang en", "help")
    assert "your Teams locale is now en-US" in transcript
    assert EN("menu.title") in transcript


def test_meta_commands(settings: Settings) -> None:
    _, transcript = chat(settings, "/help", "/cards", "/9", "/whoami", "/nonsense", "/json")
    assert "/press 1" in transcript and "/quit" in transcript
    assert "has buttons 1 to 1" in transcript
    assert ALEX.aad_object_id in transcript
    assert "unknown chat command '/nonsense'" in transcript
    assert '"type": "AdaptiveCard"' in transcript


def test_end_of_input_ends_cleanly_even_in_the_middle_of_a_form(settings: Settings) -> None:
    assert chat(settings)[0] == 0
    status, transcript = chat(settings, "settings", "/1", "2")
    assert status == 0
    assert transcript.endswith("\n")


def test_ctrl_c_in_a_form_cancels_the_press(settings: Settings) -> None:
    answers = iter(["instellingen", "/1"])

    def input_fn(prompt: str) -> str:
        answer = next(answers, None)
        if answer is None:
            raise KeyboardInterrupt if prompt.startswith("   ") else EOFError
        return answer

    output = io.StringIO()
    status = run_chat(settings, input_fn=input_fn, output=output, clock=FakeClock(START), user=ALEX)
    assert status == 0
    assert "(press cancelled)" in output.getvalue()


# The activities are the ones Teams sends ------------------------------------------------------------------


def key_paths(value: Any, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= key_paths(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            tag = item["type"] if isinstance(item, dict) and "type" in item else index
            paths |= key_paths(item, f"{prefix}[{tag}]")
    return paths


def test_activities_have_the_shape_of_the_test_harness_fixtures() -> None:
    clock = FakeClock(START)
    builder = ActivityBuilder(ALEX, locale="nl-BE", timezone="Europe/Brussels", clock=clock)
    harness = ActivityFactory("http://localhost/chat", ALEX.tenant_id, clock=clock)
    teams = TeamsUser(ALEX.aad_object_id, ALEX.name, ALEX.teams_id)
    pairs = [
        (builder.install(), harness.install(teams)),
        (builder.members_added(), harness.members_added(teams)),
        (builder.message("hulp"), harness.message(teams, "hulp")),
        (
            builder.submit({"verb": "x", "a": "1"}, "17"),
            harness.card_submit(teams, {"verb": "x", "a": "1"}, None, "17"),
        ),
        (builder.execute("x", {"a": 1}, "Go", "17"), harness.invoke_action(teams, "x", {"a": 1}, None, "17", "Go")),
    ]
    for ours, theirs in pairs:
        assert key_paths(ours) == key_paths(theirs), ours["type"]
        for key in ("type", "channelId", "conversation", "from", "locale", "localTimezone", "value", "name"):
            assert ours.get(key) == theirs.get(key), (ours["type"], key)


def test_a_submit_carries_the_inputs_merged_with_the_data_and_replies_to_the_card() -> None:
    sent: list[JSON] = []
    card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "Input.Text", "id": "note", "label": "Note", "value": "old"},
            {"type": "Input.Toggle", "id": "ok", "title": "Agree", "valueOn": "yes", "valueOff": "no"},
            {"type": "Input.Text", "id": "empty", "label": "Empty"},
        ],
        "actions": [
            {"type": "Action.Submit", "title": "Send", "data": {"verb": "v", "note": "from data"}},
            {"type": "Action.Execute", "title": "Run", "verb": "run", "data": {"k": 1}},
            {"type": "Action.Submit", "title": "Cancel", "associatedInputs": "none", "data": {"verb": "c"}},
        ],
    }

    async def logic(context: TurnContext) -> None:
        activity = context.activity
        sent.append(activity.serialize())
        if activity.type == "conversationUpdate":
            await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    transcript = _drive(logic, "/1", "new", "y", "", "/2", "", "", "", "/3")
    submit, execute, cancel = [a for a in sent if a["type"] in ("message", "invoke")]
    card_id = submit["replyToId"]
    assert submit["value"] == {"verb": "v", "note": "new", "ok": "yes"}  # inputs win; empty fields left out
    assert submit["channelData"]["source"] == {"name": "message"} and "text" not in submit
    assert execute["name"] == "adaptiveCard/action"
    assert execute["value"] == {
        "action": {
            "type": "Action.Execute",
            "title": "Run",
            "verb": "run",
            "data": {"k": 1, "note": "new", "ok": "yes"},
        },
        "trigger": "manual",
    }
    assert execute["replyToId"] == card_id
    assert cancel["value"] == {"verb": "c"}
    assert "the bot gave no answer to the button" in transcript


def test_an_execute_answer_replaces_the_pressed_card(settings: Settings) -> None:
    first = {
        "type": "AdaptiveCard",
        "body": [{"type": "TextBlock", "text": "Vote"}],
        "actions": [{"type": "Action.Execute", "title": "Yes", "verb": "vote.yes"}],
    }
    done = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Thanks for voting"}]}

    async def logic(context: TurnContext) -> None:
        activity = context.activity
        if activity.type == "conversationUpdate":
            await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(first)))
        elif activity.type == "invoke":
            body = {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": done}
            await context.send_activity(Activity(type="invokeResponse", value=InvokeResponse(status=200, body=body)))
            await context.send_activity("extra text")

    transcript = _drive(logic, "/1", "/1")
    after = transcript.split("(card 1 updated)")[1]
    assert "Thanks for voting" in after
    assert after.index("Thanks for voting") < after.index("extra text")
    assert "no card with buttons yet" in after  # the new version of card 1 has none


def _drive(logic: Callable[[TurnContext], Awaitable[None]], *lines: str) -> str:
    output = io.StringIO()
    console = Console(output)
    clock = FakeClock(START)
    adapter = TerminalAdapter(console, first_id=1)
    builder = ActivityBuilder(ALEX, locale="en-US", timezone="UTC", clock=clock)
    with asyncio.Runner() as runner:
        chat_ = TerminalChat(
            logic, adapter, builder, console, runner, input_fn=scripted(*lines), echo=True, database="memory"
        )
        chat_.send(builder.members_added())
        assert chat_.run() == 0
    return output.getvalue()


# Rendering cards --------------------------------------------------------------------------------------------


def test_render_fact_set_aligns_titles() -> None:
    card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "TextBlock", "text": "Status DT-042", "style": "heading"},
            {
                "type": "FactSet",
                "facts": [{"title": "Project", "value": "**DT-042**"}, {"title": "Budget", "value": "120 h"}],
            },
        ],
    }
    rendered = render_card(card)
    assert rendered.text.splitlines() == [
        "Status DT-042",
        "=============",
        "Project: DT-042",
        "Budget:  120 h",
    ]
    assert rendered.title == "Status DT-042"
    assert rendered.actions == [] and rendered.inputs == []


def test_render_choice_set_lists_the_choices_and_shows_the_current_title() -> None:
    card = {
        "type": "AdaptiveCard",
        "body": [
            {
                "type": "Input.ChoiceSet",
                "id": "language",
                "label": "Language",
                "value": "nl",
                "isRequired": True,
                "choices": [{"title": "Nederlands", "value": "nl"}, {"title": "English", "value": "en"}],
            },
            {"type": "Input.Text", "id": "zone", "label": "Time zone", "placeholder": "e.g. Europe/Brussels"},
        ],
    }
    rendered = render_card(card)
    assert rendered.text.splitlines() == [
        "[Language *] (Nederlands)",
        "    1) Nederlands",
        "    2) English",
        "[Time zone] (empty — e.g. Europe/Brussels)",
    ]
    language, zone = rendered.inputs
    assert (language.id, language.value, language.choices, language.required) == (
        "language",
        "nl",
        (("Nederlands", "nl"), ("English", "en")),
        True,
    )
    assert (zone.id, zone.kind, zone.value) == ("zone", "Input.Text", "")


def test_render_numbers_execute_submit_and_link_buttons_in_reading_order() -> None:
    card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "TextBlock", "text": "Pick"},
            {
                "type": "ActionSet",
                "actions": [{"type": "Action.Execute", "title": "Approve", "verb": "req.approve", "data": {"id": 7}}],
            },
        ],
        "actions": [
            {"type": "Action.Submit", "title": "Save", "data": {"verb": "x.save"}},
            {"type": "Action.OpenUrl", "title": "Docs", "url": "https://example.test/docs"},
        ],
    }
    rendered = render_card(card)
    assert [(b.number, b.kind, b.title) for b in rendered.actions] == [
        (1, "Action.Execute", "Approve"),
        (2, "Action.Submit", "Save"),
        (3, "Action.OpenUrl", "Docs"),
    ]
    approve, save, docs = rendered.actions
    assert (approve.verb, approve.data) == ("req.approve", {"id": 7})
    assert (save.verb, save.data) == (None, {"verb": "x.save"})
    assert docs.url == "https://example.test/docs"
    assert rendered.text.splitlines() == ["Pick", "[1] Approve", "", "[2] Save   [3] Docs (link)"]


def test_render_flattens_nested_containers_in_order_with_their_select_actions() -> None:
    card = {
        "type": "AdaptiveCard",
        "body": [
            {
                "type": "Container",
                "separator": True,
                "selectAction": {"type": "Action.Submit", "title": "Open", "data": {"verb": "o"}},
                "items": [
                    {
                        "type": "ColumnSet",
                        "columns": [
                            {"type": "Column", "items": [{"type": "TextBlock", "text": "left _one_"}]},
                            {
                                "type": "Column",
                                "items": [
                                    {
                                        "type": "Container",
                                        "items": [{"type": "Image", "url": "x.png", "altText": "logo"}],
                                    },
                                    {"type": "TextBlock", "text": "hidden", "isVisible": False},
                                ],
                            },
                        ],
                    }
                ],
            },
            {
                "type": "Table",
                "columns": [{"width": 1}, {"width": 1}],
                "rows": [
                    {
                        "type": "TableRow",
                        "cells": [
                            {"type": "TableCell", "items": [{"type": "TextBlock", "text": "Code"}]},
                            {"type": "TableCell", "items": [{"type": "TextBlock", "text": "Hours"}]},
                        ],
                    },
                    {
                        "type": "TableRow",
                        "cells": [
                            {"type": "TableCell", "items": [{"type": "TextBlock", "text": "DT-042"}]},
                            {"type": "TableCell", "items": [{"type": "TextBlock", "text": "12"}]},
                        ],
                    },
                ],
            },
            {"type": "Something.New", "fallback": {"type": "TextBlock", "text": "fallback text"}},
        ],
    }
    rendered = render_card(card)
    assert rendered.text.splitlines() == [
        "-" * 40,
        "left one",
        "[image: logo]",
        "[1] Open",
        "Code   | Hours",
        "-------+------",
        "DT-042 | 12",
        "",  # a table ends with a blank line: what follows is not one more row
        "fallback text",
    ]
    assert [b.title for b in rendered.actions] == ["Open"]


def test_render_wraps_long_text_to_the_width() -> None:
    words = " ".join(["word"] * 40)
    rendered = render_card(
        {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": words, "wrap": True}]}, width=30
    )
    lines = rendered.text.splitlines()
    assert len(lines) > 1
    assert all(len(line) <= 30 for line in lines)
    assert " ".join(lines) == words


def test_show_card_and_toggle_visibility_work_on_the_client_side() -> None:
    sent: list[JSON] = []
    card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "Input.Text", "id": "name", "label": "Name", "value": "Alex"},
            {"type": "TextBlock", "id": "details", "text": "the details", "isVisible": False},
        ],
        "actions": [
            {"type": "Action.ToggleVisibility", "title": "Details", "targetElements": ["details"]},
            {
                "type": "Action.ShowCard",
                "title": "Comment",
                "card": {
                    "type": "AdaptiveCard",
                    "body": [{"type": "Input.Text", "id": "comment", "label": "Comment"}],
                    "actions": [{"type": "Action.Submit", "title": "Send", "data": {"verb": "c.send"}}],
                },
            },
        ],
    }

    async def logic(context: TurnContext) -> None:
        sent.append(context.activity.serialize())
        if context.activity.type == "conversationUpdate":
            await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    transcript = _drive(logic, "/1", "/2", "/1", "", "nice")
    assert "the details" not in transcript.split("card 1 (updated)")[0]
    assert "the details" in transcript.split("card 1 (updated)")[1]
    assert "[Comment] (empty)" in transcript
    submit = sent[-1]
    assert submit["value"] == {"verb": "c.send", "name": "Alex", "comment": "nice"}
    assert submit["replyToId"] == "1"  # the message of the card the ShowCard opened from
