"""Adaptive Cards as terminal text: the card's lines, its buttons numbered in reading order and its inputs listed.

`render_card` is what the chat prints for every card the bot sends; `CardButton` and `CardInput` are what the
person can press and fill in (bot/chat/repl.py); `toggle_visibility` applies an Action.ToggleVisibility as the
Teams client would.
"""

from __future__ import annotations

import copy
import json
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

JSON = dict[str, Any]


@dataclass(frozen=True)
class CardInput:
    """An input field found in a card, with what a prompt needs to ask for it."""

    id: str
    kind: str  # Input.Text, Input.Number, Input.Date, Input.Time, Input.Toggle, Input.ChoiceSet
    label: str
    value: str  # current value, as the string Teams would submit
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (title, value)
    multi_select: bool = False
    required: bool = False
    element: JSON = field(default_factory=dict, repr=False)

    @property
    def value_on(self) -> str:
        return str(self.element.get("valueOn", "true"))

    @property
    def value_off(self) -> str:
        return str(self.element.get("valueOff", "false"))

    def shown(self, value: str | None = None) -> str:
        """A value as a person reads it: choice titles rather than values, yes/no for toggles."""
        value = self.value if value is None else value
        if self.kind == "Input.Toggle":
            return "yes" if value == self.value_on else "no"
        if not value:
            return f"empty — {self.placeholder}" if self.placeholder else "empty"
        if self.choices:
            titles = dict((v, t) for t, v in self.choices)
            parts = value.split(",") if self.multi_select else [value]
            return ", ".join(titles.get(part, part) for part in parts)
        return value


@dataclass(frozen=True)
class CardButton:
    """An action found in a card (card actions, ActionSets and selectActions), numbered in reading order."""

    number: int
    kind: str  # Action.Submit, Action.Execute, Action.OpenUrl, Action.ShowCard, Action.ToggleVisibility
    title: str
    action: JSON = field(repr=False)

    @property
    def data(self) -> Any:
        return self.action.get("data")

    @property
    def verb(self) -> str | None:
        verb = self.action.get("verb")
        return verb if isinstance(verb, str) else None

    @property
    def url(self) -> str | None:
        url = self.action.get("url")
        return url if isinstance(url, str) else None

    @property
    def card(self) -> JSON | None:
        card = self.action.get("card")
        return card if isinstance(card, dict) else None

    @property
    def enabled(self) -> bool:
        return self.action.get("isEnabled", True) is not False

    @property
    def sends_inputs(self) -> bool:
        return str(self.action.get("associatedInputs", "auto")).lower() != "none"


@dataclass(frozen=True)
class RenderedCard:
    text: str
    actions: list[CardButton]
    inputs: list[CardInput]
    title: str = ""


def render_card(card: JSON, width: int = 80, *, timezone: str = "UTC") -> RenderedCard:
    """An Adaptive Card as readable text, with its buttons numbered and its inputs listed."""
    renderer = _CardRenderer(max(width, 20), timezone)
    renderer.elements(card.get("body"))
    card_actions = _dicts(card.get("actions"))
    if card_actions:
        renderer.blank()
        renderer.action_row(card_actions)
    select = card.get("selectAction")
    if isinstance(select, dict):
        renderer.action_row([select])
    while renderer.lines and not renderer.lines[-1]:
        renderer.lines.pop()
    return RenderedCard(
        text="\n".join(renderer.lines),
        actions=renderer.actions,
        inputs=renderer.inputs,
        title=renderer.title,
    )


def _dicts(value: Any) -> list[JSON]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])_(?=\S)(.+?)(?<=\S)_(?!\w)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_AT = re.compile(r"</?at>", re.IGNORECASE)
_DATE_TIME = re.compile(r"\{\{(DATE|TIME)\(\s*([^,)\s]+)\s*(?:,\s*(SHORT|LONG|COMPACT)\s*)?\)\}\}")


def plain_text(text: str, timezone: str = "UTC") -> str:
    """Card and message markdown as a terminal shows it: **bold** plainly, links with their URL."""
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    text = _LINK.sub(lambda m: m.group(2) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text)
    text = _AT.sub("", text)
    return _DATE_TIME.sub(lambda m: _date_time(m, timezone), text)


def _date_time(match: re.Match[str], timezone: str) -> str:
    """Adaptive Card DATE()/TIME() functions, shown in the reader's zone as Teams does."""
    try:
        instant = datetime.fromisoformat(match.group(2).replace("Z", "+00:00"))
        zone = ZoneInfo(timezone)
    except (ValueError, ZoneInfoNotFoundError):
        return match.group(0)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    local = instant.astimezone(zone)
    if match.group(1) == "TIME":
        return local.strftime("%H:%M")
    return local.strftime("%A %Y-%m-%d" if match.group(3) == "LONG" else "%Y-%m-%d")


class _CardRenderer:
    def __init__(self, width: int, timezone: str) -> None:
        self.width = width
        self.timezone = timezone
        self.lines: list[str] = []
        self.actions: list[CardButton] = []
        self.inputs: list[CardInput] = []
        self.title = ""
        self._handlers: dict[str, Callable[[JSON], None]] = {
            "TextBlock": self.text_block,
            "RichTextBlock": self.rich_text_block,
            "FactSet": self.fact_set,
            "Image": self.image,
            "ImageSet": self.image_set,
            "Media": self.media,
            "Container": self.container,
            "Column": self.container,
            "ColumnSet": self.column_set,
            "ActionSet": self.action_set,
            "Table": self.table,
            "Input.Text": self.input,
            "Input.Number": self.input,
            "Input.Date": self.input,
            "Input.Time": self.input,
            "Input.Toggle": self.input,
            "Input.ChoiceSet": self.input,
        }

    # Layout helpers ----------------------------------------------------------------------------------

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def write(self, text: str, *, indent: str = "", hanging: str | None = None) -> None:
        """Wrap text to the card width, keeping its own line breaks and list items."""
        for line in text.split("\n"):
            if not line.strip():
                self.blank()
                continue
            bullet = re.match(r"^(\s*(?:[-*]|\d+\.)\s+)", line)
            rest = hanging if hanging is not None else (" " * len(bullet.group(1)) if bullet else "")
            wrapped = textwrap.wrap(
                line,
                width=self.width,
                initial_indent=indent,
                subsequent_indent=indent + rest,
                break_long_words=False,
                break_on_hyphens=False,
            )
            self.lines.extend(wrapped or [indent])

    def separator(self) -> None:
        self.lines.append("-" * min(self.width, 40))

    # Elements ----------------------------------------------------------------------------------------

    def elements(self, elements: Any) -> None:
        for element in _dicts(elements):
            self.element(element)

    def element(self, element: JSON) -> None:
        if element.get("isVisible") is False:
            return
        if element.get("separator"):
            self.separator()
        elif element.get("spacing") in ("Large", "ExtraLarge", "Padding"):
            self.blank()
        handler = self._handlers.get(str(element.get("type")))
        if handler is not None:
            handler(element)
            return
        fallback = element.get("fallback")
        if isinstance(fallback, dict):
            self.element(fallback)
        elif fallback != "drop":
            self.lines.append(f"[{element.get('type', 'element')} is not shown in the terminal]")

    def text_block(self, element: JSON) -> None:
        text = plain_text(text_of(element.get("text")), self.timezone).strip()
        if not text:
            return
        if not self.title:
            self.title = text.split("\n")[0]
        heading = element.get("style") == "heading" or (
            element.get("weight") == "Bolder" and element.get("size") in ("Medium", "Large", "ExtraLarge")
        )
        if element.get("color") in ("Attention", "Warning"):
            self.write(f"! {text}", hanging="  ")
            return
        start = len(self.lines)
        self.write(text)
        if heading:
            longest = max((len(line) for line in self.lines[start:]), default=0)
            self.lines.append("=" * min(longest, self.width))

    def rich_text_block(self, element: JSON) -> None:
        parts = []
        for inline in element.get("inlines") or []:
            if isinstance(inline, str):
                parts.append(inline)
            elif isinstance(inline, dict):
                parts.append(text_of(inline.get("text")))
        self.text_block({"type": "TextBlock", "text": "".join(parts)})

    def fact_set(self, element: JSON) -> None:
        facts = [
            (plain_text(text_of(f.get("title")), self.timezone), plain_text(text_of(f.get("value")), self.timezone))
            for f in _dicts(element.get("facts"))
        ]
        if not facts:
            return
        column = max(len(title) for title, _ in facts) + 2
        aligned = column <= self.width // 2
        for title, value in facts:
            label = f"{title}:".ljust(column) if aligned else f"{title}: "
            self.write(label + value, hanging=" " * (column if aligned else 2))

    def image(self, element: JSON) -> None:
        alt = text_of(element.get("altText")).strip()
        self.lines.append(f"[image: {alt}]" if alt else "[image]")
        self._select_action(element)

    def image_set(self, element: JSON) -> None:
        for image in _dicts(element.get("images")):
            self.image(image)

    def media(self, element: JSON) -> None:
        alt = text_of(element.get("altText")).strip()
        sources = _dicts(element.get("sources"))
        self.lines.append(f"[media: {alt or (sources[0].get('url') if sources else '')}]")

    def container(self, element: JSON) -> None:
        self.elements(element.get("items"))
        self._select_action(element)

    def column_set(self, element: JSON) -> None:
        for column in _dicts(element.get("columns")):
            if column.get("isVisible") is not False:
                self.container(column)
        self._select_action(element)

    def action_set(self, element: JSON) -> None:
        self.action_row(_dicts(element.get("actions")))

    def table(self, element: JSON) -> None:
        rows = [[self._cell_text(cell) for cell in _dicts(row.get("cells"))] for row in _dicts(element.get("rows"))]
        if not rows:
            return
        count = max(len(row) for row in rows)
        rows = [row + [""] * (count - len(row)) for row in rows]
        widths = [max(len(row[i]) for row in rows) for i in range(count)]
        fits = sum(widths) + 3 * (count - 1) <= self.width
        header = element.get("firstRowAsHeader", True) is not False
        for index, row in enumerate(rows):
            if fits:
                self.lines.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            else:
                self.write(" | ".join(row), hanging="  ")
            if index == 0 and header and len(rows) > 1:
                self.lines.append("-+-".join("-" * w for w in widths) if fits else "-" * min(self.width, 40))
        for table_row in _dicts(element.get("rows")):
            self._select_action(table_row)

    def _cell_text(self, cell: JSON) -> str:
        inner = _CardRenderer(10_000, self.timezone)
        inner.elements(cell.get("items"))
        return " ".join(line.strip() for line in inner.lines if line.strip() and not set(line) <= {"="})

    def input(self, element: JSON) -> None:
        found = card_input(element)
        self.inputs.append(found)
        label = f"{found.label} *" if found.required else found.label
        self.write(f"[{label}] ({found.shown()})", hanging="  ")
        for number, (title, _) in enumerate(found.choices, 1):
            self.write(f"{number}) {plain_text(title, self.timezone)}", indent="    ", hanging="   ")
        inline = element.get("inlineAction")
        if isinstance(inline, dict):
            self.action_row([inline])

    # Actions -----------------------------------------------------------------------------------------

    def _select_action(self, element: JSON) -> None:
        action = element.get("selectAction")
        if isinstance(action, dict):
            self.action_row([action])

    def action_row(self, actions: list[JSON]) -> None:
        labels = []
        for action in actions:
            button = CardButton(
                number=len(self.actions) + 1,
                kind=str(action.get("type", "")),
                title=_action_title(action),
                action=action,
            )
            self.actions.append(button)
            labels.append(f"[{button.number}] {button.title}{_action_suffix(button)}")
        if not labels:
            return
        one_line = "   ".join(labels)
        if len(one_line) <= self.width:
            self.lines.append(one_line)
        else:
            for label in labels:
                self.write(label, hanging="    ")


def _action_title(action: JSON) -> str:
    for key in ("title", "tooltip", "verb"):
        value = action.get(key)
        if isinstance(value, str) and value.strip():
            return plain_text(value.strip())
    return str(action.get("type", "button"))


def _action_suffix(button: CardButton) -> str:
    if not button.enabled:
        return " (disabled)"
    if button.kind == "Action.OpenUrl":
        return " (link)"
    if button.kind == "Action.ShowCard":
        return " (more)"
    return ""


def card_input(element: JSON) -> CardInput:
    kind = str(element.get("type", "Input.Text"))
    input_id = text_of(element.get("id"))
    label = text_of(element.get("label")).strip() or text_of(element.get("title")).strip()
    label = plain_text(label or text_of(element.get("placeholder")).strip() or input_id)
    choices = tuple(
        (text_of(choice.get("title")), text_of(choice.get("value"))) for choice in _dicts(element.get("choices"))
    )
    value = text_of(element.get("value"))
    if kind == "Input.Toggle" and not value:
        value = text_of(element.get("valueOff", "false"))
    return CardInput(
        id=input_id,
        kind=kind,
        label=label,
        value=value,
        placeholder=text_of(element.get("placeholder")),
        choices=choices,
        multi_select=bool(element.get("isMultiSelect")),
        required=bool(element.get("isRequired")),
        element=element,
    )


def toggle_visibility(card: JSON, targets: Any) -> JSON:
    """The card after an Action.ToggleVisibility, as Teams would show it."""
    wanted: dict[str, bool | None] = {}
    for target in targets if isinstance(targets, list) else []:
        if isinstance(target, str):
            wanted[target] = None
        elif isinstance(target, dict) and isinstance(target.get("elementId"), str):
            visible = target.get("isVisible")
            wanted[target["elementId"]] = visible if isinstance(visible, bool) else None
    changed = copy.deepcopy(card)
    for node in _walk(changed):
        element_id = node.get("id")
        if isinstance(element_id, str) and element_id in wanted and not str(node.get("type")).startswith("Action."):
            visible = wanted[element_id]
            node["isVisible"] = (node.get("isVisible") is False) if visible is None else visible
    return changed


def _walk(value: Any) -> Iterator[JSON]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def card_json(card: JSON) -> str:
    """A card as indented JSON (for debugging what the bot sent)."""
    return json.dumps(card, indent=2, ensure_ascii=False)
