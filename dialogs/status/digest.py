"""What the status capability sends by itself: the weekly digest a manager (by role, or named manager of a project)
gets on the day and time they chose (and its settings), and the reminder a coordinator gets for a milestone due soon
or late. The jobs enqueue them in the outbox; the renderers build their cards when they are sent, in the reader's
language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cards.capacity.notices import OverbookedLine
from cards.i18n import Translator
from cards.status.digest import (
    DigestItem,
    DigestSave,
    DigestSettingsForm,
    DigestView,
    build_digest_card,
    build_digest_settings_card,
)
from cards.status.milestones import MilestoneReminder, build_milestone_reminder_card
from dialogs.kernel.owned import not_yours
from dialogs.kernel.registry import Daily, Every, JobContext, Slot
from dialogs.kernel.timezones import person_zone
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.status import rules
from dialogs.status.common import capability
from dialogs.status.forms import DigestFields, read
from dialogs.status.portfolio import overseen
from domain.capacity import DEFAULT_AT_RISK_PERCENT
from domain.status import DEFAULT_DIGEST_DAY, DEFAULT_DIGEST_TIME, DEFAULT_STALE_DAYS
from storage.db import Database
from storage.directory import DirectoryRepository, Role, is_placeholder
from storage.models import Person
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.projects import ProjectRepository
from storage.status import StatusRepository

DIGEST_KIND = "status.digest"
DIGEST_BUILDER = "status.digest"
MILESTONE_KIND = "milestone.reminder"
MILESTONE_BUILDER = "status.milestone_reminder"

# The settings --------------------------------------------------------------------------------------------------


@capability.command("digest", en=("digest", "weekly digest"), nl=("weekoverzicht", "weekdigest"))
def digest_settings(request: Request, services: Services, rest: str) -> Reply:
    overseen(request, services)  # only who may see a portfolio gets a digest
    assert request.person.id is not None
    pref = StatusRepository(services.db).digest_preferences([request.person.id]).get(request.person.id)
    form = DigestSettingsForm(
        weekday=pref.weekday if pref else DEFAULT_DIGEST_DAY,
        at_time=pref.at_time if pref else DEFAULT_DIGEST_TIME,
        enabled=pref.enabled if pref else True,
        stale_days=str(pref.stale_days if pref else DEFAULT_STALE_DAYS),
        owner_id=request.person.id,
    )
    return Reply.card(build_digest_settings_card(form, request.t))


@capability.verb(DigestSave)
def save_digest_settings(request: Request, services: Services, payload: DigestSave) -> Reply:
    t = request.t
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.digest")) is not None:
        return refused
    overseen(request, services)
    chosen, errors = read(DigestFields, payload, t)
    if chosen is None:
        form = DigestSettingsForm(
            payload.weekday,
            payload.at_time,
            payload.enabled == "true",
            payload.stale_days,
            errors,
            owner_id=request.person.id,
        )
        return Reply(replace_card=build_digest_settings_card(form, t))
    assert request.person.id is not None
    StatusRepository(services.db).save_digest_preference(
        request.person.id,
        weekday=chosen.weekday,
        at_time=chosen.at_time.strftime("%H:%M"),
        enabled=chosen.enabled == "true",
        stale_days=chosen.stale_days,
        now=services.clock.now(),
    )
    if chosen.enabled != "true":
        return Reply.text(t("digest.settings.saved_off"))
    at = chosen.at_time.strftime("%H:%M")
    return Reply.text(t("digest.settings.saved", day=t(f"weekday.{chosen.weekday}"), time=at))


# Milestone reminders -------------------------------------------------------------------------------------------


@capability.proactive(MILESTONE_BUILDER)
def render_milestone_reminder(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    reminder = MilestoneReminder(
        code=str(args["code"]),
        name=str(args.get("name", "")),
        title=str(args["title"]),
        due_on=date.fromisoformat(str(args["due"])),
        late=bool(args.get("late")),
    )
    return build_milestone_reminder_card(reminder, t)


def enqueue_milestone_reminders(db: Database, now: datetime, timezone: str = "Europe/Brussels") -> int:
    """Daily: each open milestone due within 7 days or late reminds its project's coordinator, at most once a
    day (the dedup key holds the day). Returns how many were enqueued (or refreshed)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    outbox = OutboxRepository(db)
    count = 0
    for milestone, code, name, tenant_id, aad in StatusRepository(db).due_milestones(
        today + timedelta(days=rules.REMIND_DAYS_AHEAD)
    ):
        if not aad:
            continue
        outbox.enqueue(
            dedup_key=f"milestone:{milestone.id}:{today.isoformat()}",
            kind=MILESTONE_KIND,
            target=Target(tenant_id=tenant_id or "", aad_object_id=aad),
            payload=builder_payload(
                MILESTONE_BUILDER,
                code=code,
                name=name,
                title=milestone.title,
                due=milestone.due_on.isoformat(),
                late=milestone.due_on < today,
            ),
            due_at=now,
            not_after=now + timedelta(hours=20),
            now=now,
        )
        count += 1
    return count


# Milestones due within 7 days or late remind their coordinator; the dedup key holds the day, so a second run that
# day (another instance, a restart) adds nothing. 07:00 in Brussels, half a day of grace.
@capability.job(
    "status.milestone_reminders",
    name="enqueue milestone reminders",
    when=Daily(7, 0),
    grace_seconds=12 * 3600,
)
def _milestone_reminders(context: JobContext) -> int:
    return enqueue_milestone_reminders(context.db, context.now, context.default_timezone)


# The weekly digest ---------------------------------------------------------------------------------------------


@capability.proactive(DIGEST_BUILDER)
def render_digest(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    def items(key: str) -> list[DigestItem]:
        return [DigestItem(**item) for item in args.get(key) or []]

    view = DigestView(
        week=str(args.get("week", "")),
        updated=items("updated"),
        turned=items("turned"),
        stale=items("stale"),
        milestones=items("milestones"),
        stale_days=int(args.get("stale_days", DEFAULT_STALE_DAYS)),
        overbooked=[
            OverbookedLine(str(i["name"]), date.fromisoformat(str(i["monday"])), int(i["planned"]), int(i["available"]))
            for i in args.get("overbooked") or []
        ],
    )
    return build_digest_card(view, t)


def digest_recipients(db: Database) -> list[tuple[Person, bool]]:
    """Who gets a weekly digest, once each: the managers by role and everyone the data names manager of a project
    that is not closed; with whether they hold the manager role (their domains count too). Nobody forgotten, and no
    placeholder (someone named by address who never talked to the bot: there is no chat to send it to)."""
    found: dict[int, tuple[Person, bool]] = {}
    for person, roles in DirectoryRepository(db).people_with_roles():
        if Role.MANAGER in roles and person.id is not None:
            found[person.id] = (person, True)
    for person in ProjectRepository(db).named_managers():
        if person.id is not None and person.id not in found:
            found[person.id] = (person, False)
    return [
        (person, by_role)
        for person, by_role in found.values()
        if person.forgotten_at is None and person.aad_object_id and not is_placeholder(person)
    ]


def enqueue_weekly_digests(
    db: Database,
    now: datetime,
    default_timezone: str = "Europe/Brussels",
    capacity: Sequence[Callable[..., Any]] = (),
) -> int:
    """Run often (every few minutes): each manager (by role or named on a project) whose chosen digest moment this
    week has come, and who has not had this week's digest yet (dedup key per ISO week), gets it enqueued with this
    week's content. capacity: the Slot.DIGEST_CAPACITY sections (their people's over-booked weeks)."""
    directory = DirectoryRepository(db)
    recipients = digest_recipients(db)
    repository = StatusRepository(db)
    prefs = repository.digest_preferences([p.id for p, _ in recipients if p.id is not None])
    outbox = OutboxRepository(db)
    count = 0
    for person, by_role in recipients:
        assert person.id is not None
        pref = prefs.get(person.id)
        if pref is not None and not pref.enabled:
            continue
        zone = person_zone(person, default_timezone).key
        at = rules.parse_hhmm(pref.at_time if pref else DEFAULT_DIGEST_TIME) or time(8, 30)
        due = rules.digest_due_at(now, pref.weekday if pref else DEFAULT_DIGEST_DAY, at, zone)
        if not due <= now < due + timedelta(days=1):
            continue
        week = rules.week_key(due, zone)
        key = f"digest:{person.id}:{week}"
        if outbox.by_key(key) is not None:
            continue
        domains = directory.managed_domains(person.id) if by_role else frozenset()
        stale_days = pref.stale_days if pref else DEFAULT_STALE_DAYS
        args = digest_content(db, domains, now, zone, stale_days, managed_by=person.id, capacity=capacity)
        args["week"] = week
        outbox.enqueue(
            dedup_key=key,
            kind=DIGEST_KIND,
            target=Target(tenant_id=person.tenant_id, aad_object_id=person.aad_object_id),
            payload=builder_payload(DIGEST_BUILDER, **args),
            due_at=now,
            not_after=due + timedelta(days=1),
            now=now,
        )
        count += 1
    return count


def digest_content(
    db: Database,
    domain_ids: frozenset[int],
    now: datetime,
    timezone: str,
    stale_days: int,
    managed_by: int | None = None,
    capacity: Sequence[Callable[..., Any]] = (),
) -> dict[str, Any]:
    """The week in plain JSON values: updates this week, projects turning amber/red, stale updates, milestones due;
    for the projects of these domains and those the data names `managed_by` manager of (once each)."""
    repository = StatusRepository(db)
    today = now.astimezone(ZoneInfo(timezone)).date()
    rows = repository.portfolio(domain_ids, today=today, managed_by=managed_by)
    by_id = {r.project_id: r for r in rows}
    ids = list(by_id)
    week_start = now - timedelta(days=7)
    this_week = repository.reports_between(ids, week_start, now)
    before = repository.reports_before(ids, week_start)
    updated: list[dict[str, str]] = []
    turned: list[dict[str, str]] = []
    seen: set[int] = set()
    for report in reversed(this_week):  # newest first: one line per project, its latest update
        if report.project_id in seen:
            continue
        seen.add(report.project_id)
        row = by_id[report.project_id]
        earlier = before.get(report.project_id)
        updated.append(
            {"code": row.code, "name": row.name, "detail": report.overall,
             "extra": rules.trend(earlier.overall if earlier else None, report.overall) or ""}
        )  # fmt: skip
        if rules.turned_worse(earlier.overall if earlier else None, report.overall):
            turned.append(
                {"code": row.code, "name": row.name, "detail": report.overall,
                 "extra": earlier.overall if earlier else ""}
            )  # fmt: skip
    stale = [
        {"code": r.code, "name": r.name, "detail": str(rules.age_days(r.latest.created_at, now)) if r.latest else ""}
        for r in rows
        if rules.is_stale(r.latest.created_at if r.latest else None, now, stale_days)
    ]
    due = repository.milestones_for(ids, due_before=today + timedelta(days=rules.REMIND_DAYS_AHEAD))
    milestones = [
        {
            "code": by_id[m.project_id].code,
            "name": by_id[m.project_id].name,
            "detail": m.due_on.isoformat(),
            "extra": m.title,
        }
        for m in due
    ]
    updated.sort(key=lambda i: (-rules.rag_rank(i["detail"]), i["code"]))
    turned.sort(key=lambda i: (-rules.rag_rank(i["detail"]), i["code"]))
    content = {"updated": updated, "turned": turned, "stale": stale, "milestones": milestones, "stale_days": stale_days}
    # Left out when there is nothing to say, so the digest reads as it always did.
    if overbooked := [line for section in capacity for line in section(db, ids, today, DEFAULT_AT_RISK_PERCENT) or []]:
        content["overbooked"] = overbooked
    return content


# Weekly digests: each manager (by role or named on a project) chooses day and time in their own zone, so this looks
# every 10 minutes for whose moment has come; the dedup key holds the ISO week, so each gets one per week.
@capability.job("status.weekly_digests", name="enqueue weekly digests", when=Every(10), grace_seconds=600)
def _weekly_digests(context: JobContext) -> int:
    capacity = context.capabilities.sections(Slot.DIGEST_CAPACITY)
    return enqueue_weekly_digests(context.db, context.now, context.default_timezone, capacity)
