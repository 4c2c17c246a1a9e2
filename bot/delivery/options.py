"""The sender's settings (DeliveryOptions) and Teams' limits per conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

# The lease row of the dispatcher role (storage.leases).
DISPATCH_LEASE = "outbox.dispatch"

# Teams' limits per bot per conversation (count, seconds); the tighter ones decide, all are kept.
TEAMS_CONVERSATION_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))


@dataclass(frozen=True)
class DeliveryOptions:
    # The bot's whole budget: Teams counts it per bot (app id), and with the dispatcher role only one instance
    # sends at a time, so every instance gets the same value, whatever the number of instances.
    app_per_second: float = 30.0
    conversation_limits: tuple[tuple[int, float], ...] = TEAMS_CONVERSATION_LIMITS
    # Rows claimed at a time. A dispatch run claims the next batch once fewer than half a batch is left unsent, so
    # at most 1.5 batches are claimed and waiting.
    batch_size: int = 100
    # A claimed row's lease. The holder renews it every heartbeat (and just before a send, if need be), so it is
    # short: the rows of an instance that died are claimable again at most this long after its last heartbeat.
    lease: timedelta = timedelta(seconds=20)
    # Never start a send with less claim left than this: more than a send may take (send_timeout) plus clock skew
    # between instances, so no other instance can claim a row again while it is on the wire.
    lease_margin: timedelta = timedelta(seconds=10)
    # A send that has no answer after this long is abandoned and retried like a network error.
    send_timeout: float = 8.0
    # The dispatcher role's lease (renewed every heartbeat, bot.scheduler): another instance takes the role at
    # most this long (plus a heartbeat) after the holder died. An instance stops starting sends `role_margin`
    # before its lease would run out, so with clocks in step two instances never send side by side.
    role_lease: timedelta = timedelta(seconds=10)
    role_margin: timedelta = timedelta(seconds=2)
    # Retries: the first waits up to base_delay (uniformly at random), each next one up to twice as long. A short
    # first step is safe because every retry goes through the same per-conversation and app limits as a first
    # send, so it cannot make a burst; a conversation that keeps answering 429 is held back exponentially, and
    # twelve attempts (the last wait up to ~4 minutes; about 4 minutes in all on average, at most ~8.5) ride out
    # a short Teams outage before the row is marked failed.
    max_attempts: int = 12
    base_delay: float = 0.25
    max_delay: float = 300.0
    # Retries waiting at most this long happen in the same run (the row stays claimed); longer ones reschedule it.
    inline_retry_max: float = 5.0
    # Requests to the connector in flight at once (rows waiting to retry do not count).
    concurrency: int = 32
    # How far ahead of the even schedule (1 / app_per_second apart) a send may go; see Pace.
    pace_tolerance: float = 0.05
