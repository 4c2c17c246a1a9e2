"""The Dutch and English message catalogs stay in step: same keys, same placeholders, no empty text; a message that
shows a count has the plural forms each language needs."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel import Locale
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from cards.i18n import LANGUAGES, PLURAL_CATEGORIES, Translator, catalog, language_of, placeholders, translator

ROOT = Path(__file__).resolve().parents[1]


def test_same_keys_in_every_language() -> None:
    keys = {language: set(catalog(language)) for language in LANGUAGES}
    reference = keys["nl"]
    for language, found in keys.items():
        assert found == reference, f"{language}: missing {sorted(reference - found)}, extra {sorted(found - reference)}"


def test_same_placeholders_for_every_key() -> None:
    for key, template in catalog("nl").items():
        assert placeholders(template) == placeholders(catalog("en")[key]), key


def _plural_entries(language: str) -> dict[str, dict[str, str]]:
    return {key: dict(entry) for key, entry in catalog(language).items() if not isinstance(entry, str)}  # type: ignore[arg-type]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_empty_messages(language: str) -> None:
    texts = [entry for entry in catalog(language).values() if isinstance(entry, str)]  # type: ignore[arg-type]
    texts += [form for forms in _plural_entries(language).values() for form in forms.values()]
    assert all(text.strip() for text in texts)


def test_a_message_with_plural_forms_has_them_in_both_languages() -> None:
    assert set(_plural_entries("nl")) == set(_plural_entries("en"))
    assert _plural_entries("nl"), "the catalogs have plural entries"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_entries_have_the_forms_cldr_asks_for(language: str) -> None:
    """CLDR (through babel) says which categories the language distinguishes; each plural entry gives every one of
    them, no category the translator would never pick, and the same placeholders in each form (a form may leave out
    the number itself: "(once)")."""
    t = translator(language)  # type: ignore[arg-type]
    needed = set(Locale.parse(t.locale).plural_form.tags) | {"other"}
    assert needed <= set(PLURAL_CATEGORIES)
    for key, forms in _plural_entries(language).items():
        assert set(forms) == needed, f"{key}: {sorted(forms)}, CLDR asks for {sorted(needed)}"
        shared = {name for name in placeholders(forms["other"]) if name != "count"}
        for category, template in forms.items():
            assert {n for n in placeholders(template) if n != "count"} == shared, f"{key}.{category}"
        assert "count" in placeholders(forms["other"]), f"{key}: the 'other' form shows the number"


def test_every_plural_message_is_given_its_count_where_it_is_used() -> None:
    """A plural message without count= shows its key: every literal call passes one."""
    plural_keys = set(_plural_entries("nl"))
    for folder in ("bot", "dialogs", "cards"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text("utf-8")
            for match in re.finditer(r"""\bt\(\s*["']([a-z_.]+)["']""", text):
                if match.group(1) in plural_keys:
                    call = text[match.start() : match.start() + 300]
                    assert "count=" in call.split("\n\n")[0], f"{path.name}: {match.group(1)} without count="


@pytest.mark.parametrize(
    ("count", "nl", "en"),
    [
        (0, "0 dagen geleden bijgewerkt", "updated 0 days ago"),
        (1, "1 dag geleden bijgewerkt", "updated 1 day ago"),
        (2, "2 dagen geleden bijgewerkt", "updated 2 days ago"),
        (1250, "1.250 dagen geleden bijgewerkt", "updated 1,250 days ago"),
        ("21", "21 dagen geleden bijgewerkt", "updated 21 days ago"),
    ],
)
def test_the_count_picks_the_form_and_is_written_in_the_readers_notation(count: object, nl: str, en: str) -> None:
    assert translator("nl")("portfolio.age", count=count) == nl
    assert translator("en")("portfolio.age", count=count) == en


@pytest.mark.parametrize(
    ("hours", "nl", "en"),
    [
        (Decimal(1), "1 uur besteed (geen urenbudget)", "1 hour spent (no hour budget set)"),
        (Decimal("1.00"), "1 uur besteed (geen urenbudget)", "1 hour spent (no hour budget set)"),
        (Decimal("1.5"), "1,5 uur besteed (geen urenbudget)", "1.5 hours spent (no hour budget set)"),
        (Decimal(2), "2 uur besteed (geen urenbudget)", "2 hours spent (no hour budget set)"),
    ],
)
def test_hours_decimals_take_the_plural_and_dutch_uur_does_not_change(hours: Decimal, nl: str, en: str) -> None:
    assert translator("nl")("status.hours.no_budget", count=hours) == nl
    assert translator("en")("status.hours.no_budget", count=hours) == en


def test_a_form_may_say_the_number_in_words() -> None:
    assert translator("en")("meeting.import.count", count=1) == "(once)"
    assert translator("en")("meeting.import.count", count=3) == "(3 times)"
    assert translator("nl")("meeting.import.count", count=1) == "(1 keer)"


def test_a_plural_message_without_its_count_shows_the_key_instead_of_crashing() -> None:
    assert Translator("nl")("portfolio.age") == "portfolio.age"


@pytest.mark.parametrize("count", ["veel", "NaN", "Infinity", None])
def test_a_count_that_is_no_number_is_shown_as_given_without_crashing(count: object) -> None:
    assert Translator("en")("portfolio.age", count=count) == f"updated {count} days ago"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nl-BE", "nl"),
        ("nl-NL", "nl"),
        ("NL", "nl"),
        ("en-US", "en"),
        ("fr-BE", "en"),
        (None, "nl"),
        ("", "nl"),
    ],
)
def test_language_from_teams_locale(locale: str | None, expected: str) -> None:
    assert language_of(locale) == expected


def test_missing_key_shows_the_key_instead_of_crashing() -> None:
    assert Translator("en")("no.such.key") == "no.such.key"


def test_every_key_used_in_code_exists() -> None:
    """Keys written literally in the code must be in the catalog (dynamic keys are checked by their tests)."""
    root = ROOT
    used: set[str] = set()
    pattern = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")
    for folder in ("bot", "dialogs", "cards"):
        for path in (root / folder).rglob("*.py"):
            used.update(pattern.findall(path.read_text("utf-8")))
    missing = used - set(catalog("nl"))
    assert not missing, sorted(missing)


def test_english_says_worked_for_hours_someone_worked() -> None:
    """Dutch "gepresteerd" is "worked" in English, never "performed" (keys keep their name)."""
    english = catalog("en")
    assert not [key for key, entry in english.items() if "perform" in str(entry).lower()]
    assert english["time.kind.performed"] == "Worked" and catalog("nl")["time.kind.performed"] == "Gepresteerd"


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_are_written_as_babel_writes_them_in_the_readers_notation(language: str) -> None:
    t = translator(language)  # type: ignore[arg-type]
    values = [Decimal(n) / d for n in (0, 1, -1, 7, 150, 1005, 123456, 98765432, -4321) for d in (1, 3, 60, 7, 1000)]
    for value in [
        *values,
        2.5,
        12,
        Decimal("1E+3"),
        Decimal("0.125"),
        Decimal("-Infinity"),
        float("inf"),
        Decimal("NaN"),
    ]:
        assert t.number(value) == format_decimal(value, format="#,##0.##", locale=t.locale), value
    assert t.number(Decimal("1234.5")) == {"nl": "1.234,5", "en": "1,234.5"}[language]


@pytest.mark.parametrize("language", LANGUAGES)
@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=4),
        st.integers(min_value=-(10**15), max_value=10**15),
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    )
)
def test_any_number_is_written_as_babel_writes_it(language: str, value: Decimal | int | float) -> None:
    t = translator(language)  # type: ignore[arg-type]
    assert t.number(value) == format_decimal(value, format="#,##0.##", locale=t.locale)
