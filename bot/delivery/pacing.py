"""Pacing: Teams' per-conversation windows, the app's budget spread evenly over the second and capped as the
receiver counts it, and the order in which waiting sends are let through (older rows first)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from bot.delivery.options import DeliveryOptions

Sleep = Callable[[float], Awaitable[None]]


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
