"""One registry for text commands (Dutch and English), card verbs, and the invokes and events capabilities declare by
name, and the dispatch of a Request to them."""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cards.encoded import EncodedCard
from cards.i18n import Language, Translator, translator
from cards.menu import MenuEntry, MenuPayload, MenuSection, build_help_card
from cards.payloads import DATE_OUT_OF_RANGE, OUT_OF_RANGE, UNREADABLE, text_problem
from cards.projects import ChooseProject
from cards.values import FIRST_YEAR, LAST_YEAR
from dialogs.kernel.access import (
    COMMAND_RULES,
    EVENT_RULES,
    INVOKE_RULES,
    VERB_RULES,
    Rule,
    Scope,
    check_complete,
)
from dialogs.kernel.permissions import Action, Actor, allowed
from dialogs.kernel.turn import InvokeResult, Reply, Request, Services, Stop
from dialogs.kernel.turn_log import note_command, note_outcome
from dialogs.kernel.typed_language import TypedLanguages, phrase_language
from dialogs.kernel.who import me, standing
from storage.projects import ProjectRepository

P = TypeVar("P", bound=BaseModel)
TextHandler = Callable[[Request, Services, str], Reply | Awaitable[Reply]]
VerbHandler = Callable[[Request, Services, Any], Reply | Awaitable[Reply]]
InvalidHandler = Callable[[Request, Services, ValidationError], Reply | Awaitable[Reply]]
InvokeHandler = Callable[[Request, Services, dict[str, Any]], InvokeResult | Awaitable[InvokeResult]]
EventHandler = Callable[[Request, Services, dict[str, Any]], Reply | Awaitable[Reply | None] | None]

_SPACES = re.compile(r"\s+")
# Typed text longer than this is refused before it is matched: the longest command a person types (an agenda
# item, a time entry with its note) is far shorter; a pasted document is not a command.
TYPED_MAX = 2000


def normalise(text: str) -> str:
    """Case and spacing do not matter in commands."""
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class MenuInfo:
    title_key: str
    description_key: str
    examples: dict[Language, str]
    # Shown only to people the permission policy allows this (by their roles); everyone else does not see it in
    # the menu, and gets the polite refusal naming who can when they type it anyway.
    requires: Action | None = None
    # Where the help card lists it; None keeps it off the card (the help command itself) but in the manifest's list.
    section: MenuSection | None = field(kw_only=True)


@dataclass(frozen=True)
class Command:
    name: str
    phrases: dict[Language, tuple[str, ...]]
    handler: TextHandler
    menu: MenuInfo | None = None
    # The rest of the text names a project: the "which project?" card may run it again with the chosen code.
    takes_project: bool = False


@dataclass(frozen=True)
class CardAction:
    verb: str
    payload: type[BaseModel]
    handler: VerbHandler
    on_invalid: InvalidHandler | None = None


class Router:
    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._phrases: list[tuple[str, Command]] = []  # longest phrase first
        self._actions: dict[str, CardAction] = {}
        self._invokes: dict[str, InvokeHandler] = {}
        self._events: dict[str, EventHandler] = {}
        self._help_cards: dict[tuple[str, tuple[str, ...]], str] = {}
        # The language each person last typed, and who was offered to keep it (dialogs/kernel/typed_language.py).
        self._languages = TypedLanguages()
        # The router's own: the menu (help, and a menu row pressed) and the "which project?" card's choice.
        self.command(
            "help",
            en=("help", "?", "menu"),
            nl=("hulp", "help", "?", "menu"),  # "?" is no language's word: it must not trigger the offer
            handler=self._show_help,
            menu=MenuInfo("menu.help.title", "menu.help.description", {"en": "help", "nl": "hulp"}, section=None),
        )
        self.action(MenuPayload.VERB, MenuPayload, self._open_menu_entry)
        self.action(ChooseProject.VERB, ChooseProject, self._choose_project)

    # Registration ---------------------------------------------------------------------------------------

    def command(
        self,
        name: str,
        *,
        en: tuple[str, ...],
        nl: tuple[str, ...],
        handler: TextHandler,
        menu: MenuInfo | None = None,
        takes_project: bool = False,
    ) -> None:
        if any(c.name == name for c in self._commands):
            raise ValueError(f"command {name!r} registered twice")
        command = Command(
            name=name, phrases={"en": en, "nl": nl}, handler=handler, menu=menu, takes_project=takes_project
        )
        self._commands.append(command)
        for phrase in {normalise(p).lower() for p in (*en, *nl)}:
            self._phrases.append((phrase, command))
        self._phrases.sort(key=lambda item: len(item[0]), reverse=True)

    def action(
        self,
        verb: str,
        payload: type[P],
        handler: Callable[[Request, Services, P], Reply | Awaitable[Reply]],
        *,
        on_invalid: InvalidHandler | None = None,
    ) -> None:
        if verb in self._actions:
            raise ValueError(f"card verb {verb!r} registered twice")
        self._actions[verb] = CardAction(verb, payload, handler, on_invalid)

    def invoke(self, name: str, handler: InvokeHandler) -> None:
        """An invoke activity by its name ("composeExtension/query"); the handler gets the activity's value."""
        if name in self._invokes:
            raise ValueError(f"invoke {name!r} registered twice")
        self._invokes[name] = handler

    def event(self, name: str, handler: EventHandler) -> None:
        """An event activity by its name ("application/vnd.microsoft.meetingStart"); the handler gets its value."""
        if name in self._events:
            raise ValueError(f"event {name!r} registered twice")
        self._events[name] = handler

    # Lookup ---------------------------------------------------------------------------------------------

    def match(self, text: str) -> tuple[Command, str] | None:
        """The command a text starts with (whole words only) and the rest of the text."""
        found = self._match_phrase(text)
        return (found[1], found[2]) if found is not None else None

    def _match_phrase(self, text: str) -> tuple[str, Command, str] | None:
        """The phrase a text starts with (whole words only; the longest), its command and the rest of the text."""
        cleaned = normalise(text)
        lowered = cleaned.lower()
        for phrase, command in self._phrases:
            if lowered == phrase:
                return phrase, command, ""
            if lowered.startswith(phrase) and (not phrase[-1].isalnum() or lowered[len(phrase)] == " "):
                return phrase, command, cleaned[len(phrase) :].strip()
        return None

    def commands(self) -> list[Command]:
        return list(self._commands)

    def check_rules(self) -> None:
        """Every command and verb has its permission rule in dialogs/access.py (raises MissingRule otherwise)."""
        check_complete({c.name for c in self._commands}, set(self._actions), set(self._invokes), set(self._events))

    def verbs(self) -> list[str]:
        return sorted(self._actions)

    def invokes(self) -> list[str]:
        return sorted(self._invokes)

    def events(self) -> list[str]:
        return sorted(self._events)

    def handles_invoke(self, name: str | None) -> bool:
        return name in self._invokes

    def handles_event(self, name: str | None) -> bool:
        return name in self._events

    def contract(self, verb: str) -> type[BaseModel] | None:
        """The payload contract a verb's data must satisfy; None for a verb nobody registered."""
        action = self._actions.get(verb)
        return action.payload if action is not None else None

    def menu_entries(self, t: Translator, permits: Callable[[Action], bool] | None = None) -> list[MenuEntry]:
        """The menu rows; without `permits` only those for everyone."""
        return [self._menu_entry(c, t) for c in self._menu_commands(permits)]

    def _menu_commands(self, permits: Callable[[Action], bool] | None) -> list[Command]:
        return [
            c
            for c in self._commands
            if c.menu
            and c.menu.section is not None
            and (c.menu.requires is None or (permits is not None and permits(c.menu.requires)))
        ]

    @staticmethod
    def _menu_entry(c: Command, t: Translator) -> MenuEntry:
        assert c.menu is not None and c.menu.section is not None  # _menu_commands keeps only these
        return MenuEntry(
            command=c.name,
            title=t(c.menu.title_key),
            description=t(c.menu.description_key),
            example=c.menu.examples[t.language],
            section=c.menu.section,
            phrase=c.phrases[t.language][0],
        )

    def command_list(self, language: Language) -> list[tuple[str, str]]:
        """(typed command, description) pairs for the Teams app manifest."""
        t = translator(language)
        # The manifest's list is the same for everyone: commands only some roles may use stay out of it.
        return [
            (c.phrases[language][0], t(c.menu.description_key))
            for c in self._commands
            if c.menu and c.menu.requires is None
        ]

    def help_card(self, t: Translator, permits: Callable[[Action], bool] | None = None) -> dict[str, Any]:
        """Built once per language and set of visible entries (the registry does not change after start-up);
        each caller gets its own copy, read-only at the top, with the JSON text the transport sends."""
        commands = self._menu_commands(permits)
        key = (t.language, tuple(c.name for c in commands))
        cached = self._help_cards.get(key)
        if cached is None:  # the rows are translated only here: a help turn asks the cache, not the catalog
            card = build_help_card([self._menu_entry(c, t) for c in commands], t)
            cached = self._help_cards[key] = json.dumps(card, separators=(",", ":"))
        return EncodedCard(cached)

    def help_card_for(self, request: Request, services: Services) -> dict[str, Any]:
        """The menu as this person may use it (database work: call from a worker thread)."""
        if request.person.id is None:
            return self.help_card(request.t)
        roles = me(request, services).roles
        decided: dict[Action, bool] = {}  # a dozen entries ask about the same few actions

        def permits(action: Action) -> bool:
            # As the router's rule decides: the role, else what the data says (named manager of a project).
            if action not in decided:
                decided[action] = (
                    allowed(Actor(roles=roles), action).allowed or allowed(standing(request, services), action).allowed
                )
            return decided[action]

        return self.help_card(request.t, permits)

    # Dispatch -------------------------------------------------------------------------------------------

    async def dispatch(self, request: Request, services: Services) -> Reply:
        if request.kind == "message":
            return await self._dispatch_text(request, services)
        return await self._dispatch_action(request, services)

    async def dispatch_invoke(self, request: Request, services: Services) -> InvokeResult:
        """An invoke declared by name (request.verb; its value is request.payload): the name's rule, then the
        handler, on the same bounded path as a card press. A refusal or a Stop is answered as that invoke's
        protocol shows a message (invoke_answer)."""
        name = request.verb or ""
        handler = self._invokes[name]
        request = self._languages.pressed(request, services.clock.now())
        note_command(name)
        if (refused := await _checked_by_router(INVOKE_RULES[name], request, services)) is not None:
            return invoke_answer(name, refused)
        try:
            result = await _run(handler, request, services, request.payload)
        except Stop as stop:
            note_outcome("refused")
            return invoke_answer(name, stop.reply)
        assert isinstance(result, InvokeResult), f"{handler!r} returned {result!r}, not an InvokeResult"
        return result

    async def dispatch_event(self, request: Request, services: Services) -> Reply | None:
        """An event declared by name: the name's rule, then the handler; its Reply is posted in the conversation
        the event came from, None says nothing."""
        name = request.verb or ""
        handler = self._events[name]
        request = self._languages.pressed(request, services.clock.now())
        note_command(name)
        if await _checked_by_router(EVENT_RULES[name], request, services) is not None:
            return None  # nobody pressed anything: an event is not answered with a refusal
        try:
            result = await _run(handler, request, services, request.payload)
        except Stop as stop:
            note_outcome("refused")
            return stop.reply
        assert result is None or isinstance(result, Reply), f"{handler!r} returned {result!r}, not a Reply"
        return result

    def in_language_answered(self, request: Request, services: Services) -> Request:
        """The request in the language the person's last turn was answered in (their words', that day): for what is
        said around the answer, such as the first-run greeting above it."""
        return self._languages.pressed(request, services.clock.now())

    async def _dispatch_text(self, request: Request, services: Services) -> Reply:
        t = request.t
        if not request.text:
            note_outcome("invalid")
            return Reply.text(t("empty.text"))
        # Before any lookup: a pasted page of text is no command (and each of its words would be a query).
        if len(request.text) > TYPED_MAX:
            note_outcome("invalid")
            return Reply.text(t("error.text_too_long", limit=TYPED_MAX))
        if text_problem(request.text) is not None:
            note_outcome("invalid")
            return Reply.text(t("error.text_unreadable"))
        found = self._match_phrase(request.text)
        # Words of one language only ("uren", "hulp") are answered in that language until the person chooses one;
        # words of both ("status"), or none matched, in the language they last typed.
        typed = phrase_language(found[1].phrases, found[0]) if found is not None else None
        request = self._languages.typed(request, typed, services.clock.now())
        if found is None:
            note_outcome("unknown")
            return await asyncio.to_thread(self._not_understood, request, services)
        _, command, rest = found
        note_command(command.name)
        refused = await _checked_by_router(COMMAND_RULES[command.name], request, services)
        reply = refused if refused is not None else await _call(command.handler, request, services, rest)
        return self._languages.with_offer(request, reply, services.clock.now())

    def _not_understood(self, request: Request, services: Services) -> Reply:
        t = request.t
        example = next((c.menu.examples[t.language] for c in self._commands if c.menu), "help")
        shown = request.text if len(request.text) <= 80 else request.text[:77] + "…"
        message = f"{t('unknown.text', text=shown)} {t('unknown.hint', example=example)}"
        return Reply(texts=[message], cards=[self.help_card_for(request, services)])

    async def _dispatch_action(self, request: Request, services: Services) -> Reply:
        # A card press carries no words: it is answered in the language the person last typed (that day).
        request = self._languages.pressed(request, services.clock.now())
        action = self._actions.get(request.verb or "")
        if action is None:
            note_outcome("unknown")  # the verb is not noted: card data can say anything
            return Reply.text(request.t("error.unknown_action"))
        note_command(action.verb)
        if (refused := await _checked_by_router(VERB_RULES[action.verb], request, services)) is not None:
            return refused
        try:
            payload = action.payload.model_validate(request.payload)
        except ValidationError as invalid:
            note_outcome("invalid")
            if action.on_invalid is not None:
                return await _call(action.on_invalid, request, services, invalid)
            return Reply.text(describe_invalid(invalid, request.t))
        return await _call(action.handler, request, services, payload)

    def _show_help(self, request: Request, services: Services, rest: str) -> Reply:
        return Reply.card(self.help_card_for(request, services))

    async def _choose_project(self, request: Request, services: Services, payload: ChooseProject) -> Reply:
        """The "which project?" card (dialogs/kernel/who.py: find_project): the command it was asked for, run again
        with the chosen code, exactly as if typed (the same checks). Only a command that takes a project: card data
        could name any command, or text no command takes."""
        found = self.match(payload.command)
        code = " ".join(payload.code.split())
        if found is None or found[1] or not found[0].takes_project or not code:
            return Reply.text(request.t("lookup.choice_invalid"))
        command = found[0]
        typed = f"{command.phrases[request.language][0]} {code}"
        again = self.match(typed)
        if again is None or again[0] is not command:
            return Reply.text(request.t("lookup.choice_invalid"))
        return await self.dispatch(replace(request, kind="message", text=typed, verb=None, payload={}), services)

    async def _open_menu_entry(self, request: Request, services: Services, payload: MenuPayload) -> Reply:
        command = next((c for c in self._commands if c.name == payload.command), None)
        if command is None:
            return Reply.text(request.t("error.unknown_action"))
        return await _call(command.handler, request, services, "")


_ROUTER_SCOPES = (Scope.ROLE, Scope.ROLE_OR_PROJECT_MANAGER, Scope.ORGANISATION)


async def _checked_by_router(rule: Rule, request: Request, services: Services) -> Reply | None:
    """The organisation-wide rules, checked before any handler runs; project rules are the handler's."""
    if rule.scope not in _ROUTER_SCOPES or request.person.id is None:
        return None  # no database work (and no thread hop) for the turns that need none, such as help
    return await asyncio.to_thread(_refused_by_rule, rule, request, services)


def _refused_by_rule(rule: Rule, request: Request, services: Services) -> Reply | None:
    who = me(request, services)  # read once per turn: the handler's own checks reuse it
    roles = who.roles
    if rule.scope in (Scope.ROLE, Scope.ROLE_OR_PROJECT_MANAGER):
        assert rule.action is not None
        decision = allowed(Actor(roles=roles), rule.action)
        if not decision.allowed and rule.scope == Scope.ROLE_OR_PROJECT_MANAGER:
            decision = allowed(standing(request, services), rule.action)  # the data, read anew this turn
        if decision.allowed:
            return None
        note_outcome("refused")
        return Reply.text(request.t("permission.refused", who=request.t(decision.who_can)))
    if roles or ProjectRepository(services.db).has_place(who.id):
        return None
    note_outcome("refused")
    return Reply.text(request.t("permission.refused", who=request.t("permission.who.organisation")))


def describe_invalid(invalid: ValidationError, t: Translator) -> str:
    """What was wrong with a card's data, field by field, in the reader's language (never the value itself: it
    may be what could not be read)."""
    problems = []
    for error in invalid.errors():
        name = ".".join(str(part) for part in error["loc"]) or "?"
        kind, context = error["type"], error.get("ctx") or {}
        if kind == "missing":
            problems.append(t("error.field_missing", field=name))
        elif kind in (UNREADABLE, "string_unicode"):
            problems.append(t("error.field_unreadable", field=name))
        elif kind == "string_too_long":
            problems.append(t("error.field_too_long", field=name, limit=context.get("max_length", "?")))
        elif kind == DATE_OUT_OF_RANGE:
            problems.append(t("error.field_date_range", field=name, first=FIRST_YEAR, last=LAST_YEAR))
        elif kind in (OUT_OF_RANGE, "int_parsing_size", "greater_than", "less_than_equal", "less_than"):
            problems.append(t("error.field_out_of_range", field=name))
        else:
            problems.append(t("error.field_invalid", field=name))
    return t("error.invalid_submit", fields="; ".join(problems))


async def _call(handler: Callable[..., Any], *args: Any) -> Reply:
    """A command's or verb's handler (see _run); a Stop raised on the way is the turn's answer."""
    try:
        outcome = await _run(handler, *args)
    except Stop as stop:
        note_outcome("refused")
        return stop.reply
    assert isinstance(outcome, Reply), f"{handler!r} returned {outcome!r}, not a Reply"
    return outcome


async def _run(handler: Callable[..., Any], *args: Any) -> Any:
    """Coroutine handlers run on the loop; plain ones (database work) in a worker thread."""
    if inspect.iscoroutinefunction(handler):
        return await handler(*args)
    outcome = await asyncio.to_thread(handler, *args)
    if inspect.isawaitable(outcome):
        outcome = await outcome
    return outcome


# How each family of invokes shows a plain message (a refusal, "busy", an apology): Teams reads only its own shape.
_SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"


def invoke_answer(name: str, reply: Reply) -> InvokeResult:
    """A Reply's words as the answer to the invoke `name`: a message extension shows them in its result pane, a
    dialog (task module) in a message dialog, a typeahead search shows no choices (it has no place for words), and
    anything else gets the Universal Actions message body."""
    text = " ".join(reply.texts)
    if name.startswith("composeExtension/"):
        return InvokeResult({"composeExtension": {"type": "message", "text": text}})
    if name.startswith("task/"):
        return InvokeResult({"task": {"type": "message", "value": text}})
    if name == "application/search":
        return InvokeResult({"statusCode": 200, "type": _SEARCH_RESPONSE, "value": {"results": []}})
    return InvokeResult({"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text})
