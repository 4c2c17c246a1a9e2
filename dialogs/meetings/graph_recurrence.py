"""Outlook (Microsoft Graph) series to our meeting rule: time zones, recurrence patterns, cancelled and moved instances.

Pure (no I/O, no clock). Graph names time zones the Windows way ("Romance Standard Time"); zoneinfo knows only IANA
names, so the CLDR windowsZones mapping that ships with `tzlocal` (a dependency of APScheduler 3) translates them,
preferring the organisation's default zone when CLDR lists it for that Windows zone (Romance Standard Time is
Europe/Paris for the world, but Europe/Brussels in Belgium; the rules are the same, the name is what people see).

What our rule can say (domain.meetings.Repeat) is less than Outlook can: a pattern we cannot represent is refused
with a reason (`Unsupported.reason`, a catalog key suffix), never approximated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import tz_win, win_tz

from dialogs.meetings import recurrence as rec
from domain.meetings import Repeat

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_INDEX = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
MIN_MINUTES = 5
MAX_MINUTES = 720


def iana_zone(name: str | None, preferred: str = "Europe/Brussels") -> str | None:
    """An IANA zone for a Graph time zone name (Windows, IANA or "UTC"); None when unknown."""
    if not name:
        return None
    cleaned = name.strip()
    if cleaned in win_tz:
        return preferred if tz_win.get(preferred) == cleaned else win_tz[cleaned]
    if cleaned.upper() in {"UTC", "Z", "GMT"}:
        return "UTC"
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return cleaned


def graph_instant(value: Any, preferred: str = "Europe/Brussels") -> datetime | None:
    """A Graph dateTimeTimeZone ({"dateTime": "2026-11-24T09:00:00.0000000", "timeZone": "UTC"}) as aware UTC."""
    if not isinstance(value, dict):
        return None
    zone = iana_zone(value.get("timeZone"), preferred)
    local = _local(value.get("dateTime"))
    if zone is None or local is None:
        return None
    return rec.to_utc(local, zone)


def _local(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    # Graph writes seven fractional digits, which fromisoformat (3.11) does not take.
    head, _, fraction = text.partition(".")
    try:
        parsed = datetime.fromisoformat(head)
    except ValueError:
        return None
    if fraction.rstrip("Z").strip("0"):
        parsed = parsed.replace(microsecond=int(fraction.rstrip("Z")[:6].ljust(6, "0")))
    return parsed.replace(tzinfo=None) if parsed.tzinfo is None else parsed.astimezone(UTC).replace(tzinfo=None)


def _offset_instant(text: Any) -> datetime | None:
    """Graph's DateTimeOffset ("2026-12-01T09:00:00Z") as aware UTC."""
    if not isinstance(text, str) or not text:
        return None
    head, _, rest = text.partition(".")
    suffix = "".join(ch for ch in rest if not ch.isdigit())
    try:
        parsed = datetime.fromisoformat((head + suffix).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass(frozen=True)
class ImportedSeries:
    """What an Outlook series master says, in our terms."""

    event_id: str
    subject: str
    first_start: datetime  # naive, local in `timezone`
    duration_minutes: int
    timezone: str
    repeat: Repeat
    until: date | None
    count: int | None
    place: str
    link: str

    def rule(self) -> rec.Rule:
        return rec.Rule(
            first_start=self.first_start,
            duration=timedelta(minutes=self.duration_minutes),
            timezone=self.timezone,
            repeat=self.repeat,
            until=self.until,
            count=self.count,
        )


@dataclass(frozen=True)
class Unsupported:
    event_id: str
    subject: str
    reason: str  # daily, several_days, interval, absolute_monthly, yearly, all_day, duration, timezone, unreadable


def series_from_event(event: dict[str, Any], preferred: str = "Europe/Brussels") -> ImportedSeries | Unsupported:
    """Map a series master (with `recurrence`, `start`, `end`) to a series, or say why it cannot be."""
    event_id = str(event.get("id") or "")
    subject = " ".join(str(event.get("subject") or "").split())[:200]

    def refuse(reason: str) -> Unsupported:
        return Unsupported(event_id, subject, reason)

    if event.get("isAllDay"):
        return refuse("all_day")
    recurrence = event.get("recurrence")
    pattern = recurrence.get("pattern") if isinstance(recurrence, dict) else None
    span = recurrence.get("range") if isinstance(recurrence, dict) else None
    if not isinstance(pattern, dict) or not isinstance(span, dict) or not event_id:
        return refuse("unreadable")
    zone = _zone(event, span, preferred)
    if zone is None:
        return refuse("timezone")
    start = graph_instant(event.get("start"), preferred)
    end = graph_instant(event.get("end"), preferred)
    if start is None or end is None:
        return refuse("unreadable")
    minutes = int((end - start).total_seconds() // 60)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return refuse("duration")
    repeat_or_reason = _repeat(pattern)
    if isinstance(repeat_or_reason, str):
        return refuse(repeat_or_reason)
    repeat, weekday, index = repeat_or_reason
    local_start = start.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    begin = _date(span.get("startDate")) or local_start.date()
    first_day = _first_matching(max(begin, local_start.date()), repeat, weekday, index)
    if first_day is None:
        return refuse("unreadable")
    end_or_reason = _end(span, first_day)
    if isinstance(end_or_reason, str):
        return refuse(end_or_reason)
    until, count = end_or_reason
    place, link = _place_and_link(event)
    return ImportedSeries(
        event_id=event_id,
        subject=subject,
        first_start=datetime.combine(first_day, local_start.time()).replace(second=0, microsecond=0),
        duration_minutes=minutes,
        timezone=zone,
        repeat=repeat,
        until=until,
        count=count,
        place=place,
        link=link,
    )


def _zone(event: dict[str, Any], span: dict[str, Any], preferred: str) -> str | None:
    """The series' zone: the recurrence's own, else the one the first meeting was planned in, else its start's."""
    start = event.get("start")
    return (
        iana_zone(span.get("recurrenceTimeZone"), preferred)
        or iana_zone(event.get("originalStartTimeZone"), preferred)
        or iana_zone(start.get("timeZone") if isinstance(start, dict) else None, preferred)
    )


def _end(span: dict[str, Any], first_day: date) -> tuple[date | None, int | None] | str:
    """(last date, number of meetings) as the recurrence's range says (neither: no end), or why it does not read."""
    kind = str(span.get("type") or "noEnd")
    if kind == "noEnd":
        return None, None
    if kind == "endDate":
        until = _date(span.get("endDate"))
        return (until, None) if until is not None and until >= first_day else "unreadable"
    number = span.get("numberOfOccurrences")
    if kind == "numbered" and isinstance(number, int) and number >= 1:
        return None, number
    return "unreadable"


def _place_and_link(event: dict[str, Any]) -> tuple[str, str]:
    """Where the meeting is (the room or address) and its online link (https only)."""
    location = event.get("location")
    place = str(location.get("displayName") or "") if isinstance(location, dict) else ""
    online = event.get("onlineMeeting")
    link = str(online.get("joinUrl") or "") if isinstance(online, dict) else ""
    return " ".join(place.split())[:500], link[:1000] if link.lower().startswith("https://") else ""


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or value.startswith("0001-"):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _repeat(pattern: dict[str, Any]) -> tuple[Repeat, int, int] | str:
    """(repeat, weekday 0..6, n-th 1..4 or -1 for last) or the reason it cannot be represented."""
    kind = str(pattern.get("type") or "")
    interval = pattern.get("interval") or 1
    if not isinstance(interval, int) or interval < 1:
        return "unreadable"
    if kind == "daily":
        # Every 7 or 14 days is a weekly meeting said differently; any other daily rhythm is not ours.
        every = _EVERY_DAYS.get(interval)
        return (every, -1, 0) if every is not None else "daily"
    if kind not in ("weekly", "relativeMonthly"):
        return _NOT_OURS.get(kind, "unreadable")
    weekday = _one_weekday([str(d).lower() for d in pattern.get("daysOfWeek") or []])
    if isinstance(weekday, str):
        return weekday
    if kind == "weekly":
        weekly = _EVERY_WEEKS.get(interval)
        return (weekly, weekday, 0) if weekly is not None else "interval"
    if interval != 1:
        return "interval"
    index = _INDEX.get(str(pattern.get("index") or "first").lower())
    if index is None:
        return "unreadable"
    return (Repeat.MONTHLY_LAST if index == -1 else Repeat.MONTHLY), weekday, index


_EVERY_DAYS = {7: Repeat.WEEKLY, 14: Repeat.BIWEEKLY}
_EVERY_WEEKS = {1: Repeat.WEEKLY, 2: Repeat.BIWEEKLY}
_NOT_OURS = {"absoluteMonthly": "absolute_monthly", "absoluteYearly": "yearly", "relativeYearly": "yearly"}


def _one_weekday(days: list[str]) -> int | str:
    """The one weekday (0..6) a weekly or monthly pattern names, or why it is not one."""
    if len(days) != 1 or days[0] not in _WEEKDAYS:
        return "several_days" if len(days) > 1 else "unreadable"
    return _WEEKDAYS.index(days[0])


def _first_matching(day: date, repeat: Repeat, weekday: int, index: int) -> date | None:
    """The first date on or after `day` the pattern meets (Graph's range may start before the first meeting)."""
    for offset in range(400):
        candidate = day + timedelta(days=offset)
        if weekday >= 0 and candidate.weekday() != weekday:
            continue
        if repeat is Repeat.MONTHLY and rec.nth_weekday(candidate) != index:
            continue
        if repeat is Repeat.MONTHLY_LAST and not rec.is_last_weekday(candidate):
            continue
        return candidate
    return None


def overrides_from_instances(
    series: ImportedSeries,
    instances: list[dict[str, Any]],
    *,
    start: datetime,
    end: datetime,
    preferred: str = "Europe/Brussels",
) -> dict[str, rec.Override]:
    """Cancelled and moved occurrences, from the instances Graph lists for [start, end) (aware instants).

    An occurrence of the rule that starts inside the window (a day's margin at both ends, as Graph lists instances
    that merely overlap it) but has no instance was cancelled in Outlook; an `exception` instance whose start is
    not the rule's was moved (keyed by its original start's local date). Keys the rule has, with a regular
    instance, come back as plain `Override()` so a sync can clear what Outlook no longer says."""
    zone = ZoneInfo(series.timezone)
    rule = series.rule()
    seen: dict[str, datetime] = {}
    for instance in instances:
        if instance.get("isCancelled"):
            continue
        actual = graph_instant(instance.get("start"), preferred)
        if actual is None:
            continue
        original = _offset_instant(instance.get("originalStart")) or actual
        seen[rec.occurrence_key(original.astimezone(zone))] = actual
    margin = timedelta(days=1)
    found: dict[str, rec.Override] = {}
    for occurrence in rec.occurrences(rule, {}, start=start + margin, end=end - margin):
        actual = seen.get(occurrence.key)
        if actual is None:
            found[occurrence.key] = rec.Override(cancelled=True)
        elif actual != occurrence.start:
            found[occurrence.key] = rec.Override(moved_to=actual.astimezone(zone).replace(tzinfo=None))
        else:
            found[occurrence.key] = rec.Override()
    return found
