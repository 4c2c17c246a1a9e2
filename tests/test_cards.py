"""Every card the bot can send is valid Adaptive Card 1.5 and under 28 KB, in Dutch and in English."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import cards
from tests.card_samples import all_samples, covered_builders
from tests.cardcheck import assert_valid_card, card_problems

SAMPLES = list(all_samples())


@pytest.mark.parametrize(("name", "card"), SAMPLES, ids=[name for name, _ in SAMPLES])
def test_card_is_valid_adaptive_card_1_5_under_28kb(name: str, card: dict[str, Any]) -> None:
    assert_valid_card(card)


def test_every_card_builder_has_samples() -> None:
    builders = set()
    for module_info in pkgutil.iter_modules(cards.__path__):
        module = importlib.import_module(f"cards.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("build_") and name.endswith("_card") and function.__module__ == module.__name__:
                builders.add(function)
    missing = {f"{b.__module__}.{b.__name__}" for b in builders - covered_builders()}
    assert not missing, f"add samples to tests/card_samples.py for: {sorted(missing)}"


def test_the_check_catches_an_invalid_card() -> None:
    broken = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]}
    assert any("text" in problem for problem in card_problems(broken))
    too_big = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "x" * 30_000}],
    }
    assert any("28672" in problem for problem in card_problems(too_big))


def test_menu_buttons_route_to_registered_commands() -> None:
    from dialogs.app import build_router

    router = build_router()
    names = {c.name for c in router.commands()}
    for _name, card in SAMPLES:
        for verb_data in _submit_data(card):
            if verb_data.get("verb") == "menu.open":
                assert verb_data["command"] in names


def _submit_data(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "Action.Submit" and isinstance(node.get("data"), dict):
            found.append(node["data"])
        for value in node.values():
            found.extend(_submit_data(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_submit_data(item))
    return found
