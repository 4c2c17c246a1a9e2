"""The few fixed-id periodic jobs each instance runs (APScheduler 3.11): outbox dispatch and housekeeping.

The rows in the outbox, not these jobs, hold what is to be sent; a job only looks for due rows. So a job missed
during a restart costs nothing but a delay, and several instances can run the same jobs side by side.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery import OutboxSender

log = logging.getLogger(__name__)

DISPATCH_JOB = "outbox.dispatch"
HOUSEKEEPING_JOB = "outbox.housekeeping"
RETENTION_JOB = "privacy.retention"
SIGNING_KEYS_JOB = "auth.signing_keys"
DISPATCH_EVERY_SECONDS = 2
# Finished outbox rows are kept this long for the operator, then deleted.
KEEP_FINISHED = timedelta(days=30)


def build_scheduler(
    sender: OutboxSender, *, timezone: str = "UTC", refresh_signing_keys: bool = False
) -> AsyncIOScheduler:
    """refresh_signing_keys: keep the token-signing keys fresh off the event loop (only when tokens are checked)."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    if refresh_signing_keys:
        from bot import signing_keys

        # First run right away, then well within the SDK's one-day cache age; a late run is simply run late.
        scheduler.add_job(
            signing_keys.refresh_signing_keys,
            IntervalTrigger(hours=signing_keys.REFRESH_EVERY_HOURS),
            id=SIGNING_KEYS_JOB,
            name="refresh Bot Framework signing keys",
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(timedelta(hours=1).total_seconds()),
            replace_existing=True,
        )
    # max_instances=1: a slow run (rate-limited batch) is never overlapped by the next one in this process.
    # coalesce=True: runs missed while the loop was busy or the machine suspended collapse into one.
    # misfire_grace_time=30: a tick up to 30 s late still runs (the default of 1 s silently drops it when the
    # event loop is busy); later than that the next tick, 2 s on, does the same work anyway.
    # Each run sends until nothing is due, claiming the next batch while the current one is still going out.
    scheduler.add_job(
        sender.run_until_idle,
        IntervalTrigger(seconds=DISPATCH_EVERY_SECONDS),
        id=DISPATCH_JOB,
        name="send due outbox rows",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
        replace_existing=True,
    )
    # Daily at 03:17 UTC; a whole day of grace, so a restart at that hour postpones rather than skips it.
    scheduler.add_job(
        _housekeeping,
        CronTrigger(hour=3, minute=17, timezone="UTC"),
        args=[sender],
        id=HOUSEKEEPING_JOB,
        name="purge finished outbox rows",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(timedelta(hours=23).total_seconds()),
        replace_existing=True,
    )
    # Personal data past its retention period (docs/privacy.md), daily; same grace as the housekeeping above.
    scheduler.add_job(
        _privacy_retention,
        CronTrigger(hour=3, minute=41, timezone="UTC"),
        args=[sender],
        id=RETENTION_JOB,
        name="delete personal data past its retention period",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(timedelta(hours=23).total_seconds()),
        replace_existing=True,
    )
    return scheduler


async def _privacy_retention(sender: OutboxSender) -> None:
    from storage.privacy import PrivacyRepository

    purged = await asyncio.to_thread(PrivacyRepository(sender.db).apply_retention, now=sender.clock.now())
    log.info("privacy retention: deleted %s", purged)


async def _housekeeping(sender: OutboxSender) -> None:
    purged = await asyncio.to_thread(sender.outbox.purge, sender.clock.now() - KEEP_FINISHED)
    log.info("outbox housekeeping: purged %d finished rows", purged)
