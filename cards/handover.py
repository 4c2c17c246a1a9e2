"""Handover cards: the plan and its checklist, the plan and item forms, the early information, the coordinator's
reminder, the acceptance card, the after-care reminder and the closing notice (pure: values in, dict out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from babel.dates import format_date, format_datetime
from babel.units import format_unit
from microsoft_teams.cards.core import (
    ActionSet,
    Choice,
    ChoiceSetInput,
    Column,
    ColumnSet,
    DateInput,
    TextBlock,
    TextInput,
)

from cards.base import card, execute, field_error, heading, paragraph, stacked_fact, submit
from cards.i18n import Translator

OPEN_VERB = "handover.open"
FORM_VERB = "handover.form"
SAVE_VERB = "handover.save"
ITEM_FORM_VERB = "handover.item_form"
ITEM_SAVE_VERB = "handover.item_save"
ITEM_DONE_VERB = "handover.item_done"
ASK_VERB = "handover.ask_acceptance"
EXPORT_VERB = "handover.export"
ACCEPT_VERB = "handover.accept"
NOT_YET_FORM_VERB = "handover.not_yet_form"
NOT_YET_VERB = "handover.not_yet"
ACCEPTANCE_VIEW_VERB = "handover.acceptance_view"

MAX_ITEMS = 25
# What a card shows of an item (the dossier has it all): keeps the largest checklist under Teams' 28 KB.
SHOWN_TITLE = 120
SHOWN_NAME = 60
SHOWN_LINK = 200
FORM_FIELDS = (
    "receiver",
    "receiver_conversation",
    "planned",
    "after_care",
    "support",
    "stakeholders",
    "inform_days",
    "extra_items",
)
ITEM_FIELDS = ("title", "owner", "due", "link")


def _date(value: date | None, t: Translator) -> str:
    return format_date(value, format="medium", locale=t.locale) if value else "—"


def _when(value: datetime, t: Translator) -> str:
    return format_datetime(value, format="d MMM y HH:mm", locale=t.locale)


_LENGTH_UNITS = {"months": "duration-month", "weeks": "duration-week", "days": "duration-day"}


def length_text(count: int, unit: str, t: Translator) -> str:
    """An after-care length in words, singular or plural as the language wants: "1 maand", "3 maanden", "1 month",
    "6 weeks" (unit: months, weeks or days). The form reads these back."""
    return format_unit(count, _LENGTH_UNITS.get(unit, "duration-day"), length="long", locale=t.locale)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(url: str, t: Translator) -> str:
    if not url:
        return ""
    if len(url) > SHOWN_LINK or any(c in url for c in " ()[]"):
        return t("handover.item.document_in_dossier")
    return f"[{t('handover.item.document')}]({url})"


@dataclass(frozen=True)
class ItemLine:
    id: int
    title: str
    owner: str | None
    due_on: date | None
    link: str
    done: bool
    done_by: str | None = None


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
        return t("handover.state.accepted_by", who=view.accepted_by or "?", when=_when(view.accepted_at, t))
    if view.state == "not_yet":
        return t("handover.state.not_yet_by", who=view.not_yet_by or "?", reason=view.not_yet_reason)
    return t(f"handover.state.{view.state}")


def _facts(pairs: list[tuple[str, str]]) -> list[TextBlock]:
    """Label over value, so names and email addresses wrap instead of being clipped at phone width."""
    return [block for label, value in pairs for block in stacked_fact(label, value)]


def _plan_facts(view: HandoverView, t: Translator) -> list[TextBlock]:
    pairs = [
        (t("handover.field.receiver"), view.receiver),
        (t("handover.field.planned"), _date(view.planned_on, t)),
        (t("handover.field.after_care"), view.after_care),
        (t("handover.field.support"), view.support or t("handover.nobody")),
        (t("handover.field.state"), _state_line(view, t)),
    ]
    if view.stakeholders:
        pairs.append((t("handover.field.stakeholders"), ", ".join(view.stakeholders[:30])))
    return _facts(pairs)


def _item_text(item: ItemLine, t: Translator) -> str:
    mark = "☑" if item.done else "☐"
    return f"{mark} {_short(item.title, SHOWN_TITLE)}"


def _item_detail(item: ItemLine, t: Translator) -> str:
    parts = [_short(item.owner or t("handover.nobody"), SHOWN_NAME), t("handover.item.due", due=_date(item.due_on, t))]
    if item.done and item.done_by:
        parts.append(t("handover.item.done_by", who=_short(item.done_by, SHOWN_NAME)))
    if item.link:
        parts.append(_link(item.link, t))
    return " · ".join(parts)


def _checklist_row(item: ItemLine, code: str, editable: bool, t: Translator) -> ColumnSet:
    """One compact row per item: the box, then the item over its owner and due date. When the plan can be edited,
    the box is the button that ticks the item off (or reopens it) and tapping the item opens its form."""
    mark = "☑" if item.done else "☐"
    title = _short(item.title, SHOWN_TITLE)
    texts = [
        TextBlock(text=title if item.done else f"**{title}**", wrap=True),
        TextBlock(text=_item_detail(item, t), wrap=True, is_subtle=True, size="Small", spacing="None"),
    ]
    if editable:
        tick = execute(mark, ITEM_DONE_VERB, code=code, item=item.id, done=not item.done).with_tooltip(
            t("handover.item.reopen" if item.done else "handover.item.tick")
        )
        box = Column(width="auto", items=[ActionSet(actions=[tick])])
        text = Column(
            width="stretch",
            items=texts,
            vertical_content_alignment="Center",
            select_action=submit(t("handover.item.edit"), ITEM_FORM_VERB, code=code, item=item.id),
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
            submit(t("handover.action.add_item"), ITEM_FORM_VERB, code=view.code),
            submit(t("handover.action.edit"), FORM_VERB, code=view.code),
            submit(t("handover.action.ask"), ASK_VERB, code=view.code),
        ]
    actions.append(submit(t("handover.action.export"), EXPORT_VERB, code=view.code))
    return card(body, actions)


# The plan form -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverForm:
    code: str
    name: str
    form_id: str
    conversations: list[tuple[str, str]]  # (conversation ref id, readable name)
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    editing: bool = False


def build_handover_form_card(form: HandoverForm, t: Translator) -> dict[str, Any]:
    values, errors = form.values, form.errors
    key = "handover.form.edit_title" if form.editing else "handover.form.title"
    body: list[Any] = [
        heading(t(key, code=form.code, name=form.name)),
        paragraph(t("handover.form.intro"), subtle=True),
    ]

    def add(element: Any, name: str) -> None:
        body.append(element)
        if name in errors:
            body.append(field_error(errors[name]))

    add(
        TextInput(
            id="receiver",
            label=t("handover.form.receiver"),
            placeholder=t("handover.form.receiver.placeholder"),
            value=values.get("receiver", ""),
            max_length=320,
        ),
        "receiver",
    )
    if form.conversations:
        choices = [Choice(title=t("handover.form.no_conversation"), value="")]
        choices += [Choice(title=label[:120], value=ref) for ref, label in form.conversations[:50]]
        add(
            ChoiceSetInput(
                id="receiver_conversation",
                label=t("handover.form.receiver_conversation"),
                choices=choices,
                value=values.get("receiver_conversation", ""),
                style="compact",
            ),
            "receiver_conversation",
        )
    add(DateInput(id="planned", label=t("handover.form.planned"), value=values.get("planned") or None), "planned")
    add(
        TextInput(
            id="after_care",
            label=t("handover.form.after_care"),
            placeholder=t("handover.form.after_care.placeholder"),
            value=values.get("after_care", ""),
            max_length=40,
        ),
        "after_care",
    )
    add(
        TextInput(
            id="support",
            label=t("handover.form.support"),
            placeholder=t("handover.form.person.placeholder"),
            value=values.get("support", ""),
            max_length=320,
        ),
        "support",
    )
    add(
        TextInput(
            id="stakeholders",
            label=t("handover.form.stakeholders"),
            placeholder=t("handover.form.stakeholders.placeholder"),
            value=values.get("stakeholders", ""),
            max_length=2000,
        ),
        "stakeholders",
    )
    add(
        TextInput(
            id="inform_days",
            label=t("handover.form.inform_days"),
            value=values.get("inform_days", ""),
            max_length=3,
        ),
        "inform_days",
    )
    if not form.editing:
        body.append(paragraph(t("handover.form.standard_items"), subtle=True))
        add(
            TextInput(
                id="extra_items",
                label=t("handover.form.extra_items"),
                placeholder=t("handover.form.extra_items.placeholder"),
                value=values.get("extra_items", ""),
                is_multiline=True,
                max_length=2000,
            ),
            "extra_items",
        )
    return card(body, [submit(t("handover.form.save"), SAVE_VERB, code=form.code, form_id=form.form_id)])


@dataclass(frozen=True)
class ItemForm:
    code: str
    form_id: str
    item: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def build_handover_item_form_card(form: ItemForm, t: Translator) -> dict[str, Any]:
    values, errors = form.values, form.errors
    key = "handover.item.form.edit_title" if form.item else "handover.item.form.title"
    body: list[Any] = [heading(t(key, code=form.code))]
    inputs: list[tuple[Any, str]] = [
        (
            TextInput(
                id="title", label=t("handover.item.form.title_field"), value=values.get("title", ""), max_length=200
            ),
            "title",
        ),
        (
            TextInput(
                id="owner",
                label=t("handover.item.form.owner"),
                placeholder=t("handover.form.person.placeholder"),
                value=values.get("owner", ""),
                max_length=320,
            ),
            "owner",
        ),
        (DateInput(id="due", label=t("handover.item.form.due"), value=values.get("due") or None), "due"),
        (
            TextInput(
                id="link",
                label=t("handover.item.form.link"),
                placeholder="https://…",
                value=values.get("link", ""),
                max_length=1000,
                style="Url",
            ),
            "link",
        ),
    ]
    for element, name in inputs:
        body.append(element)
        if name in errors:
            body.append(field_error(errors[name]))
    data: dict[str, Any] = {"code": form.code, "form_id": form.form_id}
    if form.item:
        data["item"] = form.item
    return card(body, [submit(t("handover.item.form.save"), ITEM_SAVE_VERB, **data)])


# Proactive cards ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InformView:
    code: str
    name: str
    role: str  # receiver or stakeholder
    receiver: str
    planned_on: date
    after_care: str
    support: str | None
    coordinator: str | None
    items: tuple[str, ...]
    reason: str = "planned"  # planned (the plan was made), early (some time before), moved (the date changed)


def build_handover_inform_card(view: InformView, t: Translator) -> dict[str, Any]:
    intro = f"handover.inform.{view.reason if view.reason in ('planned', 'early', 'moved') else 'planned'}"
    body: list[Any] = [
        heading(t("handover.inform.title", code=view.code, name=view.name)),
        paragraph(t(intro, code=view.code, name=view.name, date=_date(view.planned_on, t), receiver=view.receiver)),
        *_facts(
            [
                (t("handover.field.receiver"), view.receiver),
                (t("handover.field.planned"), _date(view.planned_on, t)),
                (t("handover.field.after_care"), view.after_care),
                (t("handover.field.support"), view.support or t("handover.nobody")),
                (t("handover.field.coordinator"), view.coordinator or t("handover.nobody")),
            ]
        ),
        paragraph(f"**{t('handover.inform.what')}**"),
    ]
    body.extend(paragraph(f"• {item}", subtle=True) for item in view.items[:MAX_ITEMS])
    body.append(paragraph(f"**{t('handover.inform.expected')}**"))
    body.append(paragraph(t(f"handover.inform.expected.{view.role}", coordinator=view.coordinator or "—")))
    return card(body)


@dataclass(frozen=True)
class ReminderView:
    code: str
    name: str
    planned_on: date
    days: int
    open_items: tuple[ItemLine, ...]


def build_handover_reminder_card(view: ReminderView, t: Translator) -> dict[str, Any]:
    body: list[Any] = [
        heading(t("handover.reminder.title", code=view.code)),
        paragraph(
            t(
                "handover.reminder.text",
                days=view.days,
                date=_date(view.planned_on, t),
                name=view.name,
                count=len(view.open_items),
            )
        ),
    ]
    for item in view.open_items[:MAX_ITEMS]:
        body.append(paragraph(f"☐ **{item.title}** — {_item_detail(item, t)}"))
    return card(body, [submit(t("handover.reminder.open"), OPEN_VERB, code=view.code)])


@dataclass(frozen=True)
class AcceptanceView:
    handover: int
    code: str
    name: str
    receiver: str
    planned_on: date
    after_care: str
    support: str | None
    state: str
    items: tuple[ItemLine, ...]
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    not_yet_reason: str = ""
    not_yet_by: str | None = None
    asking_reason: bool = False
    reason: str = ""
    reason_error: str | None = None
    notice: str | None = None


def build_handover_acceptance_card(view: AcceptanceView, t: Translator) -> dict[str, Any]:
    done = sum(1 for item in view.items if item.done)
    body: list[Any] = [heading(t("handover.acceptance.title", code=view.code, name=view.name))]
    if view.notice:
        body.append(paragraph(view.notice))
    body.append(paragraph(t("handover.acceptance.intro", receiver=view.receiver, date=_date(view.planned_on, t))))
    body.extend(
        _facts(
            [
                (t("handover.field.after_care"), view.after_care),
                (t("handover.field.support"), view.support or t("handover.nobody")),
            ]
        )
    )
    body.append(paragraph(f"**{t('handover.checklist', done=done, total=len(view.items))}**"))
    for item in view.items[:MAX_ITEMS]:
        text = f"{_item_text(item, t)} {_link(item.link, t)}".rstrip()
        body.append(TextBlock(text=text, wrap=True, spacing="Small"))
    actions: list[Any] = []
    if view.state == "accepted" and view.accepted_at is not None:
        body.append(
            TextBlock(
                text=t("handover.state.accepted_by", who=view.accepted_by or "?", when=_when(view.accepted_at, t)),
                wrap=True,
                weight="Bolder",
                color="Good",
            )
        )
    elif view.state == "closed":
        body.append(paragraph(t("handover.state.closed")))
    else:
        if view.state == "not_yet":
            body.append(
                paragraph(t("handover.state.not_yet_by", who=view.not_yet_by or "?", reason=view.not_yet_reason))
            )
        if view.asking_reason:
            body.append(
                TextInput(
                    id="reason",
                    label=t("handover.acceptance.reason"),
                    value=view.reason,
                    is_multiline=True,
                    max_length=1000,
                )
            )
            if view.reason_error:
                body.append(field_error(view.reason_error))
            actions = [
                execute(t("handover.acceptance.send_reason"), NOT_YET_VERB, handover=view.handover),
                execute(t("handover.acceptance.back"), ACCEPTANCE_VIEW_VERB, handover=view.handover),
            ]
        else:
            actions = [
                execute(t("handover.acceptance.accept"), ACCEPT_VERB, handover=view.handover),
                execute(t("handover.acceptance.not_yet"), NOT_YET_FORM_VERB, handover=view.handover),
            ]
    return card(body, actions or None)


@dataclass(frozen=True)
class AfterCareView:
    code: str
    name: str
    until: date
    support: str | None
    receiver: str
    side: str  # coordinator or receiver


def build_after_care_reminder_card(view: AfterCareView, t: Translator) -> dict[str, Any]:
    body = [
        heading(t("handover.after_care.title", code=view.code)),
        paragraph(
            t(
                f"handover.after_care.text.{view.side}",
                name=view.name,
                until=_date(view.until, t),
                support=view.support or t("handover.nobody"),
                receiver=view.receiver,
            )
        ),
    ]
    return card(body)


@dataclass(frozen=True)
class HandoverNotice:
    code: str
    title_key: str
    text_key: str
    values: dict[str, str]
    retrospective_verb: str | None = None  # offers the status capability's retrospective form


def build_handover_notice_card(notice: HandoverNotice, t: Translator) -> dict[str, Any]:
    body = [heading(t(notice.title_key, code=notice.code)), paragraph(t(notice.text_key, **notice.values))]
    actions: list[Any] = [submit(t("handover.reminder.open"), OPEN_VERB, code=notice.code)]
    if notice.retrospective_verb:
        actions.insert(0, submit(t("handover.closed.retrospective"), notice.retrospective_verb, code=notice.code))
    return card(body, actions)


@dataclass(frozen=True)
class UnreachablePerson:
    name: str
    role: str  # receiver, stakeholder


@dataclass(frozen=True)
class UnreachableView:
    """Whom the informing card could not reach (named by email, they never talked to the bot)."""

    code: str
    name: str
    people: tuple[UnreachablePerson, ...]


def build_handover_unreachable_card(view: UnreachableView, t: Translator) -> dict[str, Any]:
    body: list[Any] = [
        heading(t("handover.unreachable.title", code=view.code)),
        paragraph(t("handover.unreachable.text", name=view.name, code=view.code)),
    ]
    for person in view.people[:MAX_ITEMS]:
        role = t(f"handover.unreachable.role.{person.role}")
        body.append(paragraph(f"• **{_short(person.name, SHOWN_NAME)}** ({role}): {t('handover.unreachable.why')}"))
    if len(view.people) > MAX_ITEMS:
        body.append(paragraph(t("handover.unreachable.more", count=len(view.people) - MAX_ITEMS), subtle=True))
    body.append(paragraph(t("handover.unreachable.hint")))
    return card(body, [submit(t("handover.reminder.open"), OPEN_VERB, code=view.code)])
