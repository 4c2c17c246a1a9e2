"""What every handover card shares: how much of an item a card shows, dates, lengths, links, one checklist line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from babel.dates import format_date, format_datetime
from babel.units import format_unit
from microsoft_teams.cards.core import TextBlock
from pydantic import Field

from cards.base import stacked_fact
from cards.i18n import Translator

MAX_ITEMS = 25
# What a card shows of an item (the dossier has it all): keeps the largest checklist under Teams' 28 KB.
SHOWN_TITLE = 120
SHOWN_NAME = 60
SHOWN_LINK = 200
# A project reference on a card (a code, or a name): names are at most 200 characters (dialogs.kernel.router).
REFERENCE_MAX = 200
Code = Annotated[str, Field(max_length=REFERENCE_MAX)]

_LENGTH_UNITS = {"months": "duration-month", "weeks": "duration-week", "days": "duration-day"}


def date_text(value: date | None, t: Translator) -> str:
    return format_date(value, format="medium", locale=t.locale) if value else "—"


def when_text(value: datetime, t: Translator) -> str:
    return format_datetime(value, format="d MMM y HH:mm", locale=t.locale)


def length_text(count: int, unit: str, t: Translator) -> str:
    """An after-care length in words, singular or plural as the language wants: "1 maand", "3 maanden", "1 month",
    "6 weeks" (unit: months, weeks or days). The form reads these back."""
    return format_unit(count, _LENGTH_UNITS.get(unit, "duration-day"), length="long", locale=t.locale)


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def link_text(url: str, t: Translator) -> str:
    if not url:
        return ""
    if len(url) > SHOWN_LINK or any(c in url for c in " ()[]"):
        return t("handover.item.document_in_dossier")
    return f"[{t('handover.item.document')}]({url})"


@dataclass(frozen=True)
class ItemLine:
    id: int
    title: str
    owner: str | None
    due_on: date | None
    link: str
    done: bool
    done_by: str | None = None


def item_text(item: ItemLine) -> str:
    mark = "☑" if item.done else "☐"
    return f"{mark} {short(item.title, SHOWN_TITLE)}"


def item_detail(item: ItemLine, t: Translator) -> str:
    parts = [
        short(item.owner or t("handover.nobody"), SHOWN_NAME),
        t("handover.item.due", due=date_text(item.due_on, t)),
    ]
    if item.done and item.done_by:
        parts.append(t("handover.item.done_by", who=short(item.done_by, SHOWN_NAME)))
    if item.link:
        parts.append(link_text(item.link, t))
    return " · ".join(parts)


def facts(pairs: list[tuple[str, str]]) -> list[TextBlock]:
    """Label over value, so names and email addresses wrap instead of being clipped at phone width."""
    return [block for label, value in pairs for block in stacked_fact(label, value)]
