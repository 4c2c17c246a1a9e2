"""Decisions and scope changes: the project's log and the form that records one."""

from __future__ import annotations

import uuid
from typing import Any

from cards.menu import MenuSection
from cards.status.decisions import (
    DecisionForm,
    DecisionFormOpen,
    DecisionSave,
    DecisionsOpen,
    build_decision_form_card,
    build_decisions_card,
)
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.status.common import can, capability, project_for
from dialogs.status.forms import DecisionFields, read
from domain.projects import ProjectFacts
from storage.status import Duplicate, StatusRepository


@capability.command(
    "decisions",
    takes_project=True,
    en=("decisions", "scope changes"),
    nl=("beslissingen", "scopewijzigingen"),
    menu=MenuInfo(
        "menu.decisions.title",
        "menu.decisions.description",
        {"en": "decisions DT-042", "nl": "beslissingen DT-042"},
        section=MenuSection.STATUS,
    ),
)
def decisions(request: Request, services: Services, rest: str) -> Reply:
    found = project_for(request, services, rest, "decisions", Action.VIEW_PROJECT)
    return Reply.card(_decisions_card(request, services, found, None))


@capability.verb(DecisionsOpen)
def open_decisions(request: Request, services: Services, payload: DecisionsOpen) -> Reply:
    return decisions(request, services, payload.code)


def _decisions_card(request: Request, services: Services, project: ProjectFacts, notice: str | None) -> dict[str, Any]:
    lines = StatusRepository(services.db).decisions(project.id)
    can_edit = can(request, services, project, Action.UPDATE_STATUS)
    return build_decisions_card(project.code, project.name, lines, request.t, can_edit=can_edit, notice=notice)


@capability.verb(DecisionFormOpen)
def decision_form(request: Request, services: Services, payload: DecisionFormOpen) -> Reply:
    found = project_for(request, services, payload.code, "decisions", Action.UPDATE_STATUS)
    values = {"date": today_for(request, services).isoformat(), "kind": "decision"}
    return Reply.card(build_decision_form_card(DecisionForm(found.code, uuid.uuid4().hex, values), request.t))


@capability.verb(DecisionSave)
def save_decision(request: Request, services: Services, payload: DecisionSave) -> Reply:
    t = request.t
    found = project_for(request, services, payload.code, "decisions", Action.UPDATE_STATUS)
    decision, errors = read(DecisionFields, payload, t)
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    if decision is None:
        typed = payload.model_dump(include={"kind", "date", "text", "decided_by"})
        return Reply(replace_card=build_decision_form_card(DecisionForm(found.code, form_id, typed, errors), t))
    try:
        StatusRepository(services.db).add_decision(
            found.id,
            decision.model_dump(),
            recorded_by_id=request.person.id,
            now=services.clock.now(),
            form_id=submission_key(request, form_id),
        )
    except Duplicate:
        return Reply(replace_card=_decisions_card(request, services, found, t("form.already_saved")))
    return Reply(replace_card=_decisions_card(request, services, found, t(f"decision.saved.{payload.kind}")))
