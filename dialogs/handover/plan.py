"""The handover command and the plan: show it (or the form to make it), the plan form and its Save, which
schedules the messages (schedule.py)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from cards.handover import (
    EditPlan,
    HandoverForm,
    OpenPlan,
    SavePlan,
    build_handover_card,
    build_handover_form_card,
    stored_length_text,
)
from cards.i18n import Translator
from cards.menu import MenuSection
from cards.values import parse_date
from dialogs.handover import rules
from dialogs.handover.declaration import capability
from dialogs.handover.dossier import export
from dialogs.handover.forms import PlanForm, form_errors
from dialogs.handover.lookup import found, handover_actor, manageable
from dialogs.handover.schedule import schedule
from dialogs.kernel.owned import KEY_MAX, submission_key
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.search import choice_value, colleague_choices
from dialogs.kernel.timezones import request_zone, today_for
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import PersonPick, refusal, resolve_person
from domain.handover import HandoverFacts
from domain.projects import ProjectFacts
from storage.db import Database
from storage.directory import DirectoryRepository
from storage.handover import Duplicate, HandoverRepository

_SEPARATORS = re.compile(r"[,;\n]+")


def plan_card(
    request: Request, services: Services, project: ProjectFacts, row: HandoverFacts, notice: str | None = None
) -> dict[str, Any]:
    """The plan card as this person sees it (with the coordinator's buttons when they may plan)."""
    can_edit = allowed(handover_actor(request, services, project, row), Action.MANAGE_HANDOVER).allowed
    return build_handover_card(row, request.t, zone=request_zone(request, services), can_edit=can_edit, notice=notice)


# The command ---------------------------------------------------------------------------------------------------


@capability.command(
    "handover",
    takes_project=True,
    en=("handover",),
    nl=("overdracht",),
    menu=MenuInfo(
        "menu.handover.title",
        "menu.handover.description",
        {"en": "handover DT-042", "nl": "overdracht DT-042"},
        section=MenuSection.HANDOVER,
    ),
)
def handover_command(request: Request, services: Services, rest: str) -> Reply:
    """`handover DT-042` shows the plan (or the form to make it); `handover DT-042 export` gives the dossier."""
    words = rest.split()
    if words and words[-1].lower() == "export":
        return export(request, services, " ".join(words[:-1]))
    return show(request, services, rest)


@capability.verb(OpenPlan)
def open_plan(request: Request, services: Services, payload: OpenPlan) -> Reply:
    return show(request, services, payload.code)


def show(request: Request, services: Services, reference: str) -> Reply:
    project, row = found(request, services, reference)
    actor = handover_actor(request, services, project, row)
    if row is None:
        decision = allowed(actor, Action.MANAGE_HANDOVER)
        if decision.allowed:
            return plan_form(request, services, project.code)
        if allowed(actor, Action.VIEW_HANDOVER).allowed:
            return Reply.text(request.t("handover.none", code=project.code))
        return refusal(decision, request.t)
    decision = allowed(actor, Action.VIEW_HANDOVER)
    if not decision.allowed:
        return refusal(decision, request.t)
    card = plan_card(request, services, project, row)
    return Reply(replace_card=card) if request.kind == "invoke" else Reply.card(card)


# The plan form -------------------------------------------------------------------------------------------------


@capability.verb(EditPlan)
def edit_plan(request: Request, services: Services, payload: EditPlan) -> Reply:
    return plan_form(request, services, payload.code)


def plan_form(request: Request, services: Services, reference: str) -> Reply:
    project, row = manageable(request, services, reference)
    values: dict[str, str] = {"inform_days": str(rules.DEFAULT_INFORM_DAYS)}
    if row is not None:
        values = {
            "receiver": choice_value(services, row.receiver_person.id if row.receiver_person else None),
            "receiver_conversation": str(row.receiver_conversation_id or ""),
            "planned": row.planned_on.isoformat(),
            "after_care": row.after_care_end.isoformat()
            if row.after_care_end
            else stored_length_text(row.after_care_length, request.t),
            "support": choice_value(services, row.support.id if row.support else None),
            "stakeholders": ", ".join(p.name for p in row.stakeholders),
            "inform_days": str(row.inform_days),
        }
    form = HandoverForm(
        project.code,
        project.name,
        uuid.uuid4().hex,
        _conversations(request, services),
        values,
        editing=row is not None,
        people=colleague_choices(services, keep={values.get("receiver", ""), values.get("support", "")}),
    )
    return Reply.card(build_handover_form_card(form, request.t))


def _conversations(request: Request, services: Services) -> list[tuple[str, str]]:
    return [(str(ref), label) for ref, label in HandoverRepository(services.db).conversations(request.where.tenant_id)]


def _resolve_people(services: Services, text: str, t: Translator) -> tuple[list[PersonPick], str | None]:
    picks: list[PersonPick] = []
    problems: list[str] = []
    for part in (p.strip() for p in _SEPARATORS.split(text)):
        if not part:
            continue
        pick = resolve_person(services, part, t)
        if isinstance(pick, str):
            problems.append(pick)
        else:
            picks.append(pick)
    return picks, " ".join(problems[:3]) or None


def person_id(db: Database, pick: PersonPick, now: datetime) -> int:
    """The person a pick names; an e-mail address nobody has yet becomes a placeholder person."""
    if pick.person_id is not None:
        return pick.person_id
    assert pick.email is not None
    person = DirectoryRepository(db).person_for_email(pick.email, now=now)
    assert person.id is not None
    return person.id


@dataclass(frozen=True)
class Plan:
    """What a valid plan form says, with the people it names (picked, not yet made placeholders)."""

    read: PlanForm
    receiver: PersonPick | None
    receiver_conversation_id: int | None
    support: PersonPick | None
    stakeholders: list[PersonPick]

    def values(self, db: Database, now: datetime) -> dict[str, Any]:
        """The handover's columns as the plan sets them (people named by e-mail become placeholders)."""
        return {
            "receiver_conversation_id": self.receiver_conversation_id,
            "planned_on": self.read.planned,
            "after_care_end": self.read.after_care.end,
            "after_care_length": self.read.after_care.length,
            "inform_days": self.read.inform_days,
            "receiver_person_id": person_id(db, self.receiver, now) if self.receiver else None,
            "support_person_id": person_id(db, self.support, now) if self.support else None,
        }


def _read_plan(
    request: Request, services: Services, payload: SavePlan, project: ProjectFacts, row: HandoverFacts | None
) -> Plan:
    """The plan the form describes, when every field reads and the people and conversation it names are known;
    else raises Stop with the form again, as typed, with an error under each field that needs the person."""
    t = request.t
    errors: dict[str, str] = {}
    # An address typed under a picker wins over the person picked in it (cards.base.person_fields).
    payload = payload.model_copy(
        update={"receiver": payload.receiver_new or payload.receiver, "support": payload.support_new or payload.support}
    )
    try:
        read: PlanForm | None = PlanForm.model_validate(payload.model_dump())
    except ValidationError as invalid:
        read = None
        errors.update(form_errors(invalid, t))
    receiver = _pick(services, payload.receiver, "receiver", errors, t)
    conversation_id: int | None = None
    conversation = payload.receiver_conversation.strip()
    if conversation and not payload.receiver.strip():
        if conversation in {ref for ref, _label in _conversations(request, services)}:
            conversation_id = int(conversation)
        else:
            errors["receiver_conversation"] = t("handover.receiver_conversation.unknown")
    planned = parse_date(payload.planned.strip()) if "planned" not in errors else None
    if planned is not None and planned < today_for(request, services) and (row is None or planned != row.planned_on):
        errors["planned"] = t("handover.planned.past")
    support = _pick(services, payload.support, "support", errors, t)
    stakeholders, problem = _resolve_people(services, payload.stakeholders, t)
    if problem:
        errors["stakeholders"] = problem
    if errors or read is None:
        typed = payload.model_dump(exclude={"code", "form_id"})
        form = HandoverForm(
            project.code,
            project.name,
            payload.form_id[:KEY_MAX] or uuid.uuid4().hex,
            _conversations(request, services),
            typed,
            errors,
            editing=row is not None,
            people=colleague_choices(services, keep={payload.receiver, payload.support}),
        )
        raise Stop(Reply(replace_card=build_handover_form_card(form, t)))
    return Plan(read, receiver, conversation_id, support, stakeholders)


def _pick(services: Services, text: str, field: str, errors: dict[str, str], t: Translator) -> PersonPick | None:
    """The person a field names (None when empty); an unknown or ambiguous name is an error under the field."""
    if not text.strip() or field in errors:
        return None
    pick = resolve_person(services, text, t)
    if isinstance(pick, str):
        errors[field] = pick
        return None
    return pick


@capability.verb(SavePlan)
def save_plan(request: Request, services: Services, payload: SavePlan) -> Reply:
    t = request.t
    project, row = manageable(request, services, payload.code)
    form_id = payload.form_id[:KEY_MAX] or uuid.uuid4().hex
    plan = _read_plan(request, services, payload, project, row)
    now = services.clock.now()
    values = plan.values(services.db, now)
    stakeholder_ids = [person_id(services.db, pick, now) for pick in plan.stakeholders]
    repository = HandoverRepository(services.db)
    try:
        saved, previous = repository.save_plan(
            project.id,
            values,
            stakeholder_ids,
            list(plan.read.extra_items) if row is None else [],
            actor_id=request.person.id,
            now=now,
            # A shared form (anyone who manages the handover may fill in one shown in a channel): once per person.
            form_id=submission_key(request, form_id),
            default_owner_id=project.coordinator_id,
        )
    except Duplicate:
        current = repository.for_project(project.id)
        assert current is not None
        return Reply(
            texts=[t("handover.already_saved", code=project.code)],
            replace_card=plan_card(request, services, project, current),
        )
    schedule(services.db, saved, now, services.default_timezone, previous=previous)
    key = "handover.created" if previous is None else "handover.saved"
    message = t(key, code=project.code)
    if previous is not None and previous != saved.planned_on:
        message += " " + t("handover.moved")
    return Reply(texts=[message], replace_card=plan_card(request, services, project, saved))
