"""The help menu and the welcome card.

The menu is short enough for one phone screen: a few sections, folded. A section's header shows its name and the
commands in it (people learn to type them); tapping it unfolds the section (Action.ToggleVisibility, on the client,
no round trip). Each entry is one tappable row: its name, a short description and what to type. A section with a
single entry shows that row straight away.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from microsoft_teams.cards.core import (
    CardElement,
    Column,
    ColumnSet,
    Container,
    TextBlock,
    ToggleVisibilityAction,
)

from cards.base import card, heading, paragraph, submit
from cards.i18n import Translator
from cards.payloads import Payload

MENU_VERB = "menu.open"


class MenuPayload(Payload):
    """A menu row or an "open the menu" button: runs the command as if it had been typed without arguments."""

    VERB: ClassVar[str] = MENU_VERB
    command: str


class MenuSection(StrEnum):
    """The menu's sections, in the order they are shown; each has a title `menu.section.<value>`."""

    TIME = "time"
    PLANNING = "planning"
    PROJECTS = "projects"
    STATUS = "status"
    MEETINGS = "meetings"
    HANDOVER = "handover"
    YOU = "you"
    ADMIN = "admin"


@dataclass(frozen=True)
class MenuEntry:
    """One capability in the help menu: what it is called, what it does, how to type it."""

    command: str  # the canonical command the row runs
    title: str
    description: str
    example: str  # a whole typed example: "registreer 2u30 DT-042"
    section: MenuSection
    phrase: str  # the command word alone, for the folded section's summary: "registreer"


def section_element_id(section: MenuSection) -> str:
    """The id of the folded part of a section (the target of its header's toggle)."""
    return f"menu-{section.value}"


def build_help_card(entries: list[MenuEntry], t: Translator) -> dict[str, Any]:
    body: list[CardElement] = [heading(t("menu.title")), paragraph(t("menu.intro"), subtle=True)]
    for section in MenuSection:
        rows = [entry for entry in entries if entry.section is section]
        if len(rows) == 1:
            body.append(_open_section(section, rows[0], t))
        elif rows:
            body.extend(_folded_section(section, rows, t))
    return card(body)


def _folded_section(section: MenuSection, rows: list[MenuEntry], t: Translator) -> list[CardElement]:
    title = t(f"menu.section.{section.value}")
    folded_id = section_element_id(section)
    header = Container(
        separator=True,
        select_action=ToggleVisibilityAction(title=title, target_elements=[folded_id]),
        items=[
            ColumnSet(
                columns=[
                    Column(
                        width="stretch",
                        items=[
                            TextBlock(text=title, weight="Bolder", wrap=True),
                            # What to type, in the person's language: the section is useful folded too.
                            TextBlock(
                                text=" · ".join(row.phrase for row in rows),
                                is_subtle=True,
                                size="Small",
                                spacing="None",
                                wrap=True,
                            ),
                        ],
                    ),
                    _unfold_hint(),
                ]
            )
        ],
    )
    unfolded = Container(
        id=folded_id,
        is_visible=False,
        spacing="Small",
        style="emphasis",
        items=[_entry_row(row, t, first=index == 0) for index, row in enumerate(rows)],
    )
    return [header, unfolded]


def _open_section(section: MenuSection, entry: MenuEntry, t: Translator) -> Container:
    """A section of one entry: nothing to unfold, its row is shown under the section's name (once: not when the
    entry has that name too, as Handover does)."""
    title = t(f"menu.section.{section.value}")
    items: list[CardElement] = []
    if title != entry.title:
        items.append(TextBlock(text=title, weight="Bolder", wrap=True))
    items.append(_entry_row(entry, t, first=True))
    return Container(separator=True, items=items)


def _entry_row(entry: MenuEntry, t: Translator, *, first: bool) -> Container:
    """The whole row is the button: it sends what the old Open button sent (a row of its own per entry, so a
    finger finds it; no extra columns, to keep the card small)."""
    return Container(
        spacing="Small" if first else "Medium",
        select_action=submit(entry.title, MenuPayload, command=entry.command),
        items=[
            TextBlock(text=f"**{entry.title}** · {entry.description}", wrap=True),
            TextBlock(
                text=t("menu.example", example=entry.example),
                is_subtle=True,
                size="Small",
                spacing="None",
                wrap=True,
            ),
        ],
    )


def _unfold_hint() -> Column:
    return Column(
        width="auto",
        vertical_content_alignment="Center",
        items=[TextBlock(text="▾", is_subtle=True, size="Medium")],
    )


def build_welcome_card(t: Translator, *, personal: bool, help_command: str) -> dict[str, Any]:
    body = [heading(t("welcome.title")), paragraph(t("welcome.personal" if personal else "welcome.group"))]
    return card(body, [submit(t("welcome.open_menu"), MenuPayload, command=help_command)])
