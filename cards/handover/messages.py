"""The handover's proactive cards: the early information to the receiving party and stakeholders, the coordinator's
reminder, the after-care reminder, the coordinator's notices and whom the bot could not reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cards.base import card, heading, paragraph, submit
from cards.handover.common import MAX_ITEMS, SHOWN_NAME, ItemLine, date_text, facts, item_detail, short
from cards.handover.plan import OpenPlan
from cards.i18n import Translator
from cards.payloads import Payload


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
        paragraph(t(intro, code=view.code, name=view.name, date=date_text(view.planned_on, t), receiver=view.receiver)),
        *facts(
            [
                (t("handover.field.receiver"), view.receiver),
                (t("handover.field.planned"), date_text(view.planned_on, t)),
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
                date=date_text(view.planned_on, t),
                name=view.name,
                count=len(view.open_items),
            )
        ),
    ]
    for item in view.open_items[:MAX_ITEMS]:
        body.append(paragraph(f"☐ **{item.title}** — {item_detail(item, t)}"))
    return card(body, [submit(t("handover.reminder.open"), OpenPlan, code=view.code)])


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
                until=date_text(view.until, t),
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
    # Offers the status capability's retrospective form: its contract (a button about one project, by `code`).
    retrospective: type[Payload] | None = None


def build_handover_notice_card(notice: HandoverNotice, t: Translator) -> dict[str, Any]:
    body = [heading(t(notice.title_key, code=notice.code)), paragraph(t(notice.text_key, **notice.values))]
    actions: list[Any] = [submit(t("handover.reminder.open"), OpenPlan, code=notice.code)]
    if notice.retrospective is not None:
        actions.insert(0, submit(t("handover.closed.retrospective"), notice.retrospective, code=notice.code))
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
        body.append(paragraph(f"• **{short(person.name, SHOWN_NAME)}** ({role}): {t('handover.unreachable.why')}"))
    if len(view.people) > MAX_ITEMS:
        body.append(paragraph(t("handover.unreachable.more", count=len(view.people) - MAX_ITEMS), subtle=True))
    body.append(paragraph(t("handover.unreachable.hint")))
    return card(body, [submit(t("handover.reminder.open"), OpenPlan, code=view.code)])
