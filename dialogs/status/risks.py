"""The risk register: the project's risks (open and occurred ones first), the form that adds or changes one (its
owner named by name or e-mail), closing one."""

from __future__ import annotations

import uuid
from typing import Any

from cards.menu import MenuSection
from cards.payloads import length_errors
from cards.status.risks import (
    RiskClose,
    RiskForm,
    RiskFormOpen,
    RiskSave,
    RisksOpen,
    build_risk_form_card,
    build_risks_card,
)
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.search import choice_value, colleague_choices
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import PersonPick, resolve_person
from dialogs.status.common import can, capability, pick_person, project_for, risk_line
from dialogs.status.forms import RiskFields, read
from domain.projects import ProjectFacts
from domain.status import ACTIVE_RISK_STATES, RiskFacts
from storage.directory import DirectoryRepository
from storage.status import Duplicate, RiskState, StatusRepository


@capability.command(
    "risks",
    takes_project=True,
    en=("risks", "risk register"),
    nl=("risico's", "risico’s", "risicos", "risicoregister"),
    menu=MenuInfo(
        "menu.risks.title",
        "menu.risks.description",
        {"en": "risks DT-042", "nl": "risico's DT-042"},
        section=MenuSection.STATUS,
    ),
)
def risks(request: Request, services: Services, rest: str) -> Reply:
    found = project_for(request, services, rest, "risks", Action.VIEW_PROJECT)
    return Reply.card(_risks_card(request, services, found, None))


@capability.verb(RisksOpen)
def open_risks(request: Request, services: Services, payload: RisksOpen) -> Reply:
    return risks(request, services, payload.code)


def _risks_card(request: Request, services: Services, project: ProjectFacts, notice: str | None) -> dict[str, Any]:
    rows = StatusRepository(services.db).risks(project.id)
    # Open and occurred risks first (by score), then the mitigated and closed ones.
    rows.sort(key=lambda r: (r.state not in ACTIVE_RISK_STATES, -r.score, r.id))
    can_edit = can(request, services, project, Action.UPDATE_STATUS)
    return build_risks_card(
        project.code, project.name, [risk_line(r) for r in rows], request.t, can_edit=can_edit, notice=notice
    )


def _risk_of(request: Request, services: Services, project: ProjectFacts, risk_id: int) -> RiskFacts:
    """The project's risk with this id; Stop when the project has none such."""
    row = StatusRepository(services.db).risk(risk_id)
    if row is None or row.project_id != project.id:
        raise Stop.saying(request.t("risk.unknown"))
    return row


@capability.verb(RiskFormOpen)
def risk_form(request: Request, services: Services, payload: RiskFormOpen) -> Reply:
    found = project_for(request, services, payload.code, "risks", Action.UPDATE_STATUS)
    values: dict[str, str] = {}
    if payload.risk is not None:
        row = _risk_of(request, services, found, payload.risk)
        owner = DirectoryRepository(services.db).get(row.owner_id) if row.owner_id else None
        values = {
            "title": row.title,
            "probability": str(row.probability),
            "impact": str(row.impact),
            "mitigation": row.mitigation,
            "owner": choice_value(services, owner.id if owner else None),
            "state": row.state,
        }
    people = colleague_choices(services, keep={values.get("owner", "")})
    form = RiskForm(found.code, uuid.uuid4().hex, payload.risk, values, people=people)
    return Reply.card(build_risk_form_card(form, request.t))


@capability.verb(RiskSave)
def save_risk(request: Request, services: Services, payload: RiskSave) -> Reply:
    t = request.t
    found = project_for(request, services, payload.code, "risks", Action.UPDATE_STATUS)
    if payload.risk is not None:
        _risk_of(request, services, found, payload.risk)
    risk, errors = read(RiskFields, payload, t)
    pick: PersonPick | str = PersonPick()
    named = payload.owner_new.strip() or payload.owner.strip()  # an address typed under the picker wins
    if named:
        pick = resolve_person(services, named, t)
        if isinstance(pick, str):
            errors["owner"] = pick
    errors.update(length_errors(payload, t))
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    if risk is None or errors or isinstance(pick, str):
        typed = payload.model_dump(
            include={"title", "probability", "impact", "mitigation", "owner", "owner_new", "state"}
        )
        people = colleague_choices(services, keep={payload.owner})
        form = RiskForm(found.code, form_id, payload.risk, typed, errors, people=people)
        return Reply(replace_card=build_risk_form_card(form, t))
    now = services.clock.now()
    values: dict[str, Any] = {**risk.model_dump(exclude={"owner"}), "owner_id": pick_person(services, pick, now)}
    try:
        StatusRepository(services.db).save_risk(
            found.id, payload.risk, values, now=now, form_id=submission_key(request, form_id)
        )
    except Duplicate:
        return Reply(replace_card=_risks_card(request, services, found, t("form.already_saved")))
    return Reply(replace_card=_risks_card(request, services, found, t("risk.saved", title=risk.title)))


@capability.verb(RiskClose)
def close_risk(request: Request, services: Services, payload: RiskClose) -> Reply:
    t = request.t
    found = project_for(request, services, payload.code, "risks", Action.UPDATE_STATUS)
    row = _risk_of(request, services, found, payload.risk)
    StatusRepository(services.db).set_risk_state(row.id, RiskState.CLOSED, now=services.clock.now())
    return Reply(replace_card=_risks_card(request, services, found, t("risk.closed", title=row.title)))
