"""A project and one's list of projects: the list (paged), the project card with what other capabilities add to it
(Slot.PROJECT_CARD), and the "which project?" card's choice."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

from cards.i18n import Translator
from cards.menu import MenuSection
from cards.projects import (
    OpenProject,
    ProjectCardExtras,
    ProjectLine,
    ProjectsPage,
    build_project_card,
    build_project_list_card,
)
from dialogs.kernel.owned import not_yours
from dialogs.kernel.permissions import Action, Relation, allowed
from dialogs.kernel.registry import Event, Slot
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import find_project, me, refusal
from dialogs.projects.declaration import capability
from domain.projects import ProjectFacts
from storage.projects import ProjectRepository

PAGE_SIZE = 8


# One's projects -------------------------------------------------------------------------------------------------


@capability.command(
    "projects",
    en=("projects", "my projects"),
    nl=("projecten", "mijn projecten"),
    menu=MenuInfo(
        "menu.projects.title",
        "menu.projects.description",
        {"en": "projects", "nl": "projecten"},
        section=MenuSection.PROJECTS,
    ),
)
def list_projects(request: Request, services: Services, rest: str, *, page: int = 1) -> Reply:
    t = request.t
    who = me(request, services)
    projects = ProjectRepository(services.db).for_person(who.id, who.domains)
    pages = max(1, math.ceil(len(projects) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    lines = []
    for project in projects[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        relations = who.actor(project).relations
        why = next(
            (
                t(f"projects.why.{relation.value}")
                for relation in (
                    Relation.COORDINATOR,
                    Relation.PROJECT_MANAGER,
                    Relation.TEAM_MEMBER,
                    Relation.DOMAIN_MANAGER,
                )
                if relation in relations
            ),
            "",
        )
        lines.append(ProjectLine(project.code, project.name, project.phase, why))
    return Reply.card(build_project_list_card(lines, page, pages, t, owner_id=who.id))


@capability.verb(ProjectsPage)
def page_projects(request: Request, services: Services, payload: ProjectsPage) -> Reply:
    """A list of one person's projects: in a channel only they page through it (the page replaces the card for
    everyone there, and would show someone else's projects in its place)."""
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.projects")) is not None:
        return refused
    return list_projects(request, services, "", page=payload.page)


# One project ----------------------------------------------------------------------------------------------------


@capability.command("project", takes_project=True, en=("project", "show project"), nl=("project", "toon project"))
def show_project(request: Request, services: Services, rest: str) -> Reply:
    if not rest.strip():
        return list_projects(request, services, "")
    found = find_project(request, services, rest, "project")
    actor = me(request, services).actor(found)
    decision = allowed(actor, Action.VIEW_PROJECT)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    extras = ProjectCardExtras(can_edit=allowed(actor, Action.EDIT_PROJECT).allowed)
    today = today_for(request, services)
    return Reply.card(build_project_card(found, _with_sections(request, services, extras, found, today), request.t))


def _with_sections(
    request: Request, services: Services, extras: ProjectCardExtras, project: ProjectFacts, today: date
) -> ProjectCardExtras:
    """What the other capabilities add to this reader's project card: the hours against budget (time), who gives
    support during after-care (handover)."""
    for section in services.capabilities.sections(Slot.PROJECT_CARD):
        extras = replace(extras, **section(request, services, project, today))
    return extras


@capability.verb(OpenProject)
def open_project(request: Request, services: Services, payload: OpenProject) -> Reply:
    return show_project(request, services, payload.code)


def show_after_save(request: Request, services: Services, project_id: int, message: str) -> Reply:
    """The message about what was saved, and the project card (as it is now) in place of the pressed one."""
    project = ProjectRepository(services.db).facts(project_id)
    assert project is not None
    actor = me(request, services).actor(project)
    extras = ProjectCardExtras(can_edit=allowed(actor, Action.EDIT_PROJECT).allowed)
    return Reply(texts=[message], replace_card=build_project_card(project, extras, request.t))


def closing_answers(services: Services, project_id: int, t: Translator) -> Reply:
    """What the other capabilities say when a project closes (the status capability asks for its retrospective,
    unless there is one)."""
    reply = Reply()
    for answer in services.capabilities.answers(Event.PROJECT_CLOSING, services, project_id=project_id, t=t):
        if answer is not None:
            reply = reply.then(answer)
    return reply
