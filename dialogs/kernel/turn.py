"""What a handler gets (a Request and its Services) and what it gives back (a Reply); no transport here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from cards.i18n import Language, Translator, translator
from dialogs.kernel.calendar_source import CalendarSource
from dialogs.kernel.clock import Clock
from dialogs.kernel.rendering import InlineRenderer, Renderer
from domain.people import PersonFacts
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.models import ConversationRef
from storage.people import PersonRepository

# invoke: an Action.Execute card press, or an invoke a capability declared by name (the name is then the
# request's verb and the activity's value its payload); event: an event activity a capability declared by name.
RequestKind = Literal["message", "submit", "invoke", "event"]


@dataclass(frozen=True)
class Where:
    """The conversation a request came from."""

    channel_id: str
    conversation_id: str
    conversation_type: str  # personal, groupChat, channel
    tenant_id: str
    team_id: str | None = None

    @property
    def is_personal(self) -> bool:
        return self.conversation_type == "personal"


@dataclass(frozen=True)
class Request:
    kind: RequestKind
    person: PersonFacts
    where: Where
    language: Language
    timezone: str
    text: str = ""  # normalised: bot mention removed, spaces collapsed
    verb: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    activity_id: str | None = None
    reply_to_id: str | None = None
    # What Teams itself says (or the defaults), before the person's own settings: shown as "as in Teams".
    teams_language: Language | None = None
    teams_timezone: str | None = None
    # Per-turn memo (dialogs/kernel/who.py keeps who is asking here, so it is read once per turn).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def t(self) -> Translator:
        return translator(self.language)


@dataclass(frozen=True)
class OutgoingFile:
    """A file for the person who asked (export, report, dossier). The bot layer delivers it: in a personal chat
    through the Teams file consent card, elsewhere (or when consent is declined) as a short-lived download link
    valid only for that person. See bot/files.py."""

    name: str  # shown to the person and used as the file name, e.g. "mijn-gegevens.json"
    content_type: str  # application/json, text/csv, application/vnd.openxmlformats-...
    data: bytes
    description: str = ""  # one line on the consent card, in the person's language


@dataclass
class Reply:
    """What to say: new messages, and optionally a replacement for the card that was pressed."""

    texts: list[str] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    # For Action.Execute: the card that replaces the pressed one for the person who pressed it. For Action.Submit:
    # the pressed card is updated in place when the transport can.
    replace_card: dict[str, Any] | None = None
    # The replacement is the same for everyone (answers counted on a reminder, an acceptance): Teams shows an
    # Action.Execute answer only to the one who pressed, so the posted message is updated for all as well.
    update_for_everyone: bool = False
    files: list[OutgoingFile] = field(default_factory=list)

    @classmethod
    def text(cls, text: str) -> Reply:
        return cls(texts=[text])

    @classmethod
    def card(cls, card: dict[str, Any]) -> Reply:
        return cls(cards=[card])

    def then(self, other: Reply) -> Reply:
        return Reply(
            texts=self.texts + other.texts,
            cards=self.cards + other.cards,
            replace_card=other.replace_card or self.replace_card,
            update_for_everyone=other.update_for_everyone or self.update_for_everyone,
            files=self.files + other.files,
        )


@dataclass(frozen=True)
class InvokeResult:
    """The answer to an invoke a capability declared by name ("composeExtension/query", "task/fetch", ...): the
    invoke response's HTTP status and JSON body, as the Teams protocol of that invoke wants them."""

    body: dict[str, Any]
    status: int = 200


class Capabilities(Protocol):
    """What a handler may ask of the other capabilities (dialogs/kernel/registry.py implements it): the sections
    they add to a card slot, and their answers to an event. Declared here so the request types need not import
    the registry."""

    def sections(self, slot: Any) -> list[Any]: ...

    def answers(self, event: Any, services: Services, **details: Any) -> list[Any]: ...


class NoCapabilities:
    """A registry with no capabilities (tools and tests that build Services by hand and need none)."""

    def sections(self, slot: Any) -> list[Any]:
        return []

    def answers(self, event: Any, services: Services, **details: Any) -> list[Any]:
        return []


class Stop(Exception):
    """A handler's early answer: raised anywhere below a handler (not found, not allowed, which one?), turned by
    the router into the turn's reply. Instead of returning `Reply | Value` and checking it at every caller."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("early answer")
        self.reply = reply

    @classmethod
    def saying(cls, text: str) -> Stop:
        return cls(Reply.text(text))


@dataclass(frozen=True)
class Services:
    """Everything a handler may touch, passed in explicitly (no globals)."""

    db: Database
    clock: Clock
    default_language: Language
    default_timezone: str
    # Budget burn: warn when spent hours run ahead of elapsed time by more than this (PROJECTBOT_BURN_MARGIN_POINTS).
    burn_margin_points: int = 15
    # Capacity: a week is at risk above this share (%) of the available hours (PROJECTBOT_CAPACITY_AT_RISK_PERCENT).
    capacity_at_risk_percent: int = 90
    # Outlook calendars through Microsoft Graph (meeting import); None when Graph credentials are not configured.
    calendar: CalendarSource | None = None
    # Draws charts and builds documents off the database path (dialogs/rendering.py); inline in tests and tools.
    renderer: Renderer = field(default_factory=InlineRenderer)
    # The other capabilities' card sections and event hooks (dialogs/app.py builds the real one).
    capabilities: Capabilities = field(default_factory=NoCapabilities)

    @property
    def people(self) -> PersonRepository:
        return PersonRepository(self.db)

    @property
    def conversations(self) -> ConversationRepository:
        return ConversationRepository(self.db)


def conversation_here(request: Request, services: Services) -> ConversationRef | None:
    """The conversation a request came from; for a reply in a channel thread, the channel itself when known."""
    where = request.where
    base = where.conversation_id.split(";messageid=")[0]
    conversations = services.conversations
    return conversations.get(where.channel_id, base) or conversations.get(where.channel_id, where.conversation_id)
