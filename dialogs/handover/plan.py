"""The handover command and the plan: show it (or the form to make it), the plan form and its Save, which
schedules the messages (schedule.py)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from cards.handover import (
    EditPlan,
    HandoverForm,
    OpenPlan,
    SavePlan,
    build_handover_card,
    build_handover_form_card,
)
from cards.i18n import Translator
from cards.menu import MenuSection
from cards.values import parse_date, whole_number
from dialogs.handover import rules
from dialogs.handover.declaration import capability
from dialogs.handover.dossier import export
from dialogs.handover.lookup import found, handover_actor, manageable, today_of, zone_of
from dialogs.handover.schedule import schedule
from dialogs.handover.views import after_care_length_text, handover_view, person_text
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.who import PersonPick, refusal, resolve_person
from storage.db import Database
from storage.directory import person_for_email
from storage.handover import TITLE_MAX, Duplicate, HandoverRepository, HandoverRow
from storage.projects import ProjectFacts

MAX_EXTRA_ITEMS = 20
_SEPARATORS = re.compile(r"[,;\n]+")


def plan_card(
    request: Request, services: Services, project: ProjectFacts, row: HandoverRow, notice: str | None = None
) -> dict[str, Any]:
    """The plan card as this person sees it (with the coordinator's buttons when they may plan)."""
    can_edit = allowed(handover_actor(request, services, project, row), Action.MANAGE_HANDOVER).allowed
    return build_handover_card(
        handover_view(row, request.t, zone_of(request), can_edit=can_edit, notice=notice), request.t
    )


# The command ---------------------------------------------------------------------------------------------------


@capability.command(
    "handover",
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
            "receiver": person_text(row.receiver_person),
            "receiver_conversation": str(row.receiver_conversation_id or ""),
            "planned": row.planned_on.isoformat(),
            "after_care": row.after_care_end.isoformat()
            if row.after_care_end
            else after_care_length_text(row.after_care_length, request.t),
            "support": person_text(row.support),
            "stakeholders": ", ".join(p.name for p in row.stakeholders),
            "inform_days": str(row.inform_days),
        }
    form = HandoverForm(
        project.code, project.name, uuid.uuid4().hex, _conversations(request, services), values, editing=row is not None
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
    """The person a pick names; an e-mail address becomes a placeholder person."""
    if pick.person_id is not None:
        return pick.person_id
    assert pick.email is not None
    with db.session() as session:
        person = person_for_email(session, pick.email, now=now)
        assert person.id is not None
        return person.id


def validate_plan(
    payload: SavePlan, request: Request, services: Services, row: HandoverRow | None
) -> tuple[dict[str, Any], dict[str, PersonPick | None], list[PersonPick], list[str], dict[str, str]]:
    """The plan's values, the people it names, the extra items, or an error per field (nothing written)."""
    t = request.t
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    people: dict[str, PersonPick | None] = {"receiver": None, "support": None}
    receiver = payload.receiver.strip()
    conversation = payload.receiver_conversation.strip()
    if receiver and conversation:
        errors["receiver"] = t("handover.receiver.both")
    elif not receiver and not conversation:
        errors["receiver"] = t("handover.receiver.missing")
    elif receiver:
        pick = resolve_person(services, receiver, t)
        if isinstance(pick, str):
            errors["receiver"] = pick
        else:
            people["receiver"] = pick
    else:
        known = {ref for ref, _label in _conversations(request, services)}
        if conversation not in known:
            errors["receiver_conversation"] = t("handover.receiver_conversation.unknown")
        else:
            values["receiver_conversation_id"] = int(conversation)
    values.setdefault("receiver_conversation_id", None)
    planned = parse_date(payload.planned.strip()) if payload.planned.strip() else None
    today = today_of(request, services)
    if not payload.planned.strip():
        errors["planned"] = t("handover.planned.missing")
    elif planned is None:
        errors["planned"] = t("handover.planned.invalid", value=payload.planned.strip()[:20])
    elif planned < today and (row is None or planned != row.planned_on):
        errors["planned"] = t("handover.planned.past")
    values["planned_on"] = planned
    care = rules.parse_after_care(payload.after_care)
    if not payload.after_care.strip():
        errors["after_care"] = t("handover.after_care.missing")
    elif care is None:
        errors["after_care"] = t("handover.after_care.invalid", value=payload.after_care.strip()[:40])
    elif care.end is not None and planned is not None and care.end <= planned:
        errors["after_care"] = t("handover.after_care.before_handover")
    values["after_care_end"] = care.end if care else None
    values["after_care_length"] = care.length if care else ""
    if payload.support.strip():
        pick = resolve_person(services, payload.support, t)
        if isinstance(pick, str):
            errors["support"] = pick
        else:
            people["support"] = pick
    stakeholders, problem = _resolve_people(services, payload.stakeholders, t)
    if problem:
        errors["stakeholders"] = problem
    days = payload.inform_days.strip() or str(rules.DEFAULT_INFORM_DAYS)
    inform_days = whole_number(days)
    if inform_days is None or inform_days > rules.MAX_INFORM_DAYS:
        errors["inform_days"] = t("handover.inform_days.invalid", limit=rules.MAX_INFORM_DAYS)
    else:
        values["inform_days"] = inform_days
    extra = [" ".join(line.split()) for line in payload.extra_items.splitlines() if line.strip()]
    if len(extra) > MAX_EXTRA_ITEMS:
        errors["extra_items"] = t("handover.extra_items.too_many", limit=MAX_EXTRA_ITEMS)
    elif any(len(line) > TITLE_MAX for line in extra):
        errors["extra_items"] = t("handover.extra_items.too_long", limit=TITLE_MAX)
    return values, people, stakeholders, extra, errors


@capability.verb(SavePlan)
def save_plan(request: Request, services: Services, payload: SavePlan) -> Reply:
    t = request.t
    project, row = manageable(request, services, payload.code)
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    values, people, stakeholders, extra, errors = validate_plan(payload, request, services, row)
    if errors:
        typed = payload.model_dump(exclude={"code", "form_id"})
        form = HandoverForm(
            project.code,
            project.name,
            form_id,
            _conversations(request, services),
            typed,
            errors,
            editing=row is not None,
        )
        return Reply(replace_card=build_handover_form_card(form, t))
    now = services.clock.now()
    receiver = people["receiver"]
    support = people["support"]
    values["receiver_person_id"] = person_id(services.db, receiver, now) if receiver else None
    values["support_person_id"] = person_id(services.db, support, now) if support else None
    stakeholder_ids = [person_id(services.db, pick, now) for pick in stakeholders]
    repository = HandoverRepository(services.db)
    try:
        saved, previous = repository.save_plan(
            project.id,
            values,
            stakeholder_ids,
            extra if row is None else [],
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
