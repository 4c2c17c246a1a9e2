"""Contract of the outbox repository (SQLite, and PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.conversations import ConversationRepository, ConversationSeen
from storage.db import Database
from storage.opt_outs import OptOutRepository
from storage.outbox import OutboxRepository, OutboxState, Target, card_payload, text_payload
from tests.conftest import START

TENANT = "tenant-1"
LEASE = timedelta(seconds=60)


def _conversation(db: Database, conversation_id: str = "19:abc@thread.v2", *, user: str | None = None) -> int:
    repo = ConversationRepository(db)
    repo.record(
        ConversationSeen(
            channel_id="msteams",
            conversation_id=conversation_id,
            conversation_type="personal" if user else "channel",
            tenant_id=TENANT,
            service_url="https://smba.trafficmanager.net/emea/",
            bot_id="28:bot",
            reference={"conversation": {"id": conversation_id}},
            user_aad_object_id=user,
        ),
        START,
    )
    ref = repo.get("msteams", conversation_id)
    assert ref is not None and ref.id is not None
    return ref.id


def _enqueue(outbox: OutboxRepository, ref_id: int, key: str, due_minutes: float = 0, **kwargs: object) -> int:
    row = outbox.enqueue(
        dedup_key=key,
        kind="test.kind",
        target=Target(TENANT, conversation_ref_id=ref_id),
        payload=text_payload(f"hello {key}"),
        due_at=START + timedelta(minutes=due_minutes),
        now=START,
        **kwargs,  # type: ignore[arg-type]
    )
    assert row.id is not None
    return row.id


def test_enqueue_is_idempotent_on_the_dedup_key_and_follows_a_moved_meeting(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    first = _enqueue(outbox, ref, "reminder:m1:o1:15", 10)
    again = outbox.enqueue(
        dedup_key="reminder:m1:o1:15",
        kind="test.kind",
        target=Target(TENANT, conversation_ref_id=ref),
        payload=card_payload({"type": "AdaptiveCard"}),
        due_at=START + timedelta(minutes=40),
        now=START + timedelta(minutes=1),
    )
    assert again.id == first
    assert again.due_at == START + timedelta(minutes=40) and again.payload == {"card": {"type": "AdaptiveCard"}}
    assert len(outbox.list()) == 1


def test_enqueue_after_sending_changes_nothing(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    row_id = _enqueue(outbox, ref, "k")
    outbox.claim_due(START, "a", LEASE, 10)
    outbox.mark_sent(row_id, activity_id="1", conversation_ref_id=ref, now=START)
    again = outbox.enqueue(
        dedup_key="k",
        kind="test.kind",
        target=Target(TENANT, conversation_ref_id=ref),
        payload=text_payload("changed"),
        due_at=START + timedelta(hours=1),
        now=START,
    )
    assert again.state == OutboxState.SENT and again.payload == text_payload("hello k") and again.due_at == START


def test_target_is_a_conversation_or_a_person() -> None:
    with pytest.raises(ValueError):
        Target(TENANT)
    with pytest.raises(ValueError):
        Target(TENANT, conversation_ref_id=1, aad_object_id="x")


def test_claim_takes_due_rows_oldest_first_and_only_once(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    later = _enqueue(outbox, ref, "later", 5)
    due_b = _enqueue(outbox, ref, "b", -1)
    due_a = _enqueue(outbox, ref, "a", -2)
    claimed = outbox.claim_due(START, "one", timedelta(hours=1), 10)
    assert [r.id for r in claimed] == [due_a, due_b]
    assert all(r.state == OutboxState.CLAIMED and r.lease_owner == "one" for r in claimed)
    assert claimed[0].lease_until == START + timedelta(hours=1)
    assert outbox.claim_due(START, "two", LEASE, 10) == []
    assert [r.id for r in outbox.claim_due(START + timedelta(minutes=5), "two", LEASE, 10)] == [later]


def test_claim_respects_the_limit(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    for i in range(5):
        _enqueue(outbox, ref, f"k{i}")
    assert len(outbox.claim_due(START, "one", LEASE, 3)) == 3
    assert len(outbox.claim_due(START, "two", LEASE, 3)) == 2


def test_an_expired_lease_makes_the_row_claimable_again(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    row_id = _enqueue(outbox, ref, "k")
    assert len(outbox.claim_due(START, "crashed", LEASE, 10)) == 1
    assert outbox.claim_due(START + LEASE, "other", LEASE, 10) == []
    (again,) = outbox.claim_due(START + LEASE + timedelta(seconds=1), "other", LEASE, 10)
    assert again.id == row_id and again.lease_owner == "other"
    # The crashed instance's late outcome no longer counts.
    assert not outbox.mark_failed(row_id, "crashed", error="x", now=START)


def test_rows_past_not_after_are_missed_instead_of_claimed(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    in_time = _enqueue(outbox, ref, "in-time", -30, not_after=START + timedelta(minutes=5))
    too_late = _enqueue(outbox, ref, "too-late", -30, not_after=START - timedelta(minutes=1))
    assert [r.id for r in outbox.claim_due(START, "one", LEASE, 10)] == [in_time]
    missed = outbox.get(too_late)
    assert missed is not None and missed.state == OutboxState.MISSED


def test_outcomes(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    sent, retried, failed = (_enqueue(outbox, ref, k) for k in ("sent", "retried", "failed"))
    outbox.claim_due(START, "me", LEASE, 10)
    outbox.mark_sent(sent, activity_id="a-1", conversation_ref_id=ref, now=START)
    assert outbox.mark_retry(retried, "me", next_due=START + timedelta(seconds=30), error="429", now=START)
    assert outbox.mark_failed(failed, "me", error="413 too big", now=START)
    rows = {r.dedup_key: r for r in outbox.list()}
    assert rows["sent"].state == OutboxState.SENT and rows["sent"].sent_activity_id == "a-1"
    assert rows["retried"].state == OutboxState.PENDING and rows["retried"].attempts == 1
    assert rows["retried"].due_at == START + timedelta(seconds=30) and rows["retried"].lease_owner is None
    assert rows["failed"].state == OutboxState.FAILED and rows["failed"].last_error == "413 too big"
    assert outbox.claim_due(START + timedelta(seconds=29), "me", LEASE, 10) == []
    assert [r.dedup_key for r in outbox.claim_due(START + timedelta(seconds=30), "me", LEASE, 10)] == ["retried"]
    assert outbox.count_by_state() == {"sent": 1, "claimed": 1, "failed": 1}


def test_cancel_by_key_and_prefix_touches_pending_rows_only(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    for key in ("reminder:m1:a", "reminder:m1:b", "reminder:m10:a", "reminder:m1_x"):
        _enqueue(outbox, ref, key, 10)
    _enqueue(outbox, ref, "reminder:m1:sent")
    outbox.claim_due(START, "me", LEASE, 10)
    assert outbox.cancel(prefix="reminder:m1:", now=START) == 2
    assert outbox.cancel(key="reminder:m10:a", now=START) == 1
    states = {r.dedup_key: r.state for r in outbox.list()}
    assert states == {
        "reminder:m1:a": "cancelled",
        "reminder:m1:b": "cancelled",
        "reminder:m10:a": "cancelled",
        "reminder:m1_x": "pending",
        "reminder:m1:sent": "claimed",
    }


def test_operator_retry_and_cancel(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    row_id = _enqueue(outbox, ref, "k", -60, not_after=START - timedelta(minutes=1))
    outbox.claim_due(START, "me", LEASE, 10)  # marks it missed
    assert outbox.retry(row_id, START)
    row = outbox.get(row_id)
    assert row is not None and row.state == OutboxState.PENDING and row.not_after is None and row.due_at == START
    assert outbox.cancel_by_id(row_id, START)
    assert not outbox.cancel_by_id(row_id, START)
    assert outbox.list(states=["cancelled"])[0].id == row_id


def test_oldest_overdue_age(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    assert outbox.oldest_overdue_seconds(START) == 0.0
    _enqueue(outbox, ref, "future", 5)
    _enqueue(outbox, ref, "old", -2)
    _enqueue(outbox, ref, "older", -3)
    assert outbox.oldest_overdue_seconds(START) == 180.0


def test_purge_deletes_finished_rows_only(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db)
    sent = _enqueue(outbox, ref, "sent")
    _enqueue(outbox, ref, "pending", 60)
    outbox.claim_due(START, "me", LEASE, 10)
    outbox.mark_sent(sent, activity_id="1", conversation_ref_id=ref, now=START)
    assert outbox.purge(START) == 0
    assert outbox.purge(START + timedelta(days=31)) == 1
    assert [r.dedup_key for r in outbox.list()] == ["pending"]


def test_person_target_resolves_to_their_personal_chat(db: Database) -> None:
    outbox = OutboxRepository(db)
    ref = _conversation(db, "a:personal", user="aad-1")
    row = outbox.enqueue(
        dedup_key="p",
        kind="k",
        target=Target(TENANT, aad_object_id="aad-1"),
        payload=text_payload("hi"),
        due_at=START,
        now=START,
    )
    resolved = outbox.resolve_target(row)
    assert resolved is not None and resolved.id == ref


def test_opt_out_per_person_and_per_conversation(db: Database) -> None:
    opt = OptOutRepository(db)
    for _ in range(2):
        opt.opt_out(tenant_id=TENANT, kind="k", scope="person", subject="aad-1", created_by="aad-1", now=START)
    opt.opt_out(tenant_id=TENANT, kind="k", scope="conversation", subject="19:c", created_by="aad-2", now=START)

    def out(conversation: str | None, person: str | None, kind: str = "k") -> bool:
        return opt.is_opted_out(tenant_id=TENANT, kind=kind, conversation_id=conversation, person_aad_object_id=person)

    assert out(None, "aad-1") and out("19:c", None) and out("19:c", "aad-9")
    assert not out("19:d", "aad-2") and not out(None, "aad-1", kind="other") and not out(None, None)
    assert opt.opt_in(tenant_id=TENANT, kind="k", scope="person", subject="aad-1")
    assert not out(None, "aad-1")
