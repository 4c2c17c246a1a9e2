"""The handover's proactive cards: the early information to the receiving party and stakeholders, the coordinator's
reminder, the after-care reminder, the coordinator's notices and whom the bot could not reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cards.base import card, heading, paragraph, submit
from cards.handover.common import (
    MAX_ITEMS,
    SHOWN_NAME,
    after_care_text,
    date_text,
    facts,
    item_detail,
    item_title,
    name_of,
    receiver_label,
    short,
)
from cards.handover.plan import OpenPlan
from cards.i18n import Translator
from cards.payloads import Payload
from domain.handover import HandoverFacts


def build_handover_inform_card(handover: HandoverFacts, t: Translator, *, role: str, reason: str) -> dict[str, Any]:
    """To the receiving party (role "receiver") or a stakeholder: the plan was made ("planned"), the handover is
    some days away ("early") or its date changed ("moved")."""
    intro = f"handover.inform.{reason if reason in ('planned', 'early', 'moved') else 'planned'}"
    receiver = receiver_label(handover, t)
    planned = date_text(handover.planned_on, t)
    coordinator = name_of(handover.coordinator)
    body: list[Any] = [
        heading(t("handover.inform.title", code=handover.code, name=handover.name)),
        paragraph(t(intro, code=handover.code, name=handover.name, date=planned, receiver=receiver)),
        *facts(
            [
                (t("handover.field.receiver"), receiver),
                (t("handover.field.planned"), planned),
                (t("handover.field.after_care"), after_care_text(handover, t)),
                (t("handover.field.support"), name_of(handover.support) or t("handover.nobody")),
                (t("handover.field.coordinator"), coordinator or t("handover.nobody")),
            ]
        ),
        paragraph(f"**{t('handover.inform.what')}**"),
    ]
    body.extend(paragraph(f"• {item_title(item, t)}", subtle=True) for item in handover.items[:MAX_ITEMS])
    body.append(paragraph(f"**{t('handover.inform.expected')}**"))
    body.append(paragraph(t(f"handover.inform.expected.{role}", coordinator=coordinator or "—")))
    return card(body)


def build_handover_reminder_card(handover: HandoverFacts, t: Translator, *, days: int) -> dict[str, Any]:
    """To the coordinator, `days` before the handover: the items still open."""
    open_items = handover.open_items()
    body: list[Any] = [
        heading(t("handover.reminder.title", code=handover.code)),
        paragraph(
            t(
                "handover.reminder.text",
                when=t("handover.reminder.in_days", count=days),
                date=date_text(handover.planned_on, t),
                name=handover.name,
                count=len(open_items),
            )
        ),
    ]
    for item in open_items[:MAX_ITEMS]:
        body.append(paragraph(f"☐ **{item_title(item, t)}** — {item_detail(item, t)}"))
    return card(body, [submit(t("handover.reminder.open"), OpenPlan, code=handover.code)])


def build_after_care_reminder_card(handover: HandoverFacts, t: Translator, *, side: str) -> dict[str, Any]:
    """To the coordinator or the receiving party (`side`), before after-care ends."""
    body = [
        heading(t("handover.after_care.title", code=handover.code)),
        paragraph(
            t(
                f"handover.after_care.text.{side}",
                name=handover.name,
                until=date_text(handover.after_care_until or date.min, t),
                support=name_of(handover.support) or t("handover.nobody"),
                receiver=receiver_label(handover, t),
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
