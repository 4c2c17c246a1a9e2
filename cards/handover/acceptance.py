"""The acceptance card the receiving party gets (accept, or "not yet" with a reason; updated in place for everyone)
and the contracts of its buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import TextBlock, TextInput

from cards.base import card, execute, field_error, heading, paragraph
from cards.handover.common import MAX_ITEMS, ItemLine, date_text, facts, item_text, link_text, when_text
from cards.i18n import Translator
from cards.payloads import Id, Payload, StoredIn

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
    body.append(paragraph(t("handover.acceptance.intro", receiver=view.receiver, date=date_text(view.planned_on, t))))
    body.extend(
        facts(
            [
                (t("handover.field.after_care"), view.after_care),
                (t("handover.field.support"), view.support or t("handover.nobody")),
            ]
        )
    )
    body.append(paragraph(f"**{t('handover.checklist', done=done, total=len(view.items))}**"))
    for item in view.items[:MAX_ITEMS]:
        text = f"{item_text(item)} {link_text(item.link, t)}".rstrip()
        body.append(TextBlock(text=text, wrap=True, spacing="Small"))
    actions: list[Any] = []
    if view.state == "accepted" and view.accepted_at is not None:
        body.append(
            TextBlock(
                text=t("handover.state.accepted_by", who=view.accepted_by or "?", when=when_text(view.accepted_at, t)),
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
                    max_length=REASON_MAX,
                )
            )
            if view.reason_error:
                body.append(field_error(view.reason_error))
            actions = [
                execute(t("handover.acceptance.send_reason"), NotYet, handover=view.handover),
                execute(t("handover.acceptance.back"), ShowAcceptance, handover=view.handover),
            ]
        else:
            actions = [
                execute(t("handover.acceptance.accept"), Accept, handover=view.handover),
                execute(t("handover.acceptance.not_yet"), NotYetForm, handover=view.handover),
            ]
    return card(body, actions or None)
