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
        items = [item for item in _dicts(elements) if item.get("isVisible") is not False]
        index = 0
        while index < len(items):
            rows = _table_rows(items, index)
            if len(rows) >= 2:
                # The cards build a table as one ColumnSet per row; printed one cell per line, a week's timesheet
                # took ~45 lines.
                self.element_spacing(rows[0])
                cells = [_row_cells(row, self.timezone) for row in rows]
                self.grid(cells, header=_is_bold(cells[0]))
                index += len(rows)
            else:
                self.element(items[index])
                index += 1

    def element(self, element: JSON) -> None:
        if element.get("isVisible") is False:
            return
        self.element_spacing(element)
        handler = self._handlers.get(str(element.get("type")))
        if handler is not None:
            handler(element)
            return
        fallback = element.get("fallback")
        if isinstance(fallback, dict):
            self.element(fallback)
        elif fallback != "drop":
            self.lines.append(f"[{element.get('type', 'element')} is not shown in the terminal]")

    def element_spacing(self, element: JSON) -> None:
        if element.get("separator"):
            self.separator()
        elif element.get("spacing") in ("Large", "ExtraLarge", "Padding"):
            self.blank()

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
        rows = [[self._table_cell(cell) for cell in _dicts(row.get("cells"))] for row in _dicts(element.get("rows"))]
        if rows:
            self.grid(rows, header=element.get("firstRowAsHeader", True) is not False)
        for table_row in _dicts(element.get("rows")):
            self._select_action(table_row)

    def grid(self, rows: list[list[_Cell]], *, header: bool) -> None:
        """Rows of cells as aligned columns, a line under the header and above a bold total row. Columns that do
        not fit the width with ' | ' between them are tried closer together; failing that, the first column is
        repeated with as many of the others as fit, block after block."""
        count = max(len(row) for row in rows)
        rows = [row + [_Cell("")] * (count - len(row)) for row in rows]
        widths = [max(len(row[column].text) for row in rows) for column in range(count)]
        gap = next((gap for gap in _CELL_GAPS if _width_of(widths, gap) <= self.width), None)
        if gap is not None or count == 1:
            blocks = [[(column, min(width, self.width)) for column, width in enumerate(widths)]]
        else:
            blocks = self._column_blocks(widths, _CELL_GAPS[0])
        for number, columns in enumerate(blocks):
            if number:
                self.blank()
            self._grid_block(rows, columns, gap=gap or _CELL_GAPS[0], header=header)
        self.blank()  # what follows is not one more row

    def _column_blocks(self, widths: list[int], gap: str) -> list[list[tuple[int, int]]]:
        """(column, width) per printed block: the first column (at most a third of the width) and what fits."""
        first = (0, min(widths[0], max(self.width // 3, 1)))
        room = self.width - first[1]
        blocks: list[list[tuple[int, int]]] = []
        used = room  # so that the first column opens a block
        for column, width in enumerate(widths[1:], 1):
            width = max(min(width, room - len(gap)), 1)  # one column alone wider than the room is wrapped
            if used + len(gap) + width > room:
                blocks.append([first])
                used = 0
            blocks[-1].append((column, width))
            used += len(gap) + width
        return blocks

    def _grid_block(self, rows: list[list[_Cell]], columns: list[tuple[int, int]], *, gap: str, header: bool) -> None:
        rule = gap.replace(" ", "-").replace("|", "+").join("-" * width for _, width in columns)
        for index, row in enumerate(rows):
            if index == len(rows) - 1 and index > 1 and _is_bold(row):
                self.lines.append(rule)  # above the totals
            wrapped = [textwrap.wrap(row[column].text, width) or [""] for column, width in columns]
            for line in range(max(len(cell) for cell in wrapped)):
                parts = [
                    _aligned(cell[line] if line < len(cell) else "", width, right=row[column].right)
                    for cell, (column, width) in zip(wrapped, columns, strict=True)
                ]
                self.lines.append(gap.join(parts).rstrip())
            if index == 0 and header and len(rows) > 1:
                self.lines.append(rule)

    def _table_cell(self, cell: JSON) -> _Cell:
        first = next(iter(_dicts(cell.get("items"))), {})
        return _Cell(self._cell_text(cell), right=first.get("horizontalAlignment") == "Right")

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


# Between the cells of a row: with a bar while the table fits, else closer together.
_CELL_GAPS = (" | ", "  ")
_TEXT_TYPES = ("TextBlock", "RichTextBlock")


@dataclass(frozen=True)
class _Cell:
    text: str
    right: bool = False  # numbers are right-aligned, as the card asks
    bold: bool = False


def _width_of(widths: list[int], gap: str) -> int:
    return sum(widths) + len(gap) * (len(widths) - 1)


def _aligned(text: str, width: int, *, right: bool) -> str:
    return text.rjust(width) if right else text.ljust(width)


def _is_bold(row: list[_Cell]) -> bool:
    filled = [cell for cell in row if cell.text]
    return bool(filled) and all(cell.bold for cell in filled)


def _visible(value: Any) -> list[JSON]:
    return [item for item in _dicts(value) if item.get("isVisible") is not False]


def _row_like(element: JSON) -> int:
    """How many cells a ColumnSet holds when it is one row of a table (every column one plain text, nothing to
    press); 0 when it is a layout of its own."""
    if element.get("type") != "ColumnSet" or element.get("selectAction"):
        return 0
    columns = _visible(element.get("columns"))
    for column in columns:
        items = _visible(column.get("items"))
        if column.get("selectAction") or len(items) > 1:
            return 0
        if items and (items[0].get("type") not in _TEXT_TYPES or items[0].get("selectAction")):
            return 0
    return len(columns) if len(columns) >= 2 else 0


def _table_rows(elements: list[JSON], start: int) -> list[JSON]:
    """The ColumnSets from `start` on that are rows of one table: same number of cells, no separator between."""
    count = _row_like(elements[start])
    if not count:
        return []
    rows = [elements[start]]
    for element in elements[start + 1 :]:
        if _row_like(element) != count or element.get("separator"):
            break
        rows.append(element)
    return rows


def _row_cells(row: JSON, timezone: str) -> list[_Cell]:
    cells = []
    for column in _visible(row.get("columns")):
        items = _visible(column.get("items"))
        block = items[0] if items else {}
        if block.get("type") == "RichTextBlock":
            text = "".join(
                inline if isinstance(inline, str) else text_of(inline.get("text"))
                for inline in block.get("inlines") or []
                if isinstance(inline, str | dict)
            )
        else:
            text = text_of(block.get("text"))
        cells.append(
            _Cell(
                plain_text(text, timezone).strip(),
                right=block.get("horizontalAlignment") == "Right",
                bold=block.get("weight") == "Bolder",
            )
        )
    return cells


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
