"""What the handover sends, scheduled through the outbox: informing the receiving party and stakeholders (now,
and some days before), reminding the coordinator, asking for acceptance on the day, the coordinator's notices, the
after-care reminders; the daily job that ends after-care (and closes the project), and the hook that catches up
with someone named by e-mail once they are linked. The cards themselves are rendered at send time (messages.py)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dialogs.handover import rules
from dialogs.handover.declaration import capability
from dialogs.kernel.registry import Daily, Event, JobContext
from dialogs.kernel.turn import Services
from domain.handover import OPEN_STATES, HandoverFacts, PersonRef
from storage.db import Database
from storage.handover import HandoverRepository, unreachable_told
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.status import StatusRepository

INFORM_KIND = "handover.inform"
REMINDER_KIND = "handover.reminder"
ACCEPTANCE_KIND = "handover.acceptance"
AFTER_CARE_KIND = "handover.after_care"
NOTICE_KIND = "handover.notice"
INFORM_BUILDER = "handover.inform"
REMINDER_BUILDER = "handover.reminder"
ACCEPTANCE_BUILDER = "handover.acceptance"
AFTER_CARE_BUILDER = "handover.after_care"
NOTICE_BUILDER = "handover.notice"
UNREACHABLE_BUILDER = "handover.unreachable"


def _person_target(person: PersonRef | None, tenant: str) -> Target | None:
    if person is None or person.aad_object_id is None:
        return None  # a placeholder (named by email, never talked to the bot) cannot be reached yet
    return Target(tenant_id=person.tenant_id or tenant, aad_object_id=person.aad_object_id)


def receiver_target(row: HandoverFacts) -> Target | None:
    if row.receiver_conversation_id is not None:
        return Target(tenant_id=row.tenant_id, conversation_ref_id=row.receiver_conversation_id)
    return _person_target(row.receiver_person, row.tenant_id)


def _coordinator_aad(row: HandoverFacts) -> str | None:
    return row.coordinator.aad_object_id if row.coordinator else None


def _inform_targets(row: HandoverFacts) -> list[tuple[str, str, Target]]:
    """(key part, role, target) for the receiving party and every reachable stakeholder."""
    targets: list[tuple[str, str, Target]] = []
    receiver = receiver_target(row)
    if receiver is not None:
        if row.receiver_conversation_id is not None:
            part = f"c{row.receiver_conversation_id}"
        else:
            assert row.receiver_person is not None  # receiver_target reached them
            part = f"p{row.receiver_person.id}"
        targets.append((part, "receiver", receiver))
    for person in row.stakeholders:
        if row.receiver_person is not None and person.id == row.receiver_person.id:
            continue
        target = _person_target(person, row.tenant_id)
        if target is not None:
            targets.append((f"p{person.id}", "stakeholder", target))
    return targets


def unreachable(row: HandoverFacts) -> list[tuple[PersonRef, str]]:
    """(person, role) for everyone the plan names to inform whom the bot cannot write to: named by email, they
    have not talked to the bot yet (a team's conversation is always reachable)."""
    people: list[tuple[PersonRef, str]] = []
    receiver = row.receiver_person if row.receiver_conversation_id is None else None
    if receiver is not None and receiver.aad_object_id is None:
        people.append((receiver, "receiver"))
    for person in row.stakeholders:
        if person.aad_object_id is None and (receiver is None or person.id != receiver.id):
            people.append((person, "stakeholder"))
    return people


def _tell_unreachable(db: Database, row: HandoverFacts, now: datetime) -> int:
    """Tell the coordinator, once per person, whom the informing card could not reach and why. Returns rows
    enqueued (0 or 1)."""
    prefix = f"handover:{row.id}:unreachable:"
    told = unreachable_told(db, prefix)
    new = sorted(person.id for person, _role in unreachable(row) if person.id not in told)
    target = _person_target(row.coordinator, row.tenant_id)
    if not new or target is None:
        return 0
    digest = hashlib.sha256(",".join(map(str, new)).encode()).hexdigest()[:12]
    OutboxRepository(db).enqueue(
        dedup_key=prefix + digest,
        kind=NOTICE_KIND,
        target=target,
        payload=builder_payload(UNREACHABLE_BUILDER, handover=row.id, people=new),
        due_at=now,
        now=now,
    )
    return 1


def _acceptance_key(row: HandoverFacts) -> str:
    return f"handover:{row.id}:accept:{row.planned_on.isoformat()}"


def _end_of_handover_day(row: HandoverFacts, zone: str) -> datetime:
    return rules.local_moment(row.planned_on + timedelta(days=1), zone, rules.SEND_AT.replace(hour=0))


def _inform(
    outbox: OutboxRepository,
    row: HandoverFacts,
    whom: tuple[str, str, Target],
    *,
    now: datetime,
    zone: str,
    moved: bool,
) -> int:
    """Queue the informing card for one party: now (made, or a person added: once per person; moved: again, about
    the new date) and, when still ahead, `inform_days` before the handover. Returns rows enqueued."""
    part, role, target = whom
    planned = row.planned_on.isoformat()
    end_of_day = _end_of_handover_day(row, zone)
    owner = _coordinator_aad(row)
    reason = "moved" if moved else "planned"
    outbox.enqueue(
        dedup_key=f"handover:{row.id}:{'moved:' + planned if moved else 'plan'}:{part}",
        kind=INFORM_KIND,
        target=target,
        payload=builder_payload(INFORM_BUILDER, handover=row.id, role=role, reason=reason, planned=planned),
        due_at=now,
        now=now,
        not_after=max(end_of_day, now),
        owner_aad_object_id=owner,
    )
    early = rules.local_moment(rules.inform_due(row.planned_on, row.inform_days), zone)
    if row.inform_days <= 0 or early <= now:
        return 1
    outbox.enqueue(
        dedup_key=f"handover:{row.id}:early:{planned}:{part}",
        kind=INFORM_KIND,
        target=target,
        payload=builder_payload(INFORM_BUILDER, handover=row.id, role=role, reason="early", planned=planned),
        due_at=early,
        now=now,
        not_after=end_of_day,
        owner_aad_object_id=owner,
    )
    return 2


def inform_newly_reachable(db: Database, person_id: int, now: datetime, zone: str) -> int:
    """Someone a plan named by e-mail before they talked to the bot just did (their placeholder is now linked to
    them): schedule every open handover that names them again, so they get the informing card (and, as the
    receiving party, the acceptance request) they could not get then. Rescheduling is idempotent for everyone
    else: sent keys are never sent again, pending rows stay as they are. The coordinator's "could not reach"
    notice is rendered at send time and leaves them out from now on. Returns rows enqueued or refreshed."""
    rows = HandoverRepository(db).open_naming(person_id)
    return sum(schedule(db, row, now, zone, previous=None) for row in rows)


def schedule(db: Database, row: HandoverFacts, now: datetime, zone: str, *, previous: date | None) -> int:
    """After the plan is made or changed: inform now (each person once), inform early, remind the coordinator and
    ask for acceptance on the day. A moved date cancels what was queued for the old one. Returns rows enqueued."""
    outbox = OutboxRepository(db)
    planned = row.planned_on.isoformat()
    count = 0
    moved = previous is not None and previous != row.planned_on
    if moved:
        for part in ("early", "remind", "accept"):
            outbox.cancel(prefix=f"handover:{row.id}:{part}:", now=now)
    handover_moment = rules.local_moment(row.planned_on, zone)
    end_of_day = _end_of_handover_day(row, zone)
    for part, role, target in _inform_targets(row):
        count += _inform(outbox, row, (part, role, target), now=now, zone=zone, moved=moved)
    coordinator = _person_target(row.coordinator, row.tenant_id)
    if coordinator is not None:
        for days in rules.REMINDER_DAYS:
            due = rules.local_moment(row.planned_on - timedelta(days=days), zone)
            if due <= now:
                continue
            outbox.enqueue(
                dedup_key=f"handover:{row.id}:remind:{days}:{planned}",
                kind=REMINDER_KIND,
                target=coordinator,
                payload=builder_payload(REMINDER_BUILDER, handover=row.id, days=days, planned=planned),
                due_at=due,
                now=now,
                not_after=end_of_day,
            )
            count += 1
    count += _tell_unreachable(db, row, now)
    receiver = receiver_target(row)
    if receiver is not None and row.state in OPEN_STATES:
        outbox.enqueue(
            dedup_key=_acceptance_key(row),
            kind=ACCEPTANCE_KIND,
            target=receiver,
            payload=builder_payload(ACCEPTANCE_BUILDER, handover=row.id, planned=planned),
            due_at=max(handover_moment, now),
            now=now,
            owner_aad_object_id=_coordinator_aad(row),
        )
        count += 1
    return count


def after_acceptance(db: Database, row: HandoverFacts, now: datetime, zone: str) -> None:
    """Accepted: what was queued for before the handover goes; the coordinator is told; after-care reminders queue."""
    outbox = OutboxRepository(db)
    for part in ("early", "remind", "accept"):
        outbox.cancel(prefix=f"handover:{row.id}:{part}:", now=now)
    _notify_coordinator(
        db,
        row,
        now,
        key=f"handover:{row.id}:accepted",
        title_key="handover.notice.accepted.title",
        text_key="handover.notice.accepted.text",
        values={"who": row.accepted_by or "?", "code": row.code},
    )
    if row.after_care_until is None:
        return
    until = row.after_care_until.isoformat()
    due = max(rules.local_moment(rules.after_care_warning_day(row.after_care_until), zone), now)
    not_after = rules.local_moment(row.after_care_until + timedelta(days=1), zone)
    sides = [("coordinator", _person_target(row.coordinator, row.tenant_id)), ("receiver", receiver_target(row))]
    for side, target in sides:
        if target is None or due >= not_after:
            continue
        outbox.enqueue(
            dedup_key=f"handover:{row.id}:aftercare:{until}:{side}",
            kind=AFTER_CARE_KIND,
            target=target,
            payload=builder_payload(AFTER_CARE_BUILDER, handover=row.id, side=side, until=until),
            due_at=due,
            now=now,
            not_after=not_after,
            owner_aad_object_id=_coordinator_aad(row),
        )


def _notify_coordinator(
    db: Database,
    row: HandoverFacts,
    now: datetime,
    *,
    key: str,
    title_key: str,
    text_key: str,
    values: dict[str, str],
    retrospective: bool = False,
) -> None:
    target = _person_target(row.coordinator, row.tenant_id)
    if target is None:
        return
    OutboxRepository(db).enqueue(
        dedup_key=key,
        kind=NOTICE_KIND,
        target=target,
        payload=builder_payload(
            NOTICE_BUILDER,
            code=row.code,
            title_key=title_key,
            text_key=text_key,
            values=values,
            retrospective=retrospective,
        ),
        due_at=now,
        now=now,
    )


def end_after_care(db: Database, now: datetime, zone: str = "Europe/Brussels") -> int:
    """Daily: every handover whose after-care is over closes its project; the coordinator is told and asked for
    the closing retrospective (unless there is one). Returns how many projects were closed."""
    today = now.astimezone(ZoneInfo(zone)).date()
    repository = HandoverRepository(db)
    closed = 0
    for row in repository.in_after_care():
        if not rules.after_care_over(row.after_care_until, today):
            continue
        if not repository.close(row.id, now=now):
            continue
        closed += 1
        has_retro = StatusRepository(db).retrospective(row.project_id) is not None
        _notify_coordinator(
            db,
            row,
            now,
            key=f"handover:{row.id}:closed",
            title_key="handover.notice.closed.title",
            text_key="handover.notice.closed.text" if has_retro else "handover.notice.closed.retro",
            values={"code": row.code, "name": row.name},
            retrospective=not has_retro,
        )
    return closed


def ask_acceptance_now(db: Database, row: HandoverFacts, now: datetime, today: date) -> bool:
    """The coordinator asks for acceptance now rather than on the planned date (again, when the request was sent
    already: once a day). False when the receiving party cannot be reached yet."""
    outbox = OutboxRepository(db)
    key = _acceptance_key(row)
    existing = outbox.by_key(key)
    if existing is not None and existing.state != "pending":
        key = f"{key}:again:{today.isoformat()}"
    target = receiver_target(row)
    if target is None:
        return False
    outbox.enqueue(
        dedup_key=key,
        kind=ACCEPTANCE_KIND,
        target=target,
        payload=builder_payload(ACCEPTANCE_BUILDER, handover=row.id, planned=row.planned_on.isoformat()),
        due_at=now,
        now=now,
        owner_aad_object_id=_coordinator_aad(row),
    )
    return True


def not_yet_noticed(db: Database, row: HandoverFacts, now: datetime, *, who: str, reason: str) -> None:
    """The receiving party cannot accept yet: the coordinator is told why (once per reason)."""
    digest = hashlib.sha256(reason.encode()).hexdigest()[:12]
    _notify_coordinator(
        db,
        row,
        now,
        key=f"handover:{row.id}:notyet:{digest}",
        title_key="handover.notice.not_yet.title",
        text_key="handover.notice.not_yet.text",
        values={"who": who, "reason": reason, "code": row.code},
    )


# After-care that is over closes its project (and asks for the retrospective); daily at 07:05 in Brussels, with
# half a day of grace. Closing is a conditional update, so a second run (another instance) closes nothing twice.
@capability.job("handover.after_care", name="end after-care periods", when=Daily(7, 5), grace_seconds=12 * 3600)
def _after_care(context: JobContext) -> int:
    return end_after_care(context.db, context.now, context.default_timezone)


@capability.hook(Event.PERSON_LINKED)
def _person_linked(services: Services, person_id: int) -> int:
    """A receiving party named by e-mail has just been linked: the handover notices they could not get then."""
    return inform_newly_reachable(services.db, person_id, services.clock.now(), services.default_timezone)
