"""The help menu card: folded sections that fit a phone screen, every capability in it, as each person may use it,
built once per language and set of visible entries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import dialogs.kernel.router
from cards.i18n import LANGUAGES, Language, catalog, translator
from cards.menu import MENU_VERB, MenuSection, section_element_id
from dialogs.app import build_router
from dialogs.kernel.permissions import Action

JSON = dict[str, Any]


def everything(_action: Action) -> bool:
    return True


def walk(node: Any) -> Iterator[JSON]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def rows(card: JSON) -> dict[str, JSON]:
    """Each tappable entry row, by the command it runs."""
    found = {}
    for node in walk(card):
        action = node.get("selectAction")
        if isinstance(action, dict) and action.get("data", {}).get("verb") == MENU_VERB:
            assert action["type"] == "Action.Submit"
            found[action["data"]["command"]] = node
    return found


def texts(node: Any) -> str:
    return " ".join(n["text"] for n in walk(node) if n.get("type") == "TextBlock")


def toggles(card: JSON) -> dict[str, list[str]]:
    """Each folding header's title and the ids it unfolds."""
    return {
        n["selectAction"]["title"]: n["selectAction"]["targetElements"]
        for n in walk(card)
        if isinstance(n.get("selectAction"), dict) and n["selectAction"]["type"] == "Action.ToggleVisibility"
    }


def by_id(card: JSON, element_id: str) -> JSON:
    (found,) = [n for n in walk(card) if n.get("id") == element_id]
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_capability_is_in_the_administrators_menu_once_in_its_section(language: Language) -> None:
    router = build_router()
    t = translator(language)
    card = router.help_card(t, everything)
    listed = rows(card)
    in_menu = [c for c in router.commands() if c.menu and c.menu.section is not None]
    assert len(in_menu) >= 20
    assert set(listed) == {c.name for c in in_menu}
    assert len(list(n for n in walk(card) if n.get("data", {}).get("verb") == MENU_VERB)) == len(in_menu)
    for command in in_menu:
        assert command.menu is not None and command.menu.section is not None
        row = texts(listed[command.name])
        assert t(command.menu.title_key) in row and t(command.menu.description_key) in row
        # What to type, in the row itself: users learn to type.
        assert t("menu.example", example=command.menu.examples[language]) in row
        section = command.menu.section
        if section_element_id(section) in {i for ids in toggles(card).values() for i in ids}:
            assert listed[command.name] in by_id(card, section_element_id(section))["items"]
    # The help command is the card itself: in the manifest's list, not a row of its own.
    assert "help" not in listed and any(name in ("help", "hulp") for name, _ in router.command_list(language))


def test_sections_group_what_coordinators_do_together() -> None:
    sections = {c.name: c.menu.section for c in build_router().commands() if c.menu}
    assert {sections[n] for n in ("log", "timesheet", "export", "leave")} == {MenuSection.TIME}
    assert {sections[n] for n in ("update", "status", "milestones", "risks", "report", "portfolio")} == {
        MenuSection.STATUS
    }
    assert {sections[n] for n in ("new meeting", "meetings")} == {MenuSection.MEETINGS}
    assert {sections[n] for n in ("settings", "my data", "forget me")} == {MenuSection.YOU}
    assert {sections[n] for n in ("roles", "domains", "governments")} == {MenuSection.ADMIN}
    assert sections["handover"] is MenuSection.HANDOVER and sections["help"] is None


def test_the_menu_is_folded_into_sections_that_say_what_to_type() -> None:
    t = translator("nl")
    card = build_router().help_card(t, everything)
    headers = toggles(card)
    # In the card's order; Handover has one entry, so it has nothing to fold.
    assert list(headers) == [
        "Tijd",
        "Planning en bezetting",
        "Projecten",
        "Status en rapportering",
        "Vergaderingen",
        "Jij en je gegevens",
        "Beheer",
    ]
    for title, (target,) in headers.items():
        folded = by_id(card, target)
        assert folded["isVisible"] is False, title
        assert folded["type"] == "Container" and len(folded["items"]) >= 2
    assert "registreer · uren · export · verlof" in texts(card) and "rollen · domeinen · besturen" in texts(card)
    # Folded, the card shows only the headers (and the one-entry Handover row): about one phone screen.
    visible = [el for el in card["body"] if el.get("isVisible") is not False]
    assert len(visible) == 2 + 7 + 1
    handover = rows(card)["handover"]
    assert "Typ **overdracht DT-042**" in texts(handover) and handover in [r for el in visible for r in walk(el)]


def test_a_row_sends_what_the_open_button_sent() -> None:
    card = build_router().help_card(translator("en"))
    action = rows(card)["log"]["selectAction"]
    assert action == {"type": "Action.Submit", "title": "Log time", "data": {"verb": "menu.open", "command": "log"}}


def test_the_menu_shows_each_person_only_what_they_may_do() -> None:
    router = build_router()
    t = translator("en")
    everyone = router.help_card(t)
    assert not {"roles", "domains", "governments", "portfolio"} & set(rows(everyone))
    assert "Administration" not in toggles(everyone)
    assert "portfolio" not in texts(everyone)
    manager = router.help_card(t, lambda action: action is Action.VIEW_PORTFOLIO)
    assert "portfolio" in rows(manager) and "roles" not in rows(manager)
    assert "update · status · milestones · risks · decisions · lessons · portfolio · report" in texts(manager)
    # One entry left in a section: shown as a row under the section's name, not folded.
    lists_only = router.help_card(t, lambda action: action is Action.MANAGE_PEOPLE)
    assert "Administration" not in toggles(lists_only)
    assert "Administration" in texts(lists_only) and "roles" in rows(lists_only)


def test_the_card_is_built_once_per_language_and_set_of_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[str, int]] = []
    real = dialogs.kernel.router.build_help_card

    def counting(entries: Any, t: Any) -> JSON:
        built.append((t.language, len(entries)))
        return real(entries, t)

    monkeypatch.setattr(dialogs.kernel.router, "build_help_card", counting)
    router = build_router()
    nl, en = translator("nl"), translator("en")

    first = router.help_card(nl)
    first["body"].clear()  # each caller gets its own copy
    second = router.help_card(nl)
    assert second["body"] and second == router.help_card(nl, lambda action: False)
    assert len(built) == 1

    assert router.help_card(en)["body"][0]["text"] == "What can I do for you?"
    admin = router.help_card(nl, everything)
    assert router.help_card(nl, lambda action: True) == admin
    assert len(rows(admin)) > len(rows(second))
    assert [language for language, _ in built] == ["nl", "en", "nl"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_section_has_a_title(language: Language) -> None:
    for section in MenuSection:
        assert catalog(language)[f"menu.section.{section.value}"].strip()
