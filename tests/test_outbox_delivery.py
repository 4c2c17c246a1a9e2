"""The sender against the fake Bot Connector over HTTP: delivery, errors, retries, rate limits, leases, opt-out."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.delivery import DeliveryOptions
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.opt_outs import OptOutRepository
from storage.outbox import OutboxRepository, OutboxState
from tests.conftest import START
from tests.harness import FakeClock, FakeConnector
from tests.outbox_support import TENANT, add_conversation, enqueue_text, fake_sleep, outbox_sender


async def test_a_due_row_is_sent_once_with_its_footer(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:general@thread.tacv2", START)
    row_id = enqueue_text(db, ref, "k1", START, START)
    enqueue_text(db, ref, "later", START + timedelta(minutes=5), START)
    async with outbox_sender(db, clock) as sender:
        report = await sender.dispatch_once()
        assert report.sent == 1
        assert (await sender.dispatch_once()).claimed == 0
    (activity,) = connector.sent_to("19:general@thread.tacv2")
    card = activity["attachments"][0]["content"]
    texts = str(card)
    assert "message k1" in texts and "outbox.opt_out" in texts
    row = OutboxRepository(db).get(row_id)
    assert row is not None and row.state == OutboxState.SENT and row.sent_activity_id == activity["id"]


async def test_update_in_place_uses_the_stored_activity_id(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    enqueue_text(db, ref, "rsvp", START, START)
    async with outbox_sender(db, clock) as sender:
        await sender.dispatch_once()
        sent_id = connector.sent[0]["id"]
        card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "3 coming"}]}
        assert await sender.update_sent("rsvp", card)
        assert not await sender.update_sent("unknown", card)
    (updated,) = connector.updated
    assert updated["id"] == sent_id and "3 coming" in str(updated["attachments"][0]["content"])


async def test_an_update_retries_inline_only_as_long_as_an_inline_retry_may(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    enqueue_text(db, ref, "rsvp", START, START)
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "3 coming"}]}
    asked, sleep = fake_sleep(clock)
    async with outbox_sender(db, clock, sleep=sleep) as sender:
        await sender.dispatch_once()
        connector.fail_next(429, headers={"Retry-After": "3"}, route="update")
        assert await sender.update_sent("rsvp", card)
        assert 3.0 in asked
        connector.fail_next(429, headers={"Retry-After": "60"}, route="update")
        assert not await sender.update_sent("rsvp", card)
    assert 60.0 not in asked  # the card stays as it was; no turn waits a minute for it
    assert [r.status for r in connector.requests if r.route == "update"] == [429, 200, 429]


async def test_429_with_retry_after_is_honoured(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    enqueue_text(db, ref, "k", START, START)
    connector.fail_next(429, headers={"Retry-After": "3"})
    asked, sleep = fake_sleep(clock)
    async with outbox_sender(db, clock, sleep=sleep) as sender:
        report = await sender.dispatch_once()
    assert report.sent == 1 and len(connector.requests) == 2
    assert 3.0 in asked and clock.now() >= START + timedelta(seconds=3)


async def test_long_retry_after_reschedules_the_row(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    row_id = enqueue_text(db, ref, "k", START, START)
    connector.fail_next(429, headers={"Retry-After": "60"})
    _asked, sleep = fake_sleep(clock)
    async with outbox_sender(db, clock, sleep=sleep) as sender:
        report = await sender.dispatch_once()
        assert report.retried == 1
        row = OutboxRepository(db).get(row_id)
        assert row is not None and row.state == OutboxState.PENDING and row.attempts == 1
        assert row.due_at == START + timedelta(seconds=60) and row.last_error == "429 Throttled"
        clock.set(START + timedelta(seconds=60))
        assert (await sender.dispatch_once()).sent == 1


async def test_503_and_412_are_retried_with_backoff(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    enqueue_text(db, ref, "k", START, START)
    connector.fail_next(503)
    connector.fail_next(412)
    asked, sleep = fake_sleep(clock)
    async with outbox_sender(db, clock, sleep=sleep, rng=random.Random(5)) as sender:
        report = await sender.dispatch_once()
    assert report.sent == 1 and [r.status for r in connector.requests] == [503, 412, 201]
    # Exponential with full jitter: the first wait is drawn from [0, base], the second from [0, 2 * base].
    base, same_draws = DeliveryOptions().base_delay, random.Random(5)
    expected = [same_draws.uniform(0, base), same_draws.uniform(0, 2 * base)]
    assert [a for a in asked if a in expected] == expected


async def test_retries_stop_at_the_limit(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    row_id = enqueue_text(db, ref, "k", START, START)
    connector.fail_next(503, times=10)
    _asked, sleep = fake_sleep(clock)
    options = DeliveryOptions(max_attempts=3, inline_retry_max=1000)
    async with outbox_sender(db, clock, sleep=sleep, options=options) as sender:
        report = await sender.dispatch_once()
    assert report.failed == 1 and len(connector.requests) == 3
    row = OutboxRepository(db).get(row_id)
    assert row is not None and row.state == OutboxState.FAILED and "gave up after 3 attempts" in (row.last_error or "")


async def test_413_fails_the_row_without_retry(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    row_id = enqueue_text(db, ref, "k", START, START)
    connector.fail_next(413)
    async with outbox_sender(db, clock) as sender:
        report = await sender.dispatch_once()
    assert report.failed == 1 and len(connector.requests) == 1
    row = OutboxRepository(db).get(row_id)
    assert row is not None and row.state == OutboxState.FAILED and row.last_error == "413 MessageSizeTooBig"


async def test_403_and_404_mark_the_conversation_inactive_and_tell_the_owner_once(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    channel = add_conversation(db, connector.url, "19:gone@thread.tacv2", START, team_name="Project Alpha")
    add_conversation(db, connector.url, "a:owner-chat", START, user="aad-owner")
    for i in range(3):
        enqueue_text(db, channel, f"r{i}", START, START, owner="aad-owner")
    connector.fail_conversation("19:gone@thread.tacv2", 403)
    async with outbox_sender(db, clock) as sender:
        first = await sender.run_until_idle()
    assert first.failed == 3 and first.sent == 1
    ref = ConversationRepository(db).get("msteams", "19:gone@thread.tacv2")
    assert ref is not None and not ref.active and "403" in (ref.inactive_reason or "")
    # One request to the gone conversation; the others failed without trying; one notice to the owner.
    assert len([r for r in connector.requests if r.conversation_id == "19:gone@thread.tacv2"]) == 1
    (notice,) = connector.sent_to("a:owner-chat")
    assert "Project Alpha" in str(notice) or "gesprek" in str(notice)
    states = OutboxRepository(db).count_by_state()
    assert states == {"failed": 3, "sent": 1}


async def test_404_marks_inactive(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:x@thread.tacv2", START)
    enqueue_text(db, ref, "k", START, START)
    connector.fail_next(404)
    async with outbox_sender(db, clock) as sender:
        assert (await sender.dispatch_once()).failed == 1
    stored = ConversationRepository(db).get("msteams", "19:x@thread.tacv2")
    assert stored is not None and not stored.active


async def test_missed_while_down(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    in_time = enqueue_text(db, ref, "in-time", START, START, not_after=START + timedelta(hours=1))
    too_late = enqueue_text(db, ref, "too-late", START, START, not_after=START + timedelta(minutes=10))
    clock.set(START + timedelta(minutes=30))  # the bot was down for half an hour
    async with outbox_sender(db, clock) as sender:
        report = await sender.dispatch_once()
    assert report.sent == 1
    outbox = OutboxRepository(db)
    assert outbox.get(in_time).state == OutboxState.SENT  # type: ignore[union-attr]
    assert outbox.get(too_late).state == OutboxState.MISSED  # type: ignore[union-attr]
    assert len(connector.sent) == 1


async def test_crash_after_claim_loses_nothing(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    enqueue_text(db, ref, "k", START, START)
    options = DeliveryOptions(lease=timedelta(seconds=60))
    # The first instance claims and dies before sending.
    assert len(OutboxRepository(db).claim_due(START, "dead-instance", options.lease, 10)) == 1
    async with outbox_sender(db, clock, options=options) as sender:
        assert (await sender.dispatch_once()).claimed == 0
        clock.advance(timedelta(seconds=61))
        assert (await sender.dispatch_once()).sent == 1
    assert len(connector.sent) == 1


async def test_opted_out_kinds_are_cancelled_not_sent(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    channel = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    personal = add_conversation(db, connector.url, "a:p", START, user="aad-1")
    opt = OptOutRepository(db)
    opt.opt_out(
        tenant_id=TENANT, kind="noisy", scope="conversation", subject="19:c@thread.tacv2", created_by="x", now=START
    )
    opt.opt_out(tenant_id=TENANT, kind="noisy", scope="person", subject="aad-1", created_by="aad-1", now=START)
    enqueue_text(db, channel, "a", START, START, kind="noisy")
    enqueue_text(db, personal, "b", START, START, kind="noisy")
    enqueue_text(db, channel, "c", START, START, kind="quiet")
    async with outbox_sender(db, clock) as sender:
        report = await sender.dispatch_once()
    assert (report.sent, report.cancelled) == (1, 2)
    assert "message c" in str(connector.sent[0])


async def test_one_conversation_never_faster_than_teams_allows(db: Database, clock: FakeClock) -> None:
    async with FakeConnector(monotonic=lambda: clock.now().timestamp()) as connector:
        ref = add_conversation(db, connector.url, "19:busy@thread.tacv2", START)
        for i in range(100):
            enqueue_text(db, ref, f"k{i:03}", START, START)
        _asked, sleep = fake_sleep(clock)
        async with outbox_sender(db, clock, sleep=sleep, options=DeliveryOptions(batch_size=100)) as sender:
            report = await sender.run_until_idle()
        assert report.sent == 100
        times = sorted(r.at for r in connector.requests)
    assert len(times) == 100
    for count, window in ((7, 1.0), (60, 30.0)):
        for i in range(len(times) - count):
            assert times[i + count] - times[i] >= window - 1e-6, (count, window, i)
    # And not much slower than the limits allow: 60 per 30 s, then 8 per 2 s... about 2 per second.
    assert times[-1] - times[0] < 60
    assert [a["attachments"][0]["content"]["body"][0]["text"] for a in connector.sent][:3] == [
        "message k000",
        "message k001",
        "message k002",
    ]
