"""`bezetting` / `capacity`: people x weeks, planned against available, for a coordinator's or manager's people.

Typed: `bezetting`, `bezetting DT-042`, `bezetting week 3`, `bezetting volgende maand`, `bezetting tech van week 1
tot week 13` (a project or domain, and a span of weeks, in either order). The card pages by ten people, the
over-booked first, and filters by project and domain within what the reader oversees (audience.py); a filter that
is not theirs (a forged or stale card) is ignored. The heatmap is drawn by the renderer, off the database path."""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from datetime import date

from cards.capacity.common import load_word
from cards.capacity.occupancy import (
    OccupancyFilters,
    OccupancyPage,
    OccupancyView,
    build_occupancy_card,
    by_attention,
    worst_load,
)
from cards.i18n import Translator
from cards.menu import MenuSection
from dialogs.capacity.audience import overseen_projects
from dialogs.capacity.declaration import capability
from dialogs.kernel.capacity import week_loads, week_mondays
from dialogs.kernel.heatmap import HeatLabels, HeatRow, render_heatmap
from dialogs.kernel.owned import not_yours
from dialogs.kernel.permissions import Action
from dialogs.kernel.rendering import RenderingBusy
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timeparse import monday_of, parse_week_span
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import Reply, Request, Services
from domain.capacity import Load, PersonLoad
from domain.names import match_name
from storage.capacity import CapacityRepository, StaffedProject
from storage.projects import ProjectRepository

PAGE_SIZE = 10
# Words that make a typed filter a span of weeks gone wrong ("week 54") rather than a project or domain name.
_SPAN_WORDS = re.compile(r"\b(wk|week|weken|weeks|maand|month)\b", re.IGNORECASE)
TYPED_MAX = 200


@dataclass(frozen=True)
class Typed:
    """What `bezetting ...` asked for: the span and the filter, and what to say about a filter it could not use."""

    page: OccupancyPage
    problem: str = ""


@capability.command(
    "capacity",
    en=("capacity",),
    nl=("bezetting",),
    menu=MenuInfo(
        "menu.capacity.title",
        "menu.capacity.description",
        {"en": "capacity", "nl": "bezetting"},
        requires=Action.VIEW_CAPACITY,
        section=MenuSection.PLANNING,
    ),
)
def capacity(request: Request, services: Services, rest: str) -> Reply:
    projects = overseen_projects(request, services)  # the refusal first, before any word is read
    typed = _typed(request, services, rest.strip()[:TYPED_MAX], projects)
    if typed is None:
        return Reply.text(request.t("capacity.occupancy.bad_span", typed=rest.strip()[:80]))
    page = occupancy_page(request, services, typed.page)
    return Reply.text(typed.problem).then(page) if typed.problem else page


def _typed(request: Request, services: Services, rest: str, projects: tuple[StaffedProject, ...]) -> Typed | None:
    """The page the words ask for; None when they hold a span of weeks that does not exist ("week 54")."""
    today = today_for(request, services)
    words = rest.split()
    # A span at the end ("tech week 3") or at the start ("week 3 tech"); the rest is the filter.
    n = len(words)
    splits = [(i, n) for i in range(n)] + [(0, j) for j in range(n - 1, 0, -1)] + [(n, n)]  # last: no span typed
    start, end, span = next(
        (start, end, span)
        for start, end in splits
        if (span := parse_week_span(" ".join(words[start:end]), today)) is not None
    )
    filter_words = " ".join(words[:start] + words[end:])
    first, weeks = span
    if filter_words and _SPAN_WORDS.search(filter_words):
        return None
    page = OccupancyPage(first=first, weeks=weeks, owner=request.person.id)
    if not filter_words:
        return Typed(page)
    return _typed_filter(request, services, filter_words, projects, page)


def _typed_filter(
    request: Request, services: Services, typed: str, projects: tuple[StaffedProject, ...], page: OccupancyPage
) -> Typed:
    """A project (of the reader's) by code or name, or a domain as people write it (start of a word, any case)."""
    t = request.t
    names: dict[tuple[str, int], tuple[str, ...]] = {("project", p.id): (p.code, p.name) for p in projects}
    shown = {("project", p.id): f"{p.code} · {p.name}" for p in projects}
    for domain in ProjectRepository(services.db).domains():
        if domain.id is not None:
            names[("domain", domain.id)] = (domain.key, domain.name_nl, domain.name_en)
            shown[("domain", domain.id)] = domain.name(t.language)
    match = match_name(typed, names, inner_words=True)
    if match.found is not None:
        kind, chosen = match.found
        if kind == "project":
            return Typed(page.model_copy(update={"project": chosen}))
        if any(p.domain_id == chosen for p in projects):
            return Typed(page.model_copy(update={"domain": chosen}))
        return Typed(page, t("capacity.typed.not_yours", name=shown[match.found]))
    if match.candidates:
        could_be = ", ".join(f"“{shown[c]}”" for c in match.candidates[:5])
        return Typed(page, t("capacity.typed.ambiguous", typed=typed[:80], names=could_be))
    if match.suggestion is not None:
        return Typed(page, t("capacity.typed.did_you_mean", typed=typed[:80], suggestion=shown[match.suggestion]))
    return Typed(page, t("capacity.typed.unknown", typed=typed[:80]))


@capability.verb(OccupancyPage)
def occupancy_page(request: Request, services: Services, payload: OccupancyPage) -> Reply:
    t = request.t
    # In a channel a page or filter replaces the card for everyone there: only its owner turns it.
    if (refused := not_yours(request, services, payload.owner, "capacity.not_yours")) is not None:
        return refused
    projects = overseen_projects(request, services)
    # A filter outside what the reader oversees (a forged or stale card) is ignored, never widened.
    project = payload.project if any(p.id == payload.project for p in projects) else None
    domain = payload.domain if any(p.domain_id == payload.domain for p in projects) else None
    chosen = [p for p in projects if project in (None, p.id) and domain in (None, p.domain_id)]
    people = CapacityRepository(services.db).people_on([p.id for p in chosen])
    first = monday_of(payload.first or today_for(request, services))
    loads = by_attention(
        week_loads(services.db, people, first, payload.weeks, at_risk_percent=services.capacity_at_risk_percent)
    )
    pages = max(1, math.ceil(len(loads) / PAGE_SIZE))
    page = min(max(payload.page, 1), pages)
    shown = loads[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    worst = [worst_load(person) for person in loads]
    view = OccupancyView(
        people=shown,
        total=len(loads),
        over=worst.count(Load.OVER),
        at_risk=worst.count(Load.AT_RISK),
        unknown=sum(1 for person in loads if person.availability is None),
        first=first,
        weeks=payload.weeks,
        page=page,
        pages=pages,
        filters=_filters(services, projects, project, domain, t),
        project_codes={p.id: p.code for p in projects},
        owner_id=request.person.id,
        chart_uri=heatmap_uri(services, shown, first, payload.weeks, t),
    )
    card = build_occupancy_card(view, t)
    return Reply(replace_card=card) if request.kind != "message" and payload.page != 1 else Reply.card(card)


def _filters(
    services: Services, projects: tuple[StaffedProject, ...], project: int | None, domain: int | None, t: Translator
) -> OccupancyFilters:
    domains = {p.domain_id for p in projects}
    return OccupancyFilters(
        projects=[(str(p.id), f"{p.code} · {p.name}") for p in projects],
        domains=[(str(d.id), d.name(t.language)) for d in ProjectRepository(services.db).domains() if d.id in domains],
        project=str(project or ""),
        domain=str(domain or ""),
    )


def heatmap_uri(services: Services, people: list[PersonLoad], first: date, weeks: int, t: Translator) -> str | None:
    """The page's heatmap as a data URI (about 8 KB of PNG for ten people and eight weeks), or None when there is
    nobody to draw or the drawing workers are busy: the card says it all in words too."""
    if not people:
        return None
    rows = tuple(
        HeatRow(person.name, tuple((week.load.value, week.percent) for week in person.weeks)) for person in people
    )
    labels = HeatLabels(
        title=t("capacity.chart.title"),
        unknown_cell="?",
        legend=tuple((load.value, load_word(load, t)) for load in (Load.OVER, Load.AT_RISK, Load.OK, Load.UNKNOWN)),
    )
    columns = tuple(t("capacity.chart.week", number=m.isocalendar().week) for m in week_mondays(first, weeks))
    try:
        png = services.renderer.render(render_heatmap, rows, columns, labels, cache=True)
    except RenderingBusy:
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
