"""Cards of the proactive delivery engine: the opt-out footer every proactive card carries, and its notices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from microsoft_teams.cards.core import ActionSet, Container
from pydantic import Field

from cards.base import card, execute, heading, paragraph
from cards.i18n import Translator
from cards.payloads import Payload

OPT_OUT_VERB = "outbox.opt_out"
SCOPE_PERSON = "person"
SCOPE_CONVERSATION = "conversation"


class OptOutPayload(Payload):
    """The footer's "stop these" buttons: which kind of message, for the person or the whole conversation."""

    VERB: ClassVar[str] = OPT_OUT_VERB
    kind: str = Field(max_length=64)
    scope: Literal["person", "conversation"]


@dataclass(frozen=True)
class OptOutFooter:
    """Why this message was sent, and how to stop its kind (Teams asks proactive messages to say both)."""

    kind: str
    why: str  # already translated
    kind_name: str  # already translated
    conversation_scope: bool  # a shared conversation: offer to stop it for everyone here too


def opt_out_elements(footer: OptOutFooter, t: Translator) -> list[Any]:
    actions = [execute(t("outbox.stop.person"), OptOutPayload, kind=footer.kind, scope=SCOPE_PERSON)]
    if footer.conversation_scope:
        actions.append(
            execute(t("outbox.stop.conversation"), OptOutPayload, kind=footer.kind, scope=SCOPE_CONVERSATION)
        )
    return [
        Container(
            separator=True,
            spacing="Medium",
            items=[
                paragraph(t("outbox.why", why=footer.why, kind=footer.kind_name), subtle=True),
                ActionSet(actions=actions),
            ],
        )
    ]


def with_opt_out_footer(content: dict[str, Any], footer: OptOutFooter, t: Translator) -> dict[str, Any]:
    """The same card with the footer appended to its body (a copy; the given card is not changed)."""
    extra = card(opt_out_elements(footer, t))["body"]
    return {**content, "body": [*content.get("body", []), *extra]}


def build_notice_card(text: str, footer: OptOutFooter, t: Translator) -> dict[str, Any]:
    """A plain proactive text, as a card so that it too says why it came and how to stop it."""
    return card([paragraph(text), *opt_out_elements(footer, t)])


def build_undeliverable_card(t: Translator, *, conversation: str, reason_key: str, kind_name: str) -> dict[str, Any]:
    """Told to a message's owner, in their personal chat, once per conversation the bot can no longer reach."""
    body: list[Any] = [
        heading(t("outbox.undeliverable.title")),
        paragraph(t("outbox.undeliverable.text", conversation=conversation, kind=kind_name)),
        paragraph(t(reason_key)),
        paragraph(t("outbox.undeliverable.fix"), subtle=True),
    ]
    return card(body)
