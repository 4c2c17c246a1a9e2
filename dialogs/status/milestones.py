"""Milestones: the project's list, the form that adds or changes one, marking one done (or open again)."""

from __future__ import annotations

import uuid
from typing import Any

from cards.menu import MenuSection
from cards.payloads import length_errors
from cards.status.milestones import (
    MilestoneDone,
    MilestoneForm,
    MilestoneFormOpen,
    MilestoneSave,
    MilestonesOpen,
    build_milestone_form_card,
    build_milestones_card,
)
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import request_zone, today_for
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.status.common import can, capability, milestone_line, project_for
from dialogs.status.forms import MilestoneFields, read
from domain.projects import ProjectFacts
from domain.status import MilestoneFacts
from storage.status import Duplicate, StatusRepository


@capability.command(
    "milestones",
    takes_project=True,
    en=("milestones",),
    nl=("mijlpalen",),
    menu=MenuInfo(
        "menu.milestones.title",
        "menu.milestones.description",
        {"en": "milestones DT-042", "nl": "mijlpalen DT-042"},
        section=MenuSection.STATUS,
    ),
)
def milestones(request: Request, services: Services, rest: str) -> Reply:
    found = project_for(request, services, rest, "milestones", Action.VIEW_PROJECT)
    return Reply.card(_milestones_card(request, services, found, None))


@capability.verb(MilestonesOpen)
def open_milestones(request: Request, services: Services, payload: MilestonesOpen) -> Reply:
    return milestones(request, services, payload.code)


def _milestones_card(request: Request, services: Services, project: ProjectFacts, notice: str | None) -> dict[str, Any]:
    where = request_zone(request, services)
    day = today_for(request, services)
    lines = [milestone_line(m, day, where) for m in StatusRepository(services.db).milestones(project.id)]
    can_edit = can(request, services, project, Action.UPDATE_STATUS)
    return build_milestones_card(project.code, project.name, lines, request.t, can_edit=can_edit, notice=notice)


def _milestone_of(request: Request, services: Services, project: ProjectFacts, milestone_id: int) -> MilestoneFacts:
    """The project's milestone with this id; Stop when the project has none such."""
    row = StatusRepository(services.db).milestone(milestone_id)
    if row is None or row.project_id != project.id:
        raise Stop.saying(request.t("milestone.unknown"))
    return row


@capability.verb(MilestoneFormOpen)
def milestone_form(request: Request, services: Services, payload: MilestoneFormOpen) -> Reply:
    found = project_for(request, services, payload.code, "milestones", Action.UPDATE_STATUS)
    values: dict[str, str] = {}
    if payload.milestone is not None:
        row = _milestone_of(request, services, found, payload.milestone)
        values = {"title": row.title, "due": row.due_on.isoformat(), "description": row.description}
    form = MilestoneForm(found.code, uuid.uuid4().hex, payload.milestone, values)
    return Reply.card(build_milestone_form_card(form, request.t))


@capability.verb(MilestoneSave)
def save_milestone(request: Request, services: Services, payload: MilestoneSave) -> Reply:
    t = request.t
    found = project_for(request, services, payload.code, "milestones", Action.UPDATE_STATUS)
    if payload.milestone is not None:
        _milestone_of(request, services, found, payload.milestone)
    milestone, errors = read(MilestoneFields, payload, t)
    errors.update(length_errors(payload, t))
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    if milestone is None or errors:
        typed = {"title": payload.title, "due": payload.due, "description": payload.description}
        form = MilestoneForm(found.code, form_id, payload.milestone, typed, errors)
        return Reply(replace_card=build_milestone_form_card(form, t))
    try:
        StatusRepository(services.db).save_milestone(
            found.id,
            payload.milestone,
            milestone.model_dump(),
            now=services.clock.now(),
            form_id=submission_key(request, form_id),
        )
    except Duplicate:
        return Reply(replace_card=_milestones_card(request, services, found, t("form.already_saved")))
    return Reply(replace_card=_milestones_card(request, services, found, t("milestone.saved", title=milestone.title)))


@capability.verb(MilestoneDone)
def mark_milestone(request: Request, services: Services, payload: MilestoneDone) -> Reply:
    t = request.t
    found = project_for(request, services, payload.code, "milestones", Action.UPDATE_STATUS)
    row = _milestone_of(request, services, found, payload.milestone)
    changed = StatusRepository(services.db).mark_milestone(row.id, done=not payload.undo, now=services.clock.now())
    key = "milestone.reopened" if payload.undo else "milestone.done"
    notice = t(key, title=row.title) if changed else t("milestone.unchanged", title=row.title)
    return Reply(replace_card=_milestones_card(request, services, found, notice))
