"""The project search of the message extension (dialogs/status/search.py): each result's preview in the search pane
(a thumbnail card: code and name, status colour, coordinator and governments), and the status card as it is
inserted into a chat, its buttons made Action.Execute so that a press reaches the bot in any chat, also one the bot
is not in (an Action.Submit on an inserted card does not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cards.base import VERB_KEY
from cards.i18n import Translator
from cards.status.common import rag_label, short

THUMBNAIL_CONTENT_TYPE = "application/vnd.microsoft.card.thumbnail"
ADAPTIVE_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
_GOVERNMENTS_SHOWN = 3


@dataclass(frozen=True)
class ProjectPreview:
    code: str
    name: str
    rag: str | None  # the latest report's overall colour; None: no report yet
    coordinator: str | None
    governments: tuple[str, ...]
    closed: bool


def build_project_preview(preview: ProjectPreview, t: Translator) -> dict[str, Any]:
    """A result in the search pane; choosing it asks the bot for the card to insert (composeExtension/selectItem,
    with the project's code: the handler looks it up again for whoever chose it)."""
    status = rag_label(preview.rag, t)
    if preview.closed:
        status = f"{status} · {t('search.preview.closed')}"
    details = [t("search.preview.coordinator", name=preview.coordinator)] if preview.coordinator else []
    if preview.governments:
        shown = ", ".join(preview.governments[:_GOVERNMENTS_SHOWN])
        more = len(preview.governments) - _GOVERNMENTS_SHOWN
        details.append(shown + (f" {t('search.preview.more', count=more)}" if more > 0 else ""))
    return {
        "title": short(f"{preview.code} · {preview.name}", 120),
        "subtitle": status,
        "text": short(" · ".join(details), 200),
        "tap": {"type": "invoke", "value": {"code": preview.code}},
    }


def preview_attachment(preview: ProjectPreview, t: Translator) -> dict[str, Any]:
    content = build_project_preview(preview, t)
    return {"contentType": THUMBNAIL_CONTENT_TYPE, "content": content, "preview": _thumbnail(content)}


def card_attachment(card: dict[str, Any], preview: ProjectPreview, t: Translator) -> dict[str, Any]:
    """The card to insert, with its preview (what the compose box shows before it is sent)."""
    return {
        "contentType": ADAPTIVE_CONTENT_TYPE,
        "content": with_execute_buttons(card),
        "preview": _thumbnail(build_project_preview(preview, t)),
    }


def _thumbnail(content: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": THUMBNAIL_CONTENT_TYPE, "content": content}


def with_execute_buttons(element: Any) -> Any:
    """The card with each verb's Action.Submit as an Action.Execute of the same verb and data: the same contract and
    the same permission rule when pressed (adaptiveCard/action), but delivered wherever the card was inserted."""
    if isinstance(element, list):
        return [with_execute_buttons(item) for item in element]
    if not isinstance(element, dict):
        return element
    data = element.get("data")
    if element.get("type") == "Action.Submit" and isinstance(data, dict) and isinstance(data.get(VERB_KEY), str):
        rest = {key: value for key, value in data.items() if key != VERB_KEY}
        converted = {key: value for key, value in element.items() if key not in ("type", "data")}
        return {"type": "Action.Execute", **converted, "verb": data[VERB_KEY], **({"data": rest} if rest else {})}
    return {key: with_execute_buttons(value) for key, value in element.items()}
