"""`export planning [domein | DT-042] [van week 1 tot week 13]` / `export planning [domain | DT-042] [from week 1 to
week 13]`: people x weeks as XLSX (available, planned per project, free) for the general planning. Whose: the reader's
audience (dialogs/capacity/audience.py). The span: this week and the next 12 by default, a quarter's planning.
The CLI's `projectbot export planning` (bot/cli_export.py) builds the same workbook through `planning_of`.

The router matches the longest phrase first, so `export planning` reaches this command and `export DT-042
november` still reaches the time export (dialogs/timelog/export.py)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date, datetime

from cards.i18n import Translator
from cards.menu import MenuSection
from dialogs.capacity.audience import audience, overseen_projects
from dialogs.capacity.declaration import capability
from dialogs.capacity.planning_workbook import XLSX_TYPE, Planning, people_planning, planning_xlsx, span_text
from dialogs.kernel.capacity import week_loads, week_mondays
from dialogs.kernel.permissions import Action
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timeparse import parse_week_span
from dialogs.kernel.timezones import request_zone, today_for
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services, Stop
from domain.names import match_name
from storage.capacity import StaffedProject
from storage.db import Database
from storage.projects import ProjectRepository

_PROJECT_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,5}$")  # DT-042
DEFAULT_WEEKS = 13  # a quarter: what a general planning looks ahead
# Words only a span holds: typed without a readable span, the answer is about the span, not about a domain.
_SPAN_WORDS = frozenset(
    {"week", "weken", "weeks", "wk", "w", "van", "from", "tot", "to", "t/m", "until", "maand", "month"}
    | {"komende", "volgende", "next", "coming", "deze", "this"}
)


@capability.command(
    "export planning",
    en=("export planning", "planning export"),
    nl=("export planning", "exporteer planning", "planning exporteren"),
    menu=MenuInfo(
        "menu.export_planning.title",
        "menu.export_planning.description",
        {"en": "export planning", "nl": "export planning"},
        requires=Action.VIEW_CAPACITY,
        section=MenuSection.PLANNING,
    ),
)
def export_planning(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    # The polite refusal comes before any word about spans, domains or projects.
    overseen = overseen_projects(request, services)
    typed, span = read_request(rest, today_for(request, services), t)
    scope, project_id, domain_id = _scope_typed(services.db, overseen, typed, t)
    reader = audience(request, services, project_id=project_id, domain_id=domain_id)
    if not reader.person_ids:
        key = "capacity.export.nobody_in_domain" if domain_id is not None else "capacity.export.nobody"
        return Reply.text(t(key, domain=scope))
    first_monday, weeks = span
    planning = planning_of(
        services.db,
        reader.person_ids,
        overseen,  # named: every project the reader oversees, in or out of the filter
        first_monday,
        weeks,
        scope=scope,
        made_at=services.clock.now().astimezone(request_zone(request, services)),
        at_risk_percent=services.capacity_at_risk_percent,
        t=t,
    )
    data = services.renderer.render(planning_xlsx, planning, t)  # off the database path
    span_words = span_text(planning.mondays, t)
    summary = t("capacity.export.done", count=len(planning.people), scope=planning.scope, span=span_words)
    file = OutgoingFile(file_name(planning.mondays), XLSX_TYPE, data, t("capacity.export.description", span=span_words))
    return Reply(texts=[summary], files=[file])


def read_request(rest: str, today: date, t: Translator) -> tuple[str, tuple[date, int]]:
    """The typed domain (may be empty) and the span after it: the longest tail of the words that reads as a span
    ('tech van week 1 tot week 13': 'tech', weeks 1-13). Stop when no tail does but the words look like one."""
    words = rest.split()
    for start in range(len(words) + 1):
        span = parse_week_span(" ".join(words[start:]), today, default_weeks=DEFAULT_WEEKS)
        if span is not None:
            typed = " ".join(words[:start])
            if _looks_like_span(typed.lower().split()) and not _PROJECT_CODE.match(typed):
                break
            return typed, span
    raise Stop.saying(t("capacity.export.bad_span", typed=rest.strip()[:80]))


def _looks_like_span(words: Iterable[str]) -> bool:
    return any(word in _SPAN_WORDS or any(char.isdigit() for char in word) for word in words)


def _scope_typed(
    db: Database, overseen: Iterable[StaffedProject], typed: str, t: Translator
) -> tuple[str, int | None, int | None]:
    """(whose planning in words, project id, domain id) for what was typed before the span: nothing (everyone the
    reader oversees), one of their projects by code, or a domain. A project they do not oversee is not found, as
    if nobody used the code."""
    if not typed:
        return t("capacity.export.scope.yours"), None, None
    if _PROJECT_CODE.match(typed):
        project = next((p for p in overseen if p.code == typed.upper()), None)
        if project is None:
            raise Stop.saying(t("capacity.export.no_project", code=typed.upper()))
        return project.code, project.id, None
    domain_id, name = _domain_typed(db, typed, t)
    return name, None, domain_id


def _domain_typed(db: Database, typed: str, t: Translator) -> tuple[int, str]:
    """The domain a reader named as people write it (domain/names.py): its id and name in their language; Stop
    saying which it could be, or which exist."""
    domains = {d.id: d for d in ProjectRepository(db).domains() if d.id is not None}
    match = match_name(typed[:200], {key: (d.key, d.name_nl, d.name_en) for key, d in domains.items()})
    if match.found is not None:
        return match.found, domains[match.found].name(t.language)
    shown = typed[:80]
    if match.candidates:
        names = ", ".join(f"“{domains[c].name(t.language)}”" for c in match.candidates[:5])
        raise Stop.saying(t("capacity.export.domain_ambiguous", typed=shown, names=names))
    if match.suggestion is not None:
        suggestion = domains[match.suggestion].name(t.language)
        raise Stop.saying(t("capacity.export.domain_did_you_mean", typed=shown, suggestion=suggestion))
    names = ", ".join(f"“{d.name(t.language)}”" for d in domains.values())
    raise Stop.saying(t("capacity.export.domain_unknown", typed=shown, names=names))


def planning_of(
    db: Database,
    person_ids: Collection[int],
    projects: Iterable[StaffedProject],
    first_monday: date,
    weeks: int,
    *,
    scope: str,
    made_at: datetime,
    at_risk_percent: int,
    t: Translator,
) -> Planning:
    """What the workbook shows of these people (four queries): plans on `projects` by name, the rest as other
    projects. Shared by the chat and the CLI."""
    loads = week_loads(db, person_ids, first_monday, weeks, at_risk_percent=at_risk_percent)
    named = {p.id: (p.code, p.name) for p in projects}
    return Planning(
        mondays=tuple(week_mondays(first_monday, weeks)),
        people=people_planning(loads, named, t("capacity.export.other_projects")),
        scope=scope,
        made_at=made_at,
        at_risk_percent=at_risk_percent,
    )


def file_name(mondays: tuple[date, ...]) -> str:
    """'planning-2026w49-2027w09.xlsx': ISO weeks sort as they run."""
    first, last = mondays[0].isocalendar(), mondays[-1].isocalendar()
    return f"planning-{first.year}w{first.week:02d}-{last.year}w{last.week:02d}.xlsx"
