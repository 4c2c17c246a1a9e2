"""OutboxSender: the dispatcher role, claiming due rows, sending them through the limits with retries, recording
what was sent, and updating a sent card in place (bot/delivery/__init__.py says what is exactly-once and what not)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import logging
import os
import random
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from botframework.connector.aio import ConnectorClient

from bot.connector import backoff_delay
from bot.delivery.failures import SendFailure, classify
from bot.delivery.options import DISPATCH_LEASE, DeliveryOptions
from bot.delivery.pacing import OrderedSemaphore, SendLimits, Sleep
from bot.delivery.recipients import Prepared, prepare, tell_owner
from bot.delivery.recipients import audience as recipient_audience
from bot.delivery.recording import SentRecorder
from bot.metrics import record_outbox_results, record_outbox_retry
from cards.i18n import Language
from dialogs.kernel.clock import Clock
from dialogs.proactive import ProactiveCards
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.leases import LeaseRepository
from storage.models import ConversationRef
from storage.outbox import OutboxMessage, OutboxRepository, SentMark
from storage.sent_writer import SentWriter

log = logging.getLogger(__name__)


@dataclass
class _Turn:
    lock: asyncio.Lock
    users: int = 0


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    missed: int = 0
    cancelled: int = 0
    released: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxSender:
    """One per process. `dispatch_once` is what the scheduler's dispatch job runs."""

    def __init__(
        self,
        db: Database,
        adapter: CloudAdapter,
        *,
        bot_app_id: str,
        cards: ProactiveCards,
        clock: Clock,
        default_language: Language = "nl",
        options: DeliveryOptions | None = None,
        owner: str | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        dispatcher_role: bool = False,
    ) -> None:
        """dispatcher_role: dispatch only while holding the role (production); without it (tests, tools) this
        sender dispatches whenever asked."""
        self.db = db
        self.outbox = OutboxRepository(db)
        self.adapter = adapter
        self.bot_app_id = bot_app_id
        self.cards = cards
        self.clock = clock
        self.default_language = default_language
        self.options = options or DeliveryOptions()
        # Unique per process (a restarted instance is a new owner), and says where it runs, for the operator.
        self.owner = owner or f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.dispatcher_role = dispatcher_role
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.limits = SendLimits(self.options, monotonic or (lambda: clock.now().timestamp()), sleep)
        self._requests = OrderedSemaphore(self.options.concurrency)
        self._claim_order = itertools.count()  # each claimed row's place in the queue for a request slot
        self._conversation_turns: dict[str, _Turn] = {}
        self._connectors: dict[str, ConnectorClient] = {}
        self._connector_creation = asyncio.Lock()
        # Conversations this sender found gone (403/404) since recent batches were prepared: id -> (when, why).
        self._gone: dict[int, tuple[datetime, str]] = {}
        # Rows claimed and not yet finished, by id: their leases are renewed every heartbeat.
        self._held: dict[int, OutboxMessage] = {}
        self._leases = LeaseRepository(db)
        self._role_until: datetime | None = None
        self._role_epoch: int | None = None
        # `mark_sent` and the heartbeat (the role, the claims' renewal) run each on a thread of its own, never queued
        # behind user turns' database work (the default executor) or behind each other; `mark_sent` on a
        # connection of its own too (storage.outbox.SentWriter).
        self._record_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="projectbot-outbox-sent")
        self._lease_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="projectbot-outbox-lease")
        self._sent_writer = SentWriter(db)
        self._recorder = SentRecorder(self._sent_writer, self._on_record_thread, sleep)
        self._warming: asyncio.Future[Any] | None = None
        self._unrecorded = 0  # sends started whose outcome is not recorded yet
        self._recorded = asyncio.Event()
        self._closing = False

    async def _on_lease_thread(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._lease_thread, lambda: function(*args, **kwargs))

    async def _on_record_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._record_thread, function, *args)

    # The dispatcher role --------------------------------------------------------------------------------

    @property
    def holds_dispatch_lease(self) -> bool:
        """Whether this instance dispatches the outbox now (for /healthz). Always, for a sender without the role."""
        if self._closing:
            return False
        if not self.dispatcher_role:
            return True
        return self._role_until is not None and self.clock.now() < self._role_until - self.options.role_margin

    @property
    def dispatch_epoch(self) -> int | None:
        """How many times the role has changed hands, as of this instance's last renewal (None: not held)."""
        return self._role_epoch if self.holds_dispatch_lease and self.dispatcher_role else None

    async def heartbeat(self) -> bool:
        """Take or renew the dispatcher role, and renew the leases of the rows this instance holds: what the
        scheduler's lease job runs every couple of seconds. Returns whether this instance dispatches now.

        A renewal that fails (the database is away) changes nothing: the role and the claims run out by
        themselves, and this instance stops sending before they do.
        """
        if self._closing:
            return False
        if self.dispatcher_role:
            now = self.clock.now()
            try:
                lease = await self._on_lease_thread(
                    self._leases.acquire, DISPATCH_LEASE, self.owner, now, self.options.role_lease
                )
            except Exception as exc:
                log.warning("outbox: could not renew the dispatcher role: %s", exc)
                return self.holds_dispatch_lease
            if lease is None:
                if self._role_until is not None:
                    log.warning("outbox: the dispatcher role went to another instance; %s stops sending", self.owner)
                self._role_until = self._role_epoch = None
                return False
            if self._role_epoch != lease.epoch:
                log.info("outbox: %s dispatches now (role epoch %d)", self.owner, lease.epoch)
            self._role_until, self._role_epoch = lease.lease_until, lease.epoch
        if self._held:
            await self._extend_claims(list(self._held))
        return self.holds_dispatch_lease

    async def _extend_claims(self, ids: list[int]) -> set[int]:
        until = self.clock.now() + self.options.lease
        try:
            kept: set[int] = await self._on_lease_thread(self.outbox.extend_claims, ids, self.owner, until=until)
        except Exception as exc:
            log.warning("outbox: could not renew the claims of %d rows: %s", len(ids), exc)
            return set()
        for row_id in ids:
            row = self._held.get(row_id)
            if row is not None and row_id in kept:
                row.lease_until = until
            elif row is not None:
                row.lease_until = None  # no longer this instance's: never sent from here
        return kept

    async def close(self) -> None:
        """Stop: start no more sends, wait (up to a send timeout) for those on the wire to be recorded, hand the
        rows still held back and give up the role, so another instance takes over at its next heartbeat instead
        of after the leases run out."""
        if self._closing:
            return
        self._closing = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.send_timeout + 1.0
        while self._unrecorded and loop.time() < deadline:
            self._recorded.clear()
            try:
                await asyncio.wait_for(self._recorded.wait(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                break
        try:
            if self._held and not self._unrecorded:
                now = self.clock.now()
                await self._on_lease_thread(self.outbox.release_many, list(self._held), self.owner, now=now)
            if self.dispatcher_role and self._role_until is not None:
                await self._on_lease_thread(self._leases.release, DISPATCH_LEASE, self.owner, self.clock.now())
        except Exception as exc:  # they run out by themselves
            log.warning("outbox: could not hand back the role and claimed rows at shutdown: %s", exc)
        self._role_until = self._role_epoch = None
        with contextlib.suppress(Exception):
            await self._on_record_thread(self._sent_writer.close)
        self._lease_thread.shutdown(wait=False)
        self._record_thread.shutdown(wait=False)

    # Dispatch -------------------------------------------------------------------------------------------

    async def dispatch_once(self) -> DispatchReport:
        """Claim one batch of due rows and deliver it; conversations in parallel, each one's rows in order."""
        report = DispatchReport()
        if not self.holds_dispatch_lease:
            return report
        rows = await self._claim()
        report.claimed = len(rows)
        if rows:
            await self._deliver_batch(rows, report)
            _record_results(report)
        return report

    async def run_until_idle(self, max_runs: int = 1000) -> DispatchReport:
        """Dispatch until nothing is due: what the scheduler's dispatch job runs (and operators, and tests).

        Pipelined: the next batch is claimed and prepared while the current one is still being sent (once fewer
        than half a batch is left), so the rate limit, not the database or a slow retry, sets the pace. At most
        1.5 batches are claimed and unsent at any time.
        """
        total = DispatchReport()
        low_water = max(1, self.options.batch_size // 2)
        unfinished = 0
        progress = asyncio.Event()
        batches: set[asyncio.Task[None]] = set()

        def row_done() -> None:
            nonlocal unfinished
            unfinished -= 1
            progress.set()

        try:
            for _ in range(max_runs):
                while unfinished >= low_water:
                    progress.clear()
                    await progress.wait()
                if not self.holds_dispatch_lease:
                    break  # not (or no longer) the dispatcher: rows still held are released as their turn comes
                rows = await self._claim()
                total.claimed += len(rows)
                if rows:
                    unfinished += len(rows)
                    task = asyncio.create_task(self._deliver_batch(rows, total, row_done))
                    batches.add(task)
                    task.add_done_callback(batches.discard)
                elif batches:
                    await asyncio.wait(batches)  # nothing due now: let the claimed rows finish, then look once more
                else:
                    break
            if batches:
                await asyncio.wait(batches)
        finally:
            for task in batches:  # only when interrupted: unsent rows come back when their leases run out
                task.cancel()
        if total.claimed:
            _record_results(total)
            log.info(
                "outbox: %d claimed, %d sent, %d to retry later, %d failed, %d missed, %d cancelled, %d released",
                total.claimed,
                total.sent,
                total.retried,
                total.failed,
                total.missed,
                total.cancelled,
                total.released,
            )
        return total

    async def _claim(self) -> list[OutboxMessage]:
        rows = await asyncio.to_thread(
            self.outbox.claim_due, self.clock.now(), self.owner, self.options.lease, self.options.batch_size
        )
        fresh = []
        for row in rows:
            assert row.id is not None
            held = self._held.get(row.id)
            if held is not None:  # this instance's own claim, taken again after it ran out: one copy is enough
                held.lease_until = row.lease_until
                continue
            self._held[row.id] = row
            fresh.append(row)
        if fresh and not self._sent_writer.connected:
            # Ahead of the first send's record (the thread runs in order): connecting is not part of the window.
            self._warming = asyncio.ensure_future(self._on_record_thread(self._sent_writer.connect))
            self._warming.add_done_callback(lambda done: done.cancelled() or done.exception())
        return fresh

    async def _deliver_batch(
        self, rows: list[OutboxMessage], report: DispatchReport, row_done: Callable[[], None] | None = None
    ) -> None:
        """Everything the batch needs from the database (targets, readers' languages, opt-outs) in one thread
        call; then each row on its own, rows of one conversation in the order claimed."""
        places = {row.id: next(self._claim_order) for row in rows}
        try:
            prepared = await asyncio.to_thread(prepare, self.db, self.outbox, rows, self.default_language)
        except Exception as exc:  # the rows stay claimed; their leases bring them back
            log.exception("outbox: could not prepare a batch of %d rows", len(rows))
            report.errors.append(f"prepare: {exc!r}")
            for row in rows:
                self._held.pop(row.id or 0, None)
                if row_done is not None:
                    row_done()
            return

        async def run(row: OutboxMessage) -> None:
            ready = prepared.get(row.id or 0, Prepared(None, None, False))
            key = f"c:{ready.ref.id}" if ready.ref is not None else f"p:{row.target_aad_object_id}"
            try:
                async with self._in_order(key):
                    await self._deliver(row, ready, report, places[row.id])
            except Exception as exc:  # one bad row must not stop the batch; its lease brings it back
                log.exception("outbox row %s: unexpected error", row.id)
                report.errors.append(f"{row.id}: {exc!r}")
            finally:
                self._held.pop(row.id or 0, None)
                if row_done is not None:
                    row_done()

        # Tasks start in this order and queue on their conversation's lock (FIFO) before anything else.
        await asyncio.gather(*(run(row) for row in rows))

    @asynccontextmanager
    async def _in_order(self, key: str) -> AsyncIterator[None]:
        """One row at a time per conversation, first come first served, across batches in flight."""
        entry = self._conversation_turns.get(key)
        if entry is None:
            entry = self._conversation_turns[key] = _Turn(asyncio.Lock())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._conversation_turns[key]

    async def _deliver(self, row: OutboxMessage, ready: Prepared, report: DispatchReport, place: int) -> None:
        assert row.id is not None
        now = self.clock.now()
        if row.not_after is not None and now > row.not_after:
            await asyncio.to_thread(self.outbox.mark_missed, row.id, self.owner, now=now)
            report.missed += 1
            return
        ref = ready.ref
        if ref is not None and ref.id in self._gone and ref.last_seen <= self._gone[ref.id][0]:
            # Found gone by an earlier row after this batch was prepared: do not try it again.
            ref = ref.model_copy(update={"active": False, "inactive_reason": self._gone[ref.id][1]})
        if ref is None or not ref.active or ready.audience is None:
            reason = "no conversation to send to" if ref is None else f"conversation inactive: {ref.inactive_reason}"
            await asyncio.to_thread(self.outbox.mark_failed, row.id, self.owner, error=reason, now=now)
            report.failed += 1
            if ref is not None:
                await asyncio.to_thread(tell_owner, self.outbox, row, ref, "inactive", self.clock.now())
            return
        if ready.opted_out:
            await asyncio.to_thread(self.outbox.mark_cancelled, row.id, self.owner, reason="opted out", now=now)
            report.cancelled += 1
            return
        payload = row.payload
        if self.cards.needs_refresh(payload):
            # Rendered from what is true now (e.g. a time nudge whose hours were logged meanwhile): maybe nothing.
            try:
                refreshed = await asyncio.to_thread(self.cards.refresh, self.db, payload, now)
            except Exception as exc:
                await asyncio.to_thread(
                    self.outbox.mark_failed, row.id, self.owner, error=f"refresh: {exc!r}"[:1024], now=now
                )
                report.failed += 1
                return
            if refreshed is None:
                await asyncio.to_thread(
                    self.outbox.mark_cancelled, row.id, self.owner, reason="no longer needed", now=now
                )
                report.cancelled += 1
                return
            payload = refreshed
        try:
            content = self.cards.render(payload, kind=row.kind, audience=ready.audience)
        except Exception as exc:
            await asyncio.to_thread(
                self.outbox.mark_failed, row.id, self.owner, error=f"render: {exc!r}"[:1024], now=now
            )
            report.failed += 1
            return
        activity = MessageFactory.attachment(CardFactory.adaptive_card(content))
        key = f"c:{ref.id}"

        attempts = row.attempts
        while True:
            # Wait for the conversation's own limits (or a 429 pause) first, holding no request slot meanwhile.
            await self.limits.wait_for_conversation(key)
            activity_id: str | None = None
            failure: SendFailure | None = None
            expiring = not await self._keep_claim(row)
            if not expiring:
                async with self._requests.hold(place):
                    # Never start a send that could still be on the wire when another instance may claim the row.
                    expiring = not self._may_send(row)
                    if not expiring:
                        async with self.limits.slot(key, place):
                            expiring = not self._may_send(row)
                            if not expiring:
                                self._unrecorded += 1
                                try:
                                    async with asyncio.timeout(self.options.send_timeout):
                                        activity_id = await self._send(ref, activity)
                                except Exception as exc:
                                    failure = classify(exc)
                                except BaseException:
                                    self._sent_settled()
                                    raise
                                if failure is not None:
                                    self._sent_settled()
            if expiring:
                await asyncio.to_thread(self.outbox.release, row.id, self.owner, now=self.clock.now())
                report.released += 1
                return
            if failure is None:
                # Recorded at once on the sender's own thread (with whatever else was accepted meanwhile, in one
                # commit): the only duplicate window is the time between the connector's answer and this commit.
                try:
                    await self._recorder.record(SentMark(row.id, activity_id, ref.id, self.clock.now()))
                finally:
                    self._sent_settled()
                report.sent += 1
                return
            attempts += 1
            now = self.clock.now()
            if failure.gone:
                self._remember_gone(ref, failure)
                await asyncio.to_thread(self._conversation_gone, row, ref, failure)
                report.failed += 1
                return
            if not failure.retryable:
                await asyncio.to_thread(self.outbox.mark_failed, row.id, self.owner, error=failure.describe(), now=now)
                report.failed += 1
                return
            if attempts >= self.options.max_attempts:
                error = f"gave up after {attempts} attempts: {failure.describe()}"
                await asyncio.to_thread(self.outbox.mark_failed, row.id, self.owner, error=error, now=now)
                report.failed += 1
                return
            delay = self.backoff(attempts, failure.retry_after)
            record_outbox_retry(failure.status)
            if failure.status == 429 and failure.retry_after is not None:
                # Holds back this conversation only; other conversations keep the app's budget busy meanwhile.
                self.limits.conversations.pause(key, self.limits.now() + failure.retry_after)
            log.info("outbox row %s: %s, retry in %.1fs", row.id, failure.describe(), delay)
            if delay <= self.options.inline_retry_max:
                await self._sleep(delay)  # holds this conversation's turn (its order), not a request slot
                continue
            await asyncio.to_thread(
                self.outbox.mark_retry,
                row.id,
                self.owner,
                next_due=now + timedelta(seconds=delay),
                error=failure.describe(),
                now=now,
            )
            report.retried += 1
            return

    def _may_send(self, row: OutboxMessage) -> bool:
        """This instance dispatches and the row's claim outlasts any send started now."""
        if not self.holds_dispatch_lease or row.lease_until is None:
            return False
        return self.clock.now() + self.options.lease_margin < row.lease_until

    async def _keep_claim(self, row: OutboxMessage) -> bool:
        """Before queueing for a send: renew the row's claim if it would soon be too short to send on (a heartbeat
        missed, a long wait for the conversation's limits). False when the row may not be sent from here."""
        if not self.holds_dispatch_lease or row.lease_until is None or row.id is None:
            return False
        # Half way between the margin and a fresh lease: a heartbeat (every 2 s) keeps every claim above it, so
        # this costs a round trip only when heartbeats stop or in a sender without them.
        threshold = (self.options.lease + self.options.lease_margin) / 2
        if self.clock.now() + threshold < row.lease_until:
            return True
        return row.id in await self._extend_claims([row.id]) and self._may_send(row)

    def _sent_settled(self) -> None:
        self._unrecorded -= 1
        self._recorded.set()

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the connector gave one; else exponential backoff with full jitter."""
        if retry_after is not None:
            return min(retry_after, self.options.max_delay)
        return backoff_delay(attempt, self.options.base_delay, self.options.max_delay, self._rng)

    async def _connector(self, service_url: str) -> ConnectorClient:
        """One connector client per service URL, made by the adapter's own factory once and then reused.

        `continue_conversation` would build a new client for every send (plus a user token client, a turn
        context and a deep copy of the activity): about a millisecond of CPU each time, and with a real app id a
        new MSAL credentials object, hence a fresh AAD token request, per message. The client is stateless
        between calls: its pipeline is the shared-session one (bot.connector), its credentials cache and renew
        their token (MSAL), so sharing it among concurrent sends is safe.
        """
        client = self._connectors.get(service_url)
        if client is None:
            # Sends that start together all miss the cache: make the client once, not once per send.
            async with self._connector_creation:
                client = self._connectors.get(service_url)
                if client is None:
                    identity = self.adapter.create_claims_identity(self.bot_app_id)
                    factory = self.adapter.bot_framework_authentication.create_connector_factory(identity)
                    client = await factory.create(service_url, None)
                    self._connectors[service_url] = client
        return client

    async def _addressed(self, ref: ConversationRef, activity: Activity) -> tuple[ConnectorClient, Activity]:
        """The activity addressed as the SDK's turn context would (bot as sender, the conversation's fields)."""
        reference = ConversationReference().deserialize(ref.reference)
        reference.activity_id = None  # a new message in the conversation, not a reply to something said there
        TurnContext.apply_conversation_reference(activity, reference)
        activity.type = activity.type or ActivityTypes.message
        activity.input_hint = activity.input_hint or "acceptingInput"
        return await self._connector(reference.service_url), activity

    async def _send(self, ref: ConversationRef, activity: Activity) -> str | None:
        """POST /v3/conversations/{id}/activities: the Bot Connector's proactive send. Raises what the SDK raises."""
        client, addressed = await self._addressed(ref, copy.copy(activity))
        addressed.id = None
        response = await client.conversations.send_to_conversation(addressed.conversation.id, addressed)
        activity_id: str | None = getattr(response, "id", None)
        return activity_id

    # Update in place ------------------------------------------------------------------------------------

    async def update_sent(self, dedup_key: str, card: dict[str, Any]) -> bool:
        """Replace a sent card (e.g. to show RSVPs) through the same limits and retries. False if it cannot."""
        row = await asyncio.to_thread(self.outbox.by_key, dedup_key)
        if row is None or not row.sent_activity_id or row.conversation_ref_id is None:
            return False
        ref = await asyncio.to_thread(self.outbox.resolve_target, row)
        if ref is None or not ref.active:
            return False
        audience = await asyncio.to_thread(recipient_audience, self.db, ref, self.default_language)
        content = self.cards.render({"card": card}, kind=row.kind, audience=audience)
        activity = MessageFactory.attachment(CardFactory.adaptive_card(content))
        activity.id = row.sent_activity_id
        for attempt in range(1, self.options.max_attempts + 1):
            try:
                async with self.limits.slot(f"c:{ref.id}"):
                    await self._update(ref, activity)
                return True
            except Exception as exc:
                failure = classify(exc)
            if failure.gone:
                self._remember_gone(ref, failure)
                await asyncio.to_thread(self._conversation_gone, None, ref, failure)
                return False
            delay = self.backoff(attempt, failure.retry_after)
            # An update is not queued like a send: it waits inline, so only as long as an inline retry may.
            if not failure.retryable or attempt == self.options.max_attempts or delay > self.options.inline_retry_max:
                log.warning("could not update %s: %s", dedup_key, failure.describe())
                return False
            await self._sleep(delay)
        return False

    async def _update(self, ref: ConversationRef, activity: Activity) -> None:
        client, addressed = await self._addressed(ref, copy.copy(activity))
        await client.conversations.update_activity(addressed.conversation.id, addressed.id, addressed)

    def _remember_gone(self, ref: ConversationRef, failure: SendFailure) -> None:
        """(On the event loop.) Rows of batches prepared before this are not tried against it again."""
        if ref.id is None:
            return
        now = self.clock.now()
        # Batches are prepared a little ahead and done within minutes; an hour on, none prepared before is left.
        for stale in [k for k, (when, _) in self._gone.items() if when < now - timedelta(hours=1)]:
            del self._gone[stale]
        self._gone[ref.id] = (now, failure.describe())

    def _conversation_gone(self, row: OutboxMessage | None, ref: ConversationRef, failure: SendFailure) -> None:
        now = self.clock.now()
        ConversationRepository(self.db).mark_inactive(ref.channel_id, ref.conversation_id, failure.describe())
        if row is not None and row.id is not None:
            self.outbox.mark_failed(row.id, self.owner, error=failure.describe(), now=now)
            tell_owner(self.outbox, row, ref, "removed" if failure.status == 403 else "not_found", now)


def _record_results(report: DispatchReport) -> None:
    record_outbox_results(
        sent=report.sent,
        retried=report.retried,
        failed=report.failed,
        missed=report.missed,
        cancelled=report.cancelled,
        released=report.released,
    )
