"""Samples of the handover cards (added to tests/card_samples.py's SAMPLES), including the largest ones we send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cards.handover import (
    MAX_ITEMS,
    HandoverForm,
    HandoverNotice,
    ItemForm,
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
)
from cards.i18n import Translator
from cards.status.retrospective import RetroFormOpen
from domain.handover import ChecklistItem, HandoverFacts, PersonRef

Sample = tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]

DAY = date(2027, 3, 1)
AT = datetime(2027, 3, 1, 10, 15, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Brussels")


def _person(name: str | None, person_id: int = 1) -> PersonRef | None:
    return PersonRef(person_id, name, "tenant", None) if name else None


def _items(count: int, long: bool = False, *, all_open: bool = False) -> tuple[ChecklistItem, ...]:
    text = "x" * 200 if long else "Documentatie van de omgeving"
    link = "https://intranet.example.be/" + "d" * 900 if long else "https://intranet.example.be/doc"
    owner = _person("An Peeters" + " Verhoeven" * (10 if long else 0), 2)
    done = [i % 3 == 0 and not all_open for i in range(count)]
    return tuple(
        ChecklistItem(i + 1, None, text, owner, DAY, link if i % 2 else "", AT if done[i] else None,
                      "Bob Smith" if done[i] else None)
        for i in range(count)
    )  # fmt: skip


def _titled(*titles: str) -> tuple[ChecklistItem, ...]:
    return tuple(ChecklistItem(i + 1, None, title, None, None, "", None, None) for i, title in enumerate(titles))


def _handover(
    *,
    items: tuple[ChecklistItem, ...] = (),
    state: str = "planned",
    receiver: str | None = None,
    conversation: str | None = None,
    after_care_length: str = "P3M",
    after_care_until: date | None = None,
    support: str | None = "Bob Smith",
    coordinator: str | None = "An Peeters",
    stakeholders: int = 2,
    not_yet_reason: str = "",
) -> HandoverFacts:
    return HandoverFacts(
        id=7,
        project_id=1,
        code="DT-042",
        name="Digitaal loket",
        phase="handover",
        coordinator=_person(coordinator, 3),
        receiver_person=_person(receiver, 4),
        receiver_conversation_id=5 if conversation else None,
        receiver_conversation=conversation,
        receiver_conversation_key="19:team@thread.tacv2" if conversation else None,
        planned_on=DAY,
        after_care_end=None,
        after_care_length=after_care_length,
        after_care_until=after_care_until,
        support=_person(support, 6),
        inform_days=30,
        state=state,
        accepted_by="Jan Beheer" if state in ("accepted", "closed") else None,
        accepted_at=AT if state in ("accepted", "closed") else None,
        not_yet_reason=not_yet_reason if state == "not_yet" else "",
        not_yet_by="Jan Beheer" if state == "not_yet" else None,
        not_yet_at=AT if state == "not_yet" else None,
        stakeholders=tuple(PersonRef(10 + i, f"Persoon {i}", "tenant", None) for i in range(stakeholders)),
        items=items,
        tenant_id="tenant",
    )


def _plan(t: Translator, *, count: int = 6, long: bool = False, state: str = "planned") -> dict[str, Any]:
    handover = _handover(
        items=_items(count, long),
        state=state,
        conversation="Team Beheer › Algemeen",
        stakeholders=30 if long else 2,
        not_yet_reason="De documentatie ontbreekt.",
    )
    return build_handover_card(handover, t, zone=ZONE, can_edit=True, notice="Saved." if long else None)


def _acceptance(t: Translator, state: str = "planned", asking: bool = False, long: bool = False) -> dict[str, Any]:
    handover = _handover(
        items=_items(MAX_ITEMS if long else 6, long),
        state=state,
        receiver="Jan Beheer",
        after_care_length="",
        after_care_until=date(2027, 6, 1),
        support=None,
        not_yet_reason="Nog geen back-upprocedure.",
    )
    return build_handover_acceptance_card(
        handover,
        t,
        zone=ZONE,
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
    ("handover plan", build_handover_card, _plan),
    (
        "handover plan, largest",
        build_handover_card,
        lambda t: _plan(t, count=MAX_ITEMS, long=True),
    ),
    ("handover plan, accepted", build_handover_card, lambda t: _plan(t, state="accepted")),
    ("handover plan, not yet", build_handover_card, lambda t: _plan(t, state="not_yet")),
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
            _handover(items=_titled("a", "b"), receiver="Jan", support="Bob", coordinator="An"),
            t,
            role="receiver",
            reason="planned",
        ),
    ),
    (
        "handover inform, stakeholder, early",
        build_handover_inform_card,
        lambda t: build_handover_inform_card(
            _handover(
                items=_titled(*("x" * 200 for _ in range(MAX_ITEMS))), receiver="Jan", support=None, coordinator=None
            ),
            t,
            role="stakeholder",
            reason="early",
        ),
    ),
    (
        "handover reminder",
        build_handover_reminder_card,
        lambda t: build_handover_reminder_card(_handover(items=_items(MAX_ITEMS, True, all_open=True)), t, days=14),
    ),
    (
        "handover acceptance",
        build_handover_acceptance_card,
        _acceptance,
    ),
    (
        "handover acceptance, asking reason, largest",
        build_handover_acceptance_card,
        lambda t: _acceptance(t, "not_yet", asking=True, long=True),
    ),
    (
        "handover acceptance, accepted",
        build_handover_acceptance_card,
        lambda t: _acceptance(t, "accepted"),
    ),
    (
        "handover acceptance, closed",
        build_handover_acceptance_card,
        lambda t: _acceptance(t, "closed"),
    ),
    (
        "after-care reminder",
        build_after_care_reminder_card,
        lambda t: build_after_care_reminder_card(
            _handover(state="accepted", receiver="Jan", support="Bob", after_care_until=DAY), t, side="receiver"
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
