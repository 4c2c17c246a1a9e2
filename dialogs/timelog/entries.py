"""Time registration in the chat: log and plan by message or form, undo and edit, timesheets, a project's hours
against budget (with the coordinator's burn warning), and the export of entries."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from cards.base import minutes_text
from cards.i18n import LANGUAGES, Translator, catalog
from cards.menu import MenuSection
from cards.payloads import Day, Id, Payload, Prose, StoredIn, length_errors
from cards.timelog import (
    CATEGORIES,
    EDIT_VERB,
    FORM_FIELDS,
    HOURS_VERB,
    KINDS,
    SAVE_VERB,
    UNDO_VERB,
    WEEK_VERB,
    LoggedView,
    PersonHours,
    ProjectHoursView,
    SheetCell,
    SheetView,
    TimeForm,
    build_burn_warning_card,
    build_project_hours_card,
    build_time_form_card,
    build_time_logged_card,
    build_timesheet_card,
)
from cards.values import parse_date
from dialogs import proactive
from dialogs.kernel.burn import DEFAULT_MARGIN_POINTS, burn
from dialogs.kernel.burn_chart import BurnSeries, ChartLabels, render_burn_chart
from dialogs.kernel.owned import not_yours, submission_key
from dialogs.kernel.permissions import Action, Relation, allowed
from dialogs.kernel.registry import Capability
from dialogs.kernel.rendering import RenderingBusy
from dialogs.kernel.router import CodePayload, MenuInfo, Router
from dialogs.kernel.timeparse import (
    BAD_DATE,
    Kind,
    ParsedEntry,
    format_duration,
    match_category,
    parse_duration,
    parse_entry,
    parse_week,
)
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services
from dialogs.kernel.who import Me, find_project, me, refusal
from dialogs.time_export import XLSX_TYPE, export_csv, export_xlsx, parse_month
from storage.directory import is_placeholder
from storage.models import Person
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.projects import ProjectFacts, ProjectRepository, ProjectState, Visibility
from storage.time_entries import AheadRule, BurnCheck, EntryView, Stored, TimeEntryRepository

DAY_LIMIT_MINUTES = 24 * 60
# A typed entry's note as the form's (SavePayload.note: the column's length).
NOTE_MAX = 500
# A project name is at most this long (dialogs/projects.py); a typed entry's leading words are tried as one.
NAME_MAX = 200
NAME_WORDS = 20
BURN_KIND = "time.burn"
BURN_BUILDER = "time.burn_warning"
# The chart's data URI may take this much of the card's 28 KB; a larger one is left out (the facts still say it all).
CHART_URI_MAX = 18_000


def register(router: Router) -> None:
    router.command(
        "log",
        en=("log",),
        nl=("registreer",),
        handler=lambda r, s, rest: log_message(r, s, rest, "performed"),
        menu=MenuInfo(
            "menu.log.title",
            "menu.log.description",
            {"en": "log 2h30 DT-042 #meeting", "nl": "registreer 2u30 DT-042 #vergadering"},
            section=MenuSection.TIME,
        ),
    )
    router.command(
        "plan",
        en=("plan",),
        nl=("plan", "plannen"),
        handler=lambda r, s, rest: log_message(r, s, rest, "planned"),
    )
    router.command(
        "timesheet",
        en=("timesheet", "my hours"),
        nl=("uren", "mijn uren"),
        handler=timesheet,
        menu=MenuInfo(
            "menu.timesheet.title",
            "menu.timesheet.description",
            {"en": "timesheet", "nl": "uren"},
            section=MenuSection.TIME,
        ),
    )
    router.command("budget", en=("budget", "hours"), nl=("budget",), handler=project_hours)
    router.command(
        "export",
        en=("export",),
        nl=("export", "exporteer"),
        handler=export,
        menu=MenuInfo(
            "menu.export.title", "menu.export.description", {"en": "export", "nl": "export"}, section=MenuSection.TIME
        ),
    )
    router.action(SAVE_VERB, SavePayload, save_form, on_invalid=form_unreadable)
    router.action(UNDO_VERB, EntryPayload, undo)
    router.action(EDIT_VERB, EntryPayload, edit)
    router.action(WEEK_VERB, WeekPayload, page_week)
    router.action(HOURS_VERB, CodePayload, lambda r, s, p: project_hours(r, s, p.code))


class SavePayload(Payload):
    form_id: Annotated[str, Prose()] = ""
    owner: Id | None = None  # whose form it is (dialogs/owned.py)
    entry_id: Id | None = None
    project: str = ""
    date: str = ""
    duration: str = ""
    kind: str = "performed"
    category: str = "other"
    note: Annotated[str, StoredIn("time_entry.note", 500)] = ""


class EntryPayload(Payload):
    entry_id: Id


class WeekPayload(Payload):
    monday: Day
    owner: Id | None = None  # whose timesheet it is


# Helpers --------------------------------------------------------------------------------------------------------


def local_today(request: Request, services: Services) -> date:
    try:
        zone = ZoneInfo(request.timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo(services.default_timezone)
    return services.clock.now().astimezone(zone).date()


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


def _form(
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


@dataclass(frozen=True)
class Draft:
    project: ProjectFacts
    day: date
    minutes: int
    kind: Kind
    category: str
    note: str


def refusal_of(draft: Draft, request: Request, services: Services, who: Me) -> tuple[str, str] | None:
    """(field, reason) when the entry may not be stored; checked the same for messages and forms. The person's
    day limit is checked where the entry is written, in the same transaction (TimeEntryRepository.add/update)."""
    t = request.t
    today = local_today(request, services)
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


def _day_full(t: Translator, draft: Draft, logged: int) -> str:
    return t(
        f"time.refused.day_full.{draft.kind}",
        logged=minutes_text(logged, t),
        left=minutes_text(max(DAY_LIMIT_MINUTES - logged, 0), t),
    )


def _logged_view(entry: EntryView, day_total: int, state: str = "saved") -> LoggedView:
    return LoggedView(
        entry_id=entry.id,
        code=entry.project_code,
        project_name=entry.project_name,
        day=entry.day,
        minutes=entry.minutes,
        kind=entry.kind,
        category=entry.category,
        note=entry.note,
        day_total_minutes=day_total,
        state=state,
    )


def _store(request: Request, services: Services, who: Me, draft: Draft, request_key: str | None) -> Stored:
    """One write transaction: the entry, the day limit, and (performed time) the project's budget-alert state."""
    now = services.clock.now()
    today = local_today(request, services)
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


def _confirmation(entry: EntryView, day_total: int, t: Translator, *, state: str = "saved") -> dict[str, Any]:
    return build_time_logged_card(_logged_view(entry, day_total, state), t)


# Logging by message ---------------------------------------------------------------------------------------------


def category_names() -> dict[str, tuple[str, ...]]:
    """What a typed tag may call each activity: its key and its name in every language ('#analyse', '#analysis')."""
    return {c: (c, *(catalog(language)[f"time.category.{c}"] for language in LANGUAGES)) for c in CATEGORIES}


def category_tags(t: Translator) -> str:
    """The tags to type, in the reader's language: '#analyse, #vergadering, …'."""
    return ", ".join(f"#{t(f'time.category.{c}').lower()}" for c in CATEGORIES)


def typed_category(parsed: ParsedEntry, t: Translator) -> tuple[str | None, str | None]:
    """(category, None) for the message's activity tag ('other' without one), or (None, why not) when a tag names
    no activity, or the tags name different ones."""
    if not parsed.categories:
        return "other", None
    names = category_names()
    found: list[str] = []
    for tag in parsed.categories:
        category = match_category(tag, names)
        if category is None:
            return None, t("time.activity.unknown", tag=f"#{tag[:40]}", tags=category_tags(t))
        if category not in found:
            found.append(category)
    if len(found) > 1:
        named = ", ".join(t(f"time.category.{c}") for c in found)
        return None, t("time.activity.several", categories=named)
    return found[0], None


def _resolve_typed_project(
    services: Services, reference: str, note: str, visible_to: Visibility
) -> tuple[ProjectFacts | None, list[tuple[str, str]], str, str]:
    """(project, candidates, reference shown, note): a name may be followed by note words without a colon.

    Most messages start with a project code ('DT-042 workshop'): tried first, one query. Else the longest run of
    leading words that names a project. Close-match suggestions are not needed here (the reply does not show them)."""
    repository = ProjectRepository(services.db)
    words = reference.split()
    if len(words) > 1 and (by_code := repository.by_code(words[0])) is not None and visible_to.sees(by_code):
        return by_code, [], words[0], " ".join(part for part in (" ".join(words[1:]), note) if part)
    found = repository.lookup(reference, visible_to=visible_to, suggest=False)
    if found.found is not None or found.candidates:
        return found.found, found.candidates, reference, note
    # One lookup per candidate head: only heads that could be a name (at most NAME_WORDS words, NAME_MAX characters),
    # or a long message would be hundreds of queries.
    for size in range(min(len(words) - 1, NAME_WORDS), 0, -1):
        head = " ".join(words[:size])
        if len(head) > NAME_MAX:
            continue
        guess = repository.lookup(head, visible_to=visible_to, suggest=False)
        if guess.found is not None:
            rest = " ".join(words[size:])
            return guess.found, [], head, " ".join(part for part in (rest, note) if part)
    return None, [], reference, note


def log_message(request: Request, services: Services, rest: str, kind: Kind) -> Reply:
    t = request.t
    who = me(request, services)
    today = local_today(request, services)
    if not rest.strip():
        return Reply.card(
            build_time_form_card(_form(services, who, values={"date": today.isoformat(), "kind": kind}), t)
        )
    parsed = parse_entry(rest, kind=kind, today=today)
    project: ProjectFacts | None = None
    candidates: list[tuple[str, str]] = []
    note = parsed.note
    errors: dict[str, str] = {}
    if parsed.project:
        project, candidates, shown, note = _resolve_typed_project(
            services, parsed.project, parsed.note, who.visibility()
        )
        if candidates:
            errors["project"] = t("time.project.several", reference=shown[:60])
        elif project is None:
            errors["project"] = t("time.project.unknown", reference=shown[:60])
    else:
        errors["project"] = t("time.project.missing")
    if parsed.minutes is None:
        errors["duration"] = t("time.duration.missing")
    for problem, text in parsed.problems:
        if problem == BAD_DATE:
            errors["date"] = t("time.date.invalid", value=text[:20])
    category, category_problem = typed_category(parsed, t)
    if category_problem is not None:
        errors["category"] = category_problem
    if len(note) > NOTE_MAX:
        errors["note"] = t("form.text.too_long", limit=NOTE_MAX, length=len(note))
    if errors:
        values = {
            "project": project.code if project else "",
            "date": parsed.day.isoformat() if parsed.day else "",
            "duration": format_duration(parsed.minutes, t.language) if parsed.minutes is not None else "",
            "kind": kind,
            "category": category or "",  # a tag that named no activity: the person picks one
            "note": note[:500],
        }
        day = parsed.day if parsed.date_given else None
        understood = _understood(t, parsed.minutes, day, project, category if parsed.categories else None, note)
        form = _form(services, who, values=values, errors=errors, understood=understood, extra=candidates)
        return Reply.card(build_time_form_card(form, t))
    assert project is not None and parsed.minutes is not None and parsed.day is not None and category is not None
    draft = Draft(project, parsed.day, parsed.minutes, kind, category, note[:500])
    refused = refusal_of(draft, request, services, who)
    if refused is not None:
        return Reply.text(t("time.refused", reason=refused[1]))
    key = f"msg:{request.where.conversation_id}:{request.activity_id}"[:128] if request.activity_id else None
    stored = _store(request, services, who, draft, key)
    if stored.entry is None:
        return Reply.text(t("time.refused", reason=_day_full(t, draft, stored.day_minutes)))
    return Reply.card(_confirmation(stored.entry, stored.day_minutes, t))


def _understood(
    t: Translator,
    minutes: int | None,
    day: date | None,
    project: ProjectFacts | None,
    category: str | None,
    note: str,
) -> str:
    parts = []
    if minutes is not None:
        parts.append(t("time.understood.duration", duration=minutes_text(minutes, t)))
    if day is not None:
        parts.append(t("time.understood.date", date=day.strftime("%d/%m/%Y")))
    if project is not None:
        parts.append(t("time.understood.project", code=project.code))
    if category is not None:
        parts.append(t("time.understood.category", category=t(f"time.category.{category}")))
    if note:
        parts.append(t("time.understood.note", note=note[:80]))
    if not parts:
        return t("time.understood.nothing")
    return t("time.understood", parts=", ".join(parts))


# Logging by form ------------------------------------------------------------------------------------------------


def _typed(payload: SavePayload) -> dict[str, str]:
    return {name: str(getattr(payload, name)) for name in FORM_FIELDS}


def save_form(request: Request, services: Services, payload: SavePayload) -> Reply:
    """A personal card: in a channel only the person it was opened for saves it (anyone else is told whose it
    is); the double-submit key includes who submits, so no one is ever shown another's entry as "saved"."""
    t = request.t
    if (not_theirs := not_yours(request, services, payload.owner, "card.not_yours.time_form")) is not None:
        return not_theirs
    who = me(request, services)
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    entries = TimeEntryRepository(services.db)
    request_key = submission_key(request, form_id, "form:")
    if payload.entry_id is None and request_key and (done := entries.by_request_key(request_key)) is not None:
        total = entries.day_minutes(done.person_id, done.day, done.kind)
        return Reply(texts=[t("time.already_saved")], replace_card=_confirmation(done, total, t))
    editing: EntryView | None = None
    if payload.entry_id is not None:
        editing = entries.get(payload.entry_id)
        if editing is None:
            return Reply.text(t("time.entry.gone"))
        if (not_theirs := _not_own_entry(request, services, editing)) is not None:
            return not_theirs

    errors: dict[str, str] = {}
    project = ProjectRepository(services.db).by_code(payload.project) if payload.project.strip() else None
    if not payload.project.strip():
        errors["project"] = t("time.project.missing")
    elif project is None:
        errors["project"] = t("time.project.unknown", reference=payload.project.strip()[:60])
    day = parse_date(payload.date) if payload.date.strip() else None
    if day is None:
        errors["date"] = (
            t("time.date.invalid", value=payload.date.strip()[:20]) if payload.date.strip() else t("time.date.missing")
        )
    minutes = parse_duration("".join(payload.duration.split())) if payload.duration.strip() else None
    if minutes is None:
        errors["duration"] = (
            t("time.duration.invalid", value=payload.duration.strip()[:20])
            if payload.duration.strip()
            else t("time.duration.missing")
        )
    if payload.kind not in KINDS:
        errors["kind"] = t("time.kind.invalid")
    category = payload.category
    if category not in CATEGORIES:
        errors["category"] = t("time.activity.missing")
    # Too long is said next to the field, never cut off silently.
    errors.update(length_errors(payload, t))
    if not errors:
        assert project is not None and day is not None and minutes is not None
        draft = Draft(project, day, minutes, payload.kind, category, payload.note.strip()[:500])  # type: ignore[arg-type]
        refused = refusal_of(draft, request, services, who)
        if refused is not None:
            errors[refused[0]] = refused[1]
    if errors:
        form = _form(services, who, values=_typed(payload), errors=errors, form_id=form_id, entry_id=payload.entry_id)
        return Reply(replace_card=build_time_form_card(form, t))

    if editing is not None:
        updated = entries.update(
            editing.id,
            who.id,
            project_id=draft.project.id,
            day=draft.day,
            minutes=draft.minutes,
            kind=draft.kind,
            category=draft.category,
            note=draft.note,
            now=services.clock.now(),
            max_day_minutes=DAY_LIMIT_MINUTES,
        )
        if updated is None:
            return Reply.text(t("time.entry.gone"))
        if updated.entry is None:
            return _day_full_form(services, who, payload, form_id, draft, updated.day_minutes, t)
        today = local_today(request, services)
        for project_id in {editing.project_id, updated.entry.project_id}:
            check_burn(services, project_id, today=today)
        return Reply(replace_card=_confirmation(updated.entry, updated.day_minutes, t, state="updated"))

    stored = _store(request, services, who, draft, request_key)
    if stored.entry is None:
        return _day_full_form(services, who, payload, form_id, draft, stored.day_minutes, t)
    texts = [] if stored.created else [t("time.already_saved")]
    return Reply(texts=texts, replace_card=_confirmation(stored.entry, stored.day_minutes, t))


def _day_full_form(
    services: Services, who: Me, payload: SavePayload, form_id: str, draft: Draft, logged: int, t: Translator
) -> Reply:
    errors = {"duration": _day_full(t, draft, logged)}
    form = _form(services, who, values=_typed(payload), errors=errors, form_id=form_id, entry_id=payload.entry_id)
    return Reply(replace_card=build_time_form_card(form, t))


def form_unreadable(request: Request, services: Services, invalid: ValidationError) -> Reply:
    """A form whose fields are not even of the right type: a fresh form rather than a guess."""
    return log_message(request, services, "", "performed")


def _not_own_entry(request: Request, services: Services, entry: EntryView) -> Reply | None:
    """Undo and Edit are under everyone's eyes on a confirmation in a channel: only the entry's person uses them."""
    if entry.person_id == request.person.id:
        return None
    return not_yours(request, services, entry.person_id, "card.not_yours.time_entry")


def undo(request: Request, services: Services, payload: EntryPayload) -> Reply:
    t = request.t
    who = me(request, services)
    entries = TimeEntryRepository(services.db)
    entry = entries.get(payload.entry_id)
    if entry is not None and (refused := _not_own_entry(request, services, entry)) is not None:
        return refused
    removed = entries.delete(payload.entry_id, who.id)
    if removed is None:
        return Reply.text(t("time.entry.gone"))
    if removed.kind == "performed":
        check_burn(services, removed.project_id, today=local_today(request, services))
    card = build_time_logged_card(_logged_view(removed, 0, "undone"), t)
    return Reply(texts=[t("time.undone")], replace_card=card)


def edit(request: Request, services: Services, payload: EntryPayload) -> Reply:
    t = request.t
    who = me(request, services)
    entry = TimeEntryRepository(services.db).get(payload.entry_id)
    if entry is None:
        return Reply.text(t("time.entry.gone"))
    if (refused := _not_own_entry(request, services, entry)) is not None:
        return refused
    values = {
        "project": entry.project_code,
        "date": entry.day.isoformat(),
        "duration": format_duration(entry.minutes, t.language),
        "kind": entry.kind,
        "category": entry.category,
        "note": entry.note,
    }
    form = _form(services, who, values=values, entry_id=entry.id, extra=[(entry.project_code, entry.project_name)])
    return Reply(replace_card=build_time_form_card(form, t))


# Timesheet ------------------------------------------------------------------------------------------------------


def sheet_card(services: Services, person_id: int, monday: date, t: Translator) -> dict[str, Any]:
    cells = TimeEntryRepository(services.db).week(person_id, monday, monday + timedelta(days=6))
    projects = sorted({c.project_code for c in cells})
    view = SheetView(
        monday=monday,
        cells=[SheetCell(c.day, c.project_code, c.kind, c.minutes) for c in cells],
        projects=projects,
        owner_id=person_id,
    )
    return build_timesheet_card(view, t)


def timesheet(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    who = me(request, services)
    monday = parse_week(rest, local_today(request, services))
    if monday is None:
        if ProjectRepository(services.db).lookup(rest, visible_to=who.visibility(), suggest=False).found:
            return project_hours(request, services, rest)
        return Reply.text(t("time.week.unknown", text=rest.strip()[:40]))
    return Reply.card(sheet_card(services, who.id, monday, t))


def page_week(request: Request, services: Services, payload: WeekPayload) -> Reply:
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.timesheet")) is not None:
        return refused
    who = me(request, services)
    monday = payload.monday - timedelta(days=payload.monday.weekday())
    return Reply(replace_card=sheet_card(services, who.id, monday, request.t))


# A project's hours and budget burn ------------------------------------------------------------------------------


def hours_view(services: Services, project: ProjectFacts, today: date, *, people_of: int | None) -> ProjectHoursView:
    """people_of: only this person's line (None: everyone's)."""
    entries = TimeEntryRepository(services.db)
    people = [
        PersonHours(name, planned_minutes, performed_minutes)
        for person_id, name, planned_minutes, performed_minutes in entries.per_person(project.id)
        if people_of is None or person_id == people_of
    ]
    spent = entries.project_minutes(project.id, "performed")
    planned = entries.project_minutes(project.id, "planned")
    return _burn_view(services, project, spent, today, planned_minutes=planned, people=people)


def _burn_view(
    services: Services,
    project: ProjectFacts,
    spent: int,
    today: date,
    *,
    planned_minutes: int = 0,
    people: list[PersonHours] | None = None,
) -> ProjectHoursView:
    """The project's hours against budget; `ahead` is the rule behind the coordinator's warning."""
    state = burn(spent, project.budget_hours, project.planned_start, project.planned_end, today)
    margin = services.burn_margin_points
    return ProjectHoursView(
        code=project.code,
        name=project.name,
        spent_minutes=spent,
        planned_minutes=planned_minutes,
        budget_hours=project.budget_hours,
        spent_pct=state.spent_pct,
        elapsed_pct=state.elapsed_pct,
        ahead=state.ahead(margin),
        margin_points=margin,
        people=people or [],
    )


def ahead_rule(services: Services, project: ProjectFacts, today: date) -> AheadRule:
    """Whether the project runs ahead with this many performed minutes: evaluated inside the write transaction."""
    return lambda spent: _burn_view(services, project, spent, today).ahead


def project_hours(request: Request, services: Services, rest: str) -> Reply:
    found = find_project(request, services, rest, "budget")
    if isinstance(found, Reply):
        return found
    who = me(request, services)
    actor = who.actor(found)
    decision = allowed(actor, Action.VIEW_PROJECT)
    if not decision.allowed:
        return refusal(decision, request.t)
    everyone = allowed(actor, Action.VIEW_TIME_OF_OTHER).allowed
    today = local_today(request, services)
    view = hours_view(services, found, today, people_of=None if everyone else who.id)
    chart = burn_chart_uri(services, found, today, request.t)
    return Reply.card(build_project_hours_card(replace(view, chart_uri=chart), request.t))


def burn_chart_uri(services: Services, project: ProjectFacts, today: date, t: Translator) -> str | None:
    """The burn chart as a data URI for the card, or None when it would not leave room for the rest of the card.

    A data URI rather than a link served by the bot: measured at 9-13 KB of PNG (12-18 KB in base64) for an 800x500
    chart with a 32-colour palette, it fits the 28 KB card limit next to the facts and 40 people, needs no public
    image route (Teams fetches card images without the bot's credentials, so a per-person signed link would show
    to nobody else in a channel) and never expires in the chat history."""
    series = BurnSeries(
        TimeEntryRepository(services.db).cumulative(project.id),
        project.budget_hours,
        project.planned_start,
        project.planned_end,
        today,
    )
    labels = ChartLabels(
        title=t("time.chart.title", code=project.code),
        spent=t("time.chart.spent"),
        budget=t("time.chart.budget"),
        plan=t("time.chart.plan"),
        hours=t("time.chart.hours"),
        no_entries=t("time.chart.empty"),
    )
    try:
        # Drawn off the database path and kept by its data (dialogs/rendering.py); a card without it beats no card.
        png = services.renderer.render(render_burn_chart, series, labels, cache=True)
    except RenderingBusy:
        return None
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return uri if len(uri) <= CHART_URI_MAX else None


def check_burn(services: Services, project_id: int, *, today: date) -> bool:
    """After an undo or an edit: record whether the project runs ahead, warn its coordinator once when it starts
    to. (A new entry does the same inside its own write transaction: _store.) True: warned."""
    project = ProjectRepository(services.db).facts(project_id)
    if project is None:
        return False
    checked = TimeEntryRepository(services.db).check_burn(
        project_id, ahead_rule(services, project, today), now=services.clock.now()
    )
    return warn_coordinator(services, project, checked, today=today)


def warn_coordinator(services: Services, project: ProjectFacts, checked: BurnCheck, *, today: date) -> bool:
    """Enqueue the burn warning when the check found a new crossing (once per crossing: the dedup key)."""
    if checked.crossing is None or project.coordinator_id is None:
        return False
    with services.db.session() as session:
        coordinator = session.get(Person, project.coordinator_id)
    if coordinator is None or is_placeholder(coordinator) or coordinator.forgotten_at is not None:
        return False
    now = services.clock.now()
    view = _burn_view(services, project, checked.spent_minutes, today)
    OutboxRepository(services.db).enqueue(
        dedup_key=f"{BURN_KIND}:{project.id}:{checked.crossing}",
        kind=BURN_KIND,
        target=Target(tenant_id=coordinator.tenant_id, aad_object_id=coordinator.aad_object_id),
        payload=builder_payload(BURN_BUILDER, **_burn_args(view)),
        due_at=now,
        now=now,
        not_after=now + timedelta(days=7),
    )
    return True


def _burn_args(view: ProjectHoursView) -> dict[str, Any]:
    return {
        "code": view.code,
        "name": view.name,
        "spent_minutes": view.spent_minutes,
        "budget_hours": str(view.budget_hours) if view.budget_hours is not None else None,
        "spent_pct": str(view.spent_pct) if view.spent_pct is not None else None,
        "elapsed_pct": str(view.elapsed_pct) if view.elapsed_pct is not None else None,
        "margin": view.margin_points,
    }


def _render_burn(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    from decimal import Decimal

    def number(name: str) -> Decimal | None:
        value = args.get(name)
        return Decimal(str(value)) if value is not None else None

    view = ProjectHoursView(
        code=str(args.get("code", "?")),
        name=str(args.get("name", "")),
        spent_minutes=int(args.get("spent_minutes") or 0),
        planned_minutes=0,
        budget_hours=number("budget_hours"),
        spent_pct=number("spent_pct"),
        elapsed_pct=number("elapsed_pct"),
        ahead=True,
        margin_points=int(args.get("margin") or DEFAULT_MARGIN_POINTS),
        people=[],
    )
    return build_burn_warning_card(view, t)


proactive.CAPABILITY_RENDERERS[BURN_BUILDER] = _render_burn


# Export ---------------------------------------------------------------------------------------------------------


def export(request: Request, services: Services, rest: str) -> Reply:
    """`export` (everything the person may see), `export DT-042`, `export november`, `export DT-042 november 2026`."""
    t = request.t
    who = me(request, services)
    words = rest.split()
    period: tuple[date, date] | None = None
    for size in (2, 1):
        if len(words) >= size and (found := parse_month(words[-size:], local_today(request, services))):
            period, words = found, words[:-size]
            break
    entries = TimeEntryRepository(services.db)
    start, end = period if period else (None, None)
    if words:
        project = find_project(request, services, " ".join(words), "export")
        if isinstance(project, Reply):
            return project
        # Everyone's entries only for those who may see other people's time on it; otherwise one's own.
        if allowed(who.actor(project), Action.VIEW_TIME_OF_OTHER).allowed and who.actor(project).relations - {
            Relation.SELF
        }:
            rows = entries.export_rows(project_ids=[project.id], start=start, end=end)
        else:
            rows = entries.export_rows(person_ids=[who.id], project_ids=[project.id], start=start, end=end)
        scope = project.code
    else:
        visible = [
            p.id
            for p in ProjectRepository(services.db).for_person(who.id, who.domains)
            if allowed(who.actor(p), Action.VIEW_TIME_OF_OTHER).allowed
        ]
        rows = entries.export_rows(own_or_projects=(who.id, visible), start=start, end=end)
        scope = t("time.export.scope.all")
    stem = "-".join(
        part
        for part in (t("time.export.stem"), scope if words else "", start.strftime("%Y-%m") if start else "")
        if part
    ).lower()
    when = (
        t("time.export.period", start=start.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y")) if start and end else ""
    )
    summary = t("time.export.done", count=len(rows), scope=scope, period=when)
    description = t("time.export.description", scope=scope)
    return Reply(
        texts=[summary],
        files=[
            OutgoingFile(f"{stem}.xlsx", XLSX_TYPE, services.renderer.render(export_xlsx, rows, t), description),
            OutgoingFile(f"{stem}.csv", "text/csv", export_csv(rows, t), description),
        ],
    )


capability = Capability("time", install=register)
