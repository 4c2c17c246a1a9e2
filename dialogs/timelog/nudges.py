"""Reminders to log time, opt-in in settings, and leave days: the periodic job that enqueues one per person per
working day, the send-time re-check (logged meanwhile: nothing is sent), the `leave` / `verlof` command, and the
nudge part of the settings form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date

from cards.i18n import Translator
from cards.menu import MenuSection
from cards.timelog import build_time_nudge_card
from dialogs import proactive
from dialogs.kernel.registry import Capability, Every, JobContext
from dialogs.kernel.router import MenuInfo, Router
from dialogs.kernel.timezones import person_zone
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.workdays import (
    due_day,
    end_of_day,
    is_public_holiday,
    is_working_day,
    usual_minutes,
)
from storage.db import Database
from storage.directory import is_placeholder
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.time_entries import EntryKind, TimeEntryRepository

NUDGE_EVERY_MINUTES = 5

NUDGE_KIND = "time.nudge"
NUDGE_BUILDER = "time.nudge"
MAX_LEAVE_DAYS = 366  # one range at a time
SHOWN_LEAVE_DAYS = 30


def register(router: Router) -> None:
    router.command(
        "leave",
        en=("leave", "day off", "days off"),
        nl=("verlof", "vrije dag", "vrij"),
        handler=leave,
        menu=MenuInfo(
            "menu.leave.title",
            "menu.leave.description",
            {"en": "leave 24/12", "nl": "verlof 24/12"},
            section=MenuSection.TIME,
        ),
    )


# The job and the send-time check -------------------------------------------------------------------------------


def enqueue_time_nudges(db: Database, now: datetime, default_timezone: str = "Europe/Brussels") -> int:
    """Periodic: everyone who opted in, whose chosen local time has passed today, on a working day that is neither a
    Belgian public holiday nor one of their leave days, with fewer minutes logged today than they want, gets one
    reminder for that day (the dedup key holds person and day; it lapses at the end of their day). Returns how
    many were enqueued or refreshed."""
    entries = TimeEntryRepository(db)
    outbox = OutboxRepository(db)
    count = 0
    for setting, person in entries.nudged_people():
        if person.id is None or not person.aad_object_id or is_placeholder(person):
            continue
        zone = person_zone(person, default_timezone)
        today = now.astimezone(zone).date()
        day = due_day(now, setting.at_time, zone, entries.leave_days(person.id, today, today))
        if day is None:
            continue
        wanted = usual_minutes(entries, person.id, setting.min_minutes, day)
        logged = entries.day_minutes(person.id, day, EntryKind.PERFORMED.value)
        if logged >= wanted:
            continue
        outbox.enqueue(
            dedup_key=f"{NUDGE_KIND}:{person.id}:{day.isoformat()}",
            kind=NUDGE_KIND,
            target=Target(tenant_id=person.tenant_id, aad_object_id=person.aad_object_id),
            payload=builder_payload(NUDGE_BUILDER, person_id=person.id, day=day.isoformat(), wanted=wanted),
            due_at=now,
            now=now,
            not_after=end_of_day(day, zone),
        )
        count += 1
    return count


def refresh_nudge(db: Database, args: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """At send time: the arguments with the minutes logged by now, or None when the reminder lost its point (enough
    logged meanwhile, the day marked as leave, reminders switched off)."""
    try:
        person_id = int(args["person_id"])
        day = date.fromisoformat(str(args["day"]))
        wanted = int(args["wanted"])
    except (KeyError, TypeError, ValueError):
        return None
    entries = TimeEntryRepository(db)
    if not entries.nudge(person_id).enabled or entries.on_leave(person_id, day):
        return None
    logged = entries.day_minutes(person_id, day, EntryKind.PERFORMED.value)
    if logged >= wanted:
        return None
    return {**args, "logged": logged}


def render_nudge(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    return build_time_nudge_card(
        int(args.get("logged") or 0), int(args.get("wanted") or 0), date.fromisoformat(str(args["day"])), t
    )


proactive.CAPABILITY_RENDERERS[NUDGE_BUILDER] = render_nudge
proactive.CAPABILITY_REFRESHERS[NUDGE_BUILDER] = refresh_nudge


# Leave days ----------------------------------------------------------------------------------------------------

_CANCEL = frozenset({"cancel", "remove", "delete", "off", "not", "weg", "annuleer", "schrap", "verwijder", "niet"})
_RANGE = re.compile(r"\s+(?:-|–|to|until|till|tot|t/m|tem|tot en met)\s+", re.IGNORECASE)
_DAY = re.compile(
    r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}))?$|^(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})$"
)


@dataclass(frozen=True)
class LeaveRequest:
    start: date
    end: date
    cancel: bool

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def _leave_day(text: str, today: date, after: date | None = None) -> date | None:
    found = _DAY.match(text.strip())
    if found is None:
        return None
    try:
        if found["iy"]:
            return date(int(found["iy"]), int(found["im"]), int(found["id"]))
        if found["y"]:
            return date(int(found["y"]), int(found["m"]), int(found["d"]))
        # Without a year: the next such day from `after` (the range's start) or today on.
        first = after or today
        for year in (first.year, first.year + 1):
            try:
                candidate = date(year, int(found["m"]), int(found["d"]))
            except ValueError:
                continue
            if candidate >= first:
                return candidate
        return None
    except ValueError:
        return None


def parse_leave(text: str, today: date) -> LeaveRequest | None:
    """`24/12`, `24/12/2026`, `2026-12-24`, `24/12 - 2/1`, `24/12 tot 2/1`, with `cancel`/`weg` in front to take
    them back. A day without a year is the next one from today; None when it names no day or range."""
    words = text.strip().split(maxsplit=1)
    cancel = bool(words) and words[0].lower() in _CANCEL
    rest = words[1] if cancel and len(words) > 1 else ("" if cancel else text.strip())
    parts = _RANGE.split(rest.strip(), maxsplit=1)
    start = _leave_day(parts[0], today)
    if start is None:
        return None
    end = _leave_day(parts[1], today, after=start) if len(parts) > 1 else start
    if end is None or end < start or (end - start).days >= MAX_LEAVE_DAYS:
        return None
    return LeaveRequest(start, end, cancel)


def _day_text(day: date, t: Translator) -> str:
    return format_date(day, format="EEE d MMMM y", locale=t.locale)


def leave(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    person = request.person
    assert person.id is not None
    entries = TimeEntryRepository(services.db)
    today = services.clock.now().astimezone(person_zone(person, request.timezone)).date()
    if not rest.strip():
        days = entries.leave_days(person.id, today, today + timedelta(days=3 * 366))
        if not days:
            return Reply.text(t("leave.none"))
        shown = ", ".join(_day_text(day, t) for day in days[:SHOWN_LEAVE_DAYS])
        more = t("leave.more", count=len(days) - SHOWN_LEAVE_DAYS) if len(days) > SHOWN_LEAVE_DAYS else ""
        return Reply.text(t("leave.list", days=shown, more=more).strip())
    asked = parse_leave(rest, today)
    if asked is None:
        return Reply.text(t("leave.unclear", text=rest.strip()[:40]))
    entries.set_leave(person.id, asked.days, on_leave=not asked.cancel)
    span = (
        _day_text(asked.start, t)
        if asked.start == asked.end
        else t("leave.range", start=_day_text(asked.start, t), end=_day_text(asked.end, t))
    )
    if asked.cancel:
        return Reply.text(t("leave.cancelled", days=span))
    working = sum(1 for day in asked.days if is_working_day(day))
    holidays = sum(1 for day in asked.days if is_public_holiday(day) and day.weekday() < 5)
    note = t("leave.holidays", count=holidays) if holidays else ""
    return Reply.text(t("leave.saved", days=span, working=working, holidays=note).strip())


# The settings form's nudge part ---------------------------------------------------------------------------------


capability = Capability("time nudges", install=register)


# Reminders to log time: each person picks a time in their own zone, so this looks every 5 minutes whose moment
# has passed today; the dedup key holds person and day, so each gets one per working day at most.
@capability.job(
    "time.nudges",
    name="enqueue reminders to log time",
    when=Every(NUDGE_EVERY_MINUTES),
    grace_seconds=NUDGE_EVERY_MINUTES * 60,
)
def _time_nudges(context: JobContext) -> int:
    return enqueue_time_nudges(context.db, context.now, context.default_timezone)
