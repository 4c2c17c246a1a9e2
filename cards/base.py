"""Building blocks shared by every card: the envelope, headings, field errors, submit buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards.core import (
    AdaptiveCard,
    CardElement,
    ExecuteAction,
    SubmitAction,
    TextBlock,
)

CARD_VERSION = "1.5"
# Teams refuses cards over 28 KB; tests check every card against this.
MAX_CARD_BYTES = 28 * 1024
VERB_KEY = "verb"


def card(body: Sequence[CardElement], actions: Sequence[Any] | None = None) -> dict[str, Any]:
    """A schema-1.5 Adaptive Card as a plain dict, full width in Teams."""
    model = AdaptiveCard(version=CARD_VERSION, body=list(body), actions=list(actions) if actions else None)
    data: dict[str, Any] = model.model_dump(by_alias=True, exclude_none=True)
    data["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json"
    data["msteams"] = {"width": "Full"}
    return data


def heading(text: str) -> TextBlock:
    return TextBlock(text=text, weight="Bolder", size="Medium", wrap=True, style="heading")


def paragraph(text: str, *, subtle: bool = False) -> TextBlock:
    return TextBlock(text=text, wrap=True, is_subtle=subtle or None)


def field_error(message: str) -> TextBlock:
    """Shown right under an input whose value the bot refused (server-side validation)."""
    return TextBlock(text=message, wrap=True, color="Attention", size="Small", spacing="None")


def submit(title: str, verb: str, **data: Any) -> SubmitAction:
    """A button that posts the card's inputs as a message (Action.Submit); routed by its verb."""
    return SubmitAction(title=title, data={VERB_KEY: verb, **data})


def execute(title: str, verb: str, **data: Any) -> ExecuteAction:
    """A button whose answer replaces the card in place for everyone (Action.Execute)."""
    return ExecuteAction(title=title, verb=verb, data=data or None)
