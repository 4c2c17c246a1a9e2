"""What every meeting card shares: the kinds and repetitions a series may have, how a meeting's moment reads (in its
own zone, or in each reader's), and shortening long texts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time

from cards.i18n import Translator
from domain.meetings import Repeat

KINDS = ("project", "working_group", "steering")
REPEATS = tuple(repeat.value for repeat in Repeat)
# An occurrence's key: its original local date, ISO (dialogs/meetings/recurrence.py, occurrence_key). Kept as
# the text the card sends: a key that names no meeting is answered as such, not as unreadable card data.
OCCURRENCE_KEY_MAX = 10


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Brussels")


def when_text(start: datetime, end: datetime, timezone: str, t: Translator) -> str:
    """ "maandag 23 november 2026, 10:00–11:00 (Europe/Brussels)" in the meeting's zone."""
    local_zone = zone(timezone)
    local_start, local_end = start.astimezone(local_zone), end.astimezone(local_zone)
    day = format_date(local_start, format="full", locale=t.locale)
    begin = format_time(local_start, format="HH:mm", locale=t.locale)
    until = format_time(local_end, format="HH:mm", locale=t.locale)
    return t("meeting.when", day=day, start=begin, end=until, zone=timezone)


def reader_time(start: datetime) -> str:
    """Teams renders these functions in each reader's own time zone and language."""
    stamp = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{{{{DATE({stamp}, SHORT)}}}} {{{{TIME({stamp})}}}}"


def format_local(start: datetime, timezone: str, t: Translator) -> str:
    return format_datetime(start.astimezone(zone(timezone)), format="EEE d MMM y HH:mm", locale=t.locale)


def short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def day_text(value: date | None, t: Translator) -> str:
    return format_date(value, format="medium", locale=t.locale) if value else "—"


def parse_time(text: str) -> time | None:
    """A time of day as the time input sends it ("14:30"), or typed ("14u30", "14h30", "14.30"); None if not one."""
    cleaned = text.strip().replace("u", ":").replace("h", ":").replace(".", ":")
    parts = cleaned.split(":")
    if len(parts) < 2 or not all(p.isascii() and p.isdigit() and len(p) <= 2 for p in parts[:2]):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return time(hour, minute)
