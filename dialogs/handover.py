"""The handover to operational management in the chat: the plan and its checklist, informing people early,
reminders to the coordinator, acceptance by the receiving party, the after-care period and the dossier; with the
outbox messages it schedules and the daily job that ends after-care."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from cards.handover import (
    ACCEPT_VERB,
    ACCEPTANCE_VIEW_VERB,
    ASK_VERB,
    EXPORT_VERB,
    FORM_VERB,
    ITEM_DONE_VERB,
    ITEM_FORM_VERB,
    ITEM_SAVE_VERB,
    MAX_ITEMS,
    NOT_YET_FORM_VERB,
    NOT_YET_VERB,
    OPEN_VERB,
    SAVE_VERB,
    AcceptanceView,
    AfterCareView,
    HandoverForm,
    HandoverNotice,
    HandoverView,
    InformView,
    ItemForm,
    ItemLine,
    ReminderView,
    UnreachablePerson,
    UnreachableView,
    build_after_care_reminder_card,
    build_handover_acceptance_card,
    build_handover_card,
    build_handover_form_card,
    build_handover_inform_card,
    build_handover_item_form_card,
    build_handover_notice_card,
    build_handover_reminder_card,
    build_handover_unreachable_card,
    length_text,
)
from cards.i18n import Translator, translator
from cards.menu import MenuSection
from cards.payloads import Id, Payload, Prose, StoredIn, length_errors
from cards.status import RETRO_FORM_VERB
from cards.values import parse_date, whole_number
from dialogs import handover_rules as rules
from dialogs import proactive
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action, Actor, Relation, allowed
from dialogs.kernel.registry import Capability, Daily, Event, JobContext
from dialogs.kernel.router import CodePayload, MenuInfo, Router
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services
from dialogs.kernel.who import PersonPick, find_project, me, refusal, resolve_person
from domain.summaries import HandoverSummary
from storage.db import Database
from storage.directory import person_for_email
from storage.handover import (
    LINK_MAX,
    REASON_MAX,
    TITLE_MAX,
    Duplicate,
    HandoverRepository,
    HandoverRow,
    HandoverState,
    ItemRow,
    PersonRef,
    unreachable_told,
)
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.projects import ProjectFacts
from storage.status import StatusRepository

INFORM_KIND = "handover.inform"
REMINDER_KIND = "handover.reminder"
ACCEPTANCE_KIND = "handover.acceptance"
AFTER_CARE_KIND = "handover.after_care"
NOTICE_KIND = "handover.notice"
INFORM_BUILDER = "handover.inform"
REMINDER_BUILDER = "handover.reminder"
ACCEPTANCE_BUILDER = "handover.acceptance"
AFTER_CARE_BUILDER = "handover.after_care"
NOTICE_BUILDER = "handover.notice"
UNREACHABLE_BUILDER = "handover.unreachable"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_EXTRA_ITEMS = 20
OPEN_STATES = (HandoverState.PLANNED.value, HandoverState.NOT_YET.value)
_SEPARATORS = re.compile(r"[,;\n]+")


def register(router: Router) -> None:
    router.command(
        "handover",
        en=("handover",),
        nl=("overdracht",),
        handler=handover_command,
        menu=MenuInfo(
            "menu.handover.title",
            "menu.handover.description",
            {"en": "handover DT-042", "nl": "overdracht DT-042"},
            section=MenuSection.HANDOVER,
        ),
    )
    router.action(OPEN_VERB, CodePayload, lambda r, s, p: show(r, s, p.code))
    router.action(FORM_VERB, CodePayload, lambda r, s, p: plan_form(r, s, p.code))
    router.action(SAVE_VERB, PlanPayload, save_plan)
    router.action(ITEM_FORM_VERB, ItemRef, item_form)
    router.action(ITEM_SAVE_VERB, ItemPayload, save_item)
    router.action(ITEM_DONE_VERB, ItemDone, tick_item)
    router.action(ASK_VERB, CodePayload, ask_acceptance)
    router.action(EXPORT_VERB, CodePayload, lambda r, s, p: export(r, s, p.code))
    router.action(ACCEPT_VERB, AcceptPayload, accept)
    router.action(NOT_YET_FORM_VERB, AcceptPayload, not_yet_form)
    router.action(NOT_YET_VERB, NotYetPayload, not_yet)
    router.action(ACCEPTANCE_VIEW_VERB, AcceptPayload, acceptance_view_action)


# Payloads ------------------------------------------------------------------------------------------------------


class PlanPayload(Payload):
    code: str
    form_id: Annotated[str, Prose()] = ""
    receiver: str = ""
    receiver_conversation: str = ""
    planned: str = ""
    after_care: str = ""
    support: str = ""
    stakeholders: str = ""
    inform_days: str = ""
    extra_items: Annotated[str, Prose()] = ""


class ItemRef(Payload):
    code: str
    item: Id | None = None


class ItemPayload(Payload):
    code: str
    form_id: Annotated[str, Prose()] = ""
    item: Id | None = None
    title: Annotated[str, StoredIn("handover_item.title", 200)] = ""
    owner: str = ""
    due: str = ""
    link: Annotated[str, StoredIn("handover_item.link", 1000)] = ""


class ItemDone(Payload):
    code: str
    item: Id
    done: bool = True


class AcceptPayload(Payload):
    handover: Id


class NotYetPayload(Payload):
    handover: Id
    reason: Annotated[str, StoredIn("handover.not_yet_reason", 1000)] = ""


# Who the person is to the handover ------------------------------------------------------------------------------


def _conversation_key(conversation_id: str) -> str:
    """A channel's reply chain (`<channel>;messageid=<root>`) is the channel itself."""
    return conversation_id.split(";", 1)[0]


def handover_actor(request: Request, services: Services, project: ProjectFacts, row: HandoverRow | None) -> Actor:
    actor = me(request, services).actor(project)
    if row is None:
        return actor
    person_id = request.person.id
    receiving = row.receiver_person is not None and row.receiver_person.id == person_id
    if (
        row.receiver_conversation_key is not None
        and _conversation_key(request.where.conversation_id) == _conversation_key(row.receiver_conversation_key)
        and person_id != project.coordinator_id  # the coordinator does not accept their own handover
    ):
        receiving = True
    if receiving:
        return Actor(roles=actor.roles, relations=actor.relations | {Relation.RECEIVING_PARTY})
    return actor


def _zone(request: Request) -> ZoneInfo:
    try:
        return ZoneInfo(request.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Brussels")


def _today(request: Request, services: Services) -> date:
    return services.clock.now().astimezone(_zone(request)).date()


# Turning rows into what cards show -------------------------------------------------------------------------------


def item_title(item: ItemRow, t: Translator) -> str:
    return item.title or t(f"handover.item.{item.key}")


def item_lines(row: HandoverRow, t: Translator) -> tuple[ItemLine, ...]:
    return tuple(
        ItemLine(
            id=item.id,
            title=item_title(item, t),
            owner=item.owner.name if item.owner else None,
            due_on=item.due_on,
            link=item.link,
            done=item.done_at is not None,
            done_by=item.done_by,
        )
        for item in row.items
    )


def receiver_label(row: HandoverRow, t: Translator) -> str:
    if row.receiver_person is not None:
        return row.receiver_person.name
    return row.receiver_conversation or t("handover.nobody")


def after_care_text(row: HandoverRow, t: Translator) -> str:
    from babel.dates import format_date

    if row.after_care_until is not None:
        return t("handover.after_care.until", date=format_date(row.after_care_until, format="medium", locale=t.locale))
    if row.after_care_end is not None:
        return t("handover.after_care.until", date=format_date(row.after_care_end, format="medium", locale=t.locale))
    if row.after_care_length:
        count, unit = rules.describe_length(row.after_care_length)
        return t("handover.after_care.length", length=length_text(count, unit, t))
    return "—"


def handover_view(
    row: HandoverRow, t: Translator, zone: ZoneInfo, *, can_edit: bool, notice: str | None = None
) -> HandoverView:
    return HandoverView(
        code=row.code,
        name=row.name,
        receiver=receiver_label(row, t),
        planned_on=row.planned_on,
        after_care=after_care_text(row, t),
        support=row.support.name if row.support else None,
        stakeholders=tuple(p.name for p in row.stakeholders),
        state=row.state,
        items=item_lines(row, t),
        accepted_by=row.accepted_by,
        accepted_at=row.accepted_at.astimezone(zone) if row.accepted_at else None,
        not_yet_reason=row.not_yet_reason,
        not_yet_by=row.not_yet_by,
        can_edit=can_edit,
        notice=notice,
    )


def acceptance_view(
    row: HandoverRow,
    t: Translator,
    zone: ZoneInfo,
    *,
    asking: bool = False,
    reason: str = "",
    error: str | None = None,
    notice: str | None = None,
) -> AcceptanceView:
    return AcceptanceView(
        handover=row.id,
        code=row.code,
        name=row.name,
        receiver=receiver_label(row, t),
        planned_on=row.planned_on,
        after_care=after_care_text(row, t),
        support=row.support.name if row.support else None,
        state=row.state,
        items=item_lines(row, t),
        accepted_by=row.accepted_by,
        accepted_at=row.accepted_at.astimezone(zone) if row.accepted_at else None,
        not_yet_reason=row.not_yet_reason,
        not_yet_by=row.not_yet_by,
        asking_reason=asking,
        reason=reason,
        reason_error=error,
        notice=notice,
    )


def _plan_card(
    request: Request, services: Services, project: ProjectFacts, row: HandoverRow, notice: str | None = None
) -> dict[str, Any]:
    can_edit = allowed(handover_actor(request, services, project, row), Action.MANAGE_HANDOVER).allowed
    return build_handover_card(
        handover_view(row, request.t, _zone(request), can_edit=can_edit, notice=notice), request.t
    )


# The command ---------------------------------------------------------------------------------------------------


def handover_command(request: Request, services: Services, rest: str) -> Reply:
    words = rest.split()
    if words and words[-1].lower() == "export":
        return export(request, services, " ".join(words[:-1]))
    return show(request, services, rest)


def _found(request: Request, services: Services, reference: str) -> tuple[ProjectFacts, HandoverRow | None] | Reply:
    found = find_project(request, services, reference, "handover" if request.language == "en" else "overdracht")
    if isinstance(found, Reply):
        return found
    return found, HandoverRepository(services.db).for_project(found.id)


def show(request: Request, services: Services, reference: str) -> Reply:
    found = _found(request, services, reference)
    if isinstance(found, Reply):
        return found
    project, row = found
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
    card = _plan_card(request, services, project, row)
    return Reply(replace_card=card) if request.kind == "invoke" else Reply.card(card)


def _manageable(
    request: Request, services: Services, reference: str
) -> tuple[ProjectFacts, HandoverRow | None] | Reply:
    found = _found(request, services, reference)
    if isinstance(found, Reply):
        return found
    project, row = found
    decision = allowed(handover_actor(request, services, project, row), Action.MANAGE_HANDOVER)
    return found if decision.allowed else refusal(decision, request.t)


# The plan form -------------------------------------------------------------------------------------------------


def _person_text(person: PersonRef | None) -> str:
    return person.name if person else ""


def plan_form(request: Request, services: Services, reference: str) -> Reply:
    found = _manageable(request, services, reference)
    if isinstance(found, Reply):
        return found
    project, row = found
    values: dict[str, str] = {"inform_days": str(rules.DEFAULT_INFORM_DAYS)}
    if row is not None:
        values = {
            "receiver": _person_text(row.receiver_person),
            "receiver_conversation": str(row.receiver_conversation_id or ""),
            "planned": row.planned_on.isoformat(),
            "after_care": row.after_care_end.isoformat()
            if row.after_care_end
            else _length_text(row.after_care_length, request.t),
            "support": _person_text(row.support),
            "stakeholders": ", ".join(p.name for p in row.stakeholders),
            "inform_days": str(row.inform_days),
        }
    form = HandoverForm(
        project.code, project.name, uuid.uuid4().hex, _conversations(request, services), values, editing=row is not None
    )
    return Reply.card(build_handover_form_card(form, request.t))


def _length_text(length: str, t: Translator) -> str:
    if not length:
        return ""
    count, unit = rules.describe_length(length)
    return length_text(count, unit, t)


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


def _person_id(session_db: Database, pick: PersonPick, now: datetime) -> int:
    if pick.person_id is not None:
        return pick.person_id
    assert pick.email is not None
    with session_db.session() as session:
        person = person_for_email(session, pick.email, now=now)
        assert person.id is not None
        return person.id


def validate_plan(
    payload: PlanPayload, request: Request, services: Services, row: HandoverRow | None
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
    today = _today(request, services)
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


def save_plan(request: Request, services: Services, payload: PlanPayload) -> Reply:
    t = request.t
    found = _manageable(request, services, payload.code)
    if isinstance(found, Reply):
        return found
    project, row = found
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
    values["receiver_person_id"] = _person_id(services.db, receiver, now) if receiver else None
    values["support_person_id"] = _person_id(services.db, support, now) if support else None
    stakeholder_ids = [_person_id(services.db, pick, now) for pick in stakeholders]
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
            replace_card=_plan_card(request, services, project, current),
        )
    schedule(services.db, saved, now, services.default_timezone, previous=previous)
    key = "handover.created" if previous is None else "handover.saved"
    message = t(key, code=project.code)
    if previous is not None and previous != saved.planned_on:
        message += " " + t("handover.moved")
    return Reply(texts=[message], replace_card=_plan_card(request, services, project, saved))


# Checklist items -----------------------------------------------------------------------------------------------


def _editable_plan(request: Request, services: Services, code: str) -> tuple[ProjectFacts, HandoverRow] | Reply:
    found = _manageable(request, services, code)
    if isinstance(found, Reply):
        return found
    project, row = found
    if row is None:
        return Reply.text(request.t("handover.none", code=project.code))
    if row.state not in OPEN_STATES:
        return Reply.text(request.t("handover.already_accepted", code=project.code))
    return project, row


def item_form(request: Request, services: Services, payload: ItemRef) -> Reply:
    found = _editable_plan(request, services, payload.code)
    if isinstance(found, Reply):
        return found
    project, row = found
    values: dict[str, str] = {}
    if payload.item is not None:
        item = next((i for i in row.items if i.id == payload.item), None)
        if item is None:
            return Reply.text(request.t("handover.item.unknown"))
        values = {
            "title": item_title(item, request.t),
            "owner": _person_text(item.owner),
            "due": item.due_on.isoformat() if item.due_on else "",
            "link": item.link,
        }
    elif len(row.items) >= MAX_ITEMS:
        return Reply.text(request.t("handover.item.too_many", limit=MAX_ITEMS))
    form = ItemForm(project.code, uuid.uuid4().hex, payload.item, values)
    return Reply.card(build_handover_item_form_card(form, request.t))


def save_item(request: Request, services: Services, payload: ItemPayload) -> Reply:
    t = request.t
    found = _editable_plan(request, services, payload.code)
    if isinstance(found, Reply):
        return found
    project, row = found
    existing = next((i for i in row.items if i.id == payload.item), None) if payload.item is not None else None
    if payload.item is not None and existing is None:
        return Reply.text(t("handover.item.unknown"))
    if existing is None and len(row.items) >= MAX_ITEMS:
        return Reply.text(t("handover.item.too_many", limit=MAX_ITEMS))
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    title = " ".join(payload.title.split())
    if not title:
        errors["title"] = t("handover.item.title.missing")
    elif len(title) > TITLE_MAX:
        errors["title"] = t("handover.item.title.too_long", limit=TITLE_MAX)
    elif existing is not None and existing.key and title == t(f"handover.item.{existing.key}"):
        pass  # a standard item keeps its translated title
    else:
        values["title"] = title
        values["key"] = None
    owner: PersonPick | None = None
    if payload.owner.strip():
        pick = resolve_person(services, payload.owner, t)
        if isinstance(pick, str):
            errors["owner"] = pick
        else:
            owner = pick
    due = parse_date(payload.due.strip()) if payload.due.strip() else None
    if payload.due.strip() and due is None:
        errors["due"] = t("handover.planned.invalid", value=payload.due.strip()[:20])
    link = payload.link.strip()
    if link and (not re.match(r"^https?://\S+$", link) or len(link) > LINK_MAX):
        errors["link"] = t("handover.item.link.invalid")
    errors.update(length_errors(payload, t))  # too long: the message names the limit the card states
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    if errors:
        typed = payload.model_dump(include={"title", "owner", "due", "link"})
        form = ItemForm(project.code, form_id, payload.item, typed, errors)
        return Reply(replace_card=build_handover_item_form_card(form, t))
    now = services.clock.now()
    values["owner_id"] = _person_id(services.db, owner, now) if owner else None
    values["due_on"] = due
    values["link"] = link
    try:
        saved = HandoverRepository(services.db).save_item(
            row.id,
            payload.item,
            values,
            actor_id=request.person.id,
            now=now,
            form_id=None if existing else submission_key(request, form_id),
        )
    except Duplicate:
        current = HandoverRepository(services.db).get(row.id)
        assert current is not None
        return Reply(
            texts=[t("handover.item.already_saved")], replace_card=_plan_card(request, services, project, current)
        )
    key = "handover.item.saved" if existing else "handover.item.added"
    return Reply(texts=[t(key, title=title)], replace_card=_plan_card(request, services, project, saved))


def tick_item(request: Request, services: Services, payload: ItemDone) -> Reply:
    """Action.Execute: the plan card updates in place; pressing twice ticks once."""
    found = _editable_plan(request, services, payload.code)
    if isinstance(found, Reply):
        return found
    project, row = found
    if all(item.id != payload.item for item in row.items):
        return Reply.text(request.t("handover.item.unknown"))
    saved, _changed = HandoverRepository(services.db).mark_item(
        row.id, payload.item, done=payload.done, actor_id=request.person.id, now=services.clock.now()
    )
    return Reply(replace_card=_plan_card(request, services, project, saved))


# Acceptance ----------------------------------------------------------------------------------------------------


def ask_acceptance(request: Request, services: Services, payload: CodePayload) -> Reply:
    """The coordinator asks for acceptance now rather than on the planned date."""
    found = _editable_plan(request, services, payload.code)
    if isinstance(found, Reply):
        return found
    project, row = found
    now = services.clock.now()
    outbox = OutboxRepository(services.db)
    key = _acceptance_key(row)
    existing = outbox.by_key(key)
    if existing is not None and existing.state != "pending":
        key = f"{key}:again:{_today(request, services).isoformat()}"
    target = receiver_target(row)
    if target is None:
        return Reply.text(request.t("handover.receiver.unreachable"))
    outbox.enqueue(
        dedup_key=key,
        kind=ACCEPTANCE_KIND,
        target=target,
        payload=builder_payload(ACCEPTANCE_BUILDER, handover=row.id, planned=row.planned_on.isoformat()),
        due_at=now,
        now=now,
        owner_aad_object_id=_coordinator_aad(row),
    )
    return Reply.text(request.t("handover.asked", receiver=receiver_label(row, request.t), code=project.code))


def _acceptance_row(request: Request, services: Services, handover_id: int) -> tuple[ProjectFacts, HandoverRow] | Reply:
    row = HandoverRepository(services.db).get(handover_id)
    if row is None:
        return Reply.text(request.t("handover.gone"))
    project = _project_facts(services, row.project_id)
    # Ids are sequential: someone who may not see this handover is told exactly what a wrong id tells them.
    if project is None or not allowed(handover_actor(request, services, project, row), Action.VIEW_HANDOVER).allowed:
        return Reply.text(request.t("handover.gone"))
    return project, row


def _project_facts(services: Services, project_id: int) -> ProjectFacts | None:
    from storage.projects import ProjectRepository

    return ProjectRepository(services.db).facts(project_id)


def _may_accept(request: Request, services: Services, project: ProjectFacts, row: HandoverRow) -> Reply | None:
    decision = allowed(handover_actor(request, services, project, row), Action.ACCEPT_HANDOVER)
    if decision.allowed:
        return None
    return Reply.text(request.t("handover.accept.refused", receiver=receiver_label(row, request.t)))


def accept(request: Request, services: Services, payload: AcceptPayload) -> Reply:
    """Action.Execute from the acceptance card: recorded once, audited, the card updated in place for everyone."""
    t = request.t
    found = _acceptance_row(request, services, payload.handover)
    if isinstance(found, Reply):
        return found
    project, row = found
    refused = _may_accept(request, services, project, row)
    if refused is not None:
        return refused
    zone = _zone(request)
    if row.state not in OPEN_STATES:
        notice = t("handover.accept.already") if row.state == HandoverState.ACCEPTED.value else None
        return Reply(replace_card=build_handover_acceptance_card(acceptance_view(row, t, zone, notice=notice), t))
    now = services.clock.now()
    today = now.astimezone(zone).date()
    until = rules.after_care_end(today, rules.AfterCare(row.after_care_end, row.after_care_length))
    saved, accepted = HandoverRepository(services.db).accept(
        row.id, actor_id=request.person.id, now=now, after_care_until=until
    )
    if accepted:
        after_acceptance(services.db, saved, now, services.default_timezone)
    return _acceptance_for_everyone(request, services, saved)


def not_yet_form(request: Request, services: Services, payload: AcceptPayload) -> Reply:
    found = _acceptance_row(request, services, payload.handover)
    if isinstance(found, Reply):
        return found
    project, row = found
    refused = _may_accept(request, services, project, row)
    if refused is not None:
        return refused
    asking = row.state in OPEN_STATES
    view = acceptance_view(row, request.t, _zone(request), asking=asking, reason=row.not_yet_reason)
    return Reply(replace_card=build_handover_acceptance_card(view, request.t))


def not_yet(request: Request, services: Services, payload: NotYetPayload) -> Reply:
    t = request.t
    found = _acceptance_row(request, services, payload.handover)
    if isinstance(found, Reply):
        return found
    project, row = found
    refused = _may_accept(request, services, project, row)
    if refused is not None:
        return refused
    zone = _zone(request)
    reason = payload.reason.strip()
    if row.state not in OPEN_STATES:
        return Reply(replace_card=build_handover_acceptance_card(acceptance_view(row, t, zone), t))
    if not reason or len(reason) > REASON_MAX:
        error = t("handover.not_yet.reason_missing") if not reason else t("handover.not_yet.too_long", limit=REASON_MAX)
        view = acceptance_view(row, t, zone, asking=True, reason=payload.reason[:REASON_MAX], error=error)
        return Reply(replace_card=build_handover_acceptance_card(view, t))
    if row.state == HandoverState.NOT_YET.value and row.not_yet_reason == reason:
        return _acceptance_for_everyone(request, services, row)  # pressed twice
    now = services.clock.now()
    saved, changed = HandoverRepository(services.db).not_yet(row.id, reason=reason, actor_id=request.person.id, now=now)
    if changed:
        digest = hashlib.sha256(reason.encode()).hexdigest()[:12]
        _notify_coordinator(
            services.db,
            saved,
            now,
            key=f"handover:{saved.id}:notyet:{digest}",
            title_key="handover.notice.not_yet.title",
            text_key="handover.notice.not_yet.text",
            values={"who": request.person.name or "?", "reason": reason, "code": saved.code},
        )
    return _acceptance_for_everyone(request, services, saved, texts=[t("handover.not_yet.recorded")])


def _acceptance_for_everyone(
    request: Request, services: Services, row: HandoverRow, *, texts: list[str] | None = None
) -> Reply:
    """The acceptance card as it now stands. In a team's conversation everyone sees it, so it is in that
    conversation's language and time zone (as it was sent), not the presser's."""
    shared = not request.where.is_personal
    t = translator(services.default_language) if shared else request.t
    zone = ZoneInfo(services.default_timezone) if shared else _zone(request)
    card = build_handover_acceptance_card(acceptance_view(row, t, zone), t)
    return Reply(texts=texts or [], replace_card=card, update_for_everyone=shared)


def acceptance_view_action(request: Request, services: Services, payload: AcceptPayload) -> Reply:
    found = _acceptance_row(request, services, payload.handover)
    if isinstance(found, Reply):
        return found
    _project, row = found
    return Reply(
        replace_card=build_handover_acceptance_card(acceptance_view(row, request.t, _zone(request)), request.t)
    )


# Export --------------------------------------------------------------------------------------------------------


def export(request: Request, services: Services, reference: str) -> Reply:
    t = request.t
    found = _found(request, services, reference)
    if isinstance(found, Reply):
        return found
    project, row = found
    decision = allowed(handover_actor(request, services, project, row), Action.VIEW_HANDOVER)
    if not decision.allowed:
        return refusal(decision, t)
    if row is None:
        return Reply.text(t("handover.none", code=project.code))
    from dialogs.handover_document import dossier_docx, file_name

    zone = _zone(request)
    generated = services.clock.now().astimezone(zone)
    data = services.renderer.render(dossier_docx, row, t, zone, generated)  # off the database path
    file = OutgoingFile(
        name=file_name(row, t, generated.date()),
        content_type=DOCX_TYPE,
        data=data,
        description=t("handover.dossier.description", code=row.code),
    )
    return Reply(texts=[t("handover.dossier.ready", code=row.code)], files=[file])


# After-care on the project card ---------------------------------------------------------------------------------


def after_care_note(services: Services, project_id: int, t: Translator) -> str | None:
    """While after-care runs: who gives second-line support until when (shown on the project card)."""
    row = HandoverRepository(services.db).for_project(project_id)
    return _after_care_note(row, t) if row is not None else None


def _after_care_note(row: HandoverRow, t: Translator) -> str | None:
    if row.state != HandoverState.ACCEPTED.value or row.after_care_until is None:
        return None
    from babel.dates import format_date

    return t(
        "handover.after_care.note",
        support=row.support.name if row.support else t("handover.nobody"),
        until=format_date(row.after_care_until, format="medium", locale=t.locale),
    )


def handover_summary(db: Database, project_id: int, t: Translator) -> HandoverSummary | None:
    """The project's handover in a few plain values; None when no handover is planned."""
    row = HandoverRepository(db).for_project(project_id)
    if row is None:
        return None
    return HandoverSummary(
        planned_on=row.planned_on,
        receiver=receiver_label(row, t),
        state=row.state,
        open_items=len(row.open_items()),
        total_items=len(row.items),
        after_care_note=_after_care_note(row, t),
    )


# Scheduling through the outbox ----------------------------------------------------------------------------------


def _person_target(person: PersonRef | None, tenant: str) -> Target | None:
    if person is None or person.aad_object_id is None:
        return None  # a placeholder (named by email, never talked to the bot) cannot be reached yet
    return Target(tenant_id=person.tenant_id or tenant, aad_object_id=person.aad_object_id)


def receiver_target(row: HandoverRow) -> Target | None:
    if row.receiver_conversation_id is not None:
        return Target(tenant_id=row.tenant_id, conversation_ref_id=row.receiver_conversation_id)
    return _person_target(row.receiver_person, row.tenant_id)


def _coordinator_aad(row: HandoverRow) -> str | None:
    return row.coordinator.aad_object_id if row.coordinator else None


def _inform_targets(row: HandoverRow) -> list[tuple[str, str, Target]]:
    """(key part, role, target) for the receiving party and every reachable stakeholder."""
    targets: list[tuple[str, str, Target]] = []
    receiver = receiver_target(row)
    if receiver is not None:
        part = f"c{row.receiver_conversation_id}" if row.receiver_conversation_id else f"p{row.receiver_person.id}"  # type: ignore[union-attr]
        targets.append((part, "receiver", receiver))
    for person in row.stakeholders:
        if row.receiver_person is not None and person.id == row.receiver_person.id:
            continue
        target = _person_target(person, row.tenant_id)
        if target is not None:
            targets.append((f"p{person.id}", "stakeholder", target))
    return targets


def _unreachable(row: HandoverRow) -> list[tuple[PersonRef, str]]:
    """(person, role) for everyone the plan names to inform whom the bot cannot write to: named by email, they
    have not talked to the bot yet (a team's conversation is always reachable)."""
    people: list[tuple[PersonRef, str]] = []
    receiver = row.receiver_person if row.receiver_conversation_id is None else None
    if receiver is not None and receiver.aad_object_id is None:
        people.append((receiver, "receiver"))
    for person in row.stakeholders:
        if person.aad_object_id is None and (receiver is None or person.id != receiver.id):
            people.append((person, "stakeholder"))
    return people


def _tell_unreachable(db: Database, row: HandoverRow, now: datetime) -> int:
    """Tell the coordinator, once per person, whom the informing card could not reach and why. Returns rows
    enqueued (0 or 1)."""
    prefix = f"handover:{row.id}:unreachable:"
    told = unreachable_told(db, prefix)
    new = sorted(person.id for person, _role in _unreachable(row) if person.id not in told)
    target = _person_target(row.coordinator, row.tenant_id)
    if not new or target is None:
        return 0
    digest = hashlib.sha256(",".join(map(str, new)).encode()).hexdigest()[:12]
    OutboxRepository(db).enqueue(
        dedup_key=prefix + digest,
        kind=NOTICE_KIND,
        target=target,
        payload=builder_payload(UNREACHABLE_BUILDER, handover=row.id, people=new),
        due_at=now,
        now=now,
    )
    return 1


def _acceptance_key(row: HandoverRow) -> str:
    return f"handover:{row.id}:accept:{row.planned_on.isoformat()}"


def _end_of_handover_day(row: HandoverRow, zone: str) -> datetime:
    return rules.local_moment(row.planned_on + timedelta(days=1), zone, rules.SEND_AT.replace(hour=0))


def _inform(
    outbox: OutboxRepository,
    row: HandoverRow,
    whom: tuple[str, str, Target],
    *,
    now: datetime,
    zone: str,
    moved: bool,
) -> int:
    """Queue the informing card for one party: now (made, or a person added: once per person; moved: again, about
    the new date) and, when still ahead, `inform_days` before the handover. Returns rows enqueued."""
    part, role, target = whom
    planned = row.planned_on.isoformat()
    end_of_day = _end_of_handover_day(row, zone)
    owner = _coordinator_aad(row)
    reason = "moved" if moved else "planned"
    outbox.enqueue(
        dedup_key=f"handover:{row.id}:{'moved:' + planned if moved else 'plan'}:{part}",
        kind=INFORM_KIND,
        target=target,
        payload=builder_payload(INFORM_BUILDER, handover=row.id, role=role, reason=reason, planned=planned),
        due_at=now,
        now=now,
        not_after=max(end_of_day, now),
        owner_aad_object_id=owner,
    )
    early = rules.local_moment(rules.inform_due(row.planned_on, row.inform_days), zone)
    if row.inform_days <= 0 or early <= now:
        return 1
    outbox.enqueue(
        dedup_key=f"handover:{row.id}:early:{planned}:{part}",
        kind=INFORM_KIND,
        target=target,
        payload=builder_payload(INFORM_BUILDER, handover=row.id, role=role, reason="early", planned=planned),
        due_at=early,
        now=now,
        not_after=end_of_day,
        owner_aad_object_id=owner,
    )
    return 2


def inform_newly_reachable(db: Database, person_id: int, now: datetime, zone: str) -> int:
    """Someone a plan named by e-mail before they talked to the bot just did (their placeholder is now linked to
    them): schedule every open handover that names them again, so they get the informing card (and, as the
    receiving party, the acceptance request) they could not get then. Rescheduling is idempotent for everyone
    else: sent keys are never sent again, pending rows stay as they are. The coordinator's "could not reach"
    notice is rendered at send time and leaves them out from now on. Returns rows enqueued or refreshed."""
    rows = HandoverRepository(db).open_naming(person_id)
    return sum(schedule(db, row, now, zone, previous=None) for row in rows)


def schedule(db: Database, row: HandoverRow, now: datetime, zone: str, *, previous: date | None) -> int:
    """After the plan is made or changed: inform now (each person once), inform early, remind the coordinator and
    ask for acceptance on the day. A moved date cancels what was queued for the old one. Returns rows enqueued."""
    outbox = OutboxRepository(db)
    planned = row.planned_on.isoformat()
    count = 0
    moved = previous is not None and previous != row.planned_on
    if moved:
        for part in ("early", "remind", "accept"):
            outbox.cancel(prefix=f"handover:{row.id}:{part}:", now=now)
    handover_moment = rules.local_moment(row.planned_on, zone)
    end_of_day = _end_of_handover_day(row, zone)
    for part, role, target in _inform_targets(row):
        count += _inform(outbox, row, (part, role, target), now=now, zone=zone, moved=moved)
    coordinator = _person_target(row.coordinator, row.tenant_id)
    if coordinator is not None:
        for days in rules.REMINDER_DAYS:
            due = rules.local_moment(row.planned_on - timedelta(days=days), zone)
            if due <= now:
                continue
            outbox.enqueue(
                dedup_key=f"handover:{row.id}:remind:{days}:{planned}",
                kind=REMINDER_KIND,
                target=coordinator,
                payload=builder_payload(REMINDER_BUILDER, handover=row.id, days=days, planned=planned),
                due_at=due,
                now=now,
                not_after=end_of_day,
            )
            count += 1
    count += _tell_unreachable(db, row, now)
    receiver = receiver_target(row)
    if receiver is not None and row.state in OPEN_STATES:
        outbox.enqueue(
            dedup_key=_acceptance_key(row),
            kind=ACCEPTANCE_KIND,
            target=receiver,
            payload=builder_payload(ACCEPTANCE_BUILDER, handover=row.id, planned=planned),
            due_at=max(handover_moment, now),
            now=now,
            owner_aad_object_id=_coordinator_aad(row),
        )
        count += 1
    return count


def after_acceptance(db: Database, row: HandoverRow, now: datetime, zone: str) -> None:
    """Accepted: what was queued for before the handover goes; the coordinator is told; after-care reminders queue."""
    outbox = OutboxRepository(db)
    for part in ("early", "remind", "accept"):
        outbox.cancel(prefix=f"handover:{row.id}:{part}:", now=now)
    _notify_coordinator(
        db,
        row,
        now,
        key=f"handover:{row.id}:accepted",
        title_key="handover.notice.accepted.title",
        text_key="handover.notice.accepted.text",
        values={"who": row.accepted_by or "?", "code": row.code},
    )
    if row.after_care_until is None:
        return
    until = row.after_care_until.isoformat()
    due = max(rules.local_moment(rules.after_care_warning_day(row.after_care_until), zone), now)
    not_after = rules.local_moment(row.after_care_until + timedelta(days=1), zone)
    sides = [("coordinator", _person_target(row.coordinator, row.tenant_id)), ("receiver", receiver_target(row))]
    for side, target in sides:
        if target is None or due >= not_after:
            continue
        outbox.enqueue(
            dedup_key=f"handover:{row.id}:aftercare:{until}:{side}",
            kind=AFTER_CARE_KIND,
            target=target,
            payload=builder_payload(AFTER_CARE_BUILDER, handover=row.id, side=side, until=until),
            due_at=due,
            now=now,
            not_after=not_after,
            owner_aad_object_id=_coordinator_aad(row),
        )


def _notify_coordinator(
    db: Database,
    row: HandoverRow,
    now: datetime,
    *,
    key: str,
    title_key: str,
    text_key: str,
    values: dict[str, str],
    retrospective: bool = False,
) -> None:
    target = _person_target(row.coordinator, row.tenant_id)
    if target is None:
        return
    OutboxRepository(db).enqueue(
        dedup_key=key,
        kind=NOTICE_KIND,
        target=target,
        payload=builder_payload(
            NOTICE_BUILDER,
            code=row.code,
            title_key=title_key,
            text_key=text_key,
            values=values,
            retrospective=retrospective,
        ),
        due_at=now,
        now=now,
    )


def end_after_care(db: Database, now: datetime, zone: str = "Europe/Brussels") -> int:
    """Daily: every handover whose after-care is over closes its project; the coordinator is told and asked for
    the closing retrospective (unless there is one). Returns how many projects were closed."""
    today = now.astimezone(ZoneInfo(zone)).date()
    repository = HandoverRepository(db)
    closed = 0
    for row in repository.in_after_care():
        if not rules.after_care_over(row.after_care_until, today):
            continue
        if not repository.close(row.id, now=now):
            continue
        closed += 1
        has_retro = StatusRepository(db).retrospective(row.project_id) is not None
        _notify_coordinator(
            db,
            row,
            now,
            key=f"handover:{row.id}:closed",
            title_key="handover.notice.closed.title",
            text_key="handover.notice.closed.text" if has_retro else "handover.notice.closed.retro",
            values={"code": row.code, "name": row.name},
            retrospective=not has_retro,
        )
    return closed


# Rendering at send time -----------------------------------------------------------------------------------------


def _row_for(db: Database, args: dict[str, Any]) -> HandoverRow | None:
    try:
        return HandoverRepository(db).get(int(args["handover"]))
    except (KeyError, TypeError, ValueError):
        return None


def _items_json(row: HandoverRow) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "key": item.key,
            "title": item.title,
            "owner": item.owner.name if item.owner else None,
            "due": item.due_on.isoformat() if item.due_on else None,
            "link": item.link,
            "done": item.done_at is not None,
            "done_by": item.done_by,
        }
        for item in row.items
    ]


def _row_json(row: HandoverRow) -> dict[str, Any]:
    """What the renderers need, as plain JSON values (the outbox stores arguments as JSON)."""
    return {
        "code": row.code,
        "name": row.name,
        "receiver_person": row.receiver_person.name if row.receiver_person else None,
        "receiver_conversation": row.receiver_conversation,
        "planned_on": row.planned_on.isoformat(),
        "after_care_end": row.after_care_end.isoformat() if row.after_care_end else None,
        "after_care_length": row.after_care_length,
        "after_care_until": row.after_care_until.isoformat() if row.after_care_until else None,
        "support": row.support.name if row.support else None,
        "coordinator": row.coordinator.name if row.coordinator else None,
        "state": row.state,
        "accepted_by": row.accepted_by,
        "accepted_at": row.accepted_at.isoformat() if row.accepted_at else None,
        "not_yet_reason": row.not_yet_reason,
        "not_yet_by": row.not_yet_by,
        "items": _items_json(row),
    }


def refresh_inform(db: Database, args: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    row = _row_for(db, args)
    if row is None or row.state not in OPEN_STATES or row.planned_on.isoformat() != args.get("planned"):
        return None  # accepted already, or moved (the new date has its own messages)
    return {**args, "row": _row_json(row)}


def refresh_reminder(db: Database, args: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    row = _row_for(db, args)
    if row is None or row.state not in OPEN_STATES or row.planned_on.isoformat() != args.get("planned"):
        return None
    if not row.open_items():
        return None  # everything is done: nothing to remind of
    return {**args, "row": _row_json(row)}


def refresh_acceptance(db: Database, args: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    row = _row_for(db, args)
    if row is None or row.state not in OPEN_STATES:
        return None
    return {**args, "row": _row_json(row)}


def refresh_after_care(db: Database, args: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    row = _row_for(db, args)
    if row is None or row.state != HandoverState.ACCEPTED.value or row.after_care_until is None:
        return None
    if row.after_care_until.isoformat() != args.get("until"):
        return None
    return {**args, "row": _row_json(row)}


def refresh_unreachable(db: Database, args: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """Only those still out of reach by the time it is sent (someone may have talked to the bot meanwhile)."""
    row = _row_for(db, args)
    if row is None:
        return None
    listed = {int(p) for p in args.get("people") or [] if isinstance(p, int)}
    still = [{"name": person.name, "role": role} for person, role in _unreachable(row) if person.id in listed]
    if not still:
        return None
    return {**args, "code": row.code, "name": row.name, "unreachable": still}


class _Args:
    """A stored row (from _row_json) read back as a HandoverRow-like value for the view builders."""

    @staticmethod
    def row(data: dict[str, Any]) -> HandoverRow:
        def day(value: Any) -> date | None:
            return date.fromisoformat(str(value)) if value else None

        def named(name: Any) -> PersonRef | None:
            return PersonRef(0, str(name), "", None) if name else None

        return HandoverRow(
            id=0,
            project_id=0,
            code=str(data.get("code", "")),
            name=str(data.get("name", "")),
            phase="",
            coordinator=named(data.get("coordinator")),
            receiver_person=named(data.get("receiver_person")),
            receiver_conversation_id=None,
            receiver_conversation=data.get("receiver_conversation"),
            receiver_conversation_key=None,
            planned_on=day(data.get("planned_on")) or date.min,
            after_care_end=day(data.get("after_care_end")),
            after_care_length=str(data.get("after_care_length") or ""),
            after_care_until=day(data.get("after_care_until")),
            support=named(data.get("support")),
            inform_days=0,
            state=str(data.get("state", "planned")),
            accepted_by=data.get("accepted_by"),
            accepted_at=datetime.fromisoformat(data["accepted_at"]) if data.get("accepted_at") else None,
            not_yet_reason=str(data.get("not_yet_reason") or ""),
            not_yet_by=data.get("not_yet_by"),
            not_yet_at=None,
            stakeholders=(),
            items=tuple(
                ItemRow(
                    id=int(item.get("id") or 0),
                    key=item.get("key"),
                    title=str(item.get("title") or ""),
                    owner=named(item.get("owner")),
                    due_on=day(item.get("due")),
                    link=str(item.get("link") or ""),
                    done_at=datetime.min.replace(tzinfo=UTC) if item.get("done") else None,
                    done_by=item.get("done_by"),
                )
                for item in data.get("items") or []
            ),
            tenant_id="",
        )


_CHANNEL_ZONE = ZoneInfo("Europe/Brussels")


def render_inform(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    row = _Args.row(args.get("row") or {})
    view = InformView(
        code=row.code,
        name=row.name,
        role="receiver" if args.get("role") == "receiver" else "stakeholder",
        receiver=receiver_label(row, t),
        planned_on=row.planned_on,
        after_care=after_care_text(row, t),
        support=row.support.name if row.support else None,
        coordinator=row.coordinator.name if row.coordinator else None,
        items=tuple(item_title(item, t) for item in row.items),
        reason=str(args.get("reason") or "planned"),
    )
    return build_handover_inform_card(view, t)


def render_reminder(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    row = _Args.row(args.get("row") or {})
    lines = tuple(line for line in item_lines(row, t) if not line.done)
    view = ReminderView(row.code, row.name, row.planned_on, int(args.get("days") or 0), lines)
    return build_handover_reminder_card(view, t)


def render_acceptance(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    row = _Args.row(args.get("row") or {})
    view = acceptance_view(row, t, _CHANNEL_ZONE)
    return build_handover_acceptance_card(AcceptanceView(**{**view.__dict__, "handover": int(args["handover"])}), t)


def render_after_care(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    row = _Args.row(args.get("row") or {})
    view = AfterCareView(
        code=row.code,
        name=row.name,
        until=row.after_care_until or date.min,
        support=row.support.name if row.support else None,
        receiver=receiver_label(row, t),
        side="receiver" if args.get("side") == "receiver" else "coordinator",
    )
    return build_after_care_reminder_card(view, t)


def render_notice(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    values = {str(k): str(v) for k, v in (args.get("values") or {}).items()}
    notice = HandoverNotice(
        code=str(args.get("code", "")),
        title_key=str(args.get("title_key", "handover.notice.accepted.title")),
        text_key=str(args.get("text_key", "handover.notice.accepted.text")),
        values=values,
        retrospective_verb=RETRO_FORM_VERB if args.get("retrospective") else None,
    )
    return build_handover_notice_card(notice, t)


def render_unreachable(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    people = tuple(
        UnreachablePerson(str(p.get("name") or "?"), "receiver" if p.get("role") == "receiver" else "stakeholder")
        for p in args.get("unreachable") or []
        if isinstance(p, dict)
    )
    view = UnreachableView(code=str(args.get("code", "")), name=str(args.get("name", "")), people=people)
    return build_handover_unreachable_card(view, t)


proactive.CAPABILITY_RENDERERS.update(
    {
        INFORM_BUILDER: render_inform,
        REMINDER_BUILDER: render_reminder,
        ACCEPTANCE_BUILDER: render_acceptance,
        AFTER_CARE_BUILDER: render_after_care,
        NOTICE_BUILDER: render_notice,
        UNREACHABLE_BUILDER: render_unreachable,
    }
)
proactive.CAPABILITY_REFRESHERS.update(
    {
        INFORM_BUILDER: refresh_inform,
        REMINDER_BUILDER: refresh_reminder,
        ACCEPTANCE_BUILDER: refresh_acceptance,
        AFTER_CARE_BUILDER: refresh_after_care,
        UNREACHABLE_BUILDER: refresh_unreachable,
    }
)


capability = Capability("handover", install=register)


# After-care that is over closes its project (and asks for the retrospective); daily at 07:05 in Brussels, with
# half a day of grace. Closing is a conditional update, so a second run (another instance) closes nothing twice.
@capability.job("handover.after_care", name="end after-care periods", when=Daily(7, 5), grace_seconds=12 * 3600)
def _after_care(context: JobContext) -> int:
    return end_after_care(context.db, context.now, context.default_timezone)


@capability.hook(Event.PERSON_LINKED)
def _person_linked(services: Services, person_id: int) -> int:
    """A receiving party named by e-mail has just been linked: the handover notices they could not get then."""
    return inform_newly_reachable(services.db, person_id, services.clock.now(), services.default_timezone)
