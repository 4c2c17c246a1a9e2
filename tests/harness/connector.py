"""A fake Bot Connector service over real HTTP on loopback: records what the bot sends and fails on demand."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

from .activities import TeamsUser, personal_conversation_id

JSON = dict[str, Any]
Route = Literal[
    "send",  # POST .../activities (send) and POST .../activities/{id} (reply)
    "update",  # PUT .../activities/{id}
    "delete",  # DELETE .../activities/{id}
    "create",  # POST /v3/conversations
    "members",  # GET .../members, .../members/{id}, .../pagedmembers
    "team",  # GET /v3/teams/{id}
    "unknown",  # anything else
]
FaultRoute = Literal["send", "update", "delete", "create", "members", "team", "any"]

# The codes Teams answers with most often for each status; a fault can always name its own.
DEFAULT_ERROR_CODES: dict[int, str] = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "BotNotInConversationRoster",
    404: "ConversationNotFound",
    405: "MethodNotAllowed",
    412: "PreconditionFailed",
    413: "MessageSizeTooBig",
    429: "Throttled",
    500: "ServiceError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


def error_body(code: str, message: str) -> JSON:
    """The Bot Connector's error response body."""
    return {"error": {"code": code, "message": message}}


@dataclass
class ConnectorRequest:
    """One request the fake received, and what it answered."""

    method: str
    path: str  # decoded, e.g. /v3/conversations/a:1xyz/activities
    route: Route
    conversation_id: str | None
    activity_id: str | None
    body: Any
    headers: dict[str, str]
    at: float  # FakeConnector.monotonic() (time.monotonic by default) on arrival
    status: int = 0
    response: Any = None
    response_headers: dict[str, str] = field(default_factory=dict)
    raw_path: str = ""  # as sent: the SDK percent-encodes ids (a%3A1xyz)

    @property
    def authorization(self) -> str | None:
        return self.headers.get("Authorization")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def activity(self) -> JSON | None:
        """The activity this request delivered, with the id the fake assigned; None if nothing was."""
        if not self.ok:
            return None
        if self.route in ("send", "update") and isinstance(self.body, dict):
            delivered = copy.deepcopy(self.body)
            delivered["id"] = self.response["id"]
            return delivered
        if self.route == "create" and isinstance(self.body, dict) and self.body.get("activity"):
            delivered = copy.deepcopy(self.body["activity"])
            delivered["id"] = self.response["activityId"]
            return delivered
        return None


@dataclass
class _Fault:
    status: int
    headers: dict[str, str]
    body: Any
    route: FaultRoute
    conversation_id: str | None
    remaining: int

    def matches(self, route: Route, conversation_id: str | None) -> bool:
        if self.route != "any" and self.route != route:
            return False
        return self.conversation_id is None or self.conversation_id == conversation_id


@dataclass
class _RateLimit:
    per_second: int
    retry_after: float
    per_conversation: bool
    accepted: dict[str | None, deque[float]] = field(default_factory=dict)


class FakeConnector:
    """The Bot Connector v3 REST API the SDK talks to, served on 127.0.0.1 on a free port.

    Use as `async with FakeConnector() as connector:` and put `connector.url` in activities' `serviceUrl`.
    `base_path` mounts the API below a path, like the Agents Playground's `/_connector`.
    """

    def __init__(self, *, base_path: str = "", monotonic: Callable[[], float] = time.monotonic) -> None:
        # `monotonic` stamps arrivals and drives the rate limit; a test may pass a fake one to move time.
        self.monotonic = monotonic
        self.base_path = "/" + base_path.strip("/") if base_path.strip("/") else ""
        self.requests: list[ConnectorRequest] = []
        # conversation id -> member records (TeamsChannelAccount JSON); fill directly or with add_member().
        self.members: dict[str, list[JSON]] = {}
        # team id -> TeamDetails JSON ({"id", "name", "aadGroupId"}).
        self.teams: dict[str, JSON] = {}
        # activity id -> the latest version of each delivered activity (updates replace, deletes remove).
        self.activities: dict[str, JSON] = {}
        self._ids = itertools.count(1)
        self._faults: list[_Fault] = []
        self._failing_conversations: dict[str, tuple[int, Any]] = {}
        self._rate_limit: _RateLimit | None = None
        self._waiters: set[asyncio.Event] = set()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        p = self.base_path
        activity = p + "/v3/conversations/{conversation_id}/activities/{activity_id}"
        app.router.add_post(p + "/v3/conversations", self._create_conversation)
        app.router.add_post(p + "/v3/conversations/{conversation_id}/activities", self._send)
        app.router.add_post(activity, self._send)
        app.router.add_put(activity, self._update)
        app.router.add_delete(activity, self._delete)
        app.router.add_get(p + "/v3/conversations/{conversation_id}/members", self._get_members)
        app.router.add_get(p + "/v3/conversations/{conversation_id}/pagedmembers", self._get_paged_members)
        app.router.add_get(p + "/v3/conversations/{conversation_id}/members/{member_id}", self._get_member)
        app.router.add_get(p + "/v3/teams/{team_id}", self._get_team)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._url = f"http://{host}:{port}{self.base_path}/"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The service URL to put in activities (ends with `/`, like Teams' own)."""
        if self._url is None:
            raise RuntimeError("FakeConnector is not started; use `async with FakeConnector() as connector`")
        return self._url

    # -- what was received -------------------------------------------------------------------------

    @property
    def sent(self) -> list[JSON]:
        """Activities delivered (sent, replied, or created with a conversation), in order, with new `id`s."""
        return [a for r in self.requests if r.route in ("send", "create") and (a := r.activity) is not None]

    def sent_to(self, conversation_id: str) -> list[JSON]:
        """Activities delivered to one conversation, in order."""
        return [
            a
            for r in self.requests
            if r.route in ("send", "create") and r.conversation_id == conversation_id and (a := r.activity) is not None
        ]

    @property
    def updated(self) -> list[JSON]:
        """Activities successfully updated (PUT), in order, with `id` set to the updated activity's id."""
        return [a for r in self.requests if r.route == "update" and (a := r.activity) is not None]

    @property
    def deleted(self) -> list[tuple[str, str]]:
        """(conversation id, activity id) of each successful delete."""
        return [(r.conversation_id or "", r.activity_id or "") for r in self.requests if r.route == "delete" and r.ok]

    @property
    def created(self) -> list[JSON]:
        """The ConversationParameters bodies of successful create-conversation calls."""
        return [r.body for r in self.requests if r.route == "create" and r.ok]

    @property
    def failed(self) -> list[ConnectorRequest]:
        """Requests the fake answered with an error status."""
        return [r for r in self.requests if r.status >= 400]

    def requests_for(self, route: Route) -> list[ConnectorRequest]:
        return [r for r in self.requests if r.route == route]

    async def wait_for(self, n: int, timeout: float = 5) -> list[JSON]:  # noqa: ASYNC109
        """Wait until at least `n` activities were delivered and return them; fail after `timeout` s."""
        await self.wait_until(lambda: len(self.sent) >= n, timeout, f"{n} sent activities")
        return self.sent

    async def wait_for_requests(
        self,
        n: int,
        timeout: float = 5,  # noqa: ASYNC109
        *,
        route: Route | None = None,
    ) -> None:
        """Wait until at least `n` requests (of one route, if given) arrived, whatever they were answered."""

        def enough() -> bool:
            return len(self.requests if route is None else self.requests_for(route)) >= n

        await self.wait_until(enough, timeout, f"{n} requests" + (f" on route {route!r}" if route else ""))

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5,  # noqa: ASYNC109
        what: str = "condition",
    ) -> None:
        """Wait, without polling, until `predicate()` holds after some request was recorded."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    waiter = asyncio.Event()
                    self._waiters.add(waiter)
                    try:
                        await waiter.wait()
                    finally:
                        self._waiters.discard(waiter)
        except TimeoutError:
            summary = [f"{r.method} {r.path} -> {r.status}" for r in self.requests]
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; received: {summary}") from None

    def clear(self) -> None:
        """Forget recorded requests and delivered activities; faults, members and teams stay."""
        self.requests.clear()
        self.activities.clear()

    # -- test setup --------------------------------------------------------------------------------

    def add_member(self, conversation_id: str, member: TeamsUser | Mapping[str, Any], *, tenant_id: str = "") -> JSON:
        record = member.member_record(tenant_id) if isinstance(member, TeamsUser) else dict(member)
        self.members.setdefault(conversation_id, []).append(record)
        return record

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        route: FaultRoute = "send",
        conversation_id: str | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` matching requests with `status`.

        Without `body` the answer is a Bot Connector error body with `code` (default: the usual one for
        the status). Faults are used in the order they were queued; a queued fault wins over
        `fail_conversation` and the rate limit.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if body is None:
            body = self._default_error(status, code, message)
        self._faults.append(_Fault(status, dict(headers or {}), body, route, conversation_id, remaining=times))

    def fail_conversation(self, conversation_id: str, status: int = 403, body: Any = None) -> None:
        """Fail every request about one conversation (e.g. the bot was removed from it) until restored."""
        self._failing_conversations[conversation_id] = (
            status,
            body if body is not None else self._default_error(status, None, None),
        )

    def restore_conversation(self, conversation_id: str) -> None:
        self._failing_conversations.pop(conversation_id, None)

    def rate_limit(self, per_second: int | None, *, retry_after: float = 1, per_conversation: bool = True) -> None:
        """Answer 429 with `Retry-After` to sends and updates beyond `per_second` in any sliding second.

        Counted per conversation (Teams' per-bot-per-conversation limit) or, with
        `per_conversation=False`, across all of them (the per-tenant limit). `None` turns the limit off.
        """
        if per_second is None:
            self._rate_limit = None
        else:
            self._rate_limit = _RateLimit(per_second, retry_after, per_conversation)

    @property
    def pending_faults(self) -> int:
        return sum(f.remaining for f in self._faults)

    # -- handlers ----------------------------------------------------------------------------------

    async def _send(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        reply_to = request.match_info.get("activity_id")
        record, early = await self._begin(request, "send", conversation_id, reply_to)
        if early is not None:
            return early
        if not isinstance(record.body, dict):
            return self._answer(record, 400, error_body("BadArgument", "The activity is missing or not an object"))
        activity_id = self._next_id()
        response = self._answer(record, 201, {"id": activity_id})
        self._remember(record)
        return response

    async def _update(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        activity_id = request.match_info["activity_id"]
        record, early = await self._begin(request, "update", conversation_id, activity_id)
        if early is not None:
            return early
        if not isinstance(record.body, dict):
            return self._answer(record, 400, error_body("BadArgument", "The activity is missing or not an object"))
        response = self._answer(record, 200, {"id": activity_id})
        self._remember(record)
        return response

    async def _delete(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        activity_id = request.match_info["activity_id"]
        record, early = await self._begin(request, "delete", conversation_id, activity_id)
        if early is not None:
            return early
        self.activities.pop(activity_id, None)
        return self._answer(record, 200, None)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        record, early = await self._begin(request, "create", None, None)
        if early is not None:
            return early
        params = record.body
        if not isinstance(params, dict):
            return self._answer(record, 400, error_body("BadArgument", "ConversationParameters missing"))
        members = params.get("members") or []
        if params.get("isGroup") or len(members) != 1:
            conversation_id = f"19:{uuid.uuid4().hex}@thread.v2"
        else:
            member = members[0]
            conversation_id = personal_conversation_id(member.get("id") or member.get("aadObjectId") or "")
        record.conversation_id = conversation_id
        answer: JSON = {"id": conversation_id, "serviceUrl": self.url}
        if params.get("activity"):
            answer["activityId"] = record.activity_id = self._next_id()
        response = self._answer(record, 201, answer)
        self._remember(record)
        return response

    async def _get_members(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        record, early = await self._begin(request, "members", conversation_id, None)
        if early is not None:
            return early
        if conversation_id not in self.members:
            return self._not_found_conversation(record)
        return self._answer(record, 200, self.members[conversation_id])

    async def _get_paged_members(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        record, early = await self._begin(request, "members", conversation_id, None)
        if early is not None:
            return early
        if conversation_id not in self.members:
            return self._not_found_conversation(record)
        return self._answer(record, 200, {"members": self.members[conversation_id], "continuationToken": None})

    async def _get_member(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        member_id = request.match_info["member_id"]
        record, early = await self._begin(request, "members", conversation_id, None)
        if early is not None:
            return early
        if conversation_id not in self.members:
            return self._not_found_conversation(record)
        # Teams looks a member up by its Teams id or by its Entra object id.
        for member in self.members[conversation_id]:
            if member_id in (member.get("id"), member.get("aadObjectId")):
                return self._answer(record, 200, member)
        return self._answer(
            record,
            404,
            error_body("MemberNotFoundInConversation", "The member is not part of the conversation."),
        )

    async def _get_team(self, request: web.Request) -> web.Response:
        team_id = request.match_info["team_id"]
        record, early = await self._begin(request, "team", team_id, None)
        if early is not None:
            return early
        if team_id not in self.teams:
            return self._answer(record, 404, error_body("NotFound", f"Team {team_id} not found"))
        return self._answer(record, 200, self.teams[team_id])

    async def _unknown(self, request: web.Request) -> web.Response:
        record, early = await self._begin(request, "unknown", None, None)
        if early is not None:
            return early
        return self._answer(
            record,
            404,
            error_body("NotFound", f"FakeConnector has no route for {request.method} {request.path}"),
        )

    # -- machinery ---------------------------------------------------------------------------------

    async def _begin(
        self, request: web.Request, route: Route, conversation_id: str | None, activity_id: str | None
    ) -> tuple[ConnectorRequest, web.Response | None]:
        """Record the request and decide whether an injected fault answers it instead of the route."""
        arrived = self.monotonic()
        raw = await request.read()
        record = ConnectorRequest(
            method=request.method,
            path=request.path,
            route=route,
            conversation_id=conversation_id,
            activity_id=activity_id,
            body=None,
            headers=dict(request.headers),
            at=arrived,
            raw_path=request.raw_path,
        )
        self.requests.append(record)
        if raw:
            try:
                record.body = json.loads(raw)
            except ValueError:
                record.body = raw.decode(errors="replace")
                return record, self._answer(record, 400, error_body("BadSyntax", "The body is not valid JSON"))

        for fault in self._faults:
            if fault.matches(route, conversation_id):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return record, self._answer(record, fault.status, fault.body, fault.headers)

        if conversation_id is not None and conversation_id in self._failing_conversations:
            status, body = self._failing_conversations[conversation_id]
            return record, self._answer(record, status, body)

        limit = self._rate_limit
        if limit is not None and route in ("send", "update"):
            window = limit.accepted.setdefault(conversation_id if limit.per_conversation else None, deque())
            while window and arrived - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit.per_second:
                return record, self._answer(
                    record,
                    429,
                    error_body("Throttled", f"More than {limit.per_second} requests per second"),
                    {"Retry-After": _format_seconds(limit.retry_after)},
                )
            window.append(arrived)
        return record, None

    def _answer(
        self, record: ConnectorRequest, status: int, body: Any, headers: Mapping[str, str] | None = None
    ) -> web.Response:
        record.status = status
        record.response = body
        record.response_headers = dict(headers or {})
        self._notify()
        if body is None:
            return web.Response(status=status, headers=record.response_headers)
        if isinstance(body, str | bytes):
            return web.Response(status=status, body=body, headers=record.response_headers)
        return web.json_response(body, status=status, headers=record.response_headers)

    def _remember(self, record: ConnectorRequest) -> None:
        delivered = record.activity
        if delivered is not None:
            self.activities[delivered["id"]] = delivered

    def _not_found_conversation(self, record: ConnectorRequest) -> web.Response:
        return self._answer(
            record,
            404,
            error_body("ConversationNotFound", f"Conversation {record.conversation_id} not found"),
        )

    def _next_id(self) -> str:
        # Teams' activity ids look like epoch milliseconds; these stay unique and increasing.
        return str(1_800_000_000_000 + next(self._ids))

    def _notify(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    @staticmethod
    def _default_error(status: int, code: str | None, message: str | None) -> JSON:
        code = code or DEFAULT_ERROR_CODES.get(status, "ServiceError")
        return error_body(code, message or f"FakeConnector injected {status} {code}")


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)
