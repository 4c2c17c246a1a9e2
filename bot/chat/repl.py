"""The conversation loop of `projectbot chat`: reads what the person types, turns it into Teams activities (typed
messages, button presses with the card's inputs filled in) and runs the bot on them; `run_chat` is the CLI's entry."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity

from bot.chat.activities import ActivityBuilder, ChatUser
from bot.chat.adapter import Logic, TerminalAdapter
from bot.chat.console import USER_PROMPT, Console, ShownCard
from bot.chat.render import JSON, CardButton, CardInput, card_json, plain_text, text_of, toggle_visibility
from bot.chat.validation import Problem, check, parse_answer
from bot.settings import Settings
from bot.teams_bot import ProjectBot
from cards.i18n import language_of
from dialogs.app import build_registry
from dialogs.kernel.clock import Clock, SystemClock
from dialogs.kernel.turn import Services
from storage import migrate
from storage.db import Database

log = logging.getLogger(__name__)

InputFn = Callable[[str], str]

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


class _Cancelled(Exception):
    """The person pressed Ctrl-C while filling in a card."""


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
        log_file: Path | None = None,
    ) -> None:
        self.logic = logic
        self.adapter = adapter
        self.activities = activities
        self.console = console
        self.runner = runner
        self.input_fn = input_fn
        self.echo = echo
        self.database = database
        self.log_file = log_file

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
        if self.log_file is not None:
            self.console.note(f"log: {self.log_file} (only warnings are shown here)")
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
            self.send(self.activities.message(text_of(teams.get("value"))))
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
            self.send(self.activities.message_back(text_of(teams.get("text")), value, shown.activity_id))
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
                parsed = parse_answer(card_input, answer)
                if isinstance(parsed, Problem):
                    self.console.line(f"   ! {parsed.message}")
                    continue
                value = parsed
            problem = check(card_input, value)
            if problem is None:
                return value
            self.console.line(f"   ! {problem}")
            current = value if answer else current


def _terminal_width(output: TextIO) -> int:
    isatty = getattr(output, "isatty", None)
    if callable(isatty) and isatty():
        return max(40, min(shutil.get_terminal_size().columns, 120))
    return 80


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
    first_run_admin: bool = False,
    log_file: Path | None = None,
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
            capacity_at_risk_percent=settings.capacity_at_risk_percent,
            capabilities=build_registry(),
        )
        # `projectbot chat` asks for it: the first person to talk to a database without an admin becomes one.
        bot = ProjectBot(build_registry().router(), services, first_run_admin=first_run_admin)
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
                database=settings.database_label(),
                log_file=log_file,
            )
            chat.start()
            return chat.run()
    finally:
        db.dispose()
