"""The acceptance card the receiving party gets (accept, or "not yet" with a reason; updated in place for everyone)
and the contracts of its buttons."""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import TextBlock, TextInput

from cards.base import card, execute, field_error, heading, paragraph
from cards.handover.common import (
    MAX_ITEMS,
    after_care_text,
    date_text,
    facts,
    item_text,
    link_text,
    name_of,
    receiver_label,
    when_text,
)
from cards.i18n import Translator
from cards.payloads import Id, Payload, StoredIn
from domain.handover import HandoverFacts

REASON_MAX = 1000  # handover.not_yet_reason

# The verbs' contracts -------------------------------------------------------------------------------------------


class Accept(Payload):
    """Accept the handover: recorded once, whoever presses twice."""

    VERB: ClassVar[str] = "handover.accept"
    handover: Id


class NotYetForm(Payload):
    """The "not yet" button: the card asks for the reason."""

    VERB: ClassVar[str] = "handover.not_yet_form"
    handover: Id


class NotYet(Payload):
    """Send the reason why the handover cannot be accepted yet."""

    VERB: ClassVar[str] = "handover.not_yet"
    handover: Id
    reason: Annotated[str, StoredIn("handover.not_yet_reason", REASON_MAX)] = ""


class ShowAcceptance(Payload):
    """Back from the reason to the acceptance card as it stands."""

    VERB: ClassVar[str] = "handover.acceptance_view"
    handover: Id


# The card -------------------------------------------------------------------------------------------------------


def build_handover_acceptance_card(
    handover: HandoverFacts,
    t: Translator,
    *,
    zone: tzinfo,
    asking_reason: bool = False,
    reason: str = "",
    reason_error: str | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    """The handover as the receiving party accepts it (times in `zone`); with `asking_reason`, the "not yet" form:
    the reason as typed and, when refused, why."""
    done = sum(1 for item in handover.items if item.done)
    body: list[Any] = [heading(t("handover.acceptance.title", code=handover.code, name=handover.name))]
    if notice:
        body.append(paragraph(notice))
    intro = t("handover.acceptance.intro", receiver=receiver_label(handover, t), date=date_text(handover.planned_on, t))
    body.append(paragraph(intro))
    body.extend(
        facts(
            [
                (t("handover.field.after_care"), after_care_text(handover, t)),
                (t("handover.field.support"), name_of(handover.support) or t("handover.nobody")),
            ]
        )
    )
    body.append(paragraph(f"**{t('handover.checklist', done=done, total=len(handover.items))}**"))
    for item in handover.items[:MAX_ITEMS]:
        text = f"{item_text(item, t)} {link_text(item.link, t)}".rstrip()
        body.append(TextBlock(text=text, wrap=True, spacing="Small"))
    actions: list[Any] = []
    if handover.state == "accepted" and handover.accepted_at is not None:
        when = when_text(handover.accepted_at.astimezone(zone), t)
        body.append(
            TextBlock(
                text=t("handover.state.accepted_by", who=handover.accepted_by or "?", when=when),
                wrap=True,
                weight="Bolder",
                color="Good",
            )
        )
    elif handover.state == "closed":
        body.append(paragraph(t("handover.state.closed")))
    else:
        if handover.state == "not_yet":
            by = handover.not_yet_by or "?"
            body.append(paragraph(t("handover.state.not_yet_by", who=by, reason=handover.not_yet_reason)))
        if asking_reason:
            body.append(
                TextInput(
                    id="reason",
                    label=t("handover.acceptance.reason"),
                    value=reason,
                    is_multiline=True,
                    max_length=REASON_MAX,
                )
            )
            if reason_error:
                body.append(field_error(reason_error))
            actions = [
                execute(t("handover.acceptance.send_reason"), NotYet, handover=handover.id),
                execute(t("handover.acceptance.back"), ShowAcceptance, handover=handover.id),
            ]
        else:
            actions = [
                execute(t("handover.acceptance.accept"), Accept, handover=handover.id),
                execute(t("handover.acceptance.not_yet"), NotYetForm, handover=handover.id),
            ]
    return card(body, actions or None)
