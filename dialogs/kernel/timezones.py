"""Understanding a time zone as people type it, and naming it in their language.

People type a zone as they say it: `Europe/Brussels`, `Brussels`, `Brussel`, `Bruxelles`, `Parijs`, `Londen`,
`België`. Every IANA zone is known by its id, by its city (the id's last part), by the city's name in Dutch,
English, French and German (babel's localized city names: Belgium's languages and English) and, for a country with
only one zone, by the country's name. Case, accents, `_`, `-` and extra spaces do not matter. A name shared by
several zones is not guessed at: the answer lists them; a name nobody uses gets the closest spellings."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location

from cards.i18n import Language
from dialogs.kernel.turn import Request, Services
from domain.people import PersonFacts
from storage.models import Person

# The locales whose city and country names are understood: Belgium's three languages and English.
_NAMING_LOCALES = ("nl_BE", "en_GB", "fr_BE", "de_BE")
_DISPLAY_LOCALE: dict[Language, str] = {"nl": "nl_BE", "en": "en_GB"}
# Old ids kept for compatibility: understood when typed in full, never offered as a city of their own.
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/", "posix/", "right/")
# A unique beginning of a name is taken for the name from this many letters on ("Amster" -> Amsterdam).
PREFIX_MIN = 4
SUGGESTIONS_MAX = 4
# Punctuation people leave out or type differently: "St. John's", "St Johns", "St. John’s".
_DROPPED = frozenset(".'’")


@dataclass(frozen=True)
class ZoneMatch:
    """What a typed zone means: `zone` when exactly one; otherwise `candidates`, the zones it could mean (several
    share the name) or, when it names none, the zones of the closest spellings (possibly none)."""

    zone: str | None
    candidates: tuple[str, ...] = ()
    ambiguous: bool = False


def fold(text: str) -> str:
    """A name as compared: lower case, no accents, `_` and `-` as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c) and c not in _DROPPED)
    return " ".join(plain.replace("_", " ").replace("-", " ").split())


@cache
def _zones() -> frozenset[str]:
    """The IANA ids this system knows (read from disk once: available_timezones() reads them on every call)."""
    return frozenset(available_timezones())


@cache
def _by_id() -> dict[str, str]:
    """Every IANA id, folded; `europe/brussels` and `Europe/Brussels` alike."""
    return {fold(name): name for name in _zones()}


def _canonical(zone: str) -> str:
    """One id per zone: CLDR's current name for an old alias (Europe/Kiev -> Europe/Kyiv) when this system has it."""
    current = get_global("zone_aliases").get(zone, zone)
    return current if current in _zones() else zone


@cache
def _by_name() -> dict[str, frozenset[str]]:
    """Folded city and country names -> the zones they name (more than one where the name is shared)."""
    names: dict[str, set[str]] = {}
    for zone in sorted(_zones()):
        if "/" not in zone or zone.startswith(_LEGACY_PREFIXES):
            continue
        canonical = _canonical(zone)
        names.setdefault(fold(zone.rsplit("/", 1)[1]), set()).add(canonical)
        for locale in _NAMING_LOCALES:
            city = get_timezone_location(zone, locale=locale, return_city=True)
            names.setdefault(fold(city), set()).add(canonical)
    for territory, zones in get_global("territory_zones").items():
        if len(zones) != 1 or zones[0] not in _zones():
            continue
        for locale in _NAMING_LOCALES:
            country = Locale.parse(locale).territories.get(territory)
            if country:
                names.setdefault(fold(country), set()).add(_canonical(zones[0]))
    return {name: frozenset(zones) for name, zones in names.items() if name}


def find_timezone(text: str) -> ZoneMatch:
    """The zone `text` names, or the zones it could name (see ZoneMatch)."""
    wanted = fold(text)
    if not wanted:
        return ZoneMatch(None)
    exact = _by_id().get(wanted)
    if exact is not None and _loads(exact):
        return ZoneMatch(exact)
    names = _by_name()
    zones = names.get(wanted) or _by_prefix(wanted, names)
    if len(zones) == 1:
        zone = next(iter(zones))
        return ZoneMatch(zone) if _loads(zone) else ZoneMatch(None)
    if zones:
        return ZoneMatch(None, tuple(sorted(zones))[:SUGGESTIONS_MAX], ambiguous=True)
    return ZoneMatch(None, _close_to(wanted, names))


def _by_prefix(wanted: str, names: dict[str, frozenset[str]]) -> frozenset[str]:
    """The zones of the names that begin with what was typed (from PREFIX_MIN letters on)."""
    if len(wanted) < PREFIX_MIN:
        return frozenset()
    found: set[str] = set()
    for name, zones in names.items():
        if name.startswith(wanted):
            found |= zones
    return frozenset(found)


def _close_to(wanted: str, names: dict[str, frozenset[str]]) -> tuple[str, ...]:
    """The zones of the closest spellings ("Brusel" -> Brussels), nearest first."""
    close = difflib.get_close_matches(wanted, names.keys(), n=SUGGESTIONS_MAX, cutoff=0.75)
    found: list[str] = []
    for name in close:
        found += [zone for zone in sorted(names[name]) if zone not in found]
    return tuple(found[:SUGGESTIONS_MAX])


def _loads(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def resolve_timezone(text: str) -> str | None:
    """The IANA name meant by `text`, or None when it names no zone (or more than one)."""
    return find_timezone(text).zone


def zone_name(zone: str, language: Language) -> str:
    """The zone as a reader of `language` calls it ("Brussel", "Brussels"): its city's name when that name
    leads back to this zone, else the IANA id (so the name in a form field is understood when it is saved)."""
    try:
        city = get_timezone_location(zone, locale=_DISPLAY_LOCALE[language], return_city=True)
    except (LookupError, ValueError):
        return zone
    meant = resolve_timezone(city)
    return city if meant is not None and _canonical(meant) == _canonical(zone) else zone


def zone_label(zone: str, language: Language) -> str:
    """The zone named for a sentence: "Brussel (Europe/Brussels)", or just the id when that is its name."""
    name = zone_name(zone, language)
    return name if name == zone else f"{name} ({zone})"


def zone_problem(typed: str, language: Language, unknown_key: str) -> tuple[str, dict[str, str]] | None:
    """Why `typed` names no one zone, as a catalog key and its values for the form's error; None when it does.
    Several zones share the name: `timezone.ambiguous` listing them; close spellings: `timezone.suggest`; nothing
    near: the form's own `unknown_key`. The zones are named in the reader's language."""
    found = find_timezone(typed)
    if found.zone is not None:
        return None
    shown = typed.strip()[:64]
    if not found.candidates:
        return unknown_key, {"value": shown}
    options = ", ".join(zone_label(zone, language) for zone in found.candidates)
    return ("timezone.ambiguous" if found.ambiguous else "timezone.suggest"), {"value": shown, "options": options}


def person_zone(person: Person | PersonFacts, default: str) -> ZoneInfo:
    """The person's own zone: their choice, else the last one Teams reported, else the installation's default."""
    for candidate in (person.preferred_timezone, person.seen_timezone, default):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ValueError, KeyError):
                continue
    return ZoneInfo("Europe/Brussels")


def request_zone(request: Request, services: Services) -> ZoneInfo:
    """The asker's zone: the request's (their choice, else what Teams reported), else the installation's default."""
    try:
        return ZoneInfo(request.timezone)
    except (ValueError, KeyError):
        return ZoneInfo(services.default_timezone)


def today_for(request: Request, services: Services) -> date:
    """The asker's today: the calendar day it is in their zone."""
    return services.clock.now().astimezone(request_zone(request, services)).date()
