"""The long-running server's memory habits, in one place: the garbage collector while it starts, malloc arenas.

Why the collector pauses while `serve` starts: importing the Bot Framework SDK, SQLAlchemy, pydantic with the Teams card
models and every capability creates ~270,000 objects, and the cyclic collector scans the growing heap again and again
on the way (about 0.35 s of a 1.3 s start on a 2-core VM, bench/startup.py), finding almost nothing to free (~2,300
objects). So `serve` imports with the collector off; once everything is imported, before any database work (a
long migration must not run without it), what the imports built is frozen (`gc.freeze()`: moved to a generation
the collector never scans, as CPython's docs suggest for long-lived start-up state) and collection resumes, so the
collections that turns cause scan only what turns create, not the whole of the code: a help turn's CPU went from
≈ 8 to ≈ 4 ms (bench/help_turns.py)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused_while_starting() -> Iterator[None]:
    """Around `serve`: the collector is off until `settle_after_start()` (called once everything is imported);
    whatever ends `serve` — a refused configuration, a failed start, a stop — leaves it as it was before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def settle_after_start() -> None:
    """Freeze what start-up built and let the collector run again; nothing to do when it was never paused (tests,
    `projectbot chat`). The few cycles start-up left as garbage stay frozen: collecting them first would cost a full
    scan (~0.17 s) to free well under a megabyte."""
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()


def fewer_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core), each keeping the memory its
    thread once needed; the server's database threads made that ~6 MB of resident memory for nothing (bench/
    startup.py). The same as MALLOC_ARENA_MAX=2, set before any thread starts; an explicit MALLOC_ARENA_MAX wins."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        import ctypes

        m_arena_max = -8  # from glibc's malloc.h
        ctypes.CDLL("libc.so.6").mallopt(m_arena_max, arenas)
    except (OSError, AttributeError):  # not glibc (musl, ...): nothing to tune
        pass
