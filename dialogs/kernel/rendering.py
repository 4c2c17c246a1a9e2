"""Charts and documents are drawn off the database path: a handler hands a pure drawing function to a Renderer.

Drawing a chart (Pillow, a few ms) or building a document (python-docx, openpyxl: 50-300 ms) is CPU work that needs no
database. Run where database work runs, it made every other turn queue behind it (issue 13). A handler therefore
never calls such a function itself: it gathers its data, closes its session, and asks `services.renderer` for the
bytes. The production renderer (bot/rendering.py) runs the function in a worker process, so it neither holds a
database connection nor takes the interpreter lock from other turns, and keeps recent charts by a fingerprint of
their data; tests and tools use the inline one below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class RenderingBusy(RuntimeError):
    """The drawing did not finish within the turn's bound (workers busy or gone): show the rest without it, or
    ask the person to try again."""


class Renderer(Protocol):
    def render(self, function: Callable[..., bytes], /, *args: Any, cache: bool = False, **kwargs: Any) -> bytes:
        """function(*args, **kwargs): a module-level function of plain, picklable values (it may run in another
        process). cache=True: the same function and arguments may give the bytes drawn before (charts; not
        documents that carry the moment they were made)."""
        ...


class InlineRenderer:
    """Draws in the calling thread: tests, command-line tools and the terminal chat."""

    def render(self, function: Callable[..., bytes], /, *args: Any, cache: bool = False, **kwargs: Any) -> bytes:
        return function(*args, **kwargs)
