"""The weekly over-booking notice: Monday morning in each person's zone, through the outbox, once per conflict until
it changes; and the managers' digest section with their people's over-booked weeks.

A conflict is a person-week with more planned than available (Load.OVER; without a known availability a week is
never over). Its fingerprint (planned, available, the projects' minutes) is recorded in capacity_notice in the same
transaction that queues the messages, so two instances or a rerun never tell it twice; a changed fingerprint is
told again the next Monday; a week no longer over-booked is forgotten (should it come back, it is new)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cards.capacity.notices import (
    OverbookedWeek,
    ProjectShare,
    build_overbooked_card,
    build_team_overbooked_card,
)
from cards.i18n import Translator
from dialogs.capacity.declaration import capability
from dialogs.kernel.capacity import week_loads
from dialogs.kernel.registry import Every, JobContext, Slot
from dialogs.kernel.timezones import person_zone
from domain.capacity import DEFAULT_AT_RISK_PERCENT, Load, PersonLoad, WeekLoad
from storage.capacity import CapacityRepository, StaffedProject
from storage.db import Database
from storage.directory import is_placeholder
from storage.models import Person
from storage.opt_outs import OptOutRepository
from storage.outbox import OutboxRepository, Target, builder_payload, enqueue_in

NOTICE_KIND = "capacity.overbooked"
NOTICE_BUILDER = "capacity.overbooked"
TEAM_KIND = "capacity.overbooked_team"
TEAM_BUILDER = "capacity.overbooked_team"
WEEKS_AHEAD = 4  # this week and the three after it
NOTICE_AT = time(8, 0)  # Monday, in the person's own zone
EVERY_MINUTES = 10
# A notice still worth sending after a long outage until Friday; later it is news of a week half gone.
KEEP_FOR = timedelta(days=4)


# The job ------------------------------------------------------------------------------------------------------


def enqueue_overbooking_notices(db: Database, now: datetime, default_timezone: str = "Europe/Brussels") -> int:
    """Everyone with a known availability whose Monday 08:00 has come (in their zone, that same Monday) and who
    is over-booked in one of the next four weeks in a way not told before: their notice, and one to each other
    coordinator of the projects involved. Returns how many messages were queued."""
    repository = CapacityRepository(db)
    people = repository.people(repository.availability(None).keys())
    due: dict[date, list[int]] = {}
    for person_id, person in people.items():
        monday = _due_monday(now, person_zone(person, default_timezone))
        if monday is not None:
            due.setdefault(monday, []).append(person_id)
    return sum(_notify_group(db, people, monday, ids, now) for monday, ids in sorted(due.items()))


def _due_monday(now: datetime, zone: ZoneInfo) -> date | None:
    local = now.astimezone(zone)
    return local.date() if local.weekday() == 0 and local.time() >= NOTICE_AT else None


def _notify_group(db: Database, people: dict[int, Person], monday: date, person_ids: list[int], now: datetime) -> int:
    """The people whose Monday it is, read together: their loads, what they were told, the projects involved."""
    repository = CapacityRepository(db)
    loads = week_loads(db, person_ids, monday, WEEKS_AHEAD, at_risk_percent=DEFAULT_AT_RISK_PERCENT)
    told = repository.notices(person_ids, [week.monday for week in loads[0].weeks] if loads else [])
    outbox = OutboxRepository(db)
    week = _week_key(monday)
    # Once a week: a change later that Monday waits for the next one (the outbox keeps the first row anyway).
    pending = [
        load
        for load in loads
        if load.weeks_with(Load.OVER) or any(person == load.person_id for person, _ in told)
        if outbox.by_key(_notice_key(load.person_id, week)) is None
    ]
    project_ids = {p for load in pending for w in load.weeks_with(Load.OVER) for p, _ in w.by_project}
    projects = repository.projects(project_ids)
    coordinators = repository.people({p.coordinator_id for p in projects.values() if p.coordinator_id is not None})
    reachable = _reachable(db, [*people.values(), *coordinators.values()])
    count = 0
    for load in pending:
        count += _notify(db, people[load.person_id], load, told, projects, coordinators, reachable, week, now)
    return count


def _notify(
    db: Database,
    person: Person,
    load: PersonLoad,
    told: dict[tuple[int, date], str],
    projects: dict[int, StaffedProject],
    coordinators: dict[int, Person],
    reachable: set[tuple[int, str]],
    week: str,
    now: datetime,
) -> int:
    """One person's notices and fingerprints, in one transaction."""
    over = load.weeks_with(Load.OVER)
    changed = [w for w in over if told.get((load.person_id, w.monday)) != fingerprint(w)]
    forgotten = any(p == load.person_id and monday not in {w.monday for w in over} for p, monday in told)
    if not changed and not forgotten:
        return 0
    messages: list[tuple[str, str, Person, dict[str, Any]]] = []
    if changed and (load.person_id, NOTICE_KIND) in reachable:
        args = {"person_id": load.person_id, "weeks": [_week_args(w, projects, None) for w in changed]}
        messages.append(
            (_notice_key(load.person_id, week), NOTICE_KIND, person, builder_payload(NOTICE_BUILDER, **args))
        )
    for coordinator_id in sorted(_coordinators_of(changed, projects) - {load.person_id}):
        if (coordinator_id, TEAM_KIND) not in reachable:
            continue
        mine = [w for w in changed if coordinator_id in _coordinators_of([w], projects)]
        args = {
            "person_id": load.person_id,
            "person": load.name,
            "weeks": [_week_args(w, projects, coordinator_id) for w in mine],
        }
        key = f"{TEAM_KIND}:{coordinator_id}:{load.person_id}:{week}"
        messages.append((key, TEAM_KIND, coordinators[coordinator_id], builder_payload(TEAM_BUILDER, **args)))
    repository = CapacityRepository(db)
    with db.session() as session:
        for key, kind, to, payload in messages:
            enqueue_in(
                session,
                dedup_key=key,
                kind=kind,
                target=Target(tenant_id=to.tenant_id, aad_object_id=to.aad_object_id),
                payload=payload,
                due_at=now,
                now=now,
                not_after=now + KEEP_FOR,
            )
        for w in changed:
            repository.record_notice_in(session, load.person_id, w.monday, fingerprint(w), now)
        repository.forget_notices_in(session, load.person_id, [w.monday for w in over])
    return len(messages)


def fingerprint(week: WeekLoad) -> str:
    """What was said of a person's week: planned, available and each project's minutes. Any change: told again."""
    said = f"{week.planned}|{week.available}|" + ",".join(f"{p}:{m}" for p, m in sorted(week.by_project))
    return hashlib.sha256(said.encode()).hexdigest()


def _coordinators_of(weeks: Iterable[WeekLoad], projects: dict[int, StaffedProject]) -> set[int]:
    return {
        coordinator
        for w in weeks
        for p, _ in w.by_project
        if p in projects and (coordinator := projects[p].coordinator_id) is not None
    }


def _reachable(db: Database, people: Iterable[Person]) -> set[tuple[int, str]]:
    """Who can be told which kind: talked to the bot (no placeholder named by address), not erased, and not opted
    out of that kind. Checked here, not only when sent: a row the dispatcher cancels would leave a fingerprint
    recorded for a notice nobody read."""
    found = {
        p.id: p
        for p in people
        if p.id is not None and p.aad_object_id and p.forgotten_at is None and not is_placeholder(p)
    }
    opted = OptOutRepository(db).matching(
        tenant_ids={p.tenant_id for p in found.values()},
        kinds={NOTICE_KIND, TEAM_KIND},
        subjects={p.aad_object_id for p in found.values() if p.aad_object_id},
    )
    return {
        (person_id, kind)
        for person_id, p in found.items()
        for kind in (NOTICE_KIND, TEAM_KIND)
        if (p.tenant_id, kind, OptOutRepository.PERSON, p.aad_object_id) not in opted
    }


def _week_args(week: WeekLoad, projects: dict[int, StaffedProject], coordinator_id: int | None) -> dict[str, Any]:
    """The week as stored in the outbox: for a coordinator only their projects, the rest summed as `others`."""
    shares = [
        (projects.get(p), minutes)
        for p, minutes in week.by_project
        if coordinator_id is None or (p in projects and projects[p].coordinator_id == coordinator_id)
    ]
    shown = sum(minutes for _, minutes in shares)
    return {
        "monday": week.monday.isoformat(),
        "planned": week.planned,
        "available": week.available,
        "projects": [
            {"code": p.code if p else "?", "name": p.name if p else "", "minutes": minutes} for p, minutes in shares
        ],
        "others": week.planned - shown if coordinator_id is not None else 0,
    }


def _week_key(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def _notice_key(person_id: int, week: str) -> str:
    return f"{NOTICE_KIND}:{person_id}:{week}"


# Over-booked people on Monday morning, in their own zone: every 10 minutes looks whose 08:00 has come; the
# outbox key (person, ISO week) and the recorded fingerprints keep it to one notice per conflict. Ten minutes of
# grace: a missed run is done by the next one.
@capability.job(
    "capacity.overbooking_notices",
    name="enqueue weekly over-booking notices",
    when=Every(EVERY_MINUTES),
    grace_seconds=EVERY_MINUTES * 60,
)
def _overbooking_notices(context: JobContext) -> int:
    return enqueue_overbooking_notices(context.db, context.now, context.default_timezone)


# Rendering, at send time ---------------------------------------------------------------------------------------


def still_overbooked(db: Database, args: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """At send time: only the weeks still over-booked (plans moved since Monday morning); None when none is."""
    try:
        person_id = int(args["person_id"])
        mondays = [date.fromisoformat(str(w["monday"])) for w in args["weeks"]]
    except (KeyError, TypeError, ValueError):
        return None
    if not mondays:
        return None
    first = min(mondays)
    span = (max(mondays) - first).days // 7 + 1
    loads = week_loads(db, [person_id], first, span, at_risk_percent=DEFAULT_AT_RISK_PERCENT)
    over = {w.monday for w in loads[0].weeks_with(Load.OVER)} if loads else set()
    kept = [w for w, monday in zip(args["weeks"], mondays, strict=True) if monday in over]
    return {**args, "weeks": kept} if kept else None


def _weeks(args: dict[str, Any]) -> list[OverbookedWeek]:
    return [
        OverbookedWeek(
            monday=date.fromisoformat(str(w["monday"])),
            planned=int(w.get("planned") or 0),
            available=int(w.get("available") or 0),
            projects=tuple(
                ProjectShare(str(p.get("code", "?")), str(p.get("name", "")), int(p.get("minutes") or 0))
                for p in w.get("projects") or []
            ),
            others=int(w.get("others") or 0),
        )
        for w in args.get("weeks") or []
    ]


@capability.proactive(NOTICE_BUILDER, refresh=still_overbooked)
def render_overbooked(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    return build_overbooked_card(_weeks(args), t)


@capability.proactive(TEAM_BUILDER, refresh=still_overbooked)
def render_team_overbooked(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    return build_team_overbooked_card(str(args.get("person", "")), _weeks(args), t)


# The managers' digest ------------------------------------------------------------------------------------------


@capability.section(Slot.DIGEST_CAPACITY)
def digest_overbooked(
    db: Database, project_ids: list[int], today: date, at_risk_percent: int
) -> list[dict[str, Any]] | None:
    """The over-booked weeks (this one and the next three) of everyone on these projects, as plain values the
    digest stores; None when there are none (the digest stays as it was)."""
    people = CapacityRepository(db).people_on(project_ids)
    if not people:
        return None
    monday = today - timedelta(days=today.weekday())
    loads = week_loads(db, people, monday, WEEKS_AHEAD, at_risk_percent=at_risk_percent)
    lines = [
        {"name": load.name, "monday": w.monday.isoformat(), "planned": w.planned, "available": w.available}
        for load in loads
        for w in load.weeks_with(Load.OVER)
    ]
    return lines or None
