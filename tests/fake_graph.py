"""A local fake of Entra ID (OpenID metadata, client-credentials token) and of Microsoft Graph's calendar events,
on loopback, for the Outlook meeting import. msal reaches it through an injected requests-like `http_client` that
rewrites the (https, as msal insists) fake authority host to the fake's http address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import requests
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.graph import GraphCalendar

AUTHORITY = "https://login.fake.test"
TENANT = "6f1f3c4e-0000-4000-8000-00000000a001"
TOKEN = "fake-graph-token"


def utc_time(value: datetime) -> dict[str, str]:
    """Graph's dateTimeTimeZone in UTC, as Graph answers with `Prefer: outlook.timezone="UTC"`."""
    return {"dateTime": value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def instances_at(local_starts: list[datetime], zone: str, minutes: int, *, event_id: str) -> list[dict[str, Any]]:
    """Regular instances at these local wall-clock starts (naive, in `zone`)."""
    found = []
    for local in local_starts:
        start = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        found.append(
            {
                "id": f"{event_id}-{start:%Y%m%d}",
                "type": "occurrence",
                "start": utc_time(start),
                "end": utc_time(start + timedelta(minutes=minutes)),
                "originalStart": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return found


@dataclass
class FakeGraph:
    base: str = ""
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    instances: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fail_token: bool = False
    token_requests: int = 0
    discovery_requests: int = 0
    mailboxes: list[str] = field(default_factory=list)
    unauthorised: list[str] = field(default_factory=list)

    def add(self, event: dict[str, Any], instances: list[dict[str, Any]]) -> None:
        self.events[event["id"]] = event
        self.instances[event["id"]] = instances

    # Entra ID ---------------------------------------------------------------------------------------------

    async def openid(self, request: web.Request) -> web.Response:
        self.discovery_requests += 1
        tenant = request.match_info["tenant"]
        return web.json_response(
            {
                "authorization_endpoint": f"{AUTHORITY}/{tenant}/oauth2/v2.0/authorize",
                "token_endpoint": f"{AUTHORITY}/{tenant}/oauth2/v2.0/token",
                "issuer": f"{AUTHORITY}/{tenant}/v2.0",
            }
        )

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        form = await request.post()
        if self.fail_token or form.get("grant_type") != "client_credentials":
            return web.json_response(
                {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."},
                status=401,
            )
        return web.json_response({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3599})

    # Graph ------------------------------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        ok = request.headers.get("Authorization") == f"Bearer {TOKEN}"
        if not ok:
            self.unauthorised.append(request.path)
        return ok

    async def list_events(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        self.mailboxes.append(request.match_info["mailbox"])
        assert request.query.get("$filter") == "type eq 'seriesMaster'"
        return web.json_response({"value": list(self.events.values())})

    async def get_event(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        event = self.events.get(request.match_info["event"])
        if event is None:
            return web.json_response({"error": {"code": "ErrorItemNotFound"}}, status=404)
        return web.json_response(event)

    async def list_instances(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        event_id = request.match_info["event"]
        if event_id not in self.events:
            return web.json_response({"error": {"code": "ErrorItemNotFound"}}, status=404)
        start = datetime.fromisoformat(request.query["startDateTime"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(request.query["endDateTime"].replace("Z", "+00:00"))

        def instant(value: dict[str, str]) -> datetime:
            return datetime.fromisoformat(value["dateTime"][:19]).replace(tzinfo=UTC)

        shown = [i for i in self.instances.get(event_id, []) if instant(i["start"]) < end and instant(i["end"]) > start]
        return web.json_response({"value": shown})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self.openid)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.token)
        app.router.add_get("/v1.0/users/{mailbox}/events", self.list_events)
        app.router.add_get("/v1.0/users/{mailbox}/events/{event}", self.get_event)
        app.router.add_get("/v1.0/users/{mailbox}/events/{event}/instances", self.list_instances)
        return app


class RewritingHttpClient:
    """msal's http_client contract (requests-like get/post): the fake authority host goes to the local fake."""

    def __init__(self, base: str) -> None:
        self._base = base
        self._session = requests.Session()

    def _url(self, url: str) -> str:
        assert url.startswith(AUTHORITY), f"msal went elsewhere: {url}"
        return self._base + url[len(AUTHORITY) :]

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self._session.get(self._url(url), timeout=10, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self._session.post(self._url(url), timeout=10, **kwargs)

    def close(self) -> None:
        self._session.close()


@asynccontextmanager
async def fake_graph() -> AsyncIterator[tuple[FakeGraph, GraphCalendar]]:
    """The fake, and a GraphCalendar (the production class) pointed at it."""
    fake = FakeGraph()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base = str(server.make_url("")).rstrip("/")
    http_client = RewritingHttpClient(fake.base)
    async with aiohttp.ClientSession() as session:
        calendar = GraphCalendar(
            session,
            tenant_id=TENANT,
            client_id="00000000-0000-4000-8000-0000000000c1",
            client_secret="fake-secret",
            graph_url=fake.base,
            authority_url=AUTHORITY,
            http_client=http_client,
        )
        try:
            yield fake, calendar
        finally:
            http_client.close()
            await server.close()
