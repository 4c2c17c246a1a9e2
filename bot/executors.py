"""The threads database work runs on: the event loop's default executor, with a bounded wait to get one.

Repositories are synchronous; handlers and the transport call them through `asyncio.to_thread`, which lands here.
There are more threads than database connections: a thread waiting for a drawing (bot/rendering.py) or a network
call holds no connection, so those waits never hold up another person's database work. Waiting for a thread is
bounded like every other wait of a turn: when the turn's deadline (storage.db.TURN_DEADLINE) or the wait bound
comes first, work that has not started yet is dropped and the turn hears DatabaseBusy ("busy, try again"); work
that has started runs to its end (each unit of work commits whole or not at all).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from bot.metrics import record_db_wait
from storage.db import TURN_DEADLINE, DatabaseBusy, wait_budget

# How often queued work is checked against its bound: one timer for all of it, not one per call (a timer per call
# cost ~1 ms of CPU per help turn).
REAP_EVERY_SECONDS = 0.05


class _Queued:
    __slots__ = ("args", "fn", "future", "kwargs", "latest_start", "queued_at", "wait")

    def __init__(self, fn: Callable[..., Any], args: Any, kwargs: Any, future: Future[Any], wait: float) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.future = future
        self.wait = wait
        self.queued_at = time.monotonic()
        self.latest_start = self.queued_at + wait


class DatabaseExecutor(ThreadPoolExecutor):
    def __init__(self, threads: int, *, wait_seconds: float) -> None:
        super().__init__(max_workers=threads, thread_name_prefix="projectbot-db")
        self.threads = threads
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._queued: dict[int, _Queued] = {}  # submitted within a turn, not started yet
        self._reaping: asyncio.TimerHandle | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        # Outside a turn (scheduler jobs, start-up) nothing is dropped: those may wait their turn.
        if TURN_DEADLINE.get() is None:
            return super().submit(fn, *args, **kwargs)
        item = _Queued(fn, args, kwargs, Future(), wait_budget(self.wait_seconds))
        with self._lock:
            self._queued[id(item)] = item
        super().submit(self._run, item)
        if self._reaping is None:
            # Not called from the event loop: given up on only when it would start too late (in _run).
            with contextlib.suppress(RuntimeError):
                self._reaping = asyncio.get_running_loop().call_later(REAP_EVERY_SECONDS, self._reap)
        return item.future

    def _run(self, item: _Queued) -> None:
        with self._lock:
            self._queued.pop(id(item), None)
            if item.future.done() or not item.future.set_running_or_notify_cancel():
                return  # given up on (_reap) or cancelled by its caller before it started
            record_db_wait("thread", time.monotonic() - item.queued_at)
            if time.monotonic() > item.latest_start:
                item.future.set_exception(_busy(item))
                return
        try:
            result = item.fn(*item.args, **item.kwargs)
        except BaseException as exc:
            item.future.set_exception(exc)
        else:
            item.future.set_result(result)

    def _reap(self) -> None:
        """On the event loop: answer "busy" to callers whose work has waited its bound without starting."""
        now = time.monotonic()
        with self._lock:
            for key, item in list(self._queued.items()):
                if item.future.done():
                    del self._queued[key]
                elif now > item.latest_start:
                    del self._queued[key]
                    record_db_wait("thread", now - item.queued_at)
                    item.future.set_exception(_busy(item))
            pending = bool(self._queued)
        self._reaping = None
        if pending:
            self._reaping = asyncio.get_running_loop().call_later(REAP_EVERY_SECONDS, self._reap)


def _busy(item: _Queued) -> DatabaseBusy:
    return DatabaseBusy(f"no database thread free within {item.wait:.1f} s")
