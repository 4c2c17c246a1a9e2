"""Samples of the handover cards (added to tests/card_samples.py's SAMPLES), including the largest ones we send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from cards.handover import (
    MAX_ITEMS,
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
from cards.i18n import Translator
from cards.status.retrospective import RetroFormOpen

Sample = tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]

DAY = date(2027, 3, 1)
AT = datetime(2027, 3, 1, 10, 15, tzinfo=UTC)


def _items(count: int, long: bool = False) -> tuple[ItemLine, ...]:
    text = "x" * 200 if long else "Documentatie van de omgeving"
    link = "https://intranet.example.be/" + "d" * 900 if long else "https://intranet.example.be/doc"
    return tuple(
        ItemLine(i + 1, text, "An Peeters" + " Verhoeven" * (10 if long else 0), DAY, link if i % 2 else "", i % 3 == 0,
                 "Bob Smith" if i % 3 == 0 else None)
        for i in range(count)
    )  # fmt: skip


def _view(t: Translator, *, count: int = 6, long: bool = False, state: str = "planned") -> HandoverView:
    return HandoverView(
        code="DT-042",
        name="Digitaal loket",
        receiver="Team Beheer › Algemeen",
        planned_on=DAY,
        after_care=t("handover.after_care.length", length=length_text(3, "months", t)),
        support="Bob Smith",
        stakeholders=tuple(f"Persoon {i}" for i in range(30 if long else 2)),
        state=state,
        items=_items(count, long),
        accepted_by="Jan Beheer" if state == "accepted" else None,
        accepted_at=AT if state == "accepted" else None,
        not_yet_reason="De documentatie ontbreekt." if state == "not_yet" else "",
        not_yet_by="Jan Beheer" if state == "not_yet" else None,
        can_edit=True,
        notice="Saved." if long else None,
    )


def _acceptance(t: Translator, state: str = "planned", asking: bool = False, long: bool = False) -> AcceptanceView:
    return AcceptanceView(
        handover=7,
        code="DT-042",
        name="Digitaal loket",
        receiver="Jan Beheer",
        planned_on=DAY,
        after_care=t("handover.after_care.until", date="1 jun 2027"),
        support=None,
        state=state,
        items=_items(MAX_ITEMS if long else 6, long),
        accepted_by="Jan Beheer",
        accepted_at=AT if state == "accepted" else None,
        not_yet_reason="Nog geen back-upprocedure." if state == "not_yet" else "",
        not_yet_by="Jan Beheer",
        asking_reason=asking,
        reason="r" * 1000 if long else "",
        reason_error=t("handover.not_yet.reason_missing") if asking else None,
    )


def _form(t: Translator, errors: bool = False) -> HandoverForm:
    values = {"receiver": "Jan", "planned": "2027-03-01", "after_care": "3 maanden", "inform_days": "30"}
    problems = {name: t("handover.receiver.missing") for name in ("receiver", "planned", "after_care", "extra_items")}
    conversations = [(str(i), f"Team {i} › Algemeen") for i in range(50)]
    return HandoverForm("DT-042", "Digitaal loket", "f" * 32, conversations, values, problems if errors else {})


HANDOVER_SAMPLES: list[Sample] = [
    ("handover plan", build_handover_card, lambda t: build_handover_card(_view(t), t)),
    (
        "handover plan, largest",
        build_handover_card,
        lambda t: build_handover_card(_view(t, count=MAX_ITEMS, long=True), t),
    ),
    ("handover plan, accepted", build_handover_card, lambda t: build_handover_card(_view(t, state="accepted"), t)),
    ("handover plan, not yet", build_handover_card, lambda t: build_handover_card(_view(t, state="not_yet"), t)),
    ("handover form", build_handover_form_card, lambda t: build_handover_form_card(_form(t), t)),
    ("handover form with errors", build_handover_form_card, lambda t: build_handover_form_card(_form(t, True), t)),
    (
        "handover item form",
        build_handover_item_form_card,
        lambda t: build_handover_item_form_card(
            ItemForm("DT-042", "f" * 32, 3, {"title": "x", "link": "nope"}, {"link": t("handover.item.link.invalid")}),
            t,
        ),
    ),
    (
        "handover inform, receiver",
        build_handover_inform_card,
        lambda t: build_handover_inform_card(
            InformView("DT-042", "Digitaal loket", "receiver", "Jan", DAY, "3 months", "Bob", "An", ("a", "b")), t
        ),
    ),
    (
        "handover inform, stakeholder, early",
        build_handover_inform_card,
        lambda t: build_handover_inform_card(
            InformView(
                "DT-042",
                "Digitaal loket",
                "stakeholder",
                "Jan",
                DAY,
                "3 months",
                None,
                None,
                tuple("x" * 200 for _ in range(MAX_ITEMS)),
                "early",
            ),
            t,
        ),
    ),
    (
        "handover reminder",
        build_handover_reminder_card,
        lambda t: build_handover_reminder_card(
            ReminderView("DT-042", "Digitaal loket", DAY, 14, _items(MAX_ITEMS, True)), t
        ),
    ),
    (
        "handover acceptance",
        build_handover_acceptance_card,
        lambda t: build_handover_acceptance_card(_acceptance(t), t),
    ),
    (
        "handover acceptance, asking reason, largest",
        build_handover_acceptance_card,
        lambda t: build_handover_acceptance_card(_acceptance(t, "not_yet", asking=True, long=True), t),
    ),
    (
        "handover acceptance, accepted",
        build_handover_acceptance_card,
        lambda t: build_handover_acceptance_card(_acceptance(t, "accepted"), t),
    ),
    (
        "handover acceptance, closed",
        build_handover_acceptance_card,
        lambda t: build_handover_acceptance_card(_acceptance(t, "closed"), t),
    ),
    (
        "after-care reminder",
        build_after_care_reminder_card,
        lambda t: build_after_care_reminder_card(
            AfterCareView("DT-042", "Digitaal loket", DAY, "Bob", "Jan", "receiver"), t
        ),
    ),
    (
        "handover notice with retrospective",
        build_handover_notice_card,
        lambda t: build_handover_notice_card(
            HandoverNotice(
                "DT-042",
                "handover.notice.closed.title",
                "handover.notice.closed.retro",
                {"code": "DT-042", "name": "Digitaal loket"},
                RetroFormOpen,
            ),
            t,
        ),
    ),
    (
        "handover: who could not be informed",
        build_handover_unreachable_card,
        lambda t: build_handover_unreachable_card(
            UnreachableView(
                "DT-042",
                "Digitaal loket",
                (
                    UnreachablePerson("jan@beheer.example.be", "receiver"),
                    UnreachablePerson("stan@zottegem.be", "stakeholder"),
                ),
            ),
            t,
        ),
    ),
    (
        "handover: who could not be informed, largest",
        build_handover_unreachable_card,
        lambda t: build_handover_unreachable_card(
            UnreachableView(
                "DT-042",
                "Digitaal loket " * 10,
                tuple(UnreachablePerson(f"{'x' * 80}{i}@example.be", "stakeholder") for i in range(MAX_ITEMS + 10)),
            ),
            t,
        ),
    ),
]
