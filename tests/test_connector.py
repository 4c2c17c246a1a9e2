"""Outgoing calls: the shared session, the retry policy (412/429/5xx) and what is never retried."""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.connector import RetryPolicy, parse_retry_after
from cards.encoded import EncodedCard
from tests.harness import FakeConnector, TeamsUser
from tests.harness.botdriver import BotDriver

BOB = TeamsUser.named("Bob Smith", locale="en-US")


class RecordedSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> RecordedSleep:
    """Retries wait through this instead of real time."""
    recorded = RecordedSleep()
    original_init: Callable[..., None] = RetryPolicy.__init__

    def init(
        self: RetryPolicy, *args: object, sleep: Callable[[float], Awaitable[None]] | None = None, **kw: object
    ) -> None:
        original_init(self, *args, sleep=recorded, **kw)

    monkeypatch.setattr(RetryPolicy, "__init__", init)
    return recorded


@pytest.mark.parametrize(("status", "headers"), [(429, {"Retry-After": "2"}), (503, None), (412, None), (502, None)])
async def test_reply_is_retried_on_retryable_status(
    sleeps: RecordedSleep, bot: BotDriver, connector: FakeConnector, status: int, headers: dict[str, str] | None
) -> None:
    connector.fail_next(status, headers=headers, route="send")
    result = await bot.say(BOB, "help")
    assert result.status == 201
    assert len(result.cards) == 1
    assert [r.status for r in connector.requests_for("send")][-2:] == [status, 201]
    assert len(sleeps.delays) == 1
    if status == 429:
        assert sleeps.delays == [2.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413])
async def test_reply_is_not_retried_on_final_errors(
    sleeps: RecordedSleep, bot: BotDriver, connector: FakeConnector, status: int
) -> None:
    connector.fail_next(status, route="send")
    result = await bot.say(BOB, "help")
    sends = connector.requests_for("send")
    assert [r.status for r in sends] == [status, 201]
    assert sends[0].body["attachments"], "the card was tried once"
    assert "Sorry, something went wrong" in sends[1].body["text"], "then the user is told, with a reference"
    assert result.status == 201
    assert sleeps.delays == []


async def test_retries_stop_after_the_limit(sleeps: RecordedSleep, bot: BotDriver, connector: FakeConnector) -> None:
    attempts = RetryPolicy().max_attempts
    connector.fail_next(503, times=attempts, route="send")
    await bot.say(BOB, "help")
    sends = connector.requests_for("send")
    assert [bool(r.body.get("attachments")) for r in sends] == [True] * attempts + [False]
    assert [r.status for r in sends] == [503] * attempts + [201]
    assert len(sleeps.delays) == attempts - 1


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0)
    for attempt in range(1, 10):
        assert 0 <= policy.delay_for(attempt, None) <= min(8.0, 0.5 * 2 ** (attempt - 1))


def test_retry_after_forms() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("-1") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


async def test_one_shared_session_for_all_turns(bot: BotDriver, connector: FakeConnector) -> None:
    """Every reply goes over the same keep-alive connection pool instead of a new session per turn."""
    from bot.http_app import RUNTIME

    session = bot.client.app[RUNTIME].session
    for _ in range(3):
        await bot.say(BOB, "help")
    assert bot.client.app[RUNTIME].session is session and not session.closed
    assert session.connector is not None and len(connector.sent) == 3


def test_msrest_retry_policy_cost_removed() -> None:
    import time

    from msrest.universal_http.requests import ClientRetryPolicy

    from bot.connector import remove_msrest_retry_policy_cost

    remove_msrest_retry_policy_cost()
    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    started = time.perf_counter()
    for _ in range(50):
        ClientRetryPolicy()
    # Not a timing target: only a sanity check that building the policy is no longer quadratic.
    assert (time.perf_counter() - started) / 50 < 0.004


def test_card_pass_through_serializer_gives_exactly_what_msrest_gives() -> None:
    from botbuilder.core import CardFactory, MessageFactory

    from cards.i18n import translator
    from dialogs.app import build_router

    card = build_router().help_card(translator("nl"))
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    activity.text = "Zie hieronder"
    plain, fast = _msrest_and_ours(activity)
    assert fast == plain
    assert type(card) is EncodedCard and isinstance(plain["attachments"][0]["content"], dict)
    assert fast["attachments"][0]["content"] == card
    assert activity.attachments[0].content == card, "the activity itself is left as it was"


def test_a_card_with_its_json_text_is_sent_as_that_text_and_nothing_else_is_taken_for_it() -> None:
    from botbuilder.core import CardFactory, MessageFactory
    from botframework.connector import models

    from bot import connector
    from bot.connector import CardPassThroughSerializer

    text = '{"type":"AdaptiveCard","body":[{"type":"TextBlock","text":"Overzicht \u00e9\u00e9n"}],"version":"1.5"}'
    cards = [EncodedCard(text), EncodedCard(text.replace("Overzicht", "Tweede"))]
    activity = MessageFactory.carousel([CardFactory.adaptive_card(card) for card in cards])
    # A text that looks like the place-holder of the first card, but without its random part.
    activity.text = "\x00card-0000000000000000-0"
    activity.channel_data = {"note": connector._CARD_MARK.rstrip("-")}

    client_models = {k: v for k, v in models.__dict__.items() if isinstance(v, type)}
    body = CardPassThroughSerializer(client_models).body(activity, "Activity")

    assert isinstance(body, bytes)
    assert text.encode() in body and text.replace("Overzicht", "Tweede").encode() in body  # the texts, unchanged
    sent = json.loads(body)
    assert [a["content"] for a in sent["attachments"]] == cards
    assert sent["text"] == activity.text and sent["channelData"] == activity.channel_data
    assert sent == _msrest_and_ours(activity)[0]

    # What msrest writes itself (a dict where a model belongs) still gets the cards as JSON objects, not their repr.
    activity.recipient = {"id": "29:1"}
    written = CardPassThroughSerializer(client_models).body(activity, "Activity")
    assert [a["content"] for a in written["attachments"]] == cards
    assert activity.attachments[0].content is cards[0], "the activity itself is left as it was"


def test_an_encoded_card_is_its_own_copy_and_read_only_at_the_top() -> None:
    card = EncodedCard('{"type":"AdaptiveCard","body":[]}')
    assert card == {"type": "AdaptiveCard", "body": []} and card.text == '{"type":"AdaptiveCard","body":[]}'
    assert copy.deepcopy(card) is card
    for change in (
        lambda: card.__setitem__("type", "x"),
        lambda: card.update(body=None),
        lambda: card.pop("body"),
        lambda: card.clear(),
    ):
        with pytest.raises(TypeError, match="read-only"):
            change()
    assert card == {"type": "AdaptiveCard", "body": []}


def _outgoing_activities() -> dict[str, Any]:
    """What the bot sends: replies with mentions, suggested actions, Teams channel data (a model or a dict),
    timestamps, invoke answers, typing; and one with a dict where a model belongs (msrest's own path)."""
    from botbuilder.core import CardFactory, MessageFactory
    from botbuilder.schema import (
        ActionTypes,
        Activity,
        ActivityTypes,
        CardAction,
        ChannelAccount,
        ConversationAccount,
        Mention,
        SuggestedActions,
    )
    from botbuilder.schema.teams import NotificationInfo, TeamsChannelData, TenantInfo

    reply = MessageFactory.text("Hallo <at>Bob</at>")
    reply.entities = [Mention(mentioned=ChannelAccount(id="29:1", name="Bob"), text="<at>Bob</at>", type="mention")]
    reply.suggested_actions = SuggestedActions(actions=[CardAction(type=ActionTypes.im_back, title="ja", value="ja")])
    reply.channel_data = {"notification": {"alert": True}, "list": [1, {"none": None}], "flag": False}
    reply.timestamp = datetime(2026, 12, 4, 10, 0, 0, 123000, tzinfo=UTC)
    reply.from_property = ChannelAccount(id="28:bot", name="projectbot")
    reply.recipient = ChannelAccount(id="29:1", name="Bob", aad_object_id="aad-1")
    reply.conversation = ConversationAccount(id="a:1", conversation_type="personal", tenant_id="t", is_group=False)
    reply.reply_to_id, reply.service_url, reply.channel_id, reply.locale = "1", "https://x.example/", "msteams", "nl-BE"
    card = MessageFactory.attachment(CardFactory.adaptive_card({"type": "AdaptiveCard", "body": []}))
    card.channel_data = TeamsChannelData(notification=NotificationInfo(alert=True), tenant=TenantInfo(id="t"))
    odd = MessageFactory.text("a dict for a model")
    odd.recipient = {"id": "29:1", "name": "Bob"}
    return {
        "reply": reply,
        "card": card,
        "invoke answer": Activity(type=ActivityTypes.invoke_response, value={"status": 200, "body": {"a": [1, 2]}}),
        "typing": Activity(type=ActivityTypes.typing),
        "dict for a model": odd,
    }


@pytest.mark.parametrize("name", list(_outgoing_activities()))
def test_outgoing_activities_are_written_as_msrest_writes_them(name: str) -> None:
    plain, fast = _msrest_and_ours(_outgoing_activities()[name])
    assert fast == plain
    assert plain["type"]


def _msrest_and_ours(activity: Any) -> tuple[Any, Any]:
    from botframework.connector import models
    from msrest.serialization import Serializer

    from bot.connector import CardPassThroughSerializer

    client_models = {k: v for k, v in models.__dict__.items() if isinstance(v, type)}
    ours = CardPassThroughSerializer(client_models).body(activity, "Activity")
    # msrest writes a mapping that is not exactly a dict as its repr: give it the bot's cards as plain dicts.
    reference = copy.deepcopy(activity)
    for attachment in reference.attachments or []:
        attachment.content = json.loads(json.dumps(attachment.content))
    # Ours is the JSON text itself (bytes: msrest sends it as it is); msrest's own path, the dict json.dumps writes.
    return Serializer(client_models).body(reference, "Activity"), json.loads(ours) if isinstance(ours, bytes) else ours


async def test_connector_clients_are_reused_between_turns(bot: BotDriver) -> None:
    from bot.http_app import RUNTIME

    authentication = bot.client.app[RUNTIME].adapter.bot_framework_authentication
    for _ in range(3):
        assert len((await bot.say(BOB, "help")).cards) == 1
    assert len(authentication._clients) == 1
    assert len(authentication._user_token_clients) == 1


async def test_database_work_runs_on_the_database_threads_not_the_event_loop(bot: BotDriver) -> None:
    """All database work goes through asyncio.to_thread onto the server's database threads (bot/executors.py, with
    the bounded wait), never the event loop's own thread."""
    import asyncio
    import threading

    def name() -> str:
        return threading.current_thread().name

    names = await asyncio.gather(*(asyncio.to_thread(name) for _ in range(8)))
    assert all(n.startswith("projectbot-db") for n in names), names
    assert name() not in names
