"""Drives the real aiohttp app over HTTP: post an activity, read what the bot sent to the fake connector."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from bot.http_app import create_app
from bot.settings import Settings
from dialogs.kernel.clock import Clock
from dialogs.kernel.rendering import InlineRenderer, Renderer
from storage.db import Database
from tests.harness.activities import ActivityFactory, TeamsUser
from tests.harness.connector import FakeConnector

TENANT = "6f1f3c4e-0000-4000-8000-00000000a001"
JSON = dict[str, Any]


@dataclass
class TurnResult:
    status: int
    body: Any
    sent: list[JSON] = field(default_factory=list)
    updated: list[JSON] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [a["text"] for a in self.sent if a.get("text")]

    @property
    def cards(self) -> list[JSON]:
        return [
            attachment["content"]
            for a in self.sent
            for attachment in a.get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def invoke_card(self) -> JSON | None:
        if isinstance(self.body, dict) and self.body.get("type") == "application/vnd.microsoft.card.adaptive":
            value: JSON = self.body["value"]
            return value
        return None

    @property
    def invoke_message(self) -> str | None:
        if isinstance(self.body, dict) and self.body.get("type") == "application/vnd.microsoft.activity.message":
            return str(self.body["value"])
        return None


class BotDriver:
    def __init__(self, client: TestClient[Any, Any], connector: FakeConnector, factory: ActivityFactory) -> None:
        self.client = client
        self.connector = connector
        self.activities = factory

    @classmethod
    @asynccontextmanager
    async def start(
        cls,
        *,
        db: Database,
        clock: Clock,
        connector: FakeConnector,
        settings: Settings | None = None,
        adapter_options: dict[str, Any] | None = None,
        client_session_factory: Callable[[], aiohttp.ClientSession] | None = None,
        calendar: Any = None,
        renderer: Renderer | None = None,
    ) -> AsyncIterator[BotDriver]:
        """adapter_options and client_session_factory go to create_app (see there); tests of the
        authenticated path use them. Charts and documents are drawn inline unless a renderer is given."""
        settings = settings or Settings(dev=True, database_url="sqlite://", default_locale="nl-BE")
        app = create_app(
            settings,
            db=db,
            clock=clock,
            migrate_on_start=False,
            adapter_options=adapter_options,
            client_session_factory=client_session_factory,
            start_scheduler=False,  # tests drive the outbox sender themselves, on the fake clock
            calendar=calendar,
            renderer=renderer or InlineRenderer(),
        )
        client: TestClient[Any, Any] = TestClient(TestServer(app))
        await client.start_server()
        try:
            yield cls(client, connector, ActivityFactory(connector.url, TENANT, clock=clock))
        finally:
            await client.close()

    async def post(self, activity: JSON, headers: dict[str, str] | None = None) -> TurnResult:
        before_sent = len(self.connector.sent)
        before_updated = len(self.connector.updated)
        response = await self.client.post("/api/messages", json=activity, headers=headers)
        body: Any = None
        if response.content_type == "application/json":
            body = await response.json()
        return TurnResult(
            status=response.status,
            body=body,
            sent=self.connector.sent[before_sent:],
            updated=self.connector.updated[before_updated:],
        )

    async def say(self, user: TeamsUser, text: str, **kwargs: Any) -> TurnResult:
        return await self.post(self.activities.message(user, text, **kwargs))

    async def submit(self, user: TeamsUser, value: JSON, **kwargs: Any) -> TurnResult:
        return await self.post(self.activities.card_submit(user, value, **kwargs))

    async def execute(self, user: TeamsUser, verb: str, data: JSON | None = None, **kwargs: Any) -> TurnResult:
        return await self.post(self.activities.invoke_action(user, verb, data, **kwargs))

    async def invoke(self, user: TeamsUser, name: str, value: Any = None, **kwargs: Any) -> TurnResult:
        return await self.post(self.activities.invoke(user, name, value, **kwargs))

    async def event(self, user: TeamsUser, name: str, value: Any = None, **kwargs: Any) -> TurnResult:
        return await self.post(self.activities.event(user, name, value, **kwargs))
