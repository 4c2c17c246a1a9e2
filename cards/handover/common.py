"""What every handover card shares: how much of an item a card shows, dates, lengths, links, and a handover's
facts (domain.handover) in words: an item's title, the receiving party, the after-care period."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.units import format_unit
from microsoft_teams.cards.core import TextBlock

from cards.base import stacked_fact
from cards.i18n import Translator
from domain.handover import ChecklistItem, HandoverFacts, PersonRef, length_parts

MAX_ITEMS = 25
# What a card shows of an item (the dossier has it all): keeps the largest checklist under Teams' 28 KB.
SHOWN_TITLE = 120
SHOWN_NAME = 60
SHOWN_LINK = 200

_LENGTH_UNITS = {"months": "duration-month", "weeks": "duration-week", "days": "duration-day"}


def date_text(value: date | None, t: Translator) -> str:
    return format_date(value, format="medium", locale=t.locale) if value else "—"


def when_text(value: datetime, t: Translator) -> str:
    return format_datetime(value, format="d MMM y HH:mm", locale=t.locale)


def length_text(count: int, unit: str, t: Translator) -> str:
    """An after-care length in words, singular or plural as the language wants: "1 maand", "3 maanden", "1 month",
    "6 weeks" (unit: months, weeks or days). The form reads these back."""
    return format_unit(count, _LENGTH_UNITS.get(unit, "duration-day"), length="long", locale=t.locale)


def stored_length_text(length: str, t: Translator) -> str:
    """A stored after-care length ("P3M") as the form shows it and reads it back ("3 maanden"); "" for none."""
    if not length:
        return ""
    count, unit = length_parts(length)
    return length_text(count, unit, t)


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def link_text(url: str, t: Translator) -> str:
    if not url:
        return ""
    if len(url) > SHOWN_LINK or any(c in url for c in " ()[]"):
        return t("handover.item.document_in_dossier")
    return f"[{t('handover.item.document')}]({url})"


def name_of(person: PersonRef | None) -> str | None:
    return person.name if person is not None else None


def item_title(item: ChecklistItem, t: Translator) -> str:
    """The coordinator's own title, or a standard item's in the reader's language."""
    return item.title or t(f"handover.item.{item.key}")


def receiver_label(handover: HandoverFacts, t: Translator) -> str:
    if handover.receiver_person is not None:
        return handover.receiver_person.name
    return handover.receiver_conversation or t("handover.nobody")


def after_care_text(handover: HandoverFacts, t: Translator) -> str:
    """The after-care period in words: until its end (fixed at acceptance, or the plan's date), or its length."""
    end = handover.after_care_until or handover.after_care_end
    if end is not None:
        return t("handover.after_care.until", date=date_text(end, t))
    if handover.after_care_length:
        return t("handover.after_care.length", length=stored_length_text(handover.after_care_length, t))
    return "—"


def item_text(item: ChecklistItem, t: Translator) -> str:
    mark = "☑" if item.done else "☐"
    return f"{mark} {short(item_title(item, t), SHOWN_TITLE)}"


def item_detail(item: ChecklistItem, t: Translator) -> str:
    parts = [
        short(name_of(item.owner) or t("handover.nobody"), SHOWN_NAME),
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
