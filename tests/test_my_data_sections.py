"""`my data` names every kind of stored data in the reader's language: each section storage.privacy registers (but
the bot's own conversation state, which `my data` leaves out) has a title in both catalogs, so the card never shows
a raw key such as 'mydata.section.time_entries' (it did for four sections, found trying the README in the chat)."""

from __future__ import annotations

import pytest

from cards.i18n import catalog
from storage.privacy import PERSONAL_DATA

SHOWN = [data.section for data in PERSONAL_DATA if data.section != "bot_state"]


def test_the_sections_include_those_registered_by_other_modules() -> None:
    assert {"time_entries", "project_status", "meetings", "handover"} <= set(SHOWN)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("section", SHOWN)
def test_every_section_of_my_data_has_a_title(language: str, section: str) -> None:
    title = catalog(language).get(f"mydata.section.{section}")
    assert isinstance(title, str) and title.strip() and not title.startswith("mydata."), (language, section)
