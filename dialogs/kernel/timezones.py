"""Understanding a time zone as people type it: `europe/brussels`, `Brussels` or `Europe/Brussels`."""

from __future__ import annotations

from datetime import date
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dialogs.kernel.turn import Request, Services
from domain.people import PersonFacts
from storage.models import Person


@cache
def _by_lowercase_name() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@cache
def _by_city() -> dict[str, str | None]:
    """The last part of a zone name (the city); None where two zones share a city name."""
    cities: dict[str, str | None] = {}
    for name in available_timezones():
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "US/", "Canada/")):
            continue
        city = name.rsplit("/", 1)[1].replace("_", " ").lower()
        cities[city] = name if city not in cities else None
    return cities


def resolve_timezone(text: str) -> str | None:
    """The IANA name meant by `text`, or None when it names no zone (or more than one)."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    exact = _by_lowercase_name().get(cleaned.lower().replace(" ", "_"))
    if exact is None:
        exact = _by_city().get(cleaned.lower().replace("_", " "))
    if exact is None:
        return None
    try:
        ZoneInfo(exact)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return exact


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
