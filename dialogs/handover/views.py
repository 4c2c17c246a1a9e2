"""A stored handover (storage.handover.HandoverRow) as the cards show it: item titles and lines, the receiving
party, the after-care period in words, the plan and acceptance views. Pure: no database, no request."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_date

from cards.handover import AcceptanceView, HandoverView, ItemLine, length_text
from cards.i18n import Translator
from dialogs.handover import rules
from storage.handover import HandoverRow, HandoverState, ItemRow, PersonRef


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


def person_text(person: PersonRef | None) -> str:
    return person.name if person else ""


def after_care_length_text(length: str, t: Translator) -> str:
    """A stored after-care length ("P3M") as the form shows it and reads it back ("3 maanden")."""
    if not length:
        return ""
    count, unit = rules.describe_length(length)
    return length_text(count, unit, t)


def after_care_text(row: HandoverRow, t: Translator) -> str:
    if row.after_care_until is not None:
        return t("handover.after_care.until", date=format_date(row.after_care_until, format="medium", locale=t.locale))
    if row.after_care_end is not None:
        return t("handover.after_care.until", date=format_date(row.after_care_end, format="medium", locale=t.locale))
    if row.after_care_length:
        return t("handover.after_care.length", length=after_care_length_text(row.after_care_length, t))
    return "—"


def after_care_note(row: HandoverRow, t: Translator) -> str | None:
    """While after-care runs: who gives second-line support until when."""
    if row.state != HandoverState.ACCEPTED.value or row.after_care_until is None:
        return None
    return t(
        "handover.after_care.note",
        support=row.support.name if row.support else t("handover.nobody"),
        until=format_date(row.after_care_until, format="medium", locale=t.locale),
    )


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
    handover: int | None = None,
    asking: bool = False,
    reason: str = "",
    error: str | None = None,
    notice: str | None = None,
) -> AcceptanceView:
    return AcceptanceView(
        handover=row.id if handover is None else handover,
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
