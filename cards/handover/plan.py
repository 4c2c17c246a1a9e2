"""The handover plan's card: the plan's facts and its checklist, with the coordinator's buttons (tick an item off,
open an item, add one, edit the plan, ask for acceptance) and the dossier; and the contracts of those buttons."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, ClassVar

from microsoft_teams.cards.core import ActionSet, Column, ColumnSet, TextBlock

from cards.base import card, execute, heading, paragraph, submit
from cards.handover.common import (
    MAX_ITEMS,
    SHOWN_TITLE,
    after_care_text,
    date_text,
    facts,
    item_detail,
    item_title,
    name_of,
    receiver_label,
    short,
    when_text,
)
from cards.i18n import Translator
from cards.payloads import Id, Payload, Reference
from domain.handover import OPEN_STATES, ChecklistItem, HandoverFacts

# The verbs' contracts -------------------------------------------------------------------------------------------


class OpenPlan(Payload):
    """Show the plan card (from the reminders, the notices and the status card)."""

    VERB: ClassVar[str] = "handover.open"
    code: Reference


class EditPlan(Payload):
    """The plan form, to make the plan or change it."""

    VERB: ClassVar[str] = "handover.form"
    code: Reference


class OpenItem(Payload):
    """A checklist item's form; without `item`, the form for a new item."""

    VERB: ClassVar[str] = "handover.item_form"
    code: Reference
    item: Id | None = None


class TickItem(Payload):
    """The box before an item: ticks it off (done) or reopens it; pressing twice ticks once."""

    VERB: ClassVar[str] = "handover.item_done"
    code: Reference
    item: Id
    done: bool = True


class AskAcceptance(Payload):
    """Ask the receiving party for acceptance now rather than on the planned date."""

    VERB: ClassVar[str] = "handover.ask_acceptance"
    code: Reference


class ExportDossier(Payload):
    """The handover dossier as a DOCX document."""

    VERB: ClassVar[str] = "handover.export"
    code: Reference


# The card -------------------------------------------------------------------------------------------------------


def _state_line(handover: HandoverFacts, t: Translator, zone: tzinfo) -> str:
    if handover.state == "accepted" and handover.accepted_at is not None:
        when = when_text(handover.accepted_at.astimezone(zone), t)
        return t("handover.state.accepted_by", who=handover.accepted_by or "?", when=when)
    if handover.state == "not_yet":
        return t("handover.state.not_yet_by", who=handover.not_yet_by or "?", reason=handover.not_yet_reason)
    return t(f"handover.state.{handover.state}")


def _plan_facts(handover: HandoverFacts, t: Translator, zone: tzinfo) -> list[TextBlock]:
    pairs = [
        (t("handover.field.receiver"), receiver_label(handover, t)),
        (t("handover.field.planned"), date_text(handover.planned_on, t)),
        (t("handover.field.after_care"), after_care_text(handover, t)),
        (t("handover.field.support"), name_of(handover.support) or t("handover.nobody")),
        (t("handover.field.state"), _state_line(handover, t, zone)),
    ]
    if handover.stakeholders:
        pairs.append((t("handover.field.stakeholders"), ", ".join(p.name for p in handover.stakeholders[:30])))
    return facts(pairs)


def _checklist_row(item: ChecklistItem, code: str, editable: bool, t: Translator) -> ColumnSet:
    """One compact row per item: the box, then the item over its owner and due date. When the plan can be edited,
    the box is the button that ticks the item off (or reopens it) and tapping the item opens its form."""
    mark = "☑" if item.done else "☐"
    title = short(item_title(item, t), SHOWN_TITLE)
    texts = [
        TextBlock(text=title if item.done else f"**{title}**", wrap=True),
        TextBlock(text=item_detail(item, t), wrap=True, is_subtle=True, size="Small", spacing="None"),
    ]
    if editable:
        tick = execute(mark, TickItem, code=code, item=item.id, done=not item.done).with_tooltip(
            t("handover.item.reopen" if item.done else "handover.item.tick")
        )
        box = Column(width="auto", items=[ActionSet(actions=[tick])])
        text = Column(
            width="stretch",
            items=texts,
            vertical_content_alignment="Center",
            select_action=submit(t("handover.item.edit"), OpenItem, code=code, item=item.id),
        )
    else:
        box = Column(width="auto", items=[TextBlock(text=mark, size="Medium")])
        text = Column(width="stretch", items=texts)
    return ColumnSet(columns=[box, text], separator=True)


def build_handover_card(
    handover: HandoverFacts, t: Translator, *, zone: tzinfo, can_edit: bool, notice: str | None = None
) -> dict[str, Any]:
    """The plan as the reader sees it (times in their zone); `can_edit` decides whether the coordinator's buttons
    appear (only while the plan may still change)."""
    done = sum(1 for item in handover.items if item.done)
    body: list[Any] = [heading(t("handover.title", code=handover.code, name=handover.name))]
    if notice:
        body.append(paragraph(notice))
    body.extend(_plan_facts(handover, t, zone))
    body.append(
        TextBlock(
            text=t("handover.checklist", done=done, total=len(handover.items)),
            weight="Bolder",
            wrap=True,
            spacing="Medium",
        )
    )
    editable = can_edit and handover.state in OPEN_STATES
    if editable and handover.items:
        body.append(
            TextBlock(text=t("handover.checklist.hint"), wrap=True, is_subtle=True, size="Small", spacing="None")
        )
    body.extend(_checklist_row(item, handover.code, editable, t) for item in handover.items[:MAX_ITEMS])
    actions: list[Any] = []
    if editable:
        actions = [
            submit(t("handover.action.add_item"), OpenItem, code=handover.code),
            submit(t("handover.action.edit"), EditPlan, code=handover.code),
            submit(t("handover.action.ask"), AskAcceptance, code=handover.code),
        ]
    actions.append(submit(t("handover.action.export"), ExportDossier, code=handover.code))
    return card(body, actions)
