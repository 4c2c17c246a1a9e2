"""A handover's facts in the words only the dialogs need (the cards phrase the rest: cards/handover/common.py): the
after-care note of the project and status cards, a person as the forms show them."""

from __future__ import annotations

from cards.handover import date_text
from cards.i18n import Translator
from domain.handover import HandoverFacts, HandoverState


def after_care_note(handover: HandoverFacts, t: Translator) -> str | None:
    """While after-care runs: who gives second-line support until when."""
    if handover.state != HandoverState.ACCEPTED.value or handover.after_care_until is None:
        return None
    return t(
        "handover.after_care.note",
        support=handover.support.name if handover.support else t("handover.nobody"),
        until=date_text(handover.after_care_until, t),
    )
