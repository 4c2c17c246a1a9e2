"""The handover's outbox messages at send time: each refresher reads the handover again (and cancels a message that
lost its point: accepted already, moved, nothing left to remind of), each renderer turns the stored arguments into
the card, in the reader's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cards.handover import (
    HandoverNotice,
    UnreachablePerson,
    UnreachableView,
    build_after_care_reminder_card,
    build_handover_acceptance_card,
    build_handover_inform_card,
    build_handover_notice_card,
    build_handover_reminder_card,
    build_handover_unreachable_card,
)
from cards.i18n import Translator
from cards.status.retrospective import RetroFormOpen
from dialogs.handover.declaration import capability
from dialogs.handover.schedule import (
    ACCEPTANCE_BUILDER,
    AFTER_CARE_BUILDER,
    INFORM_BUILDER,
    NOTICE_BUILDER,
    REMINDER_BUILDER,
    UNREACHABLE_BUILDER,
    unreachable,
)
from domain.handover import OPEN_STATES, ChecklistItem, HandoverFacts, HandoverState, PersonRef
from storage.db import Database
from storage.handover import HandoverRepository

_CHANNEL_ZONE = ZoneInfo("Europe/Brussels")


def _row_for(db: Database, args: dict[str, Any]) -> HandoverFacts | None:
    try:
        return HandoverRepository(db).get(int(args["handover"]))
    except (KeyError, TypeError, ValueError):
        return None


def _items_json(row: HandoverFacts) -> list[dict[str, Any]]:
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


def _row_json(row: HandoverFacts) -> dict[str, Any]:
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
    still = [{"name": person.name, "role": role} for person, role in unreachable(row) if person.id in listed]
    if not still:
        return None
    return {**args, "code": row.code, "name": row.name, "unreachable": still}


def _facts(data: dict[str, Any]) -> HandoverFacts:
    """Stored arguments (from _row_json) read back as the handover's facts, for the cards."""

    def day(value: Any) -> date | None:
        return date.fromisoformat(str(value)) if value else None

    def named(name: Any) -> PersonRef | None:
        return PersonRef(0, str(name), "", None) if name else None

    return HandoverFacts(
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
            ChecklistItem(
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


@capability.proactive(INFORM_BUILDER, refresh=refresh_inform)
def render_inform(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    row = _facts(args.get("row") or {})
    role = "receiver" if args.get("role") == "receiver" else "stakeholder"
    return build_handover_inform_card(row, t, role=role, reason=str(args.get("reason") or "planned"))


@capability.proactive(REMINDER_BUILDER, refresh=refresh_reminder)
def render_reminder(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    row = _facts(args.get("row") or {})
    return build_handover_reminder_card(row, t, days=int(args.get("days") or 0))


@capability.proactive(ACCEPTANCE_BUILDER, refresh=refresh_acceptance)
def render_acceptance(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    row = replace(_facts(args.get("row") or {}), id=int(args["handover"]))
    return build_handover_acceptance_card(row, t, zone=_CHANNEL_ZONE)


@capability.proactive(AFTER_CARE_BUILDER, refresh=refresh_after_care)
def render_after_care(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    row = _facts(args.get("row") or {})
    side = "receiver" if args.get("side") == "receiver" else "coordinator"
    return build_after_care_reminder_card(row, t, side=side)


@capability.proactive(NOTICE_BUILDER)
def render_notice(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    values = {str(k): str(v) for k, v in (args.get("values") or {}).items()}
    notice = HandoverNotice(
        code=str(args.get("code", "")),
        title_key=str(args.get("title_key", "handover.notice.accepted.title")),
        text_key=str(args.get("text_key", "handover.notice.accepted.text")),
        values=values,
        retrospective=RetroFormOpen if args.get("retrospective") else None,
    )
    return build_handover_notice_card(notice, t)


@capability.proactive(UNREACHABLE_BUILDER, refresh=refresh_unreachable)
def render_unreachable(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    people = tuple(
        UnreachablePerson(str(p.get("name") or "?"), "receiver" if p.get("role") == "receiver" else "stakeholder")
        for p in args.get("unreachable") or []
        if isinstance(p, dict)
    )
    view = UnreachableView(code=str(args.get("code", "")), name=str(args.get("name", "")), people=people)
    return build_handover_unreachable_card(view, t)
