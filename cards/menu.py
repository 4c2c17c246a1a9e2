"""The help menu and the welcome card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from microsoft_teams.cards.core import ActionSet, Column, ColumnSet, Container

from cards.base import card, heading, paragraph, submit
from cards.i18n import Translator

MENU_VERB = "menu.open"


@dataclass(frozen=True)
class MenuEntry:
    """One capability in the help menu: what it is called, what it does, how to type it."""

    command: str  # the canonical command the button runs
    title: str
    description: str
    example: str


def build_help_card(entries: list[MenuEntry], t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("menu.title")), paragraph(t("menu.intro"), subtle=True)]
    for entry in entries:
        body.append(_menu_row(entry, t))
    return card(body)


def _menu_row(entry: MenuEntry, t: Translator) -> Container:
    """Text on the left, a visible button on the right (a tappable row alone looks like plain text on a phone)."""
    press = submit(t("menu.open_button"), MENU_VERB, command=entry.command)
    text = Column(
        width="stretch",
        vertical_content_alignment="Center",
        items=[
            paragraph(f"**{entry.title}** — {entry.description}"),
            paragraph(t("menu.example", example=entry.example), subtle=True),
        ],
    )
    button = Column(width="auto", vertical_content_alignment="Center", items=[ActionSet(actions=[press])])
    return Container(separator=True, items=[ColumnSet(columns=[text, button])])


def build_welcome_card(t: Translator, *, personal: bool, help_command: str) -> dict[str, Any]:
    body = [heading(t("welcome.title")), paragraph(t("welcome.personal" if personal else "welcome.group"))]
    return card(body, [submit(t("welcome.open_menu"), MENU_VERB, command=help_command)])
