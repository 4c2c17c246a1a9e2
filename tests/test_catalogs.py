"""The Dutch and English message catalogs stay in step: same keys, same placeholders, no empty text."""

from __future__ import annotations

import pytest

from cards.i18n import LANGUAGES, Translator, catalog, language_of, placeholders


def test_same_keys_in_every_language() -> None:
    keys = {language: set(catalog(language)) for language in LANGUAGES}
    reference = keys["nl"]
    for language, found in keys.items():
        assert found == reference, f"{language}: missing {sorted(reference - found)}, extra {sorted(found - reference)}"


def test_same_placeholders_for_every_key() -> None:
    for key, template in catalog("nl").items():
        assert placeholders(template) == placeholders(catalog("en")[key]), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_empty_messages(language: str) -> None:
    assert all(text.strip() for text in catalog(language).values())  # type: ignore[arg-type]


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
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
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
    assert not [key for key, text in english.items() if "perform" in text.lower()]
    assert english["time.kind.performed"] == "Worked" and catalog("nl")["time.kind.performed"] == "Gepresteerd"
