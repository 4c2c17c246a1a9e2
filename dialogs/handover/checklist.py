"""The plan's checklist: an item's form (new or existing), its Save, and ticking an item off in place."""

from __future__ import annotations

import re
import uuid
from typing import Any

from cards.handover import MAX_ITEMS, ItemForm, OpenItem, SaveItem, TickItem, build_handover_item_form_card
from cards.payloads import length_errors
from cards.values import parse_date
from dialogs.handover.declaration import capability
from dialogs.handover.lookup import editable_plan
from dialogs.handover.plan import person_id, plan_card
from dialogs.handover.views import item_title, person_text
from dialogs.kernel.owned import submission_key
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.who import PersonPick, resolve_person
from storage.handover import LINK_MAX, TITLE_MAX, Duplicate, HandoverRepository


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
            "owner": person_text(item.owner),
            "due": item.due_on.isoformat() if item.due_on else "",
            "link": item.link,
        }
    elif len(row.items) >= MAX_ITEMS:
        return Reply.text(request.t("handover.item.too_many", limit=MAX_ITEMS))
    form = ItemForm(project.code, uuid.uuid4().hex, payload.item, values)
    return Reply.card(build_handover_item_form_card(form, request.t))


@capability.verb(SaveItem)
def save_item(request: Request, services: Services, payload: SaveItem) -> Reply:
    t = request.t
    project, row = editable_plan(request, services, payload.code)
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
    values["owner_id"] = person_id(services.db, owner, now) if owner else None
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
            texts=[t("handover.item.already_saved")], replace_card=plan_card(request, services, project, current)
        )
    key = "handover.item.saved" if existing else "handover.item.added"
    return Reply(texts=[t(key, title=title)], replace_card=plan_card(request, services, project, saved))


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
