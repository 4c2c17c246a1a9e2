"""Meeting recurrence: a series' occurrences in its own IANA zone, holiday skipping, overrides, reminder due times.

Pure (no I/O, no clock). Occurrences are computed in the meeting's local wall-clock time and only then turned into
UTC instants, so a weekly 10:00 meeting stays at 10:00 local across the March and October DST changes. An
occurrence is identified by its *original* local date ("2026-11-23"; every rule meets at most once a day): overrides
(cancelled, moved), agenda items, RSVPs and outbox dedup keys hang on that key, so they survive a move of the
occurrence and a change of the series' time of day.

Decisions where the issue is silent: `count` counts the rule's dates, holidays skipped included (a "10 meetings"
series that meets a holiday ends after 9, as the calendar invitation would); a moved occurrence keeps its key and
is never skipped for a holiday (someone chose that day); a local time that does not exist (the spring gap) is
moved forward by the gap, as clocks do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

from cards.i18n import Language
from domain.meetings import MAX_LEAD_MINUTES, Repeat

DEFAULT_LEADS_MINUTES: tuple[int, ...] = (24 * 60, 60)
# A safety net against runaway series (a weekly meeting for 20 years is ~1000 occurrences).
MAX_OCCURRENCES = 2000


@dataclass(frozen=True)
class Rule:
    """What a series says about when it meets."""

    first_start: datetime  # naive, local wall-clock time in `timezone`
    duration: timedelta
    timezone: str
    repeat: Repeat = Repeat.NONE
    until: date | None = None  # last local date that may hold an occurrence (inclusive)
    count: int | None = None
    skip_holidays: bool = False

    def __post_init__(self) -> None:
        if self.first_start.tzinfo is not None:
            raise ValueError("first_start is a local wall-clock time (naive)")
        if self.duration <= timedelta(0):
            raise ValueError("a meeting lasts some time")
        if self.count is not None and self.count < 1:
            raise ValueError("count is at least 1")
        ZoneInfo(self.timezone)  # raises for an unknown zone


@dataclass(frozen=True)
class Override:
    """One occurrence changed: cancelled, or moved to another local start (naive, the series' zone)."""

    cancelled: bool = False
    moved_to: datetime | None = None


@dataclass(frozen=True)
class Occurrence:
    key: str  # the original local date, ISO
    start: datetime  # aware UTC
    end: datetime  # aware UTC
    local_start: datetime  # aware, in the series' zone
    moved: bool = False


def occurrence_key(local_start: datetime | date) -> str:
    day = local_start.date() if isinstance(local_start, datetime) else local_start
    return day.isoformat()


def parse_key(key: str) -> date:
    """The original local date a key names; ValueError when it is not one."""
    parsed = date.fromisoformat(key)
    if parsed.isoformat() != key:
        raise ValueError(f"not an occurrence key: {key!r}")
    return parsed


def nth_weekday(day: date) -> int:
    """Which occurrence of its weekday in its month a date is: 1..4, or -1 for the 5th (which is always the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def is_last_weekday(day: date) -> bool:
    return (day + timedelta(days=7)).month != day.month


@cache
def _belgian_holidays(year: int) -> frozenset[date]:
    import holidays  # loaded with the first date it is asked about (dialogs/kernel/workdays.py says why)

    return frozenset(holidays.country_holidays("BE", years=year).keys())


def is_belgian_holiday(day: date) -> bool:
    return day in _belgian_holidays(day.year)


def to_utc(local: datetime, timezone: str) -> datetime:
    """A naive local wall-clock time in `timezone` as an aware UTC instant (ambiguous: the first; gap: forward)."""
    zone = ZoneInfo(timezone)
    aware = local.replace(tzinfo=zone, fold=0)
    instant = aware.astimezone(UTC)
    # In the spring gap, fold=0 maps with the offset before the change: 02:30 becomes 03:30 local, as clocks do.
    return instant


def _rrule(rule: Rule) -> rrule | None:
    start = rule.first_start
    kwargs: dict[str, object] = {"dtstart": start}
    if rule.until is not None:
        kwargs["until"] = datetime.combine(rule.until, datetime.max.time()).replace(microsecond=0)
    kwargs["count"] = min(rule.count, MAX_OCCURRENCES) if rule.count is not None else None
    if rule.count is None and rule.until is None:
        kwargs["count"] = MAX_OCCURRENCES
    if rule.repeat is Repeat.WEEKLY:
        return rrule(WEEKLY, interval=1, **kwargs)  # type: ignore[arg-type]
    if rule.repeat is Repeat.BIWEEKLY:
        return rrule(WEEKLY, interval=2, **kwargs)  # type: ignore[arg-type]
    if rule.repeat is Repeat.MONTHLY:
        n = nth_weekday(start.date())
        return rrule(MONTHLY, byweekday=weekday(start.weekday(), n), **kwargs)  # type: ignore[arg-type]
    if rule.repeat is Repeat.MONTHLY_LAST:
        return rrule(MONTHLY, byweekday=weekday(start.weekday(), -1), **kwargs)  # type: ignore[arg-type]
    return None


def rule_starts(rule: Rule) -> Iterable[datetime]:
    """The rule's local starts (naive), holidays not yet skipped, in order."""
    recurring = _rrule(rule)
    if recurring is None:
        if rule.until is None or rule.first_start.date() <= rule.until:
            yield rule.first_start
        return
    yield from recurring


def rule_start_on(rule: Rule, day: date) -> datetime | None:
    """The rule's local start on this date (holidays skipped when it says so), or None when it does not meet."""
    if rule.skip_holidays and is_belgian_holiday(day):
        return None
    for start in rule_starts(rule):
        if start.date() == day:
            return start
        if start.date() > day:
            return None
    return None


def occurrences(
    rule: Rule,
    overrides: Mapping[str, Override],
    *,
    start: datetime,
    end: datetime,
    limit: int | None = None,
) -> list[Occurrence]:
    """The occurrences starting in [start, end) (aware instants), in order of their actual start."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("window bounds are aware instants")
    found = [o for o in _as_planned(rule, overrides, start, end) if start <= o.start < end]
    found += _moved(rule, overrides, start, end)
    found.sort(key=lambda o: (o.start, o.key))
    return found[:limit] if limit is not None else found


def _as_planned(rule: Rule, overrides: Mapping[str, Override], start: datetime, end: datetime) -> Iterable[Occurrence]:
    """The rule's occurrences around the window that were neither cancelled nor moved, holidays skipped when the
    rule says so (with a day's margin either side: offsets are under a day; the caller filters exactly)."""
    zone = ZoneInfo(rule.timezone)
    local_from = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    local_to = end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    for local in rule_starts(rule):
        if local >= local_to:
            break
        if local < local_from:
            continue
        key = occurrence_key(local)
        override = overrides.get(key)
        if override is not None and (override.cancelled or override.moved_to is not None):
            continue
        if rule.skip_holidays and is_belgian_holiday(local.date()):
            continue
        yield _occurrence(key, local, rule, moved=False)


def _moved(rule: Rule, overrides: Mapping[str, Override], start: datetime, end: datetime) -> Iterable[Occurrence]:
    """The moved occurrences starting in the window, at their new start, whose original date the rule (still)
    meets."""
    for key, override in overrides.items():
        if override.cancelled or override.moved_to is None:
            continue
        occurrence = _occurrence(key, override.moved_to, rule, moved=True)
        try:
            day = parse_key(key)
        except ValueError:
            continue
        if start <= occurrence.start < end and rule_start_on(rule, day) is not None:
            yield occurrence


def _occurrence(key: str, local: datetime, rule: Rule, *, moved: bool) -> Occurrence:
    begin = to_utc(local, rule.timezone)
    return Occurrence(
        key=key,
        start=begin,
        end=begin + rule.duration,
        local_start=begin.astimezone(ZoneInfo(rule.timezone)),
        moved=moved,
    )


def find_occurrence(rule: Rule, overrides: Mapping[str, Override], key: str) -> Occurrence | None:
    """The occurrence with this key as it stands now (moved or not), or None (cancelled, skipped, not in the rule)."""
    try:
        local = rule_start_on(rule, parse_key(key))
    except ValueError:
        return None
    override = overrides.get(key)
    if (override is not None and override.cancelled) or local is None:
        return None
    if override is not None and override.moved_to is not None:
        return _occurrence(key, override.moved_to, rule, moved=True)
    return _occurrence(key, local, rule, moved=False)


def reminder_due(occurrence_start: datetime, lead_minutes: int) -> datetime:
    """When a reminder `lead_minutes` before an occurrence is due (aware UTC): an instant, so DST cannot shift it."""
    if occurrence_start.tzinfo is None:
        raise ValueError("an aware instant")
    return (occurrence_start - timedelta(minutes=lead_minutes)).astimezone(UTC)


@dataclass(frozen=True)
class DueReminder:
    occurrence: Occurrence
    lead_minutes: int
    due_at: datetime
    first: bool = True  # the occurrence's longest-lead reminder; later ones refer back to it


def reminders(occurrences_: Sequence[Occurrence], leads: Sequence[int]) -> list[DueReminder]:
    """One reminder per occurrence and lead time, the longest lead first for each occurrence."""
    ordered = sorted(set(leads), reverse=True)
    found: list[DueReminder] = []
    for occurrence in occurrences_:
        for index, lead in enumerate(ordered):
            found.append(DueReminder(occurrence, lead, reminder_due(occurrence.start, lead), index == 0))
    return found


def parse_leads(text: str) -> list[int] | None:
    """Lead times as people type them: "24h, 1h", "1d 30m", "2u, 15 min" -> minutes (largest first); None if unreadable.

    Empty gives the defaults. At most four, each between 5 minutes and 14 days.
    """
    cleaned = text.strip().lower()
    if not cleaned:
        return list(DEFAULT_LEADS_MINUTES)
    found: list[int] = []
    for part in cleaned.replace(";", ",").replace(" en ", ",").replace(" and ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        minutes = _lead_minutes(part)
        if minutes is None or not 5 <= minutes <= MAX_LEAD_MINUTES:
            return None
        found.append(minutes)
    unique = sorted(set(found), reverse=True)
    if not unique or len(unique) > 4:
        return None
    return unique


# Both languages' units are read whatever the reader's language: "24u", "24h", "1 dag", "1 day", "30 min".
_UNITS = {
    **dict.fromkeys(("d", "dg", "dag", "dagen", "day", "days"), 24 * 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "u", "uur", "uren"), 60),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuut", "minuten"), 1),
}
_HOUR_UNIT: dict[Language, str] = {"nl": "u", "en": "h"}


def _lead_minutes(part: str) -> int | None:
    total = 0
    matched = False
    position = 0
    for match in re.finditer(r"\s*(\d+)\s*([a-z]+)\s*", part):
        if match.start() != position:
            return None
        unit = _UNITS.get(match.group(2))
        if unit is None:
            return None
        total += int(match.group(1)) * unit
        position = match.end()
        matched = True
    if not matched or position != len(part):
        return None
    return total


def format_leads(minutes: Sequence[int], language: Language = "en") -> str:
    """The inverse of parse_leads, in the reader's units: "24u, 1u", "1u30m" (Dutch), "24h, 1h", "30m" (English)."""
    hour = _HOUR_UNIT[language]
    parts = []
    for value in sorted(set(minutes), reverse=True):
        hours, rest = divmod(value, 60)
        if hours and rest:
            parts.append(f"{hours}{hour}{rest:02d}m")
        elif hours:
            parts.append(f"{hours}{hour}")
        else:
            parts.append(f"{rest}m")
    return ", ".join(parts)
