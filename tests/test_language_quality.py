"""Cards and messages read as a person would write them: "1 dag", "2 dagen", "1 day", never "1 dagen" or
"updated 1 days ago"; dates in running text no reader can misread ("1 dec 2026", never "01/12/2026", which an
en-US reader takes for January 12).

Every card sample (tests/card_samples.py) is scanned in both languages, every card that shows a count
(tests/counted_card_samples.py) is built with 0, 1 and 2, and every catalog message is rendered with 0, 1 and 2 in
each of its placeholders (so text replies, which have no card sample, are read too)."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Any

import pytest

from cards.i18n import LANGUAGES, Language, catalog, placeholders, translator
from tests.card_samples import all_samples
from tests.counted_card_samples import COUNTED_SAMPLES

COUNTS = (0, 1, 2)

# Nouns that change after a count. Dutch "uur" and "keer" do not ("2 uur", "3 keer"), English "hours" does.
_PLURAL_NOUNS = (
    "dagen|werkdagen|weken|maanden|uren|minuten|punten|actiepunten|registraties|projecten|mijlpalen|risico's|"
    "vergaderingen|besturen|tekens|keren|personen|"
    "days|working days|weeks|months|hours|minutes|items|action items|entries|time entries|projects|milestones|"
    "risks|meetings|governments|characters|times|people|persons"
)
_SINGULAR_NOUNS = (
    "dag|werkdag|week|maand|minuut|punt|actiepunt|registratie|project|mijlpaal|risico|vergadering|bestuur|teken|"
    "day|working day|month|hour|minute|item|action item|entry|time entry|milestone|risk|meeting|government|"
    "character|time(?! entr)|person"
)
# A count followed by the wrong form: "1 dagen", "updated 1 days ago"; "0 day", "2 item". Decimals take the plural
# ("1,5 uur", "1.5 hours"), so a number with a decimal part before a singular is a mistake too.
ONE_WITH_PLURAL = re.compile(rf"(?<![\d.,])1 (?:{_PLURAL_NOUNS})\b", re.IGNORECASE)
OTHER_WITH_SINGULAR = re.compile(
    rf"(?<![\d.,])(?:[02-9]|\d{{2,}}|\d+[.,]\d+) (?:{_SINGULAR_NOUNS})\b(?!['’-])", re.IGNORECASE
)
# Day and month in digits: 01/12/2026 is 1 December in Flanders and January 12 in the US.
NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")
# The same without the year ("di 1/12") is as ambiguous; typed examples in **bold** ("verlof 24/12") are what the
# person types, not a date we write.
NUMERIC_DAY_MONTH = re.compile(r"(?<![\w*/])\d{1,2}/\d{1,2}(?![\w/*])")


def mistakes(text: str) -> list[str]:
    found = [m.group(0) for m in ONE_WITH_PLURAL.finditer(text)]
    found += [m.group(0) for m in OTHER_WITH_SINGULAR.finditer(text)]
    return found


def date_mistakes(text: str) -> list[str]:
    without_typed_examples = re.sub(r"\*\*[^*]+\*\*", "", text)
    return NUMERIC_DATE.findall(without_typed_examples) + NUMERIC_DAY_MONTH.findall(without_typed_examples)


def shown_text(element: Any) -> Iterator[str]:
    """The text a reader sees on a card: text blocks, fact titles and values, button titles, input labels; not what
    is in an input field (a date input holds 2026-12-01, which the client shows in the reader's own way) nor the
    data a button sends."""
    if isinstance(element, list):
        for item in element:
            yield from shown_text(item)
        return
    if not isinstance(element, dict):
        return
    kind = str(element.get("type", ""))
    if kind.startswith("Input."):
        yield from (str(element[key]) for key in ("label", "errorMessage") if key in element)
        return
    for key in ("text", "title", "label", "altText", "errorMessage"):
        if isinstance(element.get(key), str):
            yield element[key]
    if kind == "FactSet":
        yield from (str(fact.get("value", "")) for fact in element.get("facts", []))
    for key, value in element.items():
        if key not in ("data", "facts") and isinstance(value, list | dict):
            yield from shown_text(value)


def _card_text(card: dict[str, Any]) -> str:
    return "\n".join(shown_text(card))


@pytest.mark.parametrize("name_and_card", list(all_samples()), ids=lambda pair: pair[0])
def test_card_samples_have_no_count_or_date_mistakes(name_and_card: tuple[str, dict[str, Any]]) -> None:
    _name, card = name_and_card
    text = _card_text(card)
    assert not mistakes(text), mistakes(text)
    assert not date_mistakes(text), date_mistakes(text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize(("name", "make"), COUNTED_SAMPLES, ids=[name for name, _ in COUNTED_SAMPLES])
def test_cards_with_counts_read_well_for_0_1_and_2(name: str, make: Any, count: int, language: Language) -> None:
    text = _card_text(make(translator(language), count))
    assert not mistakes(text), f"{name} with {count}: {mistakes(text)}"
    assert not date_mistakes(text), f"{name}: {date_mistakes(text)}"


# A {limit} is a maximum the code fixes (200 characters, 30 items), never 1: it keeps its plural.
FIXED = {"limit": 200}


def _rendered_messages(language: Language, count: int) -> Iterator[tuple[str, str]]:
    """Every catalog message with each placeholder filled by the count: a count the message shows reads it."""
    t = translator(language)
    for key, entry in catalog(language).items():
        names = placeholders(entry)
        if names:
            yield key, t(key, **{name: FIXED.get(name, count) for name in names} | {"count": count})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", COUNTS)
def test_every_message_reads_well_for_0_1_and_2(language: Language, count: int) -> None:
    wrong = {key: mistakes(text) for key, text in _rendered_messages(language, count) if mistakes(text)}
    assert not wrong, wrong


def test_the_scan_finds_what_it_is_for() -> None:
    """The patterns themselves: they catch the mistakes from the issue and let good text through."""
    for bad in ("1 dagen geleden bijgewerkt", "updated 1 days ago", "Here are 1 time entries", "2 item", "1,5 day"):
        assert mistakes(bad), bad
    for good in ("1 dag geleden", "2 uur", "1 uur", "1,5 uur", "1.5 hours", "12 days", "0 items", "21 dagen", "1 u"):
        assert not mistakes(good), good
    assert date_mistakes("gepland op 01/12/2026") and date_mistakes("di 1/12")
    assert not date_mistakes("gepland op 1 dec 2026, typ **verlof 24/12**")


def _template_text(entry: object) -> str:
    return " ".join(entry.values()) if isinstance(entry, dict) else str(entry)


def _ambiguous(day_and_month: str) -> bool:
    first, second = (int(part) for part in re.split(r"[/.-]", day_and_month)[:2])
    return first <= 12 and second <= 12


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_examples_of_dates_cannot_be_misread(language: Language) -> None:
    """A sentence the bot writes about a date gets it as a placeholder; an example of what to type may use digits
    ("bv. 27/11/2026": the form reads day/month), but only with a day past 12, which no reader takes for a month."""
    formatter = string.Formatter()
    for key, entry in catalog(language).items():
        literal = "".join(text for text, *_ in formatter.parse(_template_text(entry)))
        numeric = NUMERIC_DATE.findall(literal) + NUMERIC_DAY_MONTH.findall(literal)
        assert not [found for found in numeric if _ambiguous(found)], key


def _fact_titles(element: Any) -> Iterator[str]:
    if isinstance(element, dict):
        for fact in element.get("facts") or []:
            if isinstance(fact, dict):
                yield str(fact.get("title", ""))
        for value in element.values():
            yield from _fact_titles(value)
    elif isinstance(element, list):
        for item in element:
            yield from _fact_titles(item)


@pytest.mark.parametrize("name_and_card", list(all_samples()), ids=lambda pair: pair[0])
def test_a_card_shows_what_a_value_is_not_the_forms_instructions(name_and_card: tuple[str, dict[str, Any]]) -> None:
    """A form's label may say "(optional)"; a card showing the value must not ("Budget (euro, optioneel): € 98.000")."""
    _name, card = name_and_card
    leaked = [title for title in _fact_titles(card) if re.search(r"optional|optioneel|\be\.g\.|\bbv\.", title, re.I)]
    assert not leaked, leaked
