"""Samples of the Outlook import card (added to tests/card_samples.py's SAMPLES), the largest one included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from cards.i18n import Translator
from cards.meetings import MAX_CHOICES, ImportChoice, MeetingForm, build_meeting_form_card, build_meeting_import_card

REASONS = (
    "daily",
    "several_days",
    "interval",
    "absolute_monthly",
    "yearly",
    "all_day",
    "duration",
    "timezone",
    "unreadable",
)
# Graph event ids are about 150 characters of base64.
EVENT_ID = "AAMkAGI2TG93AAA=" * 10


def _choices(t: Translator) -> dict[str, Any]:
    repeats = ("weekly", "biweekly", "monthly", "monthly_last")
    choices = [
        ImportChoice(
            event_id=f"{EVENT_ID}{i}",
            subject="Stuurgroep digitaal loket " * 10,
            repeat=repeats[i % 4],
            first_start=datetime(2026, 12, 8 + i % 7, 14, 0),
            timezone="Europe/Brussels",
            next_start=datetime(2026, 12, 8, 13, 0, tzinfo=UTC) if i % 5 else None,
            until=date(2027, 6, 30) if i % 2 else None,
            count=10 if i % 3 == 0 and i % 2 == 0 else None,
            imported=i == 1,
        )
        for i in range(MAX_CHOICES)
    ]
    choices += [ImportChoice(f"{EVENT_ID}x{r}", f"Reeks {r}", reason=r) for r in REASONS]
    return build_meeting_import_card("DT-042", choices, t)


def _form_with_import(t: Translator) -> dict[str, Any]:
    return build_meeting_form_card(MeetingForm(code="DT-042", form_id="f" * 32, can_import=True), t)


MEETING_IMPORT_SAMPLES: list[tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]] = [
    ("outlook import, many series", build_meeting_import_card, _choices),
    ("outlook import, none", build_meeting_import_card, lambda t: build_meeting_import_card("DT-042", [], t)),
    ("meeting form, with Outlook import", build_meeting_form_card, _form_with_import),
]
