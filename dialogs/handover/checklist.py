"""The plan's checklist: an item's form (new or existing), its Save, and ticking an item off in place."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from cards.handover import (
    MAX_ITEMS,
    ItemForm,
    OpenItem,
    SaveItem,
    TickItem,
    build_handover_item_form_card,
    item_title,
)
from cards.payloads import length_errors
from dialogs.handover.declaration import capability
from dialogs.handover.forms import ItemFields, form_errors
from dialogs.handover.lookup import editable_plan
from dialogs.handover.plan import person_id, plan_card
from dialogs.kernel.owned import KEY_MAX, submission_key
from dialogs.kernel.search import choice_value, colleague_choices
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import PersonPick, resolve_person
from storage.handover import Duplicate, HandoverRepository


@capability.verb(OpenItem)
def item_form(request: Request, services: Services, payload: OpenItem) -> Reply:
    project, row = editable_plan(request, services, payload.code)
    values: dict[str, str] = {}
    if payload.item is not None:
        item = next((i for i in row.items if i.id == payload.item), None)
        if item is None:
            return Reply.text(request.t("handover.item.unknown"))
        values = {
            "title": item_title(item, request.t),
            "owner": choice_value(services, item.owner.id if item.owner else None),
            "due": item.due_on.isoformat() if item.due_on else "",
            "link": item.link,
        }
    elif len(row.items) >= MAX_ITEMS:
        return Reply.text(request.t("handover.item.too_many", limit=MAX_ITEMS))
    people = colleague_choices(services, keep={values.get("owner", "")})
    form = ItemForm(project.code, uuid.uuid4().hex, payload.item, values, people=people)
    return Reply.card(build_handover_item_form_card(form, request.t))


def _read_item(
    request: Request, services: Services, payload: SaveItem, code: str, form_id: str
) -> tuple[ItemFields, PersonPick | None]:
    """What the item form says and the owner it names; else raises Stop with the form again, as typed, with an
    error under each field that needs the person."""
    t = request.t
    errors: dict[str, str] = {}
    try:
        read: ItemFields | None = ItemFields.model_validate(payload.model_dump())
    except ValidationError as invalid:
        read = None
        errors.update(form_errors(invalid, t))
    owner: PersonPick | None = None
    named = payload.owner_new.strip() or payload.owner.strip()  # an address typed under the picker wins
    if named:
        pick = resolve_person(services, named, t)
        if isinstance(pick, str):
            errors["owner"] = pick
        else:
            owner = pick
    errors.update(length_errors(payload, t))  # too long: the message names the limit the card states
    if errors or read is None:
        typed = payload.model_dump(include={"title", "owner", "owner_new", "due", "link"})
        people = colleague_choices(services, keep={payload.owner})
        form = ItemForm(code, form_id, payload.item, typed, errors, people=people)
        raise Stop(Reply(replace_card=build_handover_item_form_card(form, t)))
    return read, owner


@capability.verb(SaveItem)
def save_item(request: Request, services: Services, payload: SaveItem) -> Reply:
    t = request.t
    project, row = editable_plan(request, services, payload.code)
    existing = next((i for i in row.items if i.id == payload.item), None) if payload.item is not None else None
    if payload.item is not None and existing is None:
        return Reply.text(t("handover.item.unknown"))
    if existing is None and len(row.items) >= MAX_ITEMS:
        return Reply.text(t("handover.item.too_many", limit=MAX_ITEMS))
    form_id = payload.form_id[:KEY_MAX] or uuid.uuid4().hex
    read, owner = _read_item(request, services, payload, project.code, form_id)
    now = services.clock.now()
    values: dict[str, Any] = {
        "owner_id": person_id(services.db, owner, now) if owner else None,
        "due_on": read.due,
        "link": read.link,
    }
    if existing is None or not existing.key or read.title != t(f"handover.item.{existing.key}"):
        values |= {"title": read.title, "key": None}  # a standard item keeps its translated title
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
            texts=[t("handover.item.already_saved")], replace_card=plan_card(request, services, project, current)
        )
    key = "handover.item.saved" if existing else "handover.item.added"
    return Reply(texts=[t(key, title=read.title)], replace_card=plan_card(request, services, project, saved))


@capability.verb(TickItem)
def tick_item(request: Request, services: Services, payload: TickItem) -> Reply:
    """Action.Execute: the plan card updates in place; pressing twice ticks once."""
    project, row = editable_plan(request, services, payload.code)
    if all(item.id != payload.item for item in row.items):
        return Reply.text(request.t("handover.item.unknown"))
    saved, _changed = HandoverRepository(services.db).mark_item(
        row.id, payload.item, done=payload.done, actor_id=request.person.id, now=services.clock.now()
    )
    return Reply(replace_card=plan_card(request, services, project, saved))
