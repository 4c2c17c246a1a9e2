"""The activity factory stays true to what a Teams-like client really sends (captured fixtures)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity
from botbuilder.schema.teams import TeamsChannelData

from tests.harness import (
    ActivityFactory,
    Conversation,
    FakeClock,
    TeamsUser,
    personal_conversation_id,
    to_activity,
)

# Copied from the shared captures (../shared/fixtures/agents-playground) so a fresh clone runs every test.
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "agents-playground"

SERVICE_URL = "http://127.0.0.1:9/"
TENANT = "11111111-2222-3333-4444-555555555555"
ALEX = TeamsUser(
    aad_object_id="00000000-0000-0000-0000-000000000020",
    name="Alex Wilber",
    teams_id="29:1alex",
    locale="en-US",
    timezone="UTC",
)
TEAM = Conversation.channel("19:team@thread.tacv2", team_name="My Team")

Builder = Callable[[ActivityFactory], dict[str, Any]]

# Each captured fixture, and the factory call that must produce an activity of the same kind.
CASES: dict[str, Builder] = {
    "01-installationUpdate-personal.json": lambda f: f.install(ALEX),
    "02-conversationUpdate-personal.json": lambda f: f.members_added(ALEX, bot=True),
    "03-message-personal.json": lambda f: f.message(ALEX, "hello personal"),
    "04-message-card-submit-personal.json": lambda f: f.card_submit(
        ALEX, {"action": "submit_leave", "reason": "dentist", "kind": "vac"}, reply_to_id="1795884398366"
    ),
    "05-invoke-adaptiveCard_action-personal.json": lambda f: f.invoke_action(
        ALEX, "approve", {"req": 42}, reply_to_id="1795884403556", title="Approve"
    ),
    "06-installationUpdate-channel.json": lambda f: f.install(ALEX, TEAM),
    "07-conversationUpdate-channel.json": lambda f: f.members_added(ALEX, TEAM, bot=True),
}

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value; list items with a `type` are keyed by it, others by position."""
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


def contains(actual: Any, expected: Any) -> bool:
    """`actual` equals `expected`, except that dicts in `actual` may carry extra keys."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(actual[key], item) for key, item in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(contains(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


def load_fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


@pytest.fixture
def factory() -> ActivityFactory:
    return ActivityFactory(SERVICE_URL, TENANT)


@pytest.mark.parametrize("fixture_name", sorted(CASES))
def test_factory_has_every_key_path_of_the_captured_activity(fixture_name: str, factory: ActivityFactory) -> None:
    captured = load_fixture(fixture_name)
    built = CASES[fixture_name](factory)

    missing = key_paths(captured) - key_paths(built)

    assert not missing, f"factory activity lacks {sorted(missing)}"


@pytest.mark.parametrize("fixture_name", sorted(CASES))
def test_factory_activity_deserializes_like_the_captured_one(fixture_name: str, factory: ActivityFactory) -> None:
    captured = to_activity(load_fixture(fixture_name))
    built = to_activity(CASES[fixture_name](factory))

    for attribute in ("type", "name", "action", "channel_id", "text", "reply_to_id"):
        assert getattr(built, attribute) == getattr(captured, attribute), attribute
    # Teams adds "trigger": "manual" to an Action.Execute value; the Playground does not.
    assert contains(built.value, captured.value)
    assert built.from_property.id == ALEX.teams_id
    assert built.from_property.aad_object_id == ALEX.aad_object_id
    assert built.conversation.conversation_type == captured.conversation.conversation_type
    assert built.conversation.is_group == captured.conversation.is_group
    # Quirk of botbuilder-schema 4.17.1: ConversationAccount maps tenant_id to "tenantID", so the "tenantId"
    # Teams sends lands in additional_properties; read the tenant from channelData.tenant.id instead.
    assert built.conversation.tenant_id is None
    assert built.conversation.additional_properties == {"tenantId": TENANT}
    assert built.recipient.id == factory.bot_id
    assert built.service_url == SERVICE_URL
    assert isinstance(built.timestamp, datetime)
    assert built.timestamp.tzinfo is not None
    if captured.local_timestamp is not None:
        assert built.local_timestamp is not None
        assert built.local_timestamp.tzinfo is not None
        assert built.local_timezone == ALEX.timezone
    channel_data = TeamsChannelData().deserialize(built.channel_data)
    assert channel_data.tenant.id == TENANT
    if captured.conversation.conversation_type == "channel":
        assert channel_data.team.id == TEAM.team_id
        assert channel_data.team.name == "My Team"
        assert channel_data.channel.id == TEAM.channel_id


def test_members_added_lists_the_same_members_as_teams(factory: ActivityFactory) -> None:
    personal = factory.members_added(ALEX, bot=True)
    channel = factory.members_added(ALEX, TEAM, bot=True)
    joined = factory.members_added(ALEX, TEAM, bot=False)

    assert [m["id"] for m in personal["membersAdded"]] == [ALEX.teams_id, factory.bot_id]
    assert personal["membersAdded"][0]["aadObjectId"] == ALEX.aad_object_id
    assert [m["id"] for m in channel["membersAdded"]] == [factory.bot_id]
    assert channel["channelData"]["eventType"] == "teamMemberAdded"
    assert [m["id"] for m in joined["membersAdded"]] == [ALEX.teams_id]


def test_members_removed_and_uninstall(factory: ActivityFactory) -> None:
    removed = factory.members_removed(ALEX, TEAM)
    uninstall = factory.uninstall(ALEX, TEAM)

    assert removed["type"] == "conversationUpdate"
    assert [m["id"] for m in removed["membersRemoved"]] == [factory.bot_id]
    assert removed["channelData"]["eventType"] == "teamMemberRemoved"
    assert removed["channelData"]["team"]["id"] == TEAM.team_id
    assert uninstall["type"] == "installationUpdate"
    assert uninstall["action"] == "remove"
    assert uninstall["channelData"]["channel"]["id"] == TEAM.channel_id


def test_every_activity_is_fresh(factory: ActivityFactory) -> None:
    first = factory.message(ALEX, "one")
    second = factory.message(ALEX, "one")

    assert first["id"] != second["id"]
    assert TIMESTAMP.match(first["timestamp"])
    first["channelData"]["tenant"]["id"] = "changed"
    assert second["channelData"]["tenant"]["id"] == TENANT


def test_personal_conversation_is_stable_per_user(factory: ActivityFactory) -> None:
    bart = TeamsUser.named("Bart Peeters")

    alex_ids = {factory.message(ALEX, text)["conversation"]["id"] for text in ("a", "b", "c")}
    bart_id = factory.message(bart, "a")["conversation"]["id"]

    assert alex_ids == {personal_conversation_id(ALEX.teams_id)}
    assert alex_ids.pop().startswith("a:1")
    assert bart_id != personal_conversation_id(ALEX.teams_id)
    assert TeamsUser.named("Bart Peeters") == bart


def test_channel_message_mentioning_the_bot(factory: ActivityFactory) -> None:
    payload = factory.message(ALEX, "status", TEAM, mention_bot=True)

    assert payload["text"] == "<at>projectbot</at> status"
    assert {
        "type": "mention",
        "text": "<at>projectbot</at>",
        "mentioned": {"id": "28:projectbot-test-bot", "name": "projectbot"},
    } in payload["entities"]
    assert payload["conversation"]["isGroup"] is True
    assert payload["conversation"]["conversationType"] == "channel"
    assert payload["channelData"]["team"]["id"] == TEAM.team_id
    # The SDK recognises the mention and strips it (leaving the separating space).
    activity = to_activity(payload)
    assert TurnContext.remove_recipient_mention(activity).strip() == "status"


def test_reply_chain_and_group_chat_conversations(factory: ActivityFactory) -> None:
    thread = Conversation.channel("19:team@thread.tacv2", "19:general@thread.tacv2", reply_chain_id="170")
    chat = Conversation.group_chat("19:chat@thread.v2", name="Werf Gent")

    in_thread = factory.message(ALEX, "hi", thread, mention_bot=True)
    in_chat = factory.message(ALEX, "hi", chat, mention_bot=True)

    assert in_thread["conversation"]["id"] == "19:general@thread.tacv2;messageid=170"
    assert in_thread["channelData"]["channel"]["id"] == "19:general@thread.tacv2"
    assert in_chat["conversation"] == {
        "isGroup": True,
        "conversationType": "groupChat",
        "tenantId": TENANT,
        "name": "Werf Gent",
        "id": "19:chat@thread.v2",
    }
    assert "team" not in in_chat["channelData"]


def test_locale_and_time_zone_come_from_the_user_or_the_call() -> None:
    clock = FakeClock(datetime(2026, 7, 1, 6, 30, 0, 125000, tzinfo=UTC))
    factory = ActivityFactory(SERVICE_URL, TENANT, clock=clock)
    an = TeamsUser.named("An Janssens")

    default = factory.message(an, "hallo")
    clock.advance(timedelta(hours=1))
    override = factory.message(an, "hello", locale="en-GB", timezone="Europe/London")

    assert default["timestamp"] == "2026-07-01T06:30:00.125Z"
    assert default["localTimestamp"] == "2026-07-01T08:30:00.125+02:00"
    assert default["localTimezone"] == "Europe/Brussels"
    assert default["locale"] == "nl-BE"
    assert default["entities"] == [
        {
            "type": "clientInfo",
            "locale": "nl-BE",
            "country": "BE",
            "platform": "Web",
            "timezone": "Europe/Brussels",
        }
    ]
    assert override["timestamp"] == "2026-07-01T07:30:00.125Z"
    assert override["localTimestamp"] == "2026-07-01T08:30:00.125+01:00"
    assert override["locale"] == "en-GB"
    assert override["entities"][0]["timezone"] == "Europe/London"


def test_card_submit_and_invoke_action(factory: ActivityFactory) -> None:
    submit = factory.card_submit(ALEX, {"verb": "timelog.save", "hours": "2"}, reply_to_id="42")
    invoke = factory.invoke_action(ALEX, "timelog.save", {"hours": 2}, reply_to_id="42")

    assert "text" not in submit
    assert submit["value"] == {"verb": "timelog.save", "hours": "2"}
    assert submit["channelData"]["source"] == {"name": "message"}
    assert submit["replyToId"] == "42"
    assert invoke["type"] == "invoke"
    assert invoke["name"] == "adaptiveCard/action"
    assert invoke["value"] == {
        "action": {
            "type": "Action.Execute",
            "title": "timelog.save",
            "verb": "timelog.save",
            "data": {"hours": 2},
        },
        "trigger": "manual",
    }
    assert factory.card_submit(ALEX, {})["replyToId"] != factory.card_submit(ALEX, {})["replyToId"]


def test_to_activity_gives_the_sdk_model(factory: ActivityFactory) -> None:
    activity = to_activity(factory.invoke_action(ALEX, "x", {"a": 1}))

    assert isinstance(activity, Activity)
    assert activity.value["action"]["verb"] == "x"
