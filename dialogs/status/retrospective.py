"""The closing retrospective (asked for when a project closes: the PROJECT_CLOSING hook) and the lessons learned
across projects, filtered by domain or a word."""

from __future__ import annotations

from typing import Any

from cards.i18n import Translator
from cards.menu import MenuSection
from cards.status.retrospective import (
    LessonLine,
    LessonsFilter,
    RetroForm,
    RetroFormOpen,
    RetroSave,
    build_lessons_card,
    build_retrospective_card,
)
from dialogs.kernel.permissions import Action
from dialogs.kernel.registry import Event
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.status.common import capability, project_for
from dialogs.status.forms import RetrospectiveFields, read
from domain.names import match_name
from domain.projects import ProjectFacts
from storage.projects import ProjectRepository
from storage.status import StatusRepository


@capability.command(
    "retrospective", takes_project=True, en=("retrospective", "retro"), nl=("retrospectieve", "terugblik")
)
def retrospective(request: Request, services: Services, rest: str) -> Reply:
    found = project_for(request, services, rest, "retrospective", Action.UPDATE_STATUS)
    return Reply.card(retrospective_card(services, found, request.t))


@capability.verb(RetroFormOpen)
def open_retrospective(request: Request, services: Services, payload: RetroFormOpen) -> Reply:
    return retrospective(request, services, payload.code)


def retrospective_card(services: Services, project: ProjectFacts, t: Translator) -> dict[str, Any]:
    """The retrospective form, pre-filled when there is one; also what closing a project asks for."""
    existing = StatusRepository(services.db).retrospective(project.id)
    values = {}
    if existing is not None:
        values = {"went_well": existing.went_well, "to_improve": existing.to_improve, "lessons": existing.lessons}
    return build_retrospective_card(RetroForm(project.code, project.name, values), t)


@capability.verb(RetroSave)
def save_retrospective(request: Request, services: Services, payload: RetroSave) -> Reply:
    t = request.t
    found = project_for(request, services, payload.code, "retrospective", Action.UPDATE_STATUS)
    retro, errors = read(RetrospectiveFields, payload, t)
    if retro is None:
        form = RetroForm(found.code, found.name, payload.model_dump(exclude={"code"}), errors)
        return Reply(replace_card=build_retrospective_card(form, t))
    changed = StatusRepository(services.db).save_retrospective(
        found.id, retro.model_dump(), author_id=request.person.id, now=services.clock.now()
    )
    return Reply.text(t("retro.saved" if changed else "retro.unchanged", code=found.code))


@capability.hook(Event.PROJECT_CLOSING)
def closing(services: Services, project_id: int, t: Translator) -> Reply | None:
    """What closing a project adds to the answer: the request for a retrospective (unless there is one)."""
    project = ProjectRepository(services.db).facts(project_id)
    if project is None or StatusRepository(services.db).retrospective(project_id) is not None:
        return None
    return Reply(texts=[t("retro.asked", code=project.code)], cards=[retrospective_card(services, project, t)])


@capability.command(
    "lessons",
    en=("lessons", "lessons learned"),
    nl=("lessen", "geleerde lessen"),
    menu=MenuInfo(
        "menu.lessons.title",
        "menu.lessons.description",
        {"en": "lessons", "nl": "lessen"},
        section=MenuSection.STATUS,
    ),
)
def lessons(request: Request, services: Services, rest: str, *, domain: int | None = None) -> Reply:
    t = request.t
    domains = ProjectRepository(services.db).domains()
    options = [(str(d.id), d.name(t.language)) for d in domains]
    names = {d.id: d.name(t.language) for d in domains}
    wanted = rest.strip()
    domain_id = domain
    text = ""
    if wanted and domain_id is None:
        # A domain in any spelling or by a unique start ("lessen tech"); anything else is searched for in the lessons.
        match = match_name(wanted, {d.id: (d.key, d.name_nl, d.name_en) for d in domains})
        if match.found is not None:
            domain_id = match.found
        else:
            text = wanted
    rows = StatusRepository(services.db).lessons(domain_id, text=text)
    lines = [
        LessonLine(r.project_code, r.project_name, names.get(r.domain_id, "?"), r.lessons, r.to_improve, r.went_well)
        for r in rows
    ]
    return Reply.card(build_lessons_card(lines, options, str(domain_id) if domain_id else "", t))


@capability.verb(LessonsFilter)
def filter_lessons(request: Request, services: Services, payload: LessonsFilter) -> Reply:
    return lessons(request, services, "", domain=payload.domain)
