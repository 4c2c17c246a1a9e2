"""Helpers for the outbox tests and benchmark: conversations to send to, a sender wired to the fake connector."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timedelta

import aiohttp
from sqlalchemy import text

from bot.adapter import build_adapter
from bot.connector import RetryPolicy
from bot.delivery import DeliveryOptions, OutboxSender
from bot.settings import Settings
from dialogs.app import build_proactive_cards
from storage.conversations import ConversationRepository, ConversationSeen
from storage.db import Database, create_db_engine
from storage.outbox import OutboxRepository, Target, text_payload
from tests.harness import FakeClock

TENANT = "6f1f3c4e-0000-4000-8000-00000000a001"
BOT_ID = "28:projectbot"


def add_conversation(
    db: Database,
    service_url: str,
    conversation_id: str,
    now: datetime,
    *,
    user: str | None = None,
    team_name: str | None = None,
) -> int:
    conversation_type = "personal" if user else "channel"
    reference = {
        "bot": {"id": BOT_ID, "name": "projectbot"},
        "conversation": {"id": conversation_id, "conversationType": conversation_type, "tenantId": TENANT},
        "channelId": "msteams",
        "serviceUrl": service_url,
    }
    repo = ConversationRepository(db)
    repo.record(
        ConversationSeen(
            channel_id="msteams",
            conversation_id=conversation_id,
            conversation_type=conversation_type,
            tenant_id=TENANT,
            service_url=service_url,
            bot_id=BOT_ID,
            reference=reference,
            user_aad_object_id=user,
            team_name=team_name,
        ),
        now,
    )
    ref = repo.get("msteams", conversation_id)
    assert ref is not None and ref.id is not None
    return ref.id


def enqueue_text(
    db: Database,
    ref_id: int,
    key: str,
    due_at: datetime,
    now: datetime,
    *,
    kind: str = "test.notice",
    owner: str | None = None,
    not_after: datetime | None = None,
) -> int:
    row = OutboxRepository(db).enqueue(
        dedup_key=key,
        kind=kind,
        target=Target(TENANT, conversation_ref_id=ref_id),
        payload=text_payload(f"message {key}"),
        due_at=due_at,
        now=now,
        owner_aad_object_id=owner,
        not_after=not_after,
    )
    assert row.id is not None
    return row.id


@contextmanager
def another_engine(db: Database, count: int = 1) -> Iterator[list[Database]]:
    """More engines on the same database, as other instances have (their own connection pools): the same SQLite
    file, or the same PostgreSQL schema."""
    url = db.engine.url.render_as_string(hide_password=False)
    schema = None
    if not db.is_sqlite:
        with db.engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    engines = [Database(create_db_engine(url, search_path=schema)) for _ in range(count)]
    try:
        yield engines
    finally:
        for engine in engines:
            engine.dispose()


def fake_sleep(clock: FakeClock) -> tuple[list[float], object]:
    """A sleep that moves the fake clock instead of waiting; records every delay asked for."""
    asked: list[float] = []

    async def sleep(seconds: float) -> None:
        asked.append(seconds)
        clock.advance(timedelta(microseconds=math.ceil(max(0.0, seconds) * 1_000_000)))
        await asyncio.sleep(0)

    return asked, sleep


@asynccontextmanager
async def outbox_sender(
    db: Database,
    clock: FakeClock | None,
    *,
    options: DeliveryOptions | None = None,
    owner: str | None = None,
    sleep: object = None,
    system_clock: bool = False,
    rng: random.Random | None = None,
    dispatcher_role: bool = False,
) -> AsyncIterator[OutboxSender]:
    """A sender in dev mode (no token) that sends through one aiohttp session, without msrest retries.
    dispatcher_role: it dispatches only while it holds the role (call `heartbeat()` first), as in production."""
    from dialogs.kernel.clock import SystemClock

    settings = Settings(dev=True, database_url="sqlite://")
    async with aiohttp.ClientSession() as session:
        adapter = build_adapter(settings, session, retry=RetryPolicy(max_attempts=1))
        kwargs: dict[str, object] = {}
        if sleep is not None:
            kwargs["sleep"] = sleep
        sender = OutboxSender(
            db,
            adapter,
            bot_app_id="",
            cards=build_proactive_cards(),  # every capability's renderers (dialogs/app.py)
            clock=SystemClock() if system_clock or clock is None else clock,
            options=options,
            owner=owner,
            rng=rng,
            dispatcher_role=dispatcher_role,
            **kwargs,  # type: ignore[arg-type]
        )
        try:
            yield sender
        finally:
            await sender.close()
