"""The handover plan's card: the plan's facts and its checklist, with the coordinator's buttons (tick an item off,
open an item, add one, edit the plan, ask for acceptance) and the dossier; and the contracts of those buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from microsoft_teams.cards.core import ActionSet, Column, ColumnSet, TextBlock

from cards.base import card, execute, heading, paragraph, submit
from cards.handover.common import (
    MAX_ITEMS,
    SHOWN_TITLE,
    Code,
    ItemLine,
    date_text,
    facts,
    item_detail,
    short,
    when_text,
)
from cards.i18n import Translator
from cards.payloads import Id, Payload

# The verbs' contracts -------------------------------------------------------------------------------------------


class OpenPlan(Payload):
    """Show the plan card (from the reminders, the notices and the status card)."""

    VERB: ClassVar[str] = "handover.open"
    code: Code


class EditPlan(Payload):
    """The plan form, to make the plan or change it."""

    VERB: ClassVar[str] = "handover.form"
    code: Code


class OpenItem(Payload):
    """A checklist item's form; without `item`, the form for a new item."""

    VERB: ClassVar[str] = "handover.item_form"
    code: Code
    item: Id | None = None


class TickItem(Payload):
    """The box before an item: ticks it off (done) or reopens it; pressing twice ticks once."""

    VERB: ClassVar[str] = "handover.item_done"
    code: Code
    item: Id
    done: bool = True


class AskAcceptance(Payload):
    """Ask the receiving party for acceptance now rather than on the planned date."""

    VERB: ClassVar[str] = "handover.ask_acceptance"
    code: Code


class ExportDossier(Payload):
    """The handover dossier as a DOCX document."""

    VERB: ClassVar[str] = "handover.export"
    code: Code


# The card -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverView:
    """The plan as its card shows it; `can_edit` decides whether the coordinator's buttons appear."""

    code: str
    name: str
    receiver: str
    planned_on: date
    after_care: str  # already phrased, e.g. "3 months after acceptance" or "until 30 Jun 2027"
    support: str | None
    stakeholders: tuple[str, ...]
    state: str  # planned, not_yet, accepted, closed
    items: tuple[ItemLine, ...]
    accepted_by: str | None = None
    accepted_at: datetime | None = None  # in the reader's zone
    not_yet_reason: str = ""
    not_yet_by: str | None = None
    can_edit: bool = False
    notice: str | None = None


def _state_line(view: HandoverView, t: Translator) -> str:
    if view.state == "accepted" and view.accepted_at is not None:
        return t("handover.state.accepted_by", who=view.accepted_by or "?", when=when_text(view.accepted_at, t))
    if view.state == "not_yet":
        return t("handover.state.not_yet_by", who=view.not_yet_by or "?", reason=view.not_yet_reason)
    return t(f"handover.state.{view.state}")


def _plan_facts(view: HandoverView, t: Translator) -> list[TextBlock]:
    pairs = [
        (t("handover.field.receiver"), view.receiver),
        (t("handover.field.planned"), date_text(view.planned_on, t)),
        (t("handover.field.after_care"), view.after_care),
        (t("handover.field.support"), view.support or t("handover.nobody")),
        (t("handover.field.state"), _state_line(view, t)),
    ]
    if view.stakeholders:
        pairs.append((t("handover.field.stakeholders"), ", ".join(view.stakeholders[:30])))
    return facts(pairs)


def _checklist_row(item: ItemLine, code: str, editable: bool, t: Translator) -> ColumnSet:
    """One compact row per item: the box, then the item over its owner and due date. When the plan can be edited,
    the box is the button that ticks the item off (or reopens it) and tapping the item opens its form."""
    mark = "☑" if item.done else "☐"
    title = short(item.title, SHOWN_TITLE)
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


def build_handover_card(view: HandoverView, t: Translator) -> dict[str, Any]:
    done = sum(1 for item in view.items if item.done)
    body: list[Any] = [heading(t("handover.title", code=view.code, name=view.name))]
    if view.notice:
        body.append(paragraph(view.notice))
    body.extend(_plan_facts(view, t))
    body.append(
        TextBlock(
            text=t("handover.checklist", done=done, total=len(view.items)),
            weight="Bolder",
            wrap=True,
            spacing="Medium",
        )
    )
    editable = view.can_edit and view.state in ("planned", "not_yet")
    if editable and view.items:
        body.append(
            TextBlock(text=t("handover.checklist.hint"), wrap=True, is_subtle=True, size="Small", spacing="None")
        )
    body.extend(_checklist_row(item, view.code, editable, t) for item in view.items[:MAX_ITEMS])
    actions: list[Any] = []
    if editable:
        actions = [
            submit(t("handover.action.add_item"), OpenItem, code=view.code),
            submit(t("handover.action.edit"), EditPlan, code=view.code),
            submit(t("handover.action.ask"), AskAcceptance, code=view.code),
        ]
    actions.append(submit(t("handover.action.export"), ExportDossier, code=view.code))
    return card(body, actions)
