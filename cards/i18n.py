"""Message catalogs (nl, en) and the translator every user-facing string goes through."""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal, get_args

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "nl"

_LOCALES_DIR = Path(__file__).resolve().parent / "locales"


@cache
def catalog(language: Language) -> Mapping[str, str]:
    with (_LOCALES_DIR / f"{language}.json").open(encoding="utf-8") as handle:
        data: dict[str, str] = json.load(handle)
    return data


def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def language_of(locale: str | None, default: Language = DEFAULT_LANGUAGE) -> Language:
    """nl-* gives Dutch, any other known locale English; nothing gives the default."""
    if not locale:
        return default
    prefix = locale.replace("_", "-").split("-")[0].strip().lower()
    if prefix == "nl":
        return "nl"
    if prefix:
        return "en"
    return default


class Translator:
    def __init__(self, language: Language) -> None:
        self.language: Language = language
        self._catalog = catalog(language)

    def __call__(self, key: str, **values: object) -> str:
        template = self._catalog.get(key)
        if template is None:
            # A missing key is a bug the catalog test catches; show the key rather than crash a turn.
            return key
        return template.format(**values) if values else template

    @property
    def locale(self) -> str:
        """The babel locale for formatting dates and numbers."""
        return "nl_BE" if self.language == "nl" else "en_GB"


def translator(language: Language) -> Translator:
    return _translator(language)


@cache
def _translator(language: Language) -> Translator:
    return Translator(language)
