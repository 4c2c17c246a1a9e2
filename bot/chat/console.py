"""The terminal: what is printed (bot lines, cards in a box, the chat's own notes) and the cards the person sees."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TextIO

from bot.chat.render import JSON, CardInput, RenderedCard, plain_text

BOT_PREFIX = "bot> "
USER_PROMPT = "you> "
NOTE_PREFIX = "-- "
_INDENT = " " * len(BOT_PREFIX)
_CARD_BAR = "| "


class Console:
    """Writes the conversation: bot lines prefixed `bot> `, cards in a box, the tool's own notes with `-- `."""

    def __init__(self, output: TextIO, width: int = 80) -> None:
        self.output = output
        self.width = max(width, 40)

    @property
    def card_width(self) -> int:
        return self.width - len(BOT_PREFIX) - len(_CARD_BAR)

    def line(self, text: str = "") -> None:
        self.output.write(text + "\n")
        self.output.flush()

    def bot_text(self, text: str, timezone: str = "UTC") -> None:
        lines: list[str] = []
        for paragraph in plain_text(text, timezone).split("\n"):
            lines.extend(
                textwrap.wrap(
                    paragraph, width=self.width - len(BOT_PREFIX), break_long_words=False, break_on_hyphens=False
                )
                or [""]
            )
        for index, line in enumerate(lines):
            self.line(((BOT_PREFIX if index == 0 else _INDENT) + line).rstrip())

    def card(self, shown: ShownCard, *, updated: bool = False) -> None:
        label = f"card {shown.number}" + (" (updated)" if updated else "")
        self.line(f"{BOT_PREFIX}+-- {label} " + "-" * max(self.card_width - len(label) - 3, 3))
        for line in shown.rendered.text.split("\n"):
            self.line((_INDENT + _CARD_BAR + line).rstrip())
        self.line(_INDENT + "+" + "-" * (self.card_width + 1))

    def note(self, text: str) -> None:
        for index, line in enumerate(text.split("\n")):
            self.line((NOTE_PREFIX if index == 0 else " " * len(NOTE_PREFIX)) + line)


@dataclass
class ShownCard:
    """A card the bot sent in this session, as it looks now."""

    number: int
    activity_id: str
    card: JSON
    rendered: RenderedCard
    # Values typed into its fields: Teams keeps them on screen until the card is replaced.
    entered: dict[str, str] = field(default_factory=dict)
    # An Action.ShowCard opened below this card: its inputs are submitted together with the parent's.
    parent: ShownCard | None = None

    @property
    def label(self) -> str:
        title = self.rendered.title
        if len(title) > 40:
            title = title[:39] + "…"
        return f"card {self.number}" + (f" ({title})" if title else "")

    @property
    def inputs(self) -> list[CardInput]:
        inherited = self.parent.inputs if self.parent is not None else []
        return [*inherited, *self.rendered.inputs]
