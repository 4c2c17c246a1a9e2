"""One time entry, however it is typed: the form it is shown in (the person's open projects, recent first), the
rules an entry must pass before it is stored (checked the same for a message and for the form), the write with
its day limit and burn check, the confirmation card, and the confirmation's Undo and Edit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from cards.base import minutes_text
from cards.i18n import Translator
from cards.timelog import (
    EditPayload,
    LoggedView,
    TimeForm,
    UndoPayload,
    WeekLoadLine,
    build_time_form_card,
    build_time_logged_card,
)
from dialogs.kernel.capacity import person_week
from dialogs.kernel.owned import not_yours
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.timeparse import Kind, format_duration, monday_of
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import Me, me
from dialogs.timelog.burn_warning import ahead_rule, check_burn, warn_coordinator
from dialogs.timelog.declaration import capability
from domain.capacity import Load
from domain.projects import ProjectFacts
from domain.time import EntryFacts
from storage.projects import ProjectRepository, ProjectState
from storage.time_entries import Stored, TimeEntryRepository

DAY_LIMIT_MINUTES = 24 * 60


# The form -------------------------------------------------------------------------------------------------------


def _loggable_projects(services: Services, who: Me) -> list[ProjectFacts]:
    """The person's open projects they may log on, the ones they logged on most recently first."""
    projects = [
        p
        for p in ProjectRepository(services.db).for_person(who.id)
        if p.state != ProjectState.CLOSED.value and allowed(who.actor(p), Action.LOG_OWN_TIME).allowed
    ]
    recent = TimeEntryRepository(services.db).recent_project_ids(who.id)
    rank = {project_id: position for position, project_id in enumerate(recent)}
    return sorted(projects, key=lambda p: (rank.get(p.id, len(rank)), p.code))


def time_form(
    services: Services,
    who: Me,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    form_id: str | None = None,
    entry_id: int | None = None,
    understood: str = "",
    extra: list[tuple[str, str]] | None = None,
) -> TimeForm:
    """The log form as shown: `extra` are (code, name) of projects to offer besides the person's own (the entry's
    project when editing, the candidates a typed name matched)."""
    choices = [(p.code, f"{p.code} · {p.name}") for p in _loggable_projects(services, who)]
    known = {code for code, _ in choices}
    for code, name in extra or []:
        if code not in known:
            choices.insert(0, (code, f"{code} · {name}"))
    if values.get("project") and values["project"] not in {code for code, _ in choices}:
        values = {**values, "project": ""}
    return TimeForm(
        form_id=form_id or uuid.uuid4().hex,
        projects=choices,
        values=values,
        errors=errors or {},
        entry_id=entry_id,
        understood=understood,
        owner_id=who.id,
    )


def blank_form(request: Request, services: Services, kind: Kind) -> Reply:
    """An empty form for today (`registreer` alone, or a form whose data could not even be read)."""
    today = today_for(request, services)
    form = time_form(services, me(request, services), values={"date": today.isoformat(), "kind": kind})
    return Reply.card(build_time_form_card(form, request.t))


# The rules and the write ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    project: ProjectFacts
    day: date
    minutes: int
    kind: Kind
    category: str
    note: str
    week: date | None = None  # a whole week's plan (its Monday), spread over its working days (week_plan.py)


def refusal_of(draft: Draft, request: Request, services: Services, who: Me) -> tuple[str, str] | None:
    """(field, reason) when the entry may not be stored; checked the same for messages and forms. The person's
    day limit is checked where the entry is written, in the same transaction (TimeEntryRepository.add/update)."""
    t = request.t
    today = today_for(request, services)
    if draft.minutes <= 0:
        return "duration", t("time.refused.not_positive")
    if draft.minutes > DAY_LIMIT_MINUTES:
        return "duration", t("time.refused.over_day")
    if draft.project.state == ProjectState.CLOSED.value:
        return "project", t("time.refused.closed", code=draft.project.code)
    decision = allowed(who.actor(draft.project), Action.LOG_OWN_TIME)
    if not decision.allowed:
        return "project", t("time.refused.not_on_team", code=draft.project.code, who=t(decision.who_can))
    if draft.kind == "performed" and draft.day > today:
        return "date", t("time.refused.future")
    if draft.kind == "planned" and draft.day < today:
        return "date", t("time.refused.past")
    return None


def day_full(t: Translator, draft: Draft, logged: int) -> str:
    """Why the entry does not fit in the person's day, with what is logged and what is left."""
    return t(
        f"time.refused.day_full.{draft.kind}",
        logged=minutes_text(logged, t),
        left=minutes_text(max(DAY_LIMIT_MINUTES - logged, 0), t),
    )


def store(request: Request, services: Services, who: Me, draft: Draft, request_key: str | None) -> Stored:
    """One write transaction: the entry, the day limit, and (performed time) the project's budget-alert state."""
    now = services.clock.now()
    today = today_for(request, services)
    stored = TimeEntryRepository(services.db).add(
        person_id=who.id,
        project_id=draft.project.id,
        day=draft.day,
        minutes=draft.minutes,
        kind=draft.kind,
        category=draft.category,
        note=draft.note,
        request_key=request_key,
        now=now,
        max_day_minutes=DAY_LIMIT_MINUTES,
        ahead=ahead_rule(services, draft.project, today),
    )
    if stored.burn is not None:
        warn_coordinator(services, draft.project, stored.burn, today=today)
    return stored


def confirmation(
    entry: EntryFacts, day_total: int, t: Translator, *, state: str = "saved", load: WeekLoadLine | None = None
) -> dict[str, Any]:
    return build_time_logged_card(LoggedView(entry, day_total, state, load), t)


def load_after(services: Services, entry: EntryFacts) -> WeekLoadLine | None:
    """For planned time, how full its week is now (the confirmation says it, however the plan was entered)."""
    return week_load_line(services, entry.person_id, entry.day, entry.project_id) if entry.kind == "planned" else None


def week_load_line(services: Services, person_id: int, day: date, project_id: int) -> WeekLoadLine:
    """How full the person's week of `day` is now a plan is stored, with the other projects that take its time
    (named only when the week is over-booked or at risk: the warning is where they are read)."""
    at_risk = services.capacity_at_risk_percent
    week = person_week(services.db, person_id, monday_of(day), at_risk_percent=at_risk)
    others = [(project, minutes) for project, minutes in week.by_project if project != project_id]
    codes: dict[int, str] = {}
    if others and week.load in (Load.OVER, Load.AT_RISK):
        codes = TimeEntryRepository(services.db).project_codes([project for project, _ in others])
    return WeekLoadLine(week, tuple((codes[p], m) for p, m in others if p in codes), at_risk)


def ensure_own_entry(request: Request, services: Services, entry: EntryFacts) -> None:
    """Undo and Edit are under everyone's eyes on a confirmation in a channel: only the entry's person uses them
    (raises Stop with the polite refusal for anyone else)."""
    if entry.person_id != request.person.id:
        refused = not_yours(request, services, entry.person_id, "card.not_yours.time_entry")
        if refused is not None:
            raise Stop(refused)


# The confirmation's Undo and Edit -------------------------------------------------------------------------------


@capability.verb(UndoPayload)
def undo(request: Request, services: Services, payload: UndoPayload) -> Reply:
    t = request.t
    who = me(request, services)
    entries = TimeEntryRepository(services.db)
    entry = entries.get(payload.entry_id)
    if entry is not None:
        ensure_own_entry(request, services, entry)
    removed = entries.delete(payload.entry_id, who.id)
    if removed is None:
        return Reply.text(t("time.entry.gone"))
    if removed.kind == "performed":
        check_burn(services, removed.project_id, today=today_for(request, services))
    card = confirmation(removed, 0, t, state="undone")
    return Reply(texts=[t("time.undone")], replace_card=card)


@capability.verb(EditPayload)
def edit(request: Request, services: Services, payload: EditPayload) -> Reply:
    t = request.t
    who = me(request, services)
    entry = TimeEntryRepository(services.db).get(payload.entry_id)
    if entry is None:
        return Reply.text(t("time.entry.gone"))
    ensure_own_entry(request, services, entry)
    values = {
        "project": entry.project_code,
        "date": entry.day.isoformat(),
        "duration": format_duration(entry.minutes, t.language),
        "kind": entry.kind,
        "category": entry.category,
        "note": entry.note,
    }
    form = time_form(services, who, values=values, entry_id=entry.id, extra=[(entry.project_code, entry.project_name)])
    return Reply(replace_card=build_time_form_card(form, t))
