"""`projectbot chat`: talk to the real bot (same turn handler, same database) in a terminal, without Teams.

Where each part lives:

- `repl` — the conversation loop (`TerminalChat`: typed lines, chat commands such as `/1` or `/lang`, button
  presses with the card's inputs asked for one by one) and `run_chat`, the CLI's entry point;
- `activities` — the person at the terminal (`ChatUser`) and the Teams-shaped activities sent for them
  (`ActivityBuilder`);
- `adapter` — `TerminalAdapter`, the in-process Bot Framework adapter that runs a turn and prints what the bot sends;
- `console` — what is printed (`Console`) and the cards shown so far (`ShownCard`);
- `render` — Adaptive Cards as text, with their buttons and inputs (`render_card`);
- `validation` — an answer typed into a card input, parsed and checked as a Teams client would.
"""

from bot.chat.activities import CHAT_BOT_ID, CHAT_TENANT_ID, ActivityBuilder, ChatUser
from bot.chat.adapter import TerminalAdapter
from bot.chat.console import Console, ShownCard
from bot.chat.render import CardButton, CardInput, RenderedCard, card_json, plain_text, render_card, toggle_visibility
from bot.chat.repl import TerminalChat, run_chat

__all__ = [
    "CHAT_BOT_ID",
    "CHAT_TENANT_ID",
    "ActivityBuilder",
    "CardButton",
    "CardInput",
    "ChatUser",
    "Console",
    "RenderedCard",
    "ShownCard",
    "TerminalAdapter",
    "TerminalChat",
    "card_json",
    "plain_text",
    "render_card",
    "run_chat",
    "toggle_visibility",
]
