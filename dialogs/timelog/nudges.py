"""Reminders to log time (each person opts in and picks a time in settings, dialogs/nudge_choice.py): the periodic
job that enqueues one per person per working day, the send-time re-check (logged meanwhile, or the day marked as
leave: nothing is sent) and the reminder card."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cards.i18n import Translator
from cards.timelog import build_time_nudge_card
from dialogs.kernel.registry import Every, JobContext
from dialogs.kernel.timezones import person_zone
from dialogs.kernel.workdays import due_day, end_of_day, usual_minutes
from dialogs.timelog.declaration import capability
from storage.db import Database
from storage.directory import is_placeholder
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.time_entries import EntryKind, TimeEntryRepository

NUDGE_EVERY_MINUTES = 5

NUDGE_KIND = "time.nudge"
NUDGE_BUILDER = "time.nudge"


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


@capability.proactive(NUDGE_BUILDER, refresh=refresh_nudge)
def render_nudge(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    return build_time_nudge_card(
        int(args.get("logged") or 0), int(args.get("wanted") or 0), date.fromisoformat(str(args["day"])), t
    )


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
