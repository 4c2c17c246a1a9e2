"""`projects` at phone width (found driving the Playground at 390 px): a project's name has the whole width of the
card, with its phase and your relation to it on a small line below, so a long name wraps between words. Beside the
name, in a column as wide as its own text ("implementatie · coördinator"), they squeezed the name to a few letters a
line and broke it mid-word ("omgevings / vergunnin / g")."""

from __future__ import annotations

from typing import Any

import pytest

from cards.i18n import Language, translator
from cards.projects import ProjectLine, build_project_list_card

LINE = ProjectLine("DT-038", "Digitaal loket omgevingsvergunning", "implementation", "coördinator")


def _items(card: dict[str, Any]) -> list[dict[str, Any]]:
    [project] = [item for item in card["body"] if item.get("type") == "Container"]
    items: list[dict[str, Any]] = project["items"]
    return items


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_name_has_the_whole_width_and_the_phase_is_below_it(language: Language) -> None:
    t = translator(language)
    items = _items(build_project_list_card([LINE], 1, 1, t))
    assert [item["type"] for item in items] == ["TextBlock", "TextBlock"]  # no columns side by side
    name, below = items
    assert name["text"] == "**DT-038** · Digitaal loket omgevingsvergunning" and name["wrap"] is True
    assert below["text"] == f"{t('project.phase.implementation')} · coördinator"
    assert below.get("isSubtle") is True and below["wrap"] is True
