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
from typing import Any, TypeVar

from storage.db import TURN_DEADLINE, DatabaseBusy, wait_budget

T = TypeVar("T")


class DatabaseExecutor(ThreadPoolExecutor):
    def __init__(self, threads: int, *, wait_seconds: float) -> None:
        super().__init__(max_workers=threads, thread_name_prefix="projectbot-db")
        self.threads = threads
        self.wait_seconds = wait_seconds

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        # Outside a turn (scheduler jobs, start-up) nothing is dropped: those may wait their turn.
        if TURN_DEADLINE.get() is None:
            return super().submit(fn, *args, **kwargs)
        outer: Future[T] = Future()
        lock = threading.Lock()
        wait = wait_budget(self.wait_seconds)
        latest_start = time.monotonic() + wait

        def run() -> None:
            with lock:
                if outer.done() or not outer.set_running_or_notify_cancel():
                    return  # given up on (below) or cancelled by its caller before it started
                if time.monotonic() > latest_start:
                    outer.set_exception(DatabaseBusy(f"no database thread free within {wait:.1f} s"))
                    return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                outer.set_exception(exc)
            else:
                outer.set_result(result)

        def give_up() -> None:
            with lock:
                if not outer.running() and not outer.done():
                    outer.set_exception(DatabaseBusy(f"no database thread free within {wait:.1f} s"))

        super().submit(run)
        # Not called from the event loop: given up on only when it would start too late (in run).
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_later(wait, give_up)
        return outer
