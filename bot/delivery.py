"""The proactive sender: claims due outbox rows, delivers them within Teams' rate limits, retries what may be.

One instance at a time dispatches: the holder of the dispatcher role (a `lease` row it renews every heartbeat; when
it dies another instance takes the role once the lease has run out), so the bot's whole send budget is in one place.

Exactly-once, and where it is not: a row is claimed (with a lease of its own, renewed every heartbeat while the
instance holds it) before it is sent and marked sent right after the connector accepts it. A crash between claiming
and sending loses nothing (the row's lease runs out and the dispatcher claims it again). A send on the wire when the
process dies, or accepted by the connector in the millisecond before its `mark_sent` commit, is the one window in
which a message can be sent twice: the commit runs on the sender's own thread and connection, never queued behind
other database work. The sender never starts a send on a claim with less than `lease_margin` left (longer than a send
may take), so a slow or stalled instance cannot still be sending a row another instance has claimed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import heapq
import itertools
import logging
import math
import os
import random
import socket
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from botframework.connector.aio import ConnectorClient
from sqlmodel import col, select

from bot.connector import RETRYABLE_STATUSES, backoff_delay, parse_retry_after
from cards.i18n import Language, language_of
from dialogs.kernel.clock import Clock
from dialogs.proactive import UNDELIVERABLE_BUILDER, UNDELIVERABLE_KIND, Audience, ProactiveCards, undeliverable_args
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.leases import LeaseRepository
from storage.models import ConversationRef, Person
from storage.outbox import OptOutRepository, OutboxMessage, OutboxRepository, SentMark, SentWriter, Target
from storage.people import PersonRepository

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# The lease row of the dispatcher role (storage.leases).
DISPATCH_LEASE = "outbox.dispatch"

# Teams' limits per bot per conversation (count, seconds); the tighter ones decide, all are kept.
TEAMS_CONVERSATION_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
GONE_STATUSES = frozenset({403, 404})


@dataclass(frozen=True)
class DeliveryOptions:
    # The bot's whole budget: Teams counts it per bot (app id), and with the dispatcher role only one instance
    # sends at a time, so every instance gets the same value, whatever the number of instances.
    app_per_second: float = 30.0
    conversation_limits: tuple[tuple[int, float], ...] = TEAMS_CONVERSATION_LIMITS
    # Rows claimed at a time. A dispatch run claims the next batch once fewer than half a batch is left unsent, so
    # at most 1.5 batches are claimed and waiting.
    batch_size: int = 100
    # A claimed row's lease. The holder renews it every heartbeat (and just before a send, if need be), so it is
    # short: the rows of an instance that died are claimable again at most this long after its last heartbeat.
    lease: timedelta = timedelta(seconds=20)
    # Never start a send with less claim left than this: more than a send may take (send_timeout) plus clock skew
    # between instances, so no other instance can claim a row again while it is on the wire.
    lease_margin: timedelta = timedelta(seconds=10)
    # A send that has no answer after this long is abandoned and retried like a network error.
    send_timeout: float = 8.0
    # The dispatcher role's lease (renewed every heartbeat, bot.scheduler): another instance takes the role at
    # most this long (plus a heartbeat) after the holder died. An instance stops starting sends `role_margin`
    # before its lease would run out, so with clocks in step two instances never send side by side.
    role_lease: timedelta = timedelta(seconds=10)
    role_margin: timedelta = timedelta(seconds=2)
    # Retries: the first waits up to base_delay (uniformly at random), each next one up to twice as long. A short
    # first step is safe because every retry goes through the same per-conversation and app limits as a first
    # send, so it cannot make a burst; a conversation that keeps answering 429 is held back exponentially, and
    # twelve attempts (the last wait up to ~4 minutes; about 4 minutes in all on average, at most ~8.5) ride out
    # a short Teams outage before the row is marked failed.
    max_attempts: int = 12
    base_delay: float = 0.25
    max_delay: float = 300.0
    # Retries waiting at most this long happen in the same run (the row stays claimed); longer ones reschedule it.
    inline_retry_max: float = 5.0
    # Requests to the connector in flight at once (rows waiting to retry do not count).
    concurrency: int = 32
    # How far ahead of the even schedule (1 / app_per_second apart) a send may go; see Pace.
    pace_tolerance: float = 0.05


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


class InFlightWindow:
    """At most `count` requests in any `window` seconds as the receiver counts them, by arrival.

    A request may arrive at any instant between being started and its answer coming back (a busy event loop or
    network delays it by a varying amount), so it holds a slot from its start until `window` after its answer.
    Counting start instants only (as RateLimiter does) lets a burst started late in one window arrive together
    with the next window's first requests, and the receiver answers 429 to the excess.
    """

    def __init__(self, count: int, window: float) -> None:
        self.count = count
        self.window = window
        self.in_flight = 0
        self._answered: deque[float] = deque()  # answer instants, in order
        self._freed = asyncio.Event()

    def wait_time(self, now: float) -> float | None:
        """0 when a request may start now; else how long until one may, or None until an answer comes back."""
        while self._answered and self._answered[0] <= now - self.window:
            self._answered.popleft()
        excess = self.in_flight + len(self._answered) - self.count + 1
        if excess <= 0:
            return 0.0
        if excess > len(self._answered):
            return None
        return self._answered[excess - 1] + self.window - now

    async def wait_for_an_answer(self) -> None:
        self._freed.clear()
        await self._freed.wait()

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, now: float) -> None:
        self.in_flight -= 1
        self._answered.append(now)
        self._freed.set()


class OrderedSemaphore:
    """A semaphore whose waiters are let in lowest `place` first rather than first come.

    The sender gives each row its place in claim order, so a row coming back from a retry goes out before the rows
    claimed after it instead of queueing behind all of them: older messages first, and a retry is not pushed to
    the end of a long run.
    """

    def __init__(self, value: int) -> None:
        self._free = value
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @asynccontextmanager
    async def hold(self, place: int) -> AsyncIterator[None]:
        await self._acquire(place)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, place: int) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (place, next(self._arrivals), granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release()  # let in just as it was cancelled: pass the permit on
            raise  # a cancelled waiter left in the heap is skipped by _release

    def _release(self) -> None:
        while self._waiters:
            _place, _arrival, granted = heapq.heappop(self._waiters)
            if not granted.done():
                granted.set_result(None)
                return
        self._free += 1


class Pace:
    """Spreads sends evenly over the second: one every 1/rate seconds, up to `tolerance` early (a GCRA).

    Without it the app's whole budget goes out in a burst at the start of each window and a send that becomes
    ready just after (a retry, a row of the next batch) waits for the next window. A waiter sleeps until
    `tolerance` before its turn, so waking up a little late still finds it on schedule: the schedule advances by
    one interval per send and lateness does not add up (it would, at a few hundred sends a second, if each
    send were timed from the previous one).
    """

    def __init__(self, per_second: float, tolerance: float) -> None:
        self.interval = 1.0 / per_second
        self.tolerance = tolerance
        self._next = -math.inf  # when the next send is due on an even schedule

    def wait_time(self, now: float) -> float:
        return max(0.0, self._next - self.tolerance - now)

    def record(self, now: float) -> None:
        self._next = max(self._next, now) + self.interval


class SendLimits:
    """Per-conversation and per-app limits, taken together: a send waits until all allow it.

    The app's budget is paced (Pace) and capped as the receiver counts it (InFlightWindow). Waiting for it goes
    by place, lowest first (an OrderedSemaphore of one): one waiter at a time watches the budget, the others
    queue behind it. Without that every waiter would wake at each freed slot and all but one go back to sleep:
    O(waiters) wake-ups per send. A conversation's own wait (its window, or a 429's Retry-After pause) happens
    before joining that queue, so a paused conversation never holds up others.
    """

    def __init__(self, options: DeliveryOptions, monotonic: Callable[[], float], sleep: Sleep) -> None:
        self.conversations = RateLimiter(options.conversation_limits)
        self.app = InFlightWindow(max(1, math.floor(options.app_per_second)), 1.0)
        self.pace = Pace(options.app_per_second, tolerance=options.pace_tolerance)
        self._monotonic = monotonic
        self._sleep = sleep
        self._app_queue = OrderedSemaphore(1)

    def now(self) -> float:
        return self._monotonic()

    async def wait_for_conversation(self, conversation_key: str) -> None:
        """Until the conversation's limits (and any 429 pause) would let a send through; takes nothing."""
        while (wait := self.conversations.wait_time(conversation_key, self._monotonic())) > 0:
            await self._sleep(wait)

    @asynccontextmanager
    async def slot(self, conversation_key: str, place: int = 0) -> AsyncIterator[float]:
        """Wait for a slot (lowest place first) and hold it while the request is out; yields when it was taken."""
        taken = await self._acquire(conversation_key, place)
        try:
            yield taken
        finally:
            self.app.finish(self._monotonic())

    async def _acquire(self, conversation_key: str, place: int) -> float:
        while True:
            await self.wait_for_conversation(conversation_key)
            async with self._app_queue.hold(place):
                now = self._monotonic()
                while (wait := self._app_wait(now)) != 0:
                    if wait is None:
                        await self.app.wait_for_an_answer()
                    else:
                        await self._sleep(wait)
                    now = self._monotonic()
                if self.conversations.wait_time(conversation_key, now) > 0:
                    continue  # paused (429) while queueing for the app's budget: wait for the conversation again
                self.conversations.record(conversation_key, now)
                self.pace.record(now)
                self.app.start()
                return now

    def _app_wait(self, now: float) -> float | None:
        window = self.app.wait_time(now)
        return None if window is None else max(window, self.pace.wait_time(now))


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


@dataclass(frozen=True)
class _Prepared:
    """What a claimed row needs from the database before it is sent (see OutboxSender._prepare)."""

    ref: ConversationRef | None
    audience: Audience | None
    opted_out: bool


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


class SentRecorder:
    """Records accepted sends: each waits for the write that holds it, and the sends accepted while one write is
    under way go together in the next, so recording keeps up with any send rate at one round trip per write
    (storage.outbox.SentWriter). `run` puts the write on a thread of its own.

    A failed write (the database away for a moment) is tried again for about as long as the rows' claims last
    (0.25 s, then twice as long each time: 16 s in all): a message whose record never lands is sent again once its
    claim has run out, so giving up early would turn a short outage into duplicates.
    """

    ATTEMPTS = 7

    def __init__(self, writer: SentWriter, run: Callable[..., Awaitable[Any]], sleep: Sleep) -> None:
        self._storage = writer
        self._run = run
        self._sleep = sleep
        self._waiting: list[tuple[SentMark, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, mark: SentMark) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((mark, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await done

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            error: BaseException | None = None
            for attempt in range(self.ATTEMPTS):
                try:
                    await self._run(self._storage.write, [mark for mark, _ in batch])
                    error = None
                    break
                except Exception as exc:
                    error = exc
                    log.warning("outbox: recording %d sent rows failed (attempt %d): %s", len(batch), attempt + 1, exc)
                    if attempt + 1 < self.ATTEMPTS:
                        await self._sleep(0.25 * 2**attempt)
            for _, done in batch:
                if done.done():  # its sender was cancelled meanwhile
                    continue
                if error is None:
                    done.set_result(None)
                else:
                    done.set_exception(error)


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
            prepared = await asyncio.to_thread(self._prepare, rows)
        except Exception as exc:  # the rows stay claimed; their leases bring them back
            log.exception("outbox: could not prepare a batch of %d rows", len(rows))
            report.errors.append(f"prepare: {exc!r}")
            for row in rows:
                self._held.pop(row.id or 0, None)
                if row_done is not None:
                    row_done()
            return

        async def run(row: OutboxMessage) -> None:
            ready = prepared.get(row.id or 0, _Prepared(None, None, False))
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

    async def _deliver(self, row: OutboxMessage, ready: _Prepared, report: DispatchReport, place: int) -> None:
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
                await asyncio.to_thread(self._tell_owner, row, ref, "inactive")
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
        audience = await asyncio.to_thread(self._audience, ref)
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

    # Helpers (run in worker threads) --------------------------------------------------------------------

    def _prepare(self, rows: Sequence[OutboxMessage]) -> dict[int, _Prepared]:
        """For a claimed batch: each row's conversation, reader and opt-out, in a few queries (not a few per row).

        Read when the batch is claimed rather than just before each send: an opt-out or a conversation's removal
        that lands in the seconds between is honoured from the next batch on.
        """
        refs = self.outbox.resolve_targets(rows)
        readers = {
            ref.user_aad_object_id
            for ref in refs.values()
            if ref is not None and ref.conversation_type == "personal" and ref.user_aad_object_id
        }
        people: dict[tuple[str, str], Person] = {}
        if readers:
            with self.db.session() as session:
                for person in session.exec(select(Person).where(col(Person.aad_object_id).in_(sorted(readers)))):
                    people[(person.tenant_id, person.aad_object_id)] = person
        subjects: dict[int, list[tuple[str, str]]] = {}
        for row in rows:
            ref = refs.get(row.id or 0)
            if ref is None or row.id is None:
                continue
            who = ref.user_aad_object_id if ref.conversation_type == "personal" else None
            who = who or row.target_aad_object_id
            subjects[row.id] = [(OptOutRepository.CONVERSATION, ref.conversation_id)] if ref.conversation_id else []
            if who:
                subjects[row.id].append((OptOutRepository.PERSON, who))
        opted_out = OptOutRepository(self.db).matching(
            tenant_ids={(ref.tenant_id or row.tenant_id) for row in rows if (ref := refs.get(row.id or 0))},
            kinds={row.kind for row in rows},
            subjects={subject for pairs in subjects.values() for _scope, subject in pairs},
        )
        prepared: dict[int, _Prepared] = {}
        for row in rows:
            assert row.id is not None
            ref = refs.get(row.id)
            if ref is None:
                prepared[row.id] = _Prepared(None, None, False)
                continue
            tenant = ref.tenant_id or row.tenant_id
            reader = people.get((ref.tenant_id, ref.user_aad_object_id or "")) if ref.user_aad_object_id else None
            prepared[row.id] = _Prepared(
                ref,
                self._audience_of(ref, reader),
                any((tenant, row.kind, scope, subject) in opted_out for scope, subject in subjects.get(row.id, [])),
            )
        return prepared

    def _audience(self, ref: ConversationRef) -> Audience:
        person = None
        if ref.conversation_type == "personal" and ref.user_aad_object_id:
            person = PersonRepository(self.db).get(ref.tenant_id, ref.user_aad_object_id)
        return self._audience_of(ref, person)

    def _audience_of(self, ref: ConversationRef, person: Person | None) -> Audience:
        personal = ref.conversation_type == "personal"
        language: Language = self.default_language
        if personal and person is not None:
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
