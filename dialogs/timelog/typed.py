"""Logging and planning by message: `registreer 2u30 DT-042 #vergadering analyse` / `plan 4h DT-042 friday`. A
message that is clear is stored at once (with Undo and Edit on the confirmation); one that is not comes back as the
form, filled with what was understood and an error under each field that needs the person."""

from __future__ import annotations

from datetime import date

from cards.base import minutes_text
from cards.capacity.common import week_name
from cards.i18n import LANGUAGES, Translator, translator
from cards.menu import MenuSection
from cards.timelog import CATEGORIES, NOTE_MAX, build_time_form_card, day_text
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timeparse import (
    BAD_DATE,
    BAD_WEEK,
    Kind,
    ParsedEntry,
    category_match,
    format_duration,
    parse_entry,
)
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import Me, me
from dialogs.timelog.declaration import capability
from dialogs.timelog.entries import (
    Draft,
    blank_form,
    confirmation,
    day_full,
    refusal_of,
    store,
    time_form,
    week_load_line,
)
from dialogs.timelog.week_plan import plan_week
from domain.names import NameMatch
from domain.projects import ProjectFacts
from storage.projects import ProjectRepository, Visibility

# A project name is at most this long (dialogs/projects.py); a typed entry's leading words are tried as one.
NAME_MAX = 200
NAME_WORDS = 20


@capability.command(
    "log",
    en=("log",),
    nl=("registreer",),
    menu=MenuInfo(
        "menu.log.title",
        "menu.log.description",
        {"en": "log 2h30 DT-042 #meeting", "nl": "registreer 2u30 DT-042 #vergadering"},
        section=MenuSection.TIME,
    ),
)
def log(request: Request, services: Services, rest: str) -> Reply:
    """Time worked."""
    return log_message(request, services, rest, "performed")


@capability.command("plan", en=("plan",), nl=("plan", "plannen"))
def plan(request: Request, services: Services, rest: str) -> Reply:
    """Time planned."""
    return log_message(request, services, rest, "planned")


def category_names() -> dict[str, tuple[str, ...]]:
    """What a typed tag may call each activity: its key and its name in every language ('#analyse', '#analysis')."""
    return {c: (c, *(translator(language)(f"time.category.{c}") for language in LANGUAGES)) for c in CATEGORIES}


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
        match = category_match(tag, names)
        if match.found is None:
            return None, _not_one_activity(f"#{tag[:40]}", match, t)
        if match.found not in found:
            found.append(match.found)
    if len(found) > 1:
        named = ", ".join(t(f"time.category.{c}") for c in found)
        return None, t("time.activity.several", categories=named)
    return found[0], None


def _not_one_activity(tag: str, match: NameMatch[str], t: Translator) -> str:
    """Why a tag names no one activity: the ones it could mean, the one it looks like, or the tags to type."""
    if match.candidates:
        could_be = ", ".join(f"#{t(f'time.category.{c}').lower()}" for c in match.candidates)
        return t("time.activity.ambiguous", tag=tag, tags=could_be)
    if match.suggestion is not None:
        suggestion = f"#{t(f'time.category.{match.suggestion}').lower()}"
        return t("time.activity.did_you_mean", tag=tag, suggestion=suggestion, tags=category_tags(t))
    return t("time.activity.unknown", tag=tag, tags=category_tags(t))


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
    if not rest.strip():
        return blank_form(request, services, kind)
    who = me(request, services)
    draft = _read_message(request, services, who, rest, kind)
    key = f"msg:{request.where.conversation_id}:{request.activity_id}"[:128] if request.activity_id else None
    if draft.week is not None:
        if kind == "performed":
            return Reply.text(t("time.refused", reason=t("time.week.only_plan")))
        return plan_week(request, services, who, draft, key)
    refused = refusal_of(draft, request, services, who)
    if refused is not None:
        return Reply.text(t("time.refused", reason=refused[1]))
    stored = store(request, services, who, draft, key)
    if stored.entry is None:
        return Reply.text(t("time.refused", reason=day_full(t, draft, stored.day_minutes)))
    # A plan says how full its week is now (and warns when it is over-booked); time worked does not.
    load = week_load_line(services, who.id, draft.day, draft.project.id) if kind == "planned" else None
    return Reply.card(confirmation(stored.entry, stored.day_minutes, t, load=load))


def _read_message(request: Request, services: Services, who: Me, rest: str, kind: Kind) -> Draft:
    """The entry a message describes; when it is not clear, raises Stop with the form: filled with what was
    understood, an error under each field that needs the person."""
    t = request.t
    parsed = parse_entry(rest, kind=kind, today=today_for(request, services))
    project, candidates, note, errors = _typed_project(services, who, parsed, t)
    if parsed.minutes is None:
        errors["duration"] = t("time.duration.missing")
    for problem, text in parsed.problems:
        if problem == BAD_DATE:
            errors["date"] = t("time.date.invalid", value=text[:20])
        if problem == BAD_WEEK:
            errors["date"] = t("time.week.invalid", value=text[:20])
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
            "note": note[:NOTE_MAX],
        }
        day = parsed.day if parsed.date_given and parsed.week is None else None
        tagged = category if parsed.categories else None
        understood = _understood(t, parsed.minutes, day, project, tagged, note, week=parsed.week)
        form = time_form(services, who, values=values, errors=errors, understood=understood, extra=candidates)
        raise Stop(Reply.card(build_time_form_card(form, t)))
    assert project is not None and parsed.minutes is not None and parsed.day is not None and category is not None
    return Draft(project, parsed.day, parsed.minutes, kind, category, note[:NOTE_MAX], parsed.week)


def _typed_project(
    services: Services, who: Me, parsed: ParsedEntry, t: Translator
) -> tuple[ProjectFacts | None, list[tuple[str, str]], str, dict[str, str]]:
    """(project, candidates, note, errors): the project the message names, the candidates when it names several
    (offered on the form), the note without the words that named it, and the project's error."""
    if not parsed.project:
        return None, [], parsed.note, {"project": t("time.project.missing")}
    project, candidates, shown, note = _resolve_typed_project(services, parsed.project, parsed.note, who.visibility())
    if candidates:
        return project, candidates, note, {"project": t("time.project.several", reference=shown[:60])}
    if project is None:
        return None, candidates, note, {"project": t("time.project.unknown", reference=shown[:60])}
    return project, candidates, note, {}


def _understood(
    t: Translator,
    minutes: int | None,
    day: date | None,
    project: ProjectFacts | None,
    category: str | None,
    note: str,
    *,
    week: date | None = None,
) -> str:
    parts = []
    if minutes is not None:
        parts.append(t("time.understood.duration", duration=minutes_text(minutes, t)))
    if day is not None:
        parts.append(t("time.understood.date", date=day_text(day, t)))
    if week is not None:
        parts.append(week_name(week, t))
    if project is not None:
        parts.append(t("time.understood.project", code=project.code))
    if category is not None:
        parts.append(t("time.understood.category", category=t(f"time.category.{category}")))
    if note:
        parts.append(t("time.understood.note", note=note[:80]))
    if not parts:
        return t("time.understood.nothing")
    return t("time.understood", parts=", ".join(parts))
