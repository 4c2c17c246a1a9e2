"""What every capacity card writes the same way: a week's name, a load's word and colour, hours or "unknown"."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from cards.base import minutes_text
from cards.i18n import Translator
from domain.capacity import Load, WeekLoad

# Adaptive Card colours (TextBlock.color / Container.style) per load: red over-booked, amber at risk.
LOAD_COLOR = {Load.OVER: "attention", Load.AT_RISK: "warning", Load.OK: "good", Load.UNKNOWN: "default"}


def load_word(load: Load, t: Translator) -> str:
    """'overboekt' / 'over-booked', 'bijna vol' / 'at risk', 'ok', 'onbekend' / 'unknown'."""
    return t(f"capacity.load.{load.value}")


def week_name(monday: date, t: Translator, *, year: bool = False) -> str:
    """'week 3 (18 jan.)' / 'week 3 (18 Jan)': the ISO week number people plan by, with its Monday (and its year,
    for a span that crosses one: 'week 1 (3 jan. 2028)')."""
    shown = format_date(monday, "d MMM y" if year else "d MMM", locale=t.locale)
    return t("capacity.week", number=monday.isocalendar().week, monday=shown)


def hours_or_unknown(minutes: int | None, t: Translator) -> str:
    """Hours, or 'onbekend' / 'unknown' when the availability is not known (never shown as free)."""
    return t("capacity.unknown") if minutes is None else minutes_text(minutes, t)


def planned_of_available(week: WeekLoad, t: Translator) -> str:
    """'34 u van 38 u (89 %)' / '34 h of 38 h (89%)'; 'unknown' availability said so."""
    if week.available is None:
        return t("capacity.planned_of_unknown", planned=minutes_text(week.planned, t))
    return t(
        "capacity.planned_of",
        planned=minutes_text(week.planned, t),
        available=minutes_text(week.available, t),
        percent=week.percent,
    )
