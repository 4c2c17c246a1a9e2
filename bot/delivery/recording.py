"""Recording accepted sends: the sends accepted while one write is under way go together in the next."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.delivery.pacing import Sleep
from storage.outbox import SentMark
from storage.sent_writer import SentWriter

log = logging.getLogger(__name__)


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
