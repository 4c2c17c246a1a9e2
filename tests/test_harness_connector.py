"""The fake Bot Connector answers like the real one, over HTTP, to plain clients and to the SDK."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationParameters
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AppCredentials, MicrosoftAppCredentials
from botframework.connector.models import ErrorResponseException

from tests.harness import FakeConnector, TeamsUser, error_body, personal_conversation_id

PERSONAL = "a:1personal"
CHANNEL = "19:general@thread.tacv2;messageid=1700000000000"
TENANT = "11111111-2222-3333-4444-555555555555"


class FixedTokenCredentials(AppCredentials):  # type: ignore[misc]
    """Outbound credentials with a fixed token, so no call goes to Entra ID."""

    def __init__(self) -> None:
        super().__init__(app_id="00000000-0000-0000-0000-00000000abcd")

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "fixed-test-token"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def activities_url(connector: FakeConnector, conversation_id: str, activity_id: str | None = None) -> str:
    url = f"{connector.url}v3/conversations/{conversation_id}/activities"
    return f"{url}/{activity_id}" if activity_id else url


async def post(http: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, Any, aiohttp.ClientResponse]:
    async with http.post(url, json=body) as response:
        return response.status, await response.json(), response


# -- plain HTTP ---------------------------------------------------------------------------------------


async def test_url_is_loopback_with_trailing_slash(connector: FakeConnector) -> None:
    assert connector.url.startswith("http://127.0.0.1:")
    assert connector.url.endswith("/")


async def test_send_reply_update_delete_are_recorded(connector: FakeConnector, http: aiohttp.ClientSession) -> None:
    status, first, _ = await post(http, activities_url(connector, PERSONAL), {"type": "message", "text": "one"})
    assert status == 201
    _, reply, _ = await post(
        http, activities_url(connector, CHANNEL, "1700000000000"), {"type": "message", "text": "two"}
    )
    async with http.put(
        activities_url(connector, PERSONAL, first["id"]), json={"type": "message", "text": "one, edited"}
    ) as response:
        assert response.status == 200
        assert await response.json() == {"id": first["id"]}
    async with http.delete(activities_url(connector, CHANNEL, reply["id"])) as response:
        assert response.status == 200

    assert int(reply["id"]) > int(first["id"])
    assert [a["text"] for a in connector.sent] == ["one", "two"]
    assert [a["id"] for a in connector.sent] == [first["id"], reply["id"]]
    assert [a["text"] for a in connector.sent_to(CHANNEL)] == ["two"]
    assert connector.updated == [{"type": "message", "text": "one, edited", "id": first["id"]}]
    assert connector.deleted == [(CHANNEL, reply["id"])]
    assert connector.activities == {first["id"]: connector.updated[0]}
    send, reply_request, update, delete = connector.requests
    assert (send.method, send.route, send.conversation_id, send.activity_id) == (
        "POST",
        "send",
        PERSONAL,
        None,
    )
    assert (reply_request.route, reply_request.conversation_id, reply_request.activity_id) == (
        "send",
        CHANNEL,
        "1700000000000",
    )
    assert (update.method, update.route, update.activity_id) == ("PUT", "update", first["id"])
    assert (delete.method, delete.route, delete.body) == ("DELETE", "delete", None)
    assert send.body == {"type": "message", "text": "one"}
    assert send.headers["Content-Type"].startswith("application/json")
    assert send.at <= reply_request.at <= update.at <= delete.at


async def test_clear_forgets_requests_but_not_faults(connector: FakeConnector, http: aiohttp.ClientSession) -> None:
    await post(http, activities_url(connector, PERSONAL), {"type": "message"})
    connector.fail_next(503)

    connector.clear()

    assert connector.requests == []
    assert connector.sent == []
    assert connector.pending_faults == 1


async def test_create_conversation_gives_the_personal_id_of_the_member(
    connector: FakeConnector, http: aiohttp.ClientSession
) -> None:
    params = {
        "isGroup": False,
        "bot": {"id": "28:bot"},
        "members": [{"id": "29:1member"}],
        "tenantId": TENANT,
        "activity": {"type": "message", "text": "hello"},
    }

    status, answer, _ = await post(http, f"{connector.url}v3/conversations", params)

    assert status == 201
    assert answer["id"] == personal_conversation_id("29:1member")
    assert answer["activityId"]
    assert connector.created == [params]
    assert connector.sent_to(answer["id"]) == [{"type": "message", "text": "hello", "id": answer["activityId"]}]


async def test_members_answer_from_the_configured_records(
    connector: FakeConnector, http: aiohttp.ClientSession
) -> None:
    an = TeamsUser.named("An Janssens")
    record = connector.add_member(PERSONAL, an, tenant_id=TENANT)
    base = f"{connector.url}v3/conversations/{PERSONAL}"

    async with http.get(f"{base}/members") as response:
        assert (response.status, await response.json()) == (200, [record])
    async with http.get(f"{base}/members/{an.teams_id}") as response:
        assert (response.status, await response.json()) == (200, record)
    async with http.get(f"{base}/members/{an.aad_object_id}") as response:
        assert (await response.json())["name"] == "An Janssens"
    async with http.get(f"{base}/pagedmembers") as response:
        assert (await response.json())["members"] == [record]
    async with http.get(f"{base}/members/29:nobody") as response:
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "MemberNotFoundInConversation"
    async with http.get(f"{connector.url}v3/conversations/a:unknown/members") as response:
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "ConversationNotFound"


async def test_team_details(connector: FakeConnector, http: aiohttp.ClientSession) -> None:
    connector.teams["19:team@thread.tacv2"] = {
        "id": "19:team@thread.tacv2",
        "name": "Werf",
        "aadGroupId": "g",
    }

    async with http.get(f"{connector.url}v3/teams/19:team@thread.tacv2") as response:
        assert (await response.json())["name"] == "Werf"
    async with http.get(f"{connector.url}v3/teams/19:other@thread.tacv2") as response:
        assert response.status == 404


async def test_unknown_route_and_bad_json_answer_error_bodies(
    connector: FakeConnector, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{connector.url}v3/nothing/here") as response:
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "NotFound"
    async with http.post(activities_url(connector, PERSONAL), data=b"{not json") as response:
        assert response.status == 400
        assert (await response.json())["error"]["code"] == "BadSyntax"
    assert connector.sent == []
    assert [r.status for r in connector.failed] == [404, 400]


async def test_base_path_like_the_playground(http: aiohttp.ClientSession) -> None:
    async with FakeConnector(base_path="/_connector") as connector:
        assert connector.url.endswith("/_connector/")
        status, _, _ = await post(http, activities_url(connector, PERSONAL), {"type": "message"})
        assert status == 201
        assert connector.requests[0].path == f"/_connector/v3/conversations/{PERSONAL}/activities"


# -- faults ---------------------------------------------------------------------------------------------


async def test_fail_next_answers_429_once_then_succeeds(connector: FakeConnector, http: aiohttp.ClientSession) -> None:
    connector.fail_next(429, headers={"Retry-After": "1"})

    status, body, response = await post(http, activities_url(connector, PERSONAL), {"type": "message"})
    assert (status, response.headers["Retry-After"]) == (429, "1")
    assert body == {"error": {"code": "Throttled", "message": "FakeConnector injected 429 Throttled"}}
    status, _, _ = await post(http, activities_url(connector, PERSONAL), {"type": "message"})
    assert status == 201
    assert len(connector.sent) == 1
    assert [r.status for r in connector.requests] == [429, 201]


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "BadArgument"),
        (401, "Unauthorized"),
        (403, "BotNotInConversationRoster"),
        (404, "ConversationNotFound"),
        (412, "PreconditionFailed"),
        (413, "MessageSizeTooBig"),
        (503, "ServiceUnavailable"),
    ],
)
async def test_fail_next_default_error_codes(
    connector: FakeConnector, http: aiohttp.ClientSession, status: int, code: str
) -> None:
    connector.fail_next(status)

    answered, body, _ = await post(http, activities_url(connector, PERSONAL), {"type": "message"})

    assert answered == status
    assert body["error"]["code"] == code


async def test_fail_next_with_own_body_times_route_and_conversation(
    connector: FakeConnector, http: aiohttp.ClientSession
) -> None:
    blocked = error_body("ConversationBlockedByUser", "User blocked the conversation with the bot.")
    connector.fail_next(403, body=blocked, conversation_id=CHANNEL)
    connector.fail_next(412, times=2, route="update")

    status, _, _ = await post(http, activities_url(connector, PERSONAL), {"type": "message"})
    assert status == 201  # neither fault matches a send to another conversation
    status, body, _ = await post(http, activities_url(connector, CHANNEL), {"type": "message"})
    assert (status, body) == (403, blocked)
    statuses = []
    for _ in range(3):
        async with http.put(activities_url(connector, PERSONAL, "1"), json={"type": "message"}) as response:
            statuses.append(response.status)
    assert statuses == [412, 412, 200]
    assert connector.pending_faults == 0


async def test_fail_conversation_until_restored(connector: FakeConnector, http: aiohttp.ClientSession) -> None:
    connector.fail_conversation(CHANNEL, 403, error_body("BotNotInConversationRoster", "The bot was removed"))

    for _ in range(2):
        status, body, _ = await post(http, activities_url(connector, CHANNEL), {"type": "message"})
        assert (status, body["error"]["code"]) == (403, "BotNotInConversationRoster")
    status, _, _ = await post(http, activities_url(connector, PERSONAL), {"type": "message"})
    assert status == 201
    connector.restore_conversation(CHANNEL)
    status, _, _ = await post(http, activities_url(connector, CHANNEL), {"type": "message"})
    assert status == 201


async def test_rate_limit_per_conversation_in_a_sliding_second(http: aiohttp.ClientSession) -> None:
    clock = FakeMonotonic()
    async with FakeConnector(monotonic=clock) as connector:
        connector.rate_limit(2, retry_after=1)

        statuses = [(await post(http, activities_url(connector, PERSONAL), {"type": "message"}))[0] for _ in range(3)]
        other, _, _ = await post(http, activities_url(connector, CHANNEL), {"type": "message"})
        clock.now += 1.0
        later, _, _ = await post(http, activities_url(connector, PERSONAL), {"type": "message"})

        assert statuses == [201, 201, 429]
        assert connector.failed[0].response_headers == {"Retry-After": "1"}
        assert connector.failed[0].response["error"]["code"] == "Throttled"
        assert other == 201
        assert later == 201


async def test_rate_limit_across_conversations(http: aiohttp.ClientSession) -> None:
    async with FakeConnector(monotonic=FakeMonotonic()) as connector:
        connector.rate_limit(1, per_conversation=False, retry_after=0.5)

        first, _, _ = await post(http, activities_url(connector, PERSONAL), {"type": "message"})
        second, _, response = await post(http, activities_url(connector, CHANNEL), {"type": "message"})

        assert (first, second, response.headers["Retry-After"]) == (201, 429, "0.5")
        connector.rate_limit(None)
        third, _, _ = await post(http, activities_url(connector, CHANNEL), {"type": "message"})
        assert third == 201


# -- waiting --------------------------------------------------------------------------------------------


async def test_wait_for_wakes_when_enough_activities_arrived(
    connector: FakeConnector, http: aiohttp.ClientSession
) -> None:
    waiting = asyncio.create_task(connector.wait_for(2))
    await post(http, activities_url(connector, PERSONAL), {"type": "message", "text": "one"})
    assert not waiting.done()
    connector.fail_next(503)
    await post(http, activities_url(connector, PERSONAL), {"type": "message", "text": "failed"})
    await post(http, activities_url(connector, PERSONAL), {"type": "message", "text": "two"})

    sent = await waiting

    assert [a["text"] for a in sent] == ["one", "two"]


async def test_wait_for_fails_the_test_after_the_timeout(connector: FakeConnector) -> None:
    with pytest.raises(AssertionError, match=re.escape("timed out after 0.05s waiting for 1 sent activities")):
        await connector.wait_for(1, timeout=0.05)


async def test_wait_for_requests_counts_failed_ones(connector: FakeConnector, http: aiohttp.ClientSession) -> None:
    connector.fail_next(429)
    waiting = asyncio.create_task(connector.wait_for_requests(1, route="send"))
    await post(http, activities_url(connector, PERSONAL), {"type": "message"})

    await asyncio.wait_for(waiting, 5)

    assert connector.sent == []


# -- the real SDK client --------------------------------------------------------------------------------


async def test_sdk_connector_client_sends_replies_updates_and_deletes(connector: FakeConnector) -> None:
    async with ConnectorClient(MicrosoftAppCredentials.empty(), base_url=connector.url) as client:
        sent = await client.conversations.send_to_conversation(
            CHANNEL, Activity(type="message", text="hello", conversation=ConversationAccount(id=CHANNEL))
        )
        reply = await client.conversations.reply_to_activity(
            CHANNEL, "1700000000000", Activity(type="message", text="in thread", reply_to_id="1700000000000")
        )
        await client.conversations.update_activity(
            CHANNEL, sent.id, Activity(type="message", id=sent.id, text="hello, edited")
        )
        await client.conversations.delete_activity(CHANNEL, reply.id)

    assert [a["text"] for a in connector.sent_to(CHANNEL)] == ["hello", "in thread"]
    assert connector.sent[0] == {
        "type": "message",
        "id": sent.id,
        "conversation": {"id": CHANNEL},
        "text": "hello",
    }
    assert connector.updated[0]["text"] == "hello, edited"
    assert connector.deleted == [(CHANNEL, reply.id)]
    # The SDK percent-encodes the conversation id in the path; the fake records it decoded.
    first = connector.requests[0]
    assert first.raw_path == "/v3/conversations/19%3Ageneral%40thread.tacv2%3Bmessageid%3D1700000000000/activities"
    assert first.path == f"/v3/conversations/{CHANNEL}/activities"
    # Without an app id the SDK sends no Authorization header at all.
    assert all(r.authorization is None for r in connector.requests)
    assert connector.requests[1].headers["x-ms-conversation-id"] == CHANNEL


async def test_sdk_sends_the_bearer_token_of_its_credentials(connector: FakeConnector) -> None:
    async with ConnectorClient(FixedTokenCredentials(), base_url=connector.url) as client:
        await client.conversations.send_to_conversation(PERSONAL, Activity(type="message", text="hi"))

    assert connector.requests[0].authorization == "Bearer fixed-test-token"


async def test_sdk_gets_a_429_once_then_succeeds(connector: FakeConnector) -> None:
    connector.fail_next(429, headers={"Retry-After": "1"})

    async with ConnectorClient(MicrosoftAppCredentials.empty(), base_url=connector.url) as client:
        with pytest.raises(ErrorResponseException) as raised:
            await client.conversations.send_to_conversation(PERSONAL, Activity(type="message", text="hi"))
        # The SDK does not retry by itself: one request, one exception.
        assert len(connector.requests) == 1
        answer = await client.conversations.send_to_conversation(PERSONAL, Activity(type="message", text="hi"))

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert raised.value.error.error.code == "Throttled"
    assert connector.sent == [{"type": "message", "text": "hi", "id": answer.id}]


async def test_sdk_reads_members_and_creates_conversations(connector: FakeConnector) -> None:
    an = TeamsUser.named("An Janssens")
    connector.add_member(CHANNEL, an, tenant_id=TENANT)

    async with ConnectorClient(MicrosoftAppCredentials.empty(), base_url=connector.url) as client:
        members = await client.conversations.get_conversation_members(CHANNEL)
        member = await client.conversations.get_conversation_member(CHANNEL, an.aad_object_id)
        with pytest.raises(ErrorResponseException) as raised:
            await client.conversations.get_conversation_member(CHANNEL, "29:nobody")
        created = await client.conversations.create_conversation(
            ConversationParameters(
                is_group=False,
                bot=ChannelAccount(id="28:bot"),
                members=[ChannelAccount(id=an.teams_id)],
                tenant_id=TENANT,
                activity=Activity(type="message", text="hallo"),
            )
        )

    assert [m.id for m in members] == [an.teams_id]
    assert member.name == "An Janssens"
    assert raised.value.response.status_code == 404
    assert created.id == personal_conversation_id(an.teams_id)
    assert connector.sent_to(created.id)[0]["id"] == created.activity_id
