"""The proactive sender: claims due outbox rows, delivers them within Teams' rate limits, retries what may be.

One instance at a time dispatches: the holder of the dispatcher role (a `lease` row it renews every heartbeat; when
it dies another instance takes the role once the lease has run out), so the bot's whole send budget is in one place.

Exactly-once, and where it is not: a row is claimed (with a lease of its own, renewed every heartbeat while the
instance holds it) before it is sent and marked sent right after the connector accepts it. A crash between claiming
and sending loses nothing (the row's lease runs out and the dispatcher claims it again). A send on the wire when the
process dies, or accepted by the connector in the millisecond before its `mark_sent` commit, is the one window in
which a message can be sent twice: the commit runs on the sender's own thread and connection, never queued behind
other database work. The sender never starts a send on a claim with less than `lease_margin` left (longer than a send
may take), so a slow or stalled instance cannot still be sending a row another instance has claimed again.

Where each part lives: `sender` (OutboxSender: the role, claims, the dispatch loop, sends and updates in place),
`pacing` (Teams' limits per conversation and the app's budget), `failures` (what a failed send was and whether to
retry it), `recording` (sent rows written in groups), `recipients` (each row's conversation, reader and opt-outs,
the undeliverable notice) and `options` (DeliveryOptions).
"""

from bot.delivery.failures import GONE_STATUSES, SendFailure, classify
from bot.delivery.options import DISPATCH_LEASE, TEAMS_CONVERSATION_LIMITS, DeliveryOptions
from bot.delivery.pacing import InFlightWindow, OrderedSemaphore, Pace, RateLimiter, SendLimits
from bot.delivery.recording import SentRecorder
from bot.delivery.sender import DispatchReport, OutboxSender

__all__ = [
    "DISPATCH_LEASE",
    "GONE_STATUSES",
    "TEAMS_CONVERSATION_LIMITS",
    "DeliveryOptions",
    "DispatchReport",
    "InFlightWindow",
    "OrderedSemaphore",
    "OutboxSender",
    "Pace",
    "RateLimiter",
    "SendFailure",
    "SendLimits",
    "SentRecorder",
    "classify",
]
