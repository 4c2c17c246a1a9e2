"""What every status card shares: RAG labels and icons, dates, hours and shortened texts as the cards write them,
the error line above a form, and the project reference every status button carries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from babel.dates import format_date, format_datetime
from microsoft_teams.cards.core import ActionSet
from pydantic import BeforeValidator

from cards.base import field_error, hours_text
from cards.i18n import Translator
from cards.payloads import Payload, Reference
from cards.values import parse_id

RAG_ICON = {"green": "🟢", "amber": "🟠", "red": "🔴"}
TREND_ICON = {"better": "↗", "worse": "↘", "same": "→"}
# A filter's choice among rows (a domain, a coordinator, a government): its id, or None for all. The "all" choice
# posts ""; anything else that is no id also means all, rather than an error on a filter.
Chosen = Annotated[int | None, BeforeValidator(parse_id)]


class OnProject(Payload):
    """A status button about one project: its code (the handler looks it up and checks the reader's right)."""

    code: Reference


def rag_label(value: str | None, t: Translator) -> str:
    if value not in RAG_ICON:
        return "⚪ " + t("rag.none")
    return f"{RAG_ICON[value]} {t(f'rag.{value}')}"


def rag_icon(value: str | None) -> str:
    return RAG_ICON.get(value or "", "⚪")


def day_text(value: date | None, t: Translator) -> str:
    return format_date(value, format="medium", locale=t.locale) if value else "—"


def when_text(value: datetime, t: Translator) -> str:
    """An instant already in the reader's zone."""
    return format_datetime(value, format="d MMM y HH:mm", locale=t.locale)


def hours_number(value: Decimal, t: Translator) -> str:
    """The number only: the sentence around it says "uur"/"hours" ("32,5 van 400 uur besteed")."""
    return hours_text(value, t, unit=False)


def hours_of_budget(spent: Decimal, budget_hours: Decimal | None, burn: Decimal | None, t: Translator) -> str:
    """The hours spent against the budget ("32,5 of 400 hours spent (8 %)"), or alone without a budget."""
    if budget_hours is None:
        return t("status.hours.no_budget", count=spent)
    return t(
        "status.hours.of_budget",
        spent=hours_number(spent, t),
        count=budget_hours,
        percent=burn if burn is not None else 0,
    )


def errors_header(errors: dict[str, str], body: list[Any], t: Translator) -> None:
    if errors:
        body.append(field_error(t("form.errors_below")))


def short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def row_actions(buttons: list[Any]) -> ActionSet:
    """A list row's buttons, under its text and close to it."""
    return ActionSet(actions=buttons, spacing="Small")
