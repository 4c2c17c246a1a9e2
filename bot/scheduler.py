"""The fixed-id periodic jobs each instance runs (APScheduler 3.11): outbox dispatch and housekeeping here, and
the jobs the capabilities declare (dialogs/kernel/registry.py: Job).

The rows in the outbox, not these jobs, hold what is to be sent; a job only looks for due rows. So a job missed
during a restart costs nothing but a delay, and several instances can run the same jobs side by side (the dispatch
job sends only on the instance holding the dispatcher role).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import signing_keys
from bot.delivery import OutboxSender
from bot.metrics import record_job_run
from dialogs.kernel.calendar_source import CalendarSource
from dialogs.kernel.registry import Daily, Every, Job, JobContext
from dialogs.kernel.turn import NoCapabilities
from storage.files import FileRepository
from storage.privacy import PrivacyRepository

log = logging.getLogger(__name__)

DISPATCH_JOB = "outbox.dispatch"
LEASE_JOB = "outbox.lease"
HOUSEKEEPING_JOB = "outbox.housekeeping"
RETENTION_JOB = "privacy.retention"
FILES_JOB = "files.housekeeping"
SIGNING_KEYS_JOB = "auth.signing_keys"
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
    jobs: Sequence[Job] = (),
) -> AsyncIOScheduler:
    """refresh_signing_keys: keep the token-signing keys fresh off the event loop (only when tokens are checked).
    default_timezone: the zone of people who never told theirs (Settings.default_timezone).
    jobs: the capabilities' jobs (dialogs.app.build_registry().jobs())."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    scheduler.add_listener(_count_run, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    if refresh_signing_keys:
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
    # Each capability's own jobs (reminders, digests, after-care, Outlook sync), as declared in its package.
    for job in jobs:
        if job.needs_calendar and calendar is None:
            continue
        _add(
            scheduler,
            _run_capability_job,
            _trigger(job.when),
            id=job.id,
            name=job.name,
            grace=job.grace_seconds,
            args=[job, sender, default_timezone, calendar],
            start_now=job.start_now,
        )
    return scheduler


def _count_run(event: JobEvent) -> None:
    """Every run of every job, for /metrics (projectbot_scheduler_job_runs_total): the job ids are fixed names."""
    if event.code == EVENT_JOB_MISSED:
        result = "missed"
    else:
        result = "failed" if getattr(event, "exception", None) is not None else "ok"
    record_job_run(event.job_id, result)


async def _heartbeat(sender: OutboxSender, scheduler: AsyncIOScheduler) -> None:
    held_before = sender.holds_dispatch_lease
    if await sender.heartbeat() and not held_before:
        # Just took the role (at start, or from an instance that died): dispatch now, not at the next tick.
        scheduler.modify_job(DISPATCH_JOB, next_run_time=datetime.now(UTC))


def _trigger(when: Every | Daily) -> IntervalTrigger | CronTrigger:
    if isinstance(when, Every):
        return IntervalTrigger(minutes=when.minutes)
    return CronTrigger(hour=when.hour, minute=when.minute, timezone=when.timezone)


async def _run_capability_job(
    job: Job, sender: OutboxSender, default_timezone: str, calendar: CalendarSource | None
) -> None:
    """Plain job functions (database work) run in a worker thread, coroutines on the loop."""
    context = JobContext(
        db=sender.db,
        now=sender.clock.now(),
        default_timezone=default_timezone,
        calendar=calendar,
        capabilities=job.capabilities or NoCapabilities(),
    )
    if inspect.iscoroutinefunction(job.run):
        done = await job.run(context)
    else:
        done = await asyncio.to_thread(job.run, context)
    if done:
        log.info("%s: %d", job.name, done)


async def _files_housekeeping(sender: OutboxSender) -> None:
    purged = await asyncio.to_thread(FileRepository(sender.db).purge_expired, sender.clock.now())
    log.info("files housekeeping: deleted %d expired files", purged)


async def _privacy_retention(sender: OutboxSender) -> None:
    purged = await asyncio.to_thread(PrivacyRepository(sender.db).apply_retention, now=sender.clock.now())
    log.info("privacy retention: deleted %s", purged)


async def _housekeeping(sender: OutboxSender) -> None:
    purged = await asyncio.to_thread(sender.outbox.purge, sender.clock.now() - KEEP_FINISHED)
    log.info("outbox housekeeping: purged %d finished rows", purged)
