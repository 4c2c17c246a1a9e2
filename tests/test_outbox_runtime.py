"""The outbox in the running bot: two instances on one PostgreSQL database, scheduler, /healthz, opt-out."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.delivery import DeliveryOptions
from bot.scheduler import DISPATCH_JOB, HOUSEKEEPING_JOB, build_scheduler
from dialogs.kernel.clock import SystemClock
from storage.db import Database, create_db_engine
from storage.opt_outs import OptOutRepository
from storage.outbox import OutboxRepository
from tests.conftest import START
from tests.harness import FakeClock, FakeConnector
from tests.harness.activities import TeamsUser
from tests.harness.botdriver import BotDriver
from tests.harness.database import postgres_url
from tests.outbox_support import TENANT, add_conversation, enqueue_text, outbox_sender


@pytest.mark.skipif(postgres_url() is None, reason="TEST_DATABASE_URL is not set")
async def test_two_instances_deliver_500_rows_exactly_once(db: Database, connector: FakeConnector) -> None:
    if db.is_sqlite:
        pytest.skip("several instances need PostgreSQL")
    url = postgres_url()
    assert url is not None
    with db.engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    other = Database(create_db_engine(url, search_path=schema))
    now = SystemClock().now()
    refs = [add_conversation(db, connector.url, f"19:c{i}@thread.tacv2", now) for i in range(100)]
    for i in range(500):
        enqueue_text(db, refs[i % 100], f"k{i:03}", now - timedelta(seconds=1), now)
    options = DeliveryOptions(app_per_second=2000, batch_size=40)
    try:
        async with (
            outbox_sender(db, None, options=options, owner="one", system_clock=True) as first,
            outbox_sender(other, None, options=options, owner="two", system_clock=True) as second,
        ):
            reports = await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    finally:
        other.dispose()
    delivered = Counter(
        a["attachments"][0]["content"]["body"][0]["text"] for r in connector.requests if (a := r.activity)
    )
    assert len(delivered) == 500 and set(delivered.values()) == {1}
    assert len(connector.requests) == 500
    assert reports[0].sent + reports[1].sent == 500 and reports[0].sent > 0 and reports[1].sent > 0
    assert OutboxRepository(db).count_by_state() == {"sent": 500}


def test_scheduler_has_the_fixed_jobs(db: Database, clock: FakeClock) -> None:
    from unittest.mock import MagicMock

    sender = MagicMock()
    scheduler = build_scheduler(sender)
    dispatch = scheduler.get_job(DISPATCH_JOB)
    housekeeping = scheduler.get_job(HOUSEKEEPING_JOB)
    assert dispatch is not None and housekeeping is not None
    assert dispatch.max_instances == 1 and dispatch.coalesce and dispatch.misfire_grace_time == 30
    assert housekeeping.misfire_grace_time >= 3600


async def test_healthz_reports_the_oldest_overdue_row(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    enqueue_text(db, ref, "k", START - timedelta(seconds=90), START)
    async with BotDriver.start(db=db, clock=clock, connector=connector) as driver:
        body = await (await driver.client.get("/healthz")).json()
    assert body["outbox"]["oldest_overdue_seconds"] == 90.0
    # Without the scheduler's role lease (tests) the sender dispatches whenever asked: it says it holds the role.
    assert body["outbox"]["dispatcher"] is True


async def test_the_opt_out_button_stops_that_kind(bot: BotDriver, db: Database) -> None:
    user = TeamsUser.named("An")
    result = await bot.execute(user, "outbox.opt_out", {"kind": "meeting.reminder", "scope": "person"})
    again = await bot.execute(user, "outbox.opt_out", {"kind": "meeting.reminder", "scope": "person"})
    assert result.status == 200 and again.status == 200
    assert result.invoke_message and "meeting.reminder" not in result.invoke_message
    assert OptOutRepository(db).is_opted_out(
        tenant_id=TENANT, kind="meeting.reminder", conversation_id=None, person_aad_object_id=user.aad_object_id
    )


def test_operator_cli_lists_retries_and_cancels(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.cli import main
    from tests.harness.database import sqlite_database

    with sqlite_database(tmp_path) as database:
        url = str(database.engine.url)
        ref = add_conversation(database, "https://smba.trafficmanager.net/emea/", "19:c@thread.tacv2", START)
        failed = enqueue_text(database, ref, "reminder:m1", START, START)
        outbox = OutboxRepository(database)
        outbox.claim_due(START, "me", timedelta(minutes=1), 10)
        outbox.mark_failed(failed, "me", error="413 MessageSizeTooBig", now=START)
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["outbox", "list", "--state", "failed"]) == 0
    out = capsys.readouterr().out
    assert "reminder:m1" in out and "413 MessageSizeTooBig" in out and "failed 1" in out
    assert main(["outbox", "retry", str(failed)]) == 0
    assert main(["outbox", "cancel", str(failed)]) == 0
    assert main(["outbox", "cancel", str(failed)]) == 2
    assert main(["outbox"]) == 0
    assert "cancelled 1" in capsys.readouterr().out


async def test_the_send_budget_setting_reaches_the_sender(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    from bot.http_app import RUNTIME
    from bot.settings import Settings

    settings = Settings(dev=True, database_url="sqlite://", outbox_per_second=12.5)
    async with BotDriver.start(db=db, clock=clock, connector=connector, settings=settings) as driver:
        sender = driver.client.app[RUNTIME].sender
        assert sender.options.app_per_second == 12.5
        assert sender.limits.app.count == 12 and sender.limits.pace.interval == pytest.approx(0.08)
