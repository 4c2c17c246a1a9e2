"""`beschikbaar 16u week 3 [domein]` / `available 16h week 3 [domain]`: who has that many unplanned hours that
week, most free first, with a button to add them to one of the asker's project teams.

Only people whose availability is known can be free; the others are counted, never listed. A span of weeks is
refused with the first week as example: "16 h free" means one week, and a coordinator composing a team for a longer
stretch asks week by week (the occupancy view shows the whole span). Adding someone goes through the same write and
audit as the project card's "add team member" (ProjectRepository.add_member), with the same rule: EDIT_PROJECT on
that project."""

from __future__ import annotations

from datetime import date

from cards.capacity.available import (
    ROLE_MAX,
    AddToTeam,
    AvailableView,
    FreePerson,
    OpenAddToTeam,
    TeamChoice,
    build_add_to_team_card,
    build_available_card,
)
from cards.i18n import Translator
from cards.menu import MenuSection
from dialogs.capacity.audience import may_view_capacity
from dialogs.capacity.declaration import capability
from dialogs.kernel.capacity import week_loads
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timeparse import format_duration, monday_of, parse_duration, parse_week_span
from dialogs.kernel.timezones import request_zone
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import me, refusal
from domain.capacity import MAX_MINUTES_PER_WEEK
from domain.names import match_name
from storage.capacity import CapacityRepository, StaffedProject
from storage.directory import DirectoryRepository, Role
from storage.projects import ProjectRepository, ProjectState, person_label

SHOWN = 15  # people on the card; the rest are counted (a team is composed from the first few)
_TYPED_MAX = 200
_COMMAND = {"nl": "beschikbaar", "en": "available"}
# Little words around the week and the domain ('16u in week 3 in domein tech'): not part of a domain's name.
_FILLERS = frozenset({"in", "op", "voor", "tijdens", "het", "domein", "for", "on", "during", "the", "domain"})
_HOUR_WORDS = frozenset({"u", "uur", "uren", "h", "hr", "hrs", "hour", "hours"})  # '16 uur', '2,5 hours'


@capability.command(
    "available",
    en=("available",),
    nl=("beschikbaar",),
    menu=MenuInfo(
        "menu.available.title",
        "menu.available.description",
        {"en": "available 16h next week", "nl": "beschikbaar 16u volgende week"},
        requires=Action.VIEW_CAPACITY,
        section=MenuSection.PLANNING,
    ),
)
def available(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    may_view_capacity(request, services)
    today = services.clock.now().astimezone(request_zone(request, services)).date()
    minutes, words = _hours(rest[:_TYPED_MAX].split())
    if minutes is None:
        raise Stop.saying(t("capacity.available.how", example=_example(t, today)))
    if not 0 < minutes <= MAX_MINUTES_PER_WEEK:
        raise Stop.saying(t("capacity.available.bad_hours"))
    span, domain_words = _week(words, today)
    if span is None:
        raise Stop.saying(t("capacity.available.which_week", example=_example(t, today, minutes)))
    monday, weeks = span
    if weeks != 1:
        raise Stop.saying(t("capacity.available.one_week", example=_example(t, monday, minutes)))
    domain_words = [word for word in domain_words if word.lower() not in _FILLERS]
    domain_id, domain_name = _domain(request, services, " ".join(domain_words))
    view = free_people(services, monday, minutes, domain_id, domain_name)
    return Reply.card(build_available_card(view, t))


def _hours(words: list[str]) -> tuple[int | None, list[str]]:
    """The first duration typed ('16u', '2,5h', '16 uur') and the other words."""
    for i, word in enumerate(words):
        minutes = parse_duration(word)
        if minutes is not None:
            return minutes, words[:i] + words[i + 1 :]
        if i + 1 < len(words) and words[i + 1].lower() in _HOUR_WORDS and (minutes := parse_duration(word + "h")):
            return minutes, words[:i] + words[i + 2 :]
    return None, words


def _week(words: list[str], today: date) -> tuple[tuple[date, int] | None, list[str]]:
    """The longest run of words that names weeks ('week 3', 'volgende week'), and the words left (the domain)."""
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            span = parse_week_span(" ".join(words[start : start + size]), today)
            if span is not None:
                return span, words[:start] + words[start + size :]
    return None, words


def _example(t: Translator, day: date, minutes: int = 16 * 60) -> str:
    """The command as the reader would type it for that day's week: 'beschikbaar 16u week 3' / 'available 16h
    week 3' (written here, not in the catalogs: it is what to type, in the words the router reads)."""
    hours = format_duration(minutes, t.language)
    return f"{_COMMAND[t.language]} {hours} week {monday_of(day).isocalendar().week}"


def _domain(request: Request, services: Services, typed: str) -> tuple[int | None, str | None]:
    """The domain typed after the week (forgiving, as the portfolio filter reads it); Stop when it names none or
    several."""
    if not typed:
        return None, None
    t = request.t
    domains = {d.id: d for d in ProjectRepository(services.db).domains() if d.id is not None}
    match = match_name(typed, {i: (d.key, d.name_nl, d.name_en) for i, d in domains.items()}, inner_words=True)
    if match.found is not None:
        return match.found, domains[match.found].name(t.language)
    shown = typed[:80]
    if match.candidates:
        names = ", ".join(f"“{domains[c].name(t.language)}”" for c in match.candidates[:5])
        raise Stop.saying(t("capacity.available.domain_ambiguous", typed=shown, names=names))
    if match.suggestion is not None:
        suggestion = domains[match.suggestion].name(t.language)
        raise Stop.saying(t("capacity.available.domain_did_you_mean", typed=shown, suggestion=suggestion))
    every = ", ".join(f"“{d.name(t.language)}”" for d in domains.values())
    raise Stop.saying(t("capacity.available.domain_unknown", typed=shown, names=every))


def free_people(
    services: Services, monday: date, minutes: int, domain_id: int | None, domain_name: str | None
) -> AvailableView:
    """Everyone with a known availability (on the domain's ongoing projects, when one is given) who has at least
    `minutes` unplanned that week, most free first; the unknown ones counted."""
    person_ids: set[int] | None = None
    if domain_id is not None:
        repository = CapacityRepository(services.db)
        person_ids = repository.people_on([p.id for p in repository.open_projects(domain_ids=[domain_id])])
    loads = week_loads(services.db, person_ids, monday, 1, at_risk_percent=services.capacity_at_risk_percent)
    free = [
        FreePerson(load.person_id, load.name, week.free)
        for load in loads
        for week in load.weeks
        if week.free is not None and week.free >= minutes
    ]
    free.sort(key=lambda person: (-person.free, person.name.casefold(), person.person_id))
    unknown = sum(1 for load in loads if load.availability is None)
    return AvailableView(monday, minutes, tuple(free[:SHOWN]), max(len(free) - SHOWN, 0), unknown, domain_name)


# Adding a free person to a team --------------------------------------------------------------------------------


def _own_projects(request: Request, services: Services) -> list[StaffedProject]:
    """The ongoing projects the asker may add people to: those they coordinate (an administrator: all)."""
    who = me(request, services)
    repository = CapacityRepository(services.db)
    if Role.ADMIN in who.roles:
        return repository.open_projects(everything=True)
    return repository.open_projects(coordinator_id=who.id)


def _person_name(request: Request, services: Services, person_id: int) -> str:
    """The name of the person a card names; Stop when there is no such person (erased, or a forged id)."""
    person = DirectoryRepository(services.db).get(person_id)
    name = person_label(person) if person is not None and person.forgotten_at is None else None
    if not name:
        raise Stop.saying(request.t("capacity.available.person_gone"))
    return name


@capability.verb(OpenAddToTeam)
def add_form(request: Request, services: Services, payload: OpenAddToTeam) -> Reply:
    may_view_capacity(request, services)
    projects = _own_projects(request, services)
    if not projects:
        return Reply.text(request.t("capacity.available.no_projects"))
    name = _person_name(request, services, payload.person)
    choice = TeamChoice(payload.person, name, tuple((p.code, p.name) for p in projects))
    return Reply.card(build_add_to_team_card(choice, request.t))


@capability.verb(AddToTeam)
def add_to_team(request: Request, services: Services, payload: AddToTeam) -> Reply:
    """Checked as the project card's team form checks it: EDIT_PROJECT on the project chosen, whatever the card
    offered (a forged code is refused like any project one may not edit). Someone already on the team stays as
    they are (their role is not overwritten), so a replay changes nothing."""
    t = request.t
    found = ProjectRepository(services.db).by_code(payload.code) if payload.code.strip() else None
    if found is None:
        return Reply.text(t("capacity.available.project_unknown"))
    who = me(request, services)
    decision = allowed(who.actor(found), Action.EDIT_PROJECT)
    if not decision.allowed:
        return refusal(decision, t)
    if found.state == ProjectState.CLOSED.value:
        return Reply.text(t("capacity.available.project_closed", code=found.code))
    name = _person_name(request, services, payload.person)
    role = " ".join(payload.role.split())
    if len(role) > ROLE_MAX:
        return Reply.text(t("project.member.role.too_long"))
    if payload.person in found.member_ids():
        return Reply.text(t("capacity.available.already", name=name, code=found.code))
    added, name = ProjectRepository(services.db).add_member(
        found.id, payload.person, role=role, external=False, actor_id=who.id, now=services.clock.now()
    )
    key = "project.member.added" if added else "capacity.available.already"
    return Reply.text(t(key, name=name, code=found.code))
