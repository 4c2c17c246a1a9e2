"""`projectbot chat`: talk to the real bot (same turn handler, same database) in a terminal, without Teams."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import copy
import getpass
import hashlib
import itertools
import json
import logging
import re
import shutil
import sys
import textwrap
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.core import BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference, ResourceResponse

from bot.settings import Settings
from bot.teams_bot import ADAPTIVE_CARD_ACTION, CARD_CONTENT_TYPE, MESSAGE_CONTENT_TYPE, ProjectBot
from cards.i18n import language_of
from dialogs.app import build_registry
from dialogs.kernel.clock import Clock, SystemClock
from dialogs.kernel.turn import Services
from storage import migrate
from storage.db import Database

log = logging.getLogger(__name__)

JSON = dict[str, Any]
InputFn = Callable[[str], str]
Logic = Callable[[TurnContext], Awaitable[None]]

# The chat never contacts this URL: replies come back through the in-process adapter.
CHAT_SERVICE_URL = "http://localhost/chat"
CHAT_BOT_ID = "28:projectbot-chat"
CHAT_BOT_NAME = "projectbot"
# A tenant of its own, so people met in the terminal never mix with the organisation's real ones.
CHAT_TENANT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "projectbot-chat:tenant"))
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"

BOT_PREFIX = "bot> "
USER_PROMPT = "you> "
NOTE_PREFIX = "-- "
_INDENT = " " * len(BOT_PREFIX)
_CARD_BAR = "| "
_LOCALES = {"en": "en-US", "nl": "nl-BE"}

HELP_TEXT = """chat commands (everything else is sent to the bot as a message, e.g. "help"):
  /1, /press 1   press button 1 of the current card (the latest card with buttons)
  /cards         show the current card again
  /card 3        show card 3 and make it the current card
  /lang en|nl    switch the Teams locale of your messages (now {locale})
  /json          the current card as the bot sent it (JSON)
  /whoami        who you are to the bot, and which database it uses
  /help          this list
  /quit          leave (Ctrl-D works too)
  //text         send a message that starts with a slash"""


# ---------------------------------------------------------------------------------------------------------
# Rendering Adaptive Cards as text


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


def _text(value: Any) -> str:
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
        text = plain_text(_text(element.get("text")), self.timezone).strip()
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
                parts.append(_text(inline.get("text")))
        self.text_block({"type": "TextBlock", "text": "".join(parts)})

    def fact_set(self, element: JSON) -> None:
        facts = [
            (plain_text(_text(f.get("title")), self.timezone), plain_text(_text(f.get("value")), self.timezone))
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
        alt = _text(element.get("altText")).strip()
        self.lines.append(f"[image: {alt}]" if alt else "[image]")
        self._select_action(element)

    def image_set(self, element: JSON) -> None:
        for image in _dicts(element.get("images")):
            self.image(image)

    def media(self, element: JSON) -> None:
        alt = _text(element.get("altText")).strip()
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
    input_id = _text(element.get("id"))
    label = _text(element.get("label")).strip() or _text(element.get("title")).strip()
    label = plain_text(label or _text(element.get("placeholder")).strip() or input_id)
    choices = tuple(
        (_text(choice.get("title")), _text(choice.get("value"))) for choice in _dicts(element.get("choices"))
    )
    value = _text(element.get("value"))
    if kind == "Input.Toggle" and not value:
        value = _text(element.get("valueOff", "false"))
    return CardInput(
        id=input_id,
        kind=kind,
        label=label,
        value=value,
        placeholder=_text(element.get("placeholder")),
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


# ---------------------------------------------------------------------------------------------------------
# Teams-shaped activities for one person in a personal chat


def _digest(*parts: str, length: int) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class ChatUser:
    """The person at the terminal, with ids shaped like the ones Teams gives (stable per name)."""

    name: str
    aad_object_id: str
    teams_id: str
    tenant_id: str = CHAT_TENANT_ID

    @classmethod
    def named(cls, name: str, *, tenant_id: str = CHAT_TENANT_ID) -> ChatUser:
        aad = str(uuid.uuid5(uuid.NAMESPACE_URL, f"projectbot-chat-user:{tenant_id}:{name}"))
        return cls(
            name=name, aad_object_id=aad, teams_id="29:1" + _digest("teams", aad, length=40), tenant_id=tenant_id
        )

    @classmethod
    def local(cls) -> ChatUser:
        """Whoever is logged in to this computer."""
        try:
            name = getpass.getuser()
        except (OSError, KeyError, ImportError):
            name = ""
        return cls.named(name or "newcomer")

    @property
    def conversation_id(self) -> str:
        return "a:1" + _digest("personal", self.teams_id, length=40)


class ActivityBuilder:
    """Activities as a Teams client posts them from a personal chat (the shapes of captured fixtures)."""

    def __init__(
        self,
        user: ChatUser,
        *,
        locale: str,
        timezone: str,
        clock: Clock,
        bot_id: str = CHAT_BOT_ID,
        bot_name: str = CHAT_BOT_NAME,
        service_url: str = CHAT_SERVICE_URL,
    ) -> None:
        self.user = user
        self.locale = locale
        self.timezone = timezone
        self.clock = clock
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.service_url = service_url

    def install(self) -> JSON:
        activity = self._base("installationUpdate", with_name=False)
        activity["locale"] = self.locale
        activity["entities"] = [{"type": "clientInfo", "locale": self.locale}]
        activity["channelData"] = {
            "tenant": {"id": self.user.tenant_id},
            "source": {"name": "message"},
            "settings": {"selectedChannel": {"id": self.user.conversation_id}},
        }
        activity["action"] = "add"
        return activity

    def members_added(self) -> JSON:
        activity = self._base("conversationUpdate", with_name=False)
        activity["membersAdded"] = [self._person(with_name=False), {"id": self.bot_id}]
        activity["channelData"] = {"tenant": {"id": self.user.tenant_id}}
        return activity

    def message(self, text: str) -> JSON:
        activity = self._user_activity("message")
        activity["text"] = text
        activity["textFormat"] = "plain"
        activity["entities"] = [self._client_info()]
        activity["channelData"] = {"tenant": {"id": self.user.tenant_id}}
        return activity

    def submit(self, value: Any, reply_to_id: str) -> JSON:
        """Action.Submit: a message without text whose value is the inputs merged with the action's data."""
        activity = self._user_activity("message")
        activity["entities"] = [self._client_info()]
        activity["channelData"] = {"source": {"name": "message"}, "tenant": {"id": self.user.tenant_id}}
        activity["replyToId"] = reply_to_id
        activity["value"] = value
        return activity

    def message_back(self, text: str, value: Any, reply_to_id: str) -> JSON:
        activity = self.submit(value, reply_to_id)
        if text:
            activity["text"] = text
            activity["textFormat"] = "plain"
        return activity

    def execute(self, verb: str | None, data: JSON, title: str, reply_to_id: str) -> JSON:
        """Action.Execute: an invoke named adaptiveCard/action."""
        activity = self._user_activity("invoke")
        activity["entities"] = [self._client_info()]
        activity["channelData"] = {"source": {"name": "message"}, "tenant": {"id": self.user.tenant_id}}
        activity["replyToId"] = reply_to_id
        action: JSON = {"type": "Action.Execute", "title": title, "data": data}
        if verb is not None:
            action["verb"] = verb
        activity["value"] = {"action": action, "trigger": "manual"}
        activity["name"] = ADAPTIVE_CARD_ACTION
        return activity

    # Building blocks ---------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock.now()

    def _person(self, *, with_name: bool) -> JSON:
        person: JSON = {"id": self.user.teams_id}
        if with_name:
            person["name"] = self.user.name
        person["aadObjectId"] = self.user.aad_object_id
        return person

    def _base(self, kind: str, *, with_name: bool) -> JSON:
        now = self._now().astimezone(UTC)
        return {
            "type": kind,
            "id": str(uuid.uuid4()),
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "from": self._person(with_name=with_name),
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "conversation": {
                "conversationType": "personal",
                "tenantId": self.user.tenant_id,
                "id": self.user.conversation_id,
            },
            "recipient": {"id": self.bot_id, "name": self.bot_name},
        }

    def _user_activity(self, kind: str) -> JSON:
        activity = self._base(kind, with_name=True)
        local = self._now().astimezone(ZoneInfo(self.timezone))
        activity["localTimestamp"] = local.isoformat(timespec="milliseconds")
        activity["localTimezone"] = self.timezone
        activity["locale"] = self.locale
        return activity

    def _client_info(self) -> JSON:
        info: JSON = {"type": "clientInfo", "locale": self.locale}
        _, _, country = self.locale.partition("-")
        if country:
            info["country"] = country.upper()
        info["platform"] = "Web"
        info["timezone"] = self.timezone
        return info


# ---------------------------------------------------------------------------------------------------------
# The terminal: what is printed, and the cards the person can press


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


class TerminalAdapter(BotAdapter):  # type: ignore[misc]
    """An in-process Bot Framework adapter: what the bot sends is printed, never posted anywhere."""

    def __init__(self, console: Console, *, first_id: int, timezone: str = "UTC") -> None:
        super().__init__()
        self.console = console
        self.timezone = timezone
        self.cards: dict[str, ShownCard] = {}
        self.sent: list[Activity] = []
        self._ids = itertools.count(first_id)
        self._numbers = itertools.count(1)
        self._recent: list[ShownCard] = []
        self._messages: set[str] = set()

    # One turn ----------------------------------------------------------------------------------------

    async def run_turn(self, activity: Activity, logic: Logic) -> InvokeResponse | None:
        """Run the bot on one incoming activity; for an invoke, return the answer the bot gave."""
        context = TurnContext(self, activity)
        await self.run_pipeline(context, logic)
        answer = context.turn_state.get(BotAdapter._INVOKE_RESPONSE_KEY)
        value = getattr(answer, "value", None)
        return value if isinstance(value, InvokeResponse) else None

    # BotAdapter --------------------------------------------------------------------------------------

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        responses: list[ResourceResponse] = []
        for activity in activities:
            self.sent.append(activity)
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[BotAdapter._INVOKE_RESPONSE_KEY] = activity
                self._show_invoke_response(context.activity, activity.value)
                responses.append(ResourceResponse())
            elif activity.type == ActivityTypes.message:
                activity_id = str(next(self._ids))
                self._show_message(activity, activity_id)
                responses.append(ResourceResponse(id=activity_id))
            else:  # typing, trace, events: nothing a person sees
                responses.append(ResourceResponse())
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        activity_id = str(activity.id or "")
        card = _adaptive_card(activity)
        shown = self.cards.get(activity_id)
        if shown is None and activity_id not in self._messages:
            # Teams answers 404 for a message it does not know; the bot must cope.
            raise LookupError(f"no message with id {activity_id} in this chat")
        if card is not None:
            self._replace(activity_id, card)
        elif activity.text:
            self.console.note("(a message was edited)")
            self.console.bot_text(activity.text, self.timezone)
        return ResourceResponse(id=activity_id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        activity_id = str(reference.activity_id or "")
        shown = self.cards.pop(activity_id, None)
        if shown is not None:
            self._recent = [card for card in self._recent if card.activity_id != activity_id]
            self.console.note(f"({shown.label} was deleted)")
        elif activity_id in self._messages:
            self._messages.discard(activity_id)
            self.console.note("(a message was deleted)")

    # Cards -------------------------------------------------------------------------------------------

    @property
    def current(self) -> ShownCard | None:
        """The latest card with buttons: the one `/1` presses."""
        return next((card for card in reversed(self._recent) if card.rendered.actions), None)

    @property
    def last(self) -> ShownCard | None:
        return self.current or (self._recent[-1] if self._recent else None)

    def card_number(self, number: int) -> ShownCard | None:
        return next((card for card in self.cards.values() if card.number == number), None)

    def bring_forward(self, shown: ShownCard) -> None:
        self._recent = [card for card in self._recent if card is not shown]
        self._recent.append(shown)

    def open_subcard(self, parent: ShownCard, card: JSON) -> ShownCard:
        """An Action.ShowCard: its card opens below the parent and submits the parent's inputs too."""
        shown = ShownCard(
            number=next(self._numbers),
            activity_id=parent.activity_id,
            card=card,
            rendered=render_card(card, self.console.card_width, timezone=self.timezone),
            entered=parent.entered,
            parent=parent,
        )
        self.bring_forward(shown)
        self.console.card(shown)
        return shown

    def restyle(self, shown: ShownCard, card: JSON) -> None:
        """The card changed on the client only (ToggleVisibility): keep what was typed."""
        shown.card = card
        shown.rendered = render_card(card, self.console.card_width, timezone=self.timezone)
        self.bring_forward(shown)
        self.console.card(shown, updated=True)

    def _show_message(self, activity: Activity, activity_id: str) -> None:
        if activity.text:
            self._messages.add(activity_id)
            self.console.bot_text(activity.text, self.timezone)
        for attachment in activity.attachments or []:
            content = getattr(attachment, "content", None)
            if attachment.content_type == CARD_CONTENT_TYPE and isinstance(content, dict):
                shown = ShownCard(
                    number=next(self._numbers),
                    activity_id=activity_id,
                    card=content,
                    rendered=render_card(content, self.console.card_width, timezone=self.timezone),
                )
                self.cards[activity_id] = shown
                self.bring_forward(shown)
                self.console.card(shown)
            else:
                self._messages.add(activity_id)
                self.console.bot_text(f"[attachment: {attachment.content_type}]")

    def _replace(self, activity_id: str, card: JSON) -> None:
        """The card with this id now shows another card (Action.Submit update or Action.Execute answer)."""
        shown = self.cards.get(activity_id)
        if shown is None:
            shown = ShownCard(
                number=next(self._numbers), activity_id=activity_id, card=card, rendered=RenderedCard("", [], [])
            )
            self.cards[activity_id] = shown
        self._recent = [c for c in self._recent if not (c.parent is not None and c.activity_id == activity_id)]
        shown.card = card
        shown.rendered = render_card(card, self.console.card_width, timezone=self.timezone)
        shown.entered = {}
        self.bring_forward(shown)
        self.console.note(f"(card {shown.number} updated)")
        self.console.card(shown, updated=True)

    def _show_invoke_response(self, incoming: Activity, answer: Any) -> None:
        if not isinstance(answer, InvokeResponse):
            return
        body = answer.body
        serialize = getattr(body, "serialize", None)
        if callable(serialize):
            body = serialize()
        if not isinstance(body, dict):
            if int(answer.status or 200) >= 400:
                self.console.note(f"(the bot answered the button with status {answer.status}; Teams shows an error)")
            return
        kind = body.get("type")
        if kind == CARD_CONTENT_TYPE and isinstance(body.get("value"), dict):
            self._replace(str(incoming.reply_to_id or ""), body["value"])
        elif kind == MESSAGE_CONTENT_TYPE:
            if body.get("value"):
                self.console.bot_text(_text(body.get("value")), self.timezone)
        elif kind == ERROR_CONTENT_TYPE:
            value = body.get("value")
            error: JSON = value if isinstance(value, dict) else {}
            self.console.note(f"(Teams shows an error: {error.get('message') or error.get('code') or body})")


def _adaptive_card(activity: Activity) -> JSON | None:
    for attachment in activity.attachments or []:
        content = getattr(attachment, "content", None)
        if attachment.content_type == CARD_CONTENT_TYPE and isinstance(content, dict):
            return content
    return None


# ---------------------------------------------------------------------------------------------------------
# The conversation loop


class _Cancelled(Exception):
    """The person pressed Ctrl-C while filling in a card."""


_YES = {"y", "yes", "j", "ja", "1", "true", "on"}
_NO = {"n", "no", "nee", "0", "false", "off"}
_TIME = re.compile(r"^\d{1,2}:\d{2}$")


class TerminalChat:
    """Reads what the person types, turns it into Teams activities and runs the bot on them."""

    def __init__(
        self,
        logic: Logic,
        adapter: TerminalAdapter,
        activities: ActivityBuilder,
        console: Console,
        runner: asyncio.Runner,
        *,
        input_fn: InputFn,
        echo: bool,
        database: str,
    ) -> None:
        self.logic = logic
        self.adapter = adapter
        self.activities = activities
        self.console = console
        self.runner = runner
        self.input_fn = input_fn
        self.echo = echo
        self.database = database

    def ask(self, prompt: str) -> str:
        answer = self.input_fn(prompt)
        if self.echo:
            self.console.line(f"{prompt}{answer}".rstrip())
        return answer

    def send(self, payload: JSON) -> InvokeResponse | None:
        activity = Activity().deserialize(payload)
        try:
            return self.runner.run(self.adapter.run_turn(activity, self.logic))
        except KeyboardInterrupt:
            self.console.note("(interrupted)")
            return None
        except Exception as problem:
            log.exception("chat turn failed")
            self.console.note(f"(the turn failed: {type(problem).__name__}: {problem})")
            return None

    def start(self) -> None:
        user = self.activities.user
        self.console.note(
            f"projectbot chat — you are {user.name}, in a personal chat with the bot "
            f"(locale {self.activities.locale}, time zone {self.activities.timezone})"
        )
        self.console.note(f"database: {self.database}")
        self.console.note("type help for the bot's menu, /help for the chat's own commands, /quit to leave")
        self.send(self.activities.install())
        self.send(self.activities.members_added())

    def run(self) -> int:
        while True:
            try:
                line = self.ask(USER_PROMPT)
            except EOFError:
                self.console.line()
                return 0
            except KeyboardInterrupt:
                self.console.line()
                return 130
            try:
                if not self.handle(line):
                    return 0
            except EOFError:
                self.console.line()
                return 0

    def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person leaves."""
        text = line.strip()
        if not text:
            return True
        if text.startswith("//"):
            self.send(self.activities.message(text[1:]))
            return True
        if not text.startswith("/"):
            self.send(self.activities.message(text))
            return True
        command, _, argument = text[1:].partition(" ")
        command, argument = command.lower(), argument.strip()
        if command.isdigit():
            self.press(int(command))
        elif command == "press" and argument.isdigit():
            self.press(int(argument))
        elif command in ("quit", "exit", "q"):
            return False
        elif command == "help":
            self.console.note(HELP_TEXT.format(locale=self.activities.locale))
        elif command == "cards":
            self.show_current()
        elif command == "card" and argument.isdigit():
            self.show_card(int(argument))
        elif command == "lang":
            self.switch_locale(argument)
        elif command == "whoami":
            self.whoami()
        elif command == "json":
            shown = self.adapter.last
            self.console.line(card_json(shown.card) if shown is not None else "{}")
        else:
            self.console.note(f"unknown chat command {text.split()[0]!r}; /help lists them")
        return True

    # Meta commands -----------------------------------------------------------------------------------

    def show_current(self) -> None:
        shown = self.adapter.last
        if shown is None:
            self.console.note("no card yet; type help to get the menu")
            return
        self.console.card(shown)

    def show_card(self, number: int) -> None:
        shown = self.adapter.card_number(number)
        if shown is None:
            self.console.note(f"there is no card {number} in this chat")
            return
        self.adapter.bring_forward(shown)
        self.console.card(shown)

    def switch_locale(self, argument: str) -> None:
        wanted = _LOCALES.get(argument.lower(), argument)
        if wanted.split("-")[0].lower() not in _LOCALES:
            self.console.note("use /lang en or /lang nl (or a locale such as en-GB or nl-NL)")
            return
        self.activities.locale = wanted
        self.console.note(
            f"your Teams locale is now {wanted}; the bot follows it unless you chose a language in its settings"
        )

    def whoami(self) -> None:
        user = self.activities.user
        self.console.note(
            f"name {user.name}, aadObjectId {user.aad_object_id}\n"
            f"tenant {user.tenant_id} (local to the chat), conversation {user.conversation_id}\n"
            f"locale {self.activities.locale}, time zone {self.activities.timezone}, database {self.database}"
        )

    # Pressing buttons --------------------------------------------------------------------------------

    def press(self, number: int) -> None:
        shown = self.adapter.current
        if shown is None:
            self.console.note("no card with buttons yet; type help to get the menu")
            return
        buttons = shown.rendered.actions
        if not 1 <= number <= len(buttons):
            self.console.note(f"{shown.label} has buttons 1 to {len(buttons)}")
            return
        button = buttons[number - 1]
        self.console.note(f"pressing [{number}] {button.title} on {shown.label}")
        if not button.enabled:
            self.console.note("that button is disabled")
            return
        if button.kind == "Action.OpenUrl":
            self.console.note(f"Teams would open {button.url or '(no url)'}")
        elif button.kind == "Action.ShowCard":
            if button.card is not None:
                self.adapter.open_subcard(shown, button.card)
        elif button.kind == "Action.ToggleVisibility":
            self.adapter.restyle(shown, toggle_visibility(shown.card, button.action.get("targetElements")))
        elif button.kind == "Action.Submit":
            self._submit(shown, button)
        elif button.kind == "Action.Execute":
            self._execute(shown, button)
        else:
            self.console.note(f"{button.kind or 'this button'} is not supported in the terminal")

    def _submit(self, shown: ShownCard, button: CardButton) -> None:
        data = button.data
        teams = data.get("msteams") if isinstance(data, dict) else None
        if isinstance(teams, dict):
            self._teams_submit(shown, teams, data)
            return
        if isinstance(data, str):
            # A string as data posts itself as the message text, without inputs.
            self.send(self.activities.message(data))
            return
        try:
            inputs = self.fill(shown) if button.sends_inputs else {}
        except _Cancelled:
            self.console.note("(press cancelled)")
            return
        value = {**(data if isinstance(data, dict) else {}), **inputs}
        self.send(self.activities.submit(value, shown.activity_id))

    def _teams_submit(self, shown: ShownCard, teams: JSON, data: JSON) -> None:
        kind = teams.get("type")
        if kind == "imBack":
            self.send(self.activities.message(_text(teams.get("value"))))
        elif kind == "messageBack":
            try:
                inputs = self.fill(shown)
            except _Cancelled:
                self.console.note("(press cancelled)")
                return
            if teams.get("displayText"):
                self.console.line(f"{USER_PROMPT}{teams['displayText']}")
            extra = teams.get("value")
            value = {**(extra if isinstance(extra, dict) else {}), **inputs}
            self.send(self.activities.message_back(_text(teams.get("text")), value, shown.activity_id))
        else:
            self.console.note(f"msteams {kind or 'action'} buttons are not supported in the terminal")

    def _execute(self, shown: ShownCard, button: CardButton) -> None:
        try:
            inputs = self.fill(shown) if button.sends_inputs else {}
        except _Cancelled:
            self.console.note("(press cancelled)")
            return
        data = button.data if isinstance(button.data, dict) else {}
        activity = self.activities.execute(button.verb, {**data, **inputs}, button.title, shown.activity_id)
        answer = self.send(activity)
        if answer is None:
            self.console.note("(the bot gave no answer to the button; Teams would show an error)")

    # Filling in a card ---------------------------------------------------------------------------------

    def fill(self, shown: ShownCard) -> dict[str, str]:
        """Ask for each input of the card, in order; what Teams would submit (empty fields are left out)."""
        inputs = [i for i in shown.inputs if i.id]
        if not inputs:
            return {}
        self.console.note("fill in the card (Enter keeps the value shown, - empties a field, Ctrl-C cancels)")
        values: dict[str, str] = {}
        for card_input in inputs:
            value = self._ask_input(card_input, shown.entered.get(card_input.id, card_input.value))
            shown.entered[card_input.id] = value
            if value:
                values[card_input.id] = value
        return values

    def _ask_input(self, card_input: CardInput, current: str) -> str:
        for number, (title, _) in enumerate(card_input.choices, 1):
            self.console.line(f"     {number}) {plain_text(title)}")
        hint = "y/n" if card_input.kind == "Input.Toggle" else card_input.shown(current)
        label = f"{card_input.label} *" if card_input.required else card_input.label
        while True:
            try:
                answer = self.ask(f"   {label} [{hint}]> ").strip()
            except KeyboardInterrupt:
                self.console.line()
                raise _Cancelled from None
            if not answer:
                value = current
            elif answer == "-":
                value = card_input.value_off if card_input.kind == "Input.Toggle" else ""
            else:
                parsed = _parse_answer(card_input, answer)
                if isinstance(parsed, _Problem):
                    self.console.line(f"   ! {parsed.message}")
                    continue
                value = parsed
            problem = _check(card_input, value)
            if problem is None:
                return value
            self.console.line(f"   ! {problem}")
            current = value if answer else current


@dataclass(frozen=True)
class _Problem:
    message: str


def _parse_answer(card_input: CardInput, answer: str) -> str | _Problem:
    if card_input.kind == "Input.Toggle":
        if answer.lower() in _YES:
            return card_input.value_on
        if answer.lower() in _NO:
            return card_input.value_off
        return _Problem("answer y or n")
    if card_input.kind == "Input.ChoiceSet" and card_input.choices:
        parts = [p.strip() for p in answer.split(",")] if card_input.multi_select else [answer]
        chosen = []
        for part in parts:
            value = _choice(card_input, part)
            if value is None:
                return _Problem(f"choose a number from 1 to {len(card_input.choices)} (or type a value from the list)")
            chosen.append(value)
        return ",".join(chosen)
    if card_input.kind == "Input.Number":
        try:
            number = float(answer.replace(",", "."))
        except ValueError:
            return _Problem("type a number")
        return _text(number)
    if card_input.kind == "Input.Date":
        try:
            return date.fromisoformat(answer).isoformat()
        except ValueError:
            return _Problem("type a date as YYYY-MM-DD")
    if card_input.kind == "Input.Time":
        if not _TIME.match(answer):
            return _Problem("type a time as HH:MM")
        hours, minutes = (int(part) for part in answer.split(":"))
        if hours > 23 or minutes > 59:
            return _Problem("type a time as HH:MM")
        return f"{hours:02d}:{minutes:02d}"
    return answer


def _choice(card_input: CardInput, answer: str) -> str | None:
    if answer.isdigit() and 1 <= int(answer) <= len(card_input.choices):
        return card_input.choices[int(answer) - 1][1]
    for title, value in card_input.choices:
        if answer.lower() in (value.lower(), plain_text(title).lower()):
            return value
    return None


def _check(card_input: CardInput, value: str) -> str | None:
    """The checks a Teams client makes before it sends a card (isRequired, maxLength, regex, min/max)."""
    element = card_input.element
    message = _text(element.get("errorMessage")) or None
    if card_input.required and (not value or (card_input.kind == "Input.Toggle" and value != card_input.value_on)):
        return message or "this field is required"
    if not value:
        return None
    max_length = element.get("maxLength")
    if isinstance(max_length, int) and len(value) > max_length:
        return message or f"at most {max_length} characters"
    regex = element.get("regex")
    if isinstance(regex, str) and regex:
        try:
            if re.search(regex, value) is None:
                return message or "this value does not have the expected form"
        except re.error:
            pass
    if card_input.kind == "Input.Number":
        number = float(value)
        low, high = element.get("min"), element.get("max")
        if isinstance(low, int | float) and number < low:
            return message or f"at least {_text(low)}"
        if isinstance(high, int | float) and number > high:
            return message or f"at most {_text(high)}"
    if card_input.kind in ("Input.Date", "Input.Time"):
        low, high = element.get("min"), element.get("max")
        if isinstance(low, str) and low and value < low:
            return message or f"not before {low}"
        if isinstance(high, str) and high and value > high:
            return message or f"not after {high}"
    return None


# ---------------------------------------------------------------------------------------------------------
# Entry point


def _terminal_width(output: TextIO) -> int:
    isatty = getattr(output, "isatty", None)
    if callable(isatty) and isatty():
        return max(40, min(shutil.get_terminal_size().columns, 120))
    return 80


def _database_label(settings: Settings) -> str:
    location = settings.database_location()
    if location is not None:
        return str(location.resolve())
    return settings.database_url.split("@")[-1]


def _first_message_id(clock: Clock) -> int:
    # Teams' message ids are epoch milliseconds; starting from the clock keeps them unique across sessions.
    return int(clock.now().timestamp() * 1000)


def run_chat(
    settings: Settings,
    *,
    input_fn: InputFn = input,
    output: TextIO = sys.stdout,
    clock: Clock | None = None,
    user: ChatUser | str | None = None,
) -> int:
    """Talk to the bot in the terminal until /quit or end of input; the exit status for the CLI."""
    clock = clock or SystemClock()
    person = user if isinstance(user, ChatUser) else ChatUser.named(user) if user else ChatUser.local()
    try:
        db = Database.from_url(settings.database_url)
    except Exception as problem:  # sqlalchemy raises many kinds for a bad URL
        print(f"projectbot chat: cannot open the database: {problem}", file=sys.stderr)
        return 2
    try:
        try:
            migrate.upgrade(db)
        except Exception as problem:  # or for an unreachable server
            print(f"projectbot chat: cannot open the database: {problem}", file=sys.stderr)
            return 2
        if input_fn is builtins.input:
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401 (line editing and history for input())
        services = Services(
            db=db,
            clock=clock,
            default_language=language_of(settings.default_locale),
            default_timezone=settings.default_timezone,
            burn_margin_points=settings.burn_margin_points,
            capabilities=build_registry(),
        )
        bot = ProjectBot(build_registry().router(), services)
        console = Console(output, _terminal_width(output))
        adapter = TerminalAdapter(console, first_id=_first_message_id(clock), timezone=settings.default_timezone)
        activities = ActivityBuilder(
            person, locale=settings.default_locale, timezone=settings.default_timezone, clock=clock
        )
        with asyncio.Runner() as runner:
            chat = TerminalChat(
                bot.on_turn,
                adapter,
                activities,
                console,
                runner,
                input_fn=input_fn,
                echo=input_fn is not builtins.input,
                database=_database_label(settings),
            )
            chat.start()
            return chat.run()
    finally:
        db.dispose()


def card_json(card: JSON) -> str:
    """A card as indented JSON (for debugging what the bot sent)."""
    return json.dumps(card, indent=2, ensure_ascii=False)
