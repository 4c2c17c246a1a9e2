"""The proactive sender: claims due outbox rows, delivers them within Teams' rate limits, retries what may be.

Exactly-once, and where it is not: a row is claimed (with a lease) before it is sent and marked sent right after the
connector accepts it. A crash between claiming and sending loses nothing (the lease runs out and any instance claims
the row again). A crash in the few milliseconds between the connector's 201 and the `mark_sent` commit is the one
window in which a message can be sent twice; the sender never sends a row whose lease is about to end, so a slow send
cannot overlap another instance's reclaim.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from bot.connector import RETRYABLE_STATUSES, parse_retry_after
from cards.i18n import Language, language_of
from dialogs.clock import Clock
from dialogs.proactive import UNDELIVERABLE_BUILDER, UNDELIVERABLE_KIND, Audience, ProactiveCards, undeliverable_args
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.models import ConversationRef
from storage.outbox import OptOutRepository, OutboxMessage, OutboxRepository, Target
from storage.people import PersonRepository

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# Teams' limits per bot per conversation (count, seconds); the tighter ones decide, all are kept.
TEAMS_CONVERSATION_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
GONE_STATUSES = frozenset({403, 404})


@dataclass(frozen=True)
class DeliveryOptions:
    app_per_second: float = 30.0  # per process: with N instances, give each 1/N of the tenant's budget
    conversation_limits: tuple[tuple[int, float], ...] = TEAMS_CONVERSATION_LIMITS
    batch_size: int = 100
    lease: timedelta = timedelta(seconds=120)
    # Never start a send with less lease left than this, so no other instance can reclaim a row mid-send.
    lease_margin: timedelta = timedelta(seconds=20)
    max_attempts: int = 6
    base_delay: float = 2.0
    max_delay: float = 300.0
    # Retries waiting at most this long happen in the same run (the row stays claimed); longer ones reschedule it.
    inline_retry_max: float = 5.0
    concurrency: int = 32


class RateLimiter:
    """Sliding-window limits per key: at most `count` sends in any `window` seconds, exactly as Teams counts.

    A token bucket refilled continuously would let 7 + a few through within one second after a burst; keeping the
    times of the last sends (a bucket whose tokens come back exactly one window after use) never does.
    """

    def __init__(self, limits: Sequence[tuple[int, float]]) -> None:
        self._limits = tuple(limits)
        self._depth = max((count for count, _ in self._limits), default=1)
        self._horizon = max((window for _, window in self._limits), default=0.0)
        self._sent: dict[str, deque[float]] = {}
        self._paused_until: dict[str, float] = {}

    def wait_time(self, key: str, now: float) -> float:
        wait = self._paused_until.get(key, now) - now
        sent = self._sent.get(key)
        if sent:
            for count, window in self._limits:
                if len(sent) >= count:
                    wait = max(wait, sent[-count] + window - now)
        return max(0.0, wait)

    def record(self, key: str, now: float) -> None:
        sent = self._sent.setdefault(key, deque(maxlen=self._depth))
        sent.append(now)
        if len(self._sent) > 10_000:  # forget conversations idle for longer than the widest window
            for stale in [k for k, times in self._sent.items() if times[-1] < now - self._horizon]:
                del self._sent[stale]

    def pause(self, key: str, until: float) -> None:
        """The connector said 429 with Retry-After: hold this key back until then."""
        self._paused_until[key] = max(until, self._paused_until.get(key, until))


class SendLimits:
    """Per-conversation and per-app limits, taken together: a send waits until both allow it."""

    APP = "app"

    def __init__(self, options: DeliveryOptions, monotonic: Callable[[], float], sleep: Sleep) -> None:
        self.conversations = RateLimiter(options.conversation_limits)
        self.app = RateLimiter(((max(1, math.floor(options.app_per_second)), 1.0),))
        self._monotonic = monotonic
        self._sleep = sleep

    async def acquire(self, conversation_key: str) -> float:
        """Wait for a slot and take it; returns the instant taken."""
        while True:
            now = self._monotonic()
            wait = max(self.conversations.wait_time(conversation_key, now), self.app.wait_time(self.APP, now))
            if wait <= 0:
                self.conversations.record(conversation_key, now)
                self.app.record(self.APP, now)
                return now
            await self._sleep(wait)


@dataclass(frozen=True)
class SendFailure:
    status: int | None  # None: no HTTP answer (network error, timeout)
    code: str
    retry_after: float | None

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE_STATUSES

    @property
    def gone(self) -> bool:
        return self.status in GONE_STATUSES

    def describe(self) -> str:
        return f"{self.status or 'network'} {self.code}".strip()


def classify(error: BaseException) -> SendFailure:
    """The SDK raises ErrorResponseException (msrest HttpOperationError) with the HTTP response attached."""
    response = getattr(error, "response", None)
    if response is not None:
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        headers = getattr(response, "headers", None) or {}
        code = ""
        inner = getattr(error, "error", None)
        if inner is not None and getattr(inner, "error", None) is not None:
            code = str(getattr(inner.error, "code", "") or "")
        if isinstance(status, int):
            return SendFailure(status, code or type(error).__name__, parse_retry_after(headers.get("Retry-After")))
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError):
        return SendFailure(None, type(error).__name__, None)
    return SendFailure(0, f"{type(error).__name__}: {error}"[:200], None)


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
    ) -> None:
        self.db = db
        self.outbox = OutboxRepository(db)
        self.adapter = adapter
        self.bot_app_id = bot_app_id
        self.cards = cards
        self.clock = clock
        self.default_language = default_language
        self.options = options or DeliveryOptions()
        self.owner = owner or f"instance-{uuid.uuid4().hex[:12]}"
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.limits = SendLimits(self.options, monotonic or (lambda: clock.now().timestamp()), sleep)

    # Dispatch -------------------------------------------------------------------------------------------

    async def dispatch_once(self) -> DispatchReport:
        """Claim one batch of due rows and deliver it; conversations in parallel, each one's rows in order."""
        report = DispatchReport()
        now = self.clock.now()
        rows = await asyncio.to_thread(
            self.outbox.claim_due, now, self.owner, self.options.lease, self.options.batch_size
        )
        report.claimed = len(rows)
        if not rows:
            return report
        groups: dict[str, list[OutboxMessage]] = {}
        for row in rows:
            key = f"c:{row.conversation_ref_id}" if row.conversation_ref_id else f"p:{row.target_aad_object_id}"
            groups.setdefault(key, []).append(row)
        gate = asyncio.Semaphore(self.options.concurrency)

        async def run(group: list[OutboxMessage]) -> None:
            async with gate:
                for row in group:
                    try:
                        await self._deliver(row, report)
                    except Exception as exc:  # one bad row must not stop the batch; its lease brings it back
                        log.exception("outbox row %s: unexpected error", row.id)
                        report.errors.append(f"{row.id}: {exc!r}")

        await asyncio.gather(*(run(group) for group in groups.values()))
        return report

    async def run_until_idle(self, max_runs: int = 1000) -> DispatchReport:
        """Dispatch until nothing is due (operators' `projectbot outbox` and tests)."""
        total = DispatchReport()
        for _ in range(max_runs):
            report = await self.dispatch_once()
            for name in ("claimed", "sent", "retried", "failed", "missed", "cancelled", "released"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            total.errors += report.errors
            if report.claimed == 0:
                break
        return total

    async def _deliver(self, row: OutboxMessage, report: DispatchReport) -> None:
        assert row.id is not None and row.lease_until is not None
        now = self.clock.now()
        if row.not_after is not None and now > row.not_after:
            await asyncio.to_thread(self.outbox.mark_missed, row.id, self.owner, now=now)
            report.missed += 1
            return
        ref = await asyncio.to_thread(self.outbox.resolve_target, row)
        if ref is None or not ref.active:
            reason = "no conversation to send to" if ref is None else f"conversation inactive: {ref.inactive_reason}"
            await asyncio.to_thread(self.outbox.mark_failed, row.id, self.owner, error=reason, now=now)
            report.failed += 1
            if ref is not None:
                await asyncio.to_thread(self._tell_owner, row, ref, "inactive")
            return
        audience = await asyncio.to_thread(self._audience, ref)
        if await asyncio.to_thread(self._opted_out, row, ref):
            await asyncio.to_thread(self.outbox.mark_cancelled, row.id, self.owner, reason="opted out", now=now)
            report.cancelled += 1
            return
        try:
            content = self.cards.render(row.payload, kind=row.kind, audience=audience)
        except Exception as exc:
            await asyncio.to_thread(
                self.outbox.mark_failed, row.id, self.owner, error=f"render: {exc!r}"[:1024], now=now
            )
            report.failed += 1
            return
        activity = MessageFactory.attachment(CardFactory.adaptive_card(content))

        attempts = row.attempts
        while True:
            if self.clock.now() + self.options.lease_margin >= row.lease_until:
                await asyncio.to_thread(self.outbox.release, row.id, self.owner, now=self.clock.now())
                report.released += 1
                return
            await self.limits.acquire(f"c:{ref.id}")
            try:
                activity_id = await self._send(ref, activity)
            except Exception as exc:
                failure = classify(exc)
            else:
                await asyncio.to_thread(
                    self.outbox.mark_sent,
                    row.id,
                    activity_id=activity_id,
                    conversation_ref_id=ref.id,
                    now=self.clock.now(),
                )
                report.sent += 1
                return
            attempts += 1
            now = self.clock.now()
            if failure.gone:
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
            if failure.status == 429 and failure.retry_after is not None:
                self.limits.conversations.pause(f"c:{ref.id}", self.limits_now() + failure.retry_after)
            log.info("outbox row %s: %s, retry in %.1fs", row.id, failure.describe(), delay)
            if delay <= self.options.inline_retry_max:
                await self._sleep(delay)
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

    def limits_now(self) -> float:
        return self.clock.now().timestamp()

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the connector gave one; else exponential with jitter (half fixed, half random)."""
        if retry_after is not None:
            return min(retry_after, self.options.max_delay)
        ceiling = min(self.options.max_delay, self.options.base_delay * 2.0 ** (attempt - 1))
        return float(ceiling / 2 + self._rng.uniform(0, ceiling / 2))

    async def _send(self, ref: ConversationRef, activity: Any) -> str | None:
        outcome: dict[str, Any] = {}

        async def callback(turn_context: TurnContext) -> None:
            # The adapter's on_turn_error would swallow the exception; keep it for classification.
            try:
                response = await turn_context.send_activity(activity)
                outcome["id"] = getattr(response, "id", None)
            except Exception as exc:
                outcome["error"] = exc

        reference = ConversationReference().deserialize(ref.reference)
        await self.adapter.continue_conversation(reference, callback, self.bot_app_id)
        if "error" in outcome:
            raise outcome["error"]
        activity_id: str | None = outcome.get("id")
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
        audience = await asyncio.to_thread(self._audience, ref)
        content = self.cards.render({"card": card}, kind=row.kind, audience=audience)
        activity = MessageFactory.attachment(CardFactory.adaptive_card(content))
        activity.id = row.sent_activity_id
        for attempt in range(1, self.options.max_attempts + 1):
            await self.limits.acquire(f"c:{ref.id}")
            try:
                await self._update(ref, activity)
                return True
            except Exception as exc:
                failure = classify(exc)
            if failure.gone:
                await asyncio.to_thread(self._conversation_gone, None, ref, failure)
                return False
            if not failure.retryable or attempt == self.options.max_attempts:
                log.warning("could not update %s: %s", dedup_key, failure.describe())
                return False
            await self._sleep(self.backoff(attempt, failure.retry_after))
        return False

    async def _update(self, ref: ConversationRef, activity: Any) -> None:
        outcome: dict[str, Any] = {}

        async def callback(turn_context: TurnContext) -> None:
            try:
                await turn_context.update_activity(activity)
            except Exception as exc:
                outcome["error"] = exc

        reference = ConversationReference().deserialize(ref.reference)
        await self.adapter.continue_conversation(reference, callback, self.bot_app_id)
        if "error" in outcome:
            raise outcome["error"]

    # Helpers (run in worker threads) --------------------------------------------------------------------

    def _audience(self, ref: ConversationRef) -> Audience:
        personal = ref.conversation_type == "personal"
        language: Language = self.default_language
        if personal and ref.user_aad_object_id:
            person = PersonRepository(self.db).get(ref.tenant_id, ref.user_aad_object_id)
            if person is not None:
                if person.preferred_language in ("nl", "en"):
                    language = language_of(person.preferred_language)
                elif person.seen_locale:
                    language = language_of(person.seen_locale, default=self.default_language)
        return Audience(language=language, personal=personal)

    def _opted_out(self, row: OutboxMessage, ref: ConversationRef) -> bool:
        person = ref.user_aad_object_id if ref.conversation_type == "personal" else None
        return OptOutRepository(self.db).is_opted_out(
            tenant_id=ref.tenant_id or row.tenant_id,
            kind=row.kind,
            conversation_id=ref.conversation_id,
            person_aad_object_id=person or row.target_aad_object_id,
        )

    def _conversation_gone(self, row: OutboxMessage | None, ref: ConversationRef, failure: SendFailure) -> None:
        now = self.clock.now()
        ConversationRepository(self.db).mark_inactive(ref.channel_id, ref.conversation_id, failure.describe())
        if row is not None and row.id is not None:
            self.outbox.mark_failed(row.id, self.owner, error=failure.describe(), now=now)
            self._tell_owner(row, ref, "removed" if failure.status == 403 else "not_found")

    def _tell_owner(self, row: OutboxMessage, ref: ConversationRef, reason: str) -> None:
        """Once per conversation (and per time the bot was in it), never about a notice of this kind itself."""
        if not row.owner_aad_object_id or row.kind == UNDELIVERABLE_KIND:
            return
        where = " › ".join(part for part in (ref.team_name, None) if part) or None
        now = self.clock.now()
        self.outbox.enqueue(
            dedup_key=f"{UNDELIVERABLE_KIND}:{ref.id}:{int(ref.last_seen.timestamp())}:{row.owner_aad_object_id}",
            kind=UNDELIVERABLE_KIND,
            target=Target(ref.tenant_id or row.tenant_id, aad_object_id=row.owner_aad_object_id),
            payload={
                "builder": UNDELIVERABLE_BUILDER,
                "args": undeliverable_args(conversation=where, reason=reason, kind=row.kind),
            },
            due_at=now,
            now=now,
        )
