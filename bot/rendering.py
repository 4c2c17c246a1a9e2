"""Charts and documents drawn in worker processes, off the database path, with recent charts kept by their data.

Why processes and not threads: drawing is CPU work that holds the interpreter lock (Pillow lays out the chart's text,
python-docx builds XML); in a thread of the server it still slowed every other turn down. A worker process draws on
another core, its memory (Pillow, python-docx, openpyxl, lxml) is not the server's, and a crash there costs one
picture. Workers are started with `spawn` (never `fork`: the server has threads and locks), on the first drawing,
not at start. A new worker imports this module (for its initializer) and the drawing's: what they import is part of
the first drawing's wait, so this module leaves the database layer to the server.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from dialogs.kernel.rendering import RenderingBusy

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

# How long a turn waits for a drawing (less when the turn's own deadline is nearer, storage.db.TURN_DEADLINE). The
# first drawing after a start includes starting a worker (~0.1 s for a chart; a document imports python-docx too).
RENDER_WAIT_SECONDS = 8.0
CACHE_BYTES = 8 * 1024 * 1024
WORKER_NICENESS = 10


class PooledRenderer:
    """Implements dialogs.kernel.rendering.Renderer. Called from worker threads of the server (the handlers run there);
    waits for the drawing without holding a database connection or the interpreter lock.

    Two lanes, each with `workers` processes: charts (the cacheable drawings, shown in a card the person is waiting
    for) and documents (a DOCX or XLSX built once, offered as a file). A board report that takes its worker for
    a third of a second never makes a `budget` card wait for its chart."""

    def __init__(
        self, workers: int, *, wait_seconds: float = RENDER_WAIT_SECONDS, cache_bytes: int = CACHE_BYTES
    ) -> None:
        self.workers = max(1, workers)
        self.wait_seconds = wait_seconds
        self.cache_bytes = cache_bytes
        self._pools: dict[str, ProcessPoolExecutor] = {}
        self._pool_lock = threading.Lock()
        self._cache: OrderedDict[bytes, bytes] = OrderedDict()
        self._cached_bytes = 0
        self._cache_lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def render(self, function: Callable[..., bytes], /, *args: Any, cache: bool = False, **kwargs: Any) -> bytes:
        key = _fingerprint(function, args, kwargs) if cache else None
        if key is not None:
            with self._cache_lock:
                found = self._cache.get(key)
                if found is not None:
                    self._cache.move_to_end(key)
                    self.hits += 1
                    return found
                self.misses += 1
        data = self._draw("charts" if cache else "documents", function, args, kwargs)
        if key is not None:
            self._remember(key, data)
        return data

    def _draw(self, lane: str, function: Callable[..., bytes], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
        # Here, not at the top: each worker imports this module for its initializer, and storage.db (SQLAlchemy,
        # ~0.25 s) would be most of a new worker's start; the server has it loaded already.
        from storage.db import wait_budget

        wait = wait_budget(self.wait_seconds)
        started = time.monotonic()
        try:
            future: Future[bytes] = self._executor(lane).submit(function, *args, **kwargs)
            return future.result(timeout=wait)
        except FutureTimeout:
            future.cancel()  # still queued: nobody draws it; already drawing: the result is dropped
            raise RenderingBusy(f"{function.__name__} took longer than {wait:.1f} s") from None
        except BrokenExecutor as exc:  # a worker process died (BrokenProcessPool)
            # A worker died (out of memory, killed): start afresh next time; this drawing is lost.
            self._reset(lane)
            raise RenderingBusy(f"{function.__name__}: the drawing worker stopped ({exc})") from exc
        finally:
            elapsed = time.monotonic() - started
            if elapsed > 1.0:
                log.info("%s took %.1f s (%s, workers %d)", function.__name__, elapsed, lane, self.workers)

    def _executor(self, lane: str) -> ProcessPoolExecutor:
        # multiprocessing loads with the first drawing, like the workers themselves.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with self._pool_lock:
            pool = self._pools.get(lane)
            if pool is None:
                pool = self._pools[lane] = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_started,
                )
            return pool

    def _reset(self, lane: str) -> None:
        with self._pool_lock:
            pool = self._pools.pop(lane, None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _remember(self, key: bytes, data: bytes) -> None:
        if len(data) > self.cache_bytes // 4:
            return
        with self._cache_lock:
            if key in self._cache:
                return
            self._cache[key] = data
            self._cached_bytes += len(data)
            while self._cached_bytes > self.cache_bytes:
                _, dropped = self._cache.popitem(last=False)
                self._cached_bytes -= len(dropped)

    def close(self) -> None:
        """At shutdown: stop the workers (a drawing still running is abandoned)."""
        with self._pool_lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)


def _worker_started() -> None:
    """In each worker: a lower scheduling priority, so that when the cores are all busy the server's turns (help,
    log, every database answer) get the CPU first and a chart waits a little longer instead."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(WORKER_NICENESS)


def _fingerprint(function: Callable[..., bytes], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    """The drawing's identity: the function and every value it draws from (a chart's points, budget, period, day
    and labels), so a changed entry or another language is another picture, and nothing stale is shown."""
    payload = pickle.dumps((function.__module__, function.__qualname__, args, sorted(kwargs.items())), protocol=5)
    return hashlib.blake2b(payload, digest_size=20).digest()
