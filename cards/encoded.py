"""A card that comes with its JSON text: for cards served from a cache (the help menu, built once per language and set
of entries). The transport writes that text into the outgoing activity instead of encoding the card again
(bot/connector.py): for the menu, ≈ 18 KB of JSON, that was ≈ 0.15 ms of every help turn's ≈ 4 ms."""

from __future__ import annotations

import json
from typing import Any, NoReturn


class EncodedCard(dict[str, Any]):
    """The card read from `text`, so every caller has its own copy; read-only at the top (what is sent is `text`, so
    a change would not be), as every card is once its handler returned it (bot/teams_bot.py)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        super().__init__(json.loads(text))
        self.text = text

    def __deepcopy__(self, memo: dict[int, Any]) -> EncodedCard:
        return self  # read-only: the SDK's deep copy of every outgoing activity need not copy it

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("an encoded card is read-only: copy it (dict(card)) to change it")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only
