"""Message catalogs (nl, en) and the translator every user-facing string goes through.

A catalog entry is a template ("Hallo {name}") or, for a message that shows a count, its plural forms by CLDR
category: {"one": "{count} dag geleden", "other": "{count} dagen geleden"}. `t(key, count=n)` picks the form the
language wants for n (babel's plural rules: 1 is "one" in Dutch and English, 0, 2 and 1,5 are "other") and writes n
in the reader's notation ("1.250", "1,5").
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from babel import Locale
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "nl"

_LOCALES_DIR = Path(__file__).resolve().parent / "locales"


# A message's plural forms by CLDR category ("one", "other"; other languages would add "few", "many", ...).
PluralForms = Mapping[str, str]
Entry = str | PluralForms
# The categories Dutch and English use; every plural entry gives both (tests/test_catalogs.py checks).
PLURAL_CATEGORIES = ("one", "other")


@cache
def catalog(language: Language) -> Mapping[str, Entry]:
    with (_LOCALES_DIR / f"{language}.json").open(encoding="utf-8") as handle:
        data: dict[str, Entry] = json.load(handle)
    return data


def placeholders(entry: Entry) -> frozenset[str]:
    """The names a template fills in; for plural forms, those of every form together."""
    templates = [entry] if isinstance(entry, str) else list(entry.values())
    return frozenset(name for template in templates for _, name, _, _ in string.Formatter().parse(template) if name)


def plural_operand(count: object) -> int | Decimal | None:
    """The number as the reader sees it (two decimals at most), which decides the form: 1.0 and 1.004 are shown as
    "1" and read "1 hour"; 1.5 is "1.5 hours". None when the count is not a number."""
    try:
        number = round(Decimal(str(count)), 2)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else number.normalize()


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
        self._notation = _notation(self.locale)

    def __call__(self, key: str, **values: object) -> str:
        entry = self._catalog.get(key)
        if entry is None:
            # A missing key is a bug the catalog test catches; show the key rather than crash a turn.
            return key
        if not isinstance(entry, str):
            return self._plural(key, entry, values)
        return entry.format(**values) if values else entry

    def _plural(self, key: str, forms: PluralForms, values: dict[str, object]) -> str:
        if "count" not in values:
            return key  # a call without its count is a bug like a missing key: visible, not a crash
        number = plural_operand(values["count"])
        if number is None:
            # Not a number (a bug in the caller): show what was given, in the form that reads as "some".
            return forms["other"].format(**values)
        template = forms.get(self._plural_rules.plural_form(number)) or forms["other"]
        return template.format(**{**values, "count": self.number(number)})

    def number(self, value: Decimal | int | float) -> str:
        """A number in the reader's notation with at most two decimals: "1.234,5" (nl), "1,234.5" (en); what babel's
        pattern "#,##0.##" writes (tests/test_catalogs.py holds them equal), in a tenth of its time: a card of 40
        people's hours writes 80 of them."""
        exact = value if isinstance(value, Decimal) else Decimal(str(value))  # babel, too, reads a float by its str
        if not exact.is_finite():  # "∞", "NaN": babel's words for what no sum of hours should ever be
            return format_decimal(exact, format="#,##0.##", locale=self.locale)
        written = f"{exact.quantize(_HUNDREDTH, rounding=ROUND_HALF_EVEN):,f}"
        if "." in written:
            written = written.rstrip("0").rstrip(".")
        return written.translate(self._notation)

    @property
    def _plural_rules(self) -> Locale:
        return _babel_locale(self.locale)

    @property
    def locale(self) -> str:
        """The babel locale for formatting dates and numbers."""
        return "nl_BE" if self.language == "nl" else "en_GB"


_HUNDREDTH = Decimal("0.01")


def _notation(locale: str) -> dict[int, str]:
    """Python's "1,234.5" and "-" to the locale's group, decimal and minus signs."""
    babel_locale = _babel_locale(locale)
    return str.maketrans(
        {
            ",": get_group_symbol(babel_locale),
            ".": get_decimal_symbol(babel_locale),
            "-": get_minus_sign_symbol(babel_locale),
        }
    )


@cache
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


def translator(language: Language) -> Translator:
    return _translator(language)


@cache
def _translator(language: Language) -> Translator:
    return Translator(language)
