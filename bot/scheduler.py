"""The few fixed-id periodic jobs each instance runs (APScheduler 3.11): outbox dispatch and housekeeping.

The rows in the outbox, not these jobs, hold what is to be sent; a job only looks for due rows. So a job missed
during a restart costs nothing but a delay, and several instances can run the same jobs side by side (the dispatch
job sends only on the instance holding the dispatcher role).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery import OutboxSender
from dialogs.calendar_source import CalendarSource

log = logging.getLogger(__name__)

DISPATCH_JOB = "outbox.dispatch"
LEASE_JOB = "outbox.lease"
HOUSEKEEPING_JOB = "outbox.housekeeping"
RETENTION_JOB = "privacy.retention"
FILES_JOB = "files.housekeeping"
SIGNING_KEYS_JOB = "auth.signing_keys"
MILESTONE_JOB = "status.milestone_reminders"
DIGEST_JOB = "status.weekly_digests"
NUDGE_JOB = "time.nudges"
HANDOVER_JOB = "handover.after_care"
MEETING_JOB = "meetings.reminders"
OUTLOOK_SYNC_JOB = "meetings.outlook_sync"
MEETING_EVERY_MINUTES = 15
NUDGE_EVERY_MINUTES = 5
DISPATCH_EVERY_SECONDS = 2
# The dispatcher role's heartbeat: well inside DeliveryOptions.role_lease (10 s), so a few late or failed renewals
# cost nothing, and a standby instance looks this often whether the holder's lease has run out.
LEASE_EVERY_SECONDS = 2
# Finished outbox rows are kept this long for the operator, then deleted.
KEEP_FINISHED = timedelta(days=30)


def _add(
    scheduler: AsyncIOScheduler,
    job: Callable[..., Awaitable[Any]],
    trigger: Any,
    *,
    id: str,
    name: str,
    grace: int,
    args: Sequence[Any] = (),
    start_now: bool = False,
) -> None:
    """Every job here: never two runs of it at once in this process (max_instances=1), runs missed while the loop
    was busy collapse into one (coalesce), a late run still runs within `grace` seconds (APScheduler's default of
    1 s would silently drop it during a restart), and a fixed id so a restart replaces rather than duplicates."""
    scheduler.add_job(
        job,
        trigger,
        args=list(args),
        id=id,
        name=name,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=grace,
        replace_existing=True,
        **({"next_run_time": datetime.now(UTC)} if start_now else {}),
    )


def build_scheduler(
    sender: OutboxSender,
    *,
    timezone: str = "UTC",
    refresh_signing_keys: bool = False,
    default_timezone: str = "Europe/Brussels",
    calendar: CalendarSource | None = None,
) -> AsyncIOScheduler:
    """refresh_signing_keys: keep the token-signing keys fresh off the event loop (only when tokens are checked).
    default_timezone: the zone of people who never told theirs (Settings.default_timezone)."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    if refresh_signing_keys:
        from bot import signing_keys

        # First run right away, then well within the SDK's one-day cache age; a late run is simply run late.
        _add(
            scheduler,
            signing_keys.refresh_signing_keys,
            IntervalTrigger(hours=signing_keys.REFRESH_EVERY_HOURS),
            id=SIGNING_KEYS_JOB,
            name="refresh Bot Framework signing keys",
            grace=int(timedelta(hours=1).total_seconds()),
            start_now=True,
        )
    # The dispatcher role and the claimed rows' leases (bot.delivery): renewed by the holder, taken over by another
    # instance when the holder is gone; first right at start, so a lone instance dispatches at once.
    _add(
        scheduler,
        _heartbeat,
        IntervalTrigger(seconds=LEASE_EVERY_SECONDS),
        id=LEASE_JOB,
        name="hold or take the outbox dispatcher role",
        grace=LEASE_EVERY_SECONDS * 5,
        args=[sender, scheduler],
        start_now=True,
    )
    # Only the instance holding the role sends; on the others a run returns at once.
    # A slow run (a rate-limited batch) is never overlapped by the next tick; a tick up to 30 s late still runs,
    # later than that the next tick, 2 s on, does the same work anyway.
    # Each run sends until nothing is due, claiming the next batch while the current one is still going out.
    _add(
        scheduler,
        sender.run_until_idle,
        IntervalTrigger(seconds=DISPATCH_EVERY_SECONDS),
        id=DISPATCH_JOB,
        name="send due outbox rows",
        grace=30,
    )
    # Daily at 03:17 UTC; a whole day of grace, so a restart at that hour postpones rather than skips it.
    _add(
        scheduler,
        _housekeeping,
        CronTrigger(hour=3, minute=17, timezone="UTC"),
        id=HOUSEKEEPING_JOB,
        name="purge finished outbox rows",
        grace=int(timedelta(hours=23).total_seconds()),
        args=[sender],
    )
    # Personal data past its retention period (docs/privacy.md), daily; same grace as the housekeeping above.
    _add(
        scheduler,
        _privacy_retention,
        CronTrigger(hour=3, minute=41, timezone="UTC"),
        id=RETENTION_JOB,
        name="delete personal data past its retention period",
        grace=int(timedelta(hours=23).total_seconds()),
        args=[sender],
    )
    # Files offered or linked (bot/files.py) whose offer or link has expired: their bytes go, daily.
    _add(
        scheduler,
        _files_housekeeping,
        CronTrigger(hour=3, minute=29, timezone="UTC"),
        id=FILES_JOB,
        name="delete expired outgoing files",
        grace=int(timedelta(hours=23).total_seconds()),
        args=[sender],
    )
    # Milestones due within 7 days or late remind their coordinator; the dedup key holds the day, so a second
    # run that day (another instance, a restart) adds nothing. 07:00 in Brussels, half a day of grace.
    _add(
        scheduler,
        _milestone_reminders,
        CronTrigger(hour=7, minute=0, timezone="Europe/Brussels"),
        id=MILESTONE_JOB,
        name="enqueue milestone reminders",
        grace=int(timedelta(hours=12).total_seconds()),
        args=[sender],
    )
    # Weekly digests: each manager chooses day and time in their own zone, so this looks every 10 minutes for
    # whose moment has come; the dedup key holds the ISO week, so each gets one per week.
    _add(
        scheduler,
        _weekly_digests,
        IntervalTrigger(minutes=10),
        id=DIGEST_JOB,
        name="enqueue weekly digests",
        grace=int(timedelta(minutes=10).total_seconds()),
        args=[sender],
    )
    # Reminders to log time: each person picks a time in their own zone, so this looks every 5 minutes whose moment
    # has passed today; the dedup key holds person and day, so each gets one per working day at most.
    _add(
        scheduler,
        _time_nudges,
        IntervalTrigger(minutes=NUDGE_EVERY_MINUTES),
        id=NUDGE_JOB,
        name="enqueue reminders to log time",
        grace=int(timedelta(minutes=NUDGE_EVERY_MINUTES).total_seconds()),
        args=[sender, default_timezone],
    )
    # After-care that is over closes its project (and asks for the retrospective); daily at 07:05 in Brussels, with
    # half a day of grace. Closing is a conditional update, so a second run (another instance) closes nothing twice.
    _add(
        scheduler,
        _handover_after_care,
        CronTrigger(hour=7, minute=5, timezone="Europe/Brussels"),
        id=HANDOVER_JOB,
        name="end after-care periods",
        grace=int(timedelta(hours=12).total_seconds()),
        args=[sender, default_timezone],
    )
    # Meeting reminders: keeps one outbox row per occurrence and lead time enqueued for the next 14 days (and the
    # report prompt after each meeting). Enqueueing is idempotent on the dedup key, so instances may overlap; the
    # first run is at start-up, so reminders missed while the bot was down are found at once.
    _add(
        scheduler,
        _meeting_reminders,
        IntervalTrigger(minutes=MEETING_EVERY_MINUTES),
        id=MEETING_JOB,
        name="enqueue meeting reminders",
        grace=int(timedelta(minutes=MEETING_EVERY_MINUTES).total_seconds()),
        args=[sender],
        start_now=True,
    )
    # Meetings imported from Outlook follow the invitation: re-read every 30 minutes (only with Graph configured).
    # Updating is idempotent (the same invitation writes the same schedule), so overlapping instances are harmless.
    if calendar is not None:
        from dialogs.meeting_import import SYNC_EVERY_MINUTES

        _add(
            scheduler,
            _outlook_sync,
            IntervalTrigger(minutes=SYNC_EVERY_MINUTES),
            id=OUTLOOK_SYNC_JOB,
            name="follow meetings imported from Outlook",
            grace=int(timedelta(minutes=SYNC_EVERY_MINUTES).total_seconds()),
            args=[sender, calendar, default_timezone],
        )
    return scheduler


async def _heartbeat(sender: OutboxSender, scheduler: AsyncIOScheduler) -> None:
    held_before = sender.holds_dispatch_lease
    if await sender.heartbeat() and not held_before:
        # Just took the role (at start, or from an instance that died): dispatch now, not at the next tick.
        scheduler.modify_job(DISPATCH_JOB, next_run_time=datetime.now(UTC))


async def _outlook_sync(sender: OutboxSender, calendar: CalendarSource, default_timezone: str) -> None:
    from dialogs.meeting_import import sync_imported_meetings

    changed = await sync_imported_meetings(sender.db, calendar, sender.clock.now(), default_timezone)
    if changed:
        log.info("outlook sync: %d imported series changed", changed)


async def _meeting_reminders(sender: OutboxSender) -> None:
    from dialogs.meetings import enqueue_meeting_reminders

    count = await asyncio.to_thread(enqueue_meeting_reminders, sender.db, sender.clock.now())
    if count:
        log.info("meeting reminders: %d series brought up to date", count)


async def _handover_after_care(sender: OutboxSender, default_timezone: str) -> None:
    from dialogs.handover import end_after_care

    closed = await asyncio.to_thread(end_after_care, sender.db, sender.clock.now(), default_timezone)
    log.info("handover after-care: %d projects closed", closed)


async def _time_nudges(sender: OutboxSender, default_timezone: str) -> None:
    from dialogs.nudges import enqueue_time_nudges

    count = await asyncio.to_thread(enqueue_time_nudges, sender.db, sender.clock.now(), default_timezone)
    if count:
        log.info("time nudges: %d enqueued", count)


async def _milestone_reminders(sender: OutboxSender) -> None:
    from dialogs.status import enqueue_milestone_reminders

    count = await asyncio.to_thread(enqueue_milestone_reminders, sender.db, sender.clock.now())
    log.info("milestone reminders: %d enqueued", count)


async def _weekly_digests(sender: OutboxSender) -> None:
    from dialogs.status import enqueue_weekly_digests

    count = await asyncio.to_thread(enqueue_weekly_digests, sender.db, sender.clock.now())
    if count:
        log.info("weekly digests: %d enqueued", count)


async def _files_housekeeping(sender: OutboxSender) -> None:
    from storage.files import FileRepository

    purged = await asyncio.to_thread(FileRepository(sender.db).purge_expired, sender.clock.now())
    log.info("files housekeeping: deleted %d expired files", purged)


async def _privacy_retention(sender: OutboxSender) -> None:
    from storage.privacy import PrivacyRepository

    purged = await asyncio.to_thread(PrivacyRepository(sender.db).apply_retention, now=sender.clock.now())
    log.info("privacy retention: deleted %s", purged)


async def _housekeeping(sender: OutboxSender) -> None:
    purged = await asyncio.to_thread(sender.outbox.purge, sender.clock.now() - KEEP_FINISHED)
    log.info("outbox housekeeping: purged %d finished rows", purged)
