"""Command matching: both languages, case and spacing ignored, whole words only, never a crash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dialogs.app import build_router
from dialogs.kernel.router import normalise

ROUTER = build_router()


def matched(text: str) -> tuple[str, str] | None:
    found = ROUTER.match(text)
    return (found[0].name, found[1]) if found else None


def test_english_and_dutch_words_reach_the_same_command() -> None:
    assert matched("help") == matched("hulp") == matched("?") == ("help", "")
    assert matched("settings") == matched("instellingen") == ("settings", "")


def test_case_and_spacing_are_ignored() -> None:
    assert matched("  HuLp  ") == ("help", "")
    assert matched("Instellingen\n") == ("settings", "")


def test_rest_of_the_text_is_passed_on_with_its_case() -> None:
    assert matched("help   DT-042  Extra") == ("help", "DT-042 Extra")


def test_whole_words_only() -> None:
    assert matched("helpdesk") is None
    assert matched("settingsx") is None


def test_every_command_has_a_dutch_and_english_phrase_and_menu_example() -> None:
    for command in ROUTER.commands():
        assert command.phrases["nl"] and command.phrases["en"], command.name
        if command.menu:
            assert ROUTER.match(command.menu.examples["nl"]) is not None
            assert ROUTER.match(command.menu.examples["en"]) is not None


def test_command_list_for_the_manifest() -> None:
    assert ("hulp", "Dit menu.") in ROUTER.command_list("nl")
    assert ("help", "This menu.") in ROUTER.command_list("en")


@given(st.text(max_size=300))
def test_matching_never_crashes(text: str) -> None:
    found = ROUTER.match(text)
    if found is not None:
        command, rest = found
        assert command in ROUTER.commands()
        assert rest == rest.strip()


@given(st.text(max_size=200))
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)
