"""The Outlook import card: the coordinator's recurring series to pick one from (pure: values in, dict out); with the
contracts of the verbs that open it and import one series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from microsoft_teams.cards.core import ActionSet, Container, TextBlock

from cards.base import card, heading, paragraph, submit
from cards.i18n import Translator
from cards.meetings.common import short
from cards.payloads import Payload, Reference

MAX_CHOICES = 15


class ImportListPayload(Payload):
    """The series form's "from Outlook": the coordinator's recurring series, for this project."""

    VERB: ClassVar[str] = "meeting.import_list"
    code: Reference


class ImportPayload(Payload):
    """One series of the import card: import it into the project (or update it when it is already)."""

    VERB: ClassVar[str] = "meeting.import"
    code: str
    event: str  # the Outlook event id of the series master


@dataclass(frozen=True)
class ImportChoice:
    """One Outlook series; with `reason` it cannot be imported (a key suffix under meeting.import.unsupported)."""

    event_id: str
    subject: str
    repeat: str | None = None  # weekly, biweekly, monthly, monthly_last
    first_start: datetime | None = None  # naive, local in `timezone`
    timezone: str = ""
    next_start: datetime | None = None  # aware; None: no upcoming occurrence
    until: date | None = None
    count: int | None = None
    reason: str | None = None
    imported: bool = False  # already imported into this project: importing again updates it


def pattern_text(choice: ImportChoice, t: Translator) -> str:
    """ "weekly on Tuesday at 10:00 (Europe/Brussels)", "monthly on the second Tuesday at 14:00 …"."""
    if choice.repeat is None or choice.first_start is None:
        return ""
    start = choice.first_start
    weekday = format_date(start.date(), format="EEEE", locale=t.locale)
    nth = min((start.day - 1) // 7 + 1, 5)
    text = t(
        f"meeting.import.pattern.{choice.repeat}",
        weekday=weekday,
        nth=t(f"meeting.import.nth.{nth}"),
        time=start.strftime("%H:%M"),
        zone=choice.timezone,
    )
    if choice.until is not None:
        text += " " + t("meeting.import.until", date=format_date(choice.until, format="medium", locale=t.locale))
    elif choice.count is not None:
        text += " " + t("meeting.import.count", count=choice.count)
    return text


def build_meeting_import_card(code: str, choices: list[ImportChoice], t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("meeting.import.title", code=code))]
    if not choices:
        body.append(paragraph(t("meeting.import.none")))
        return card(body)
    body.append(paragraph(t("meeting.import.intro"), subtle=True))
    for choice in choices[:MAX_CHOICES]:
        items: list[Any] = [
            TextBlock(text=short(choice.subject or t("meeting.import.no_subject"), 150), weight="Bolder", wrap=True)
        ]
        if choice.reason is not None:
            items.append(
                TextBlock(
                    text=t(f"meeting.import.unsupported.{choice.reason}"),
                    wrap=True,
                    color="Attention",
                    spacing="None",
                )
            )
            body.append(Container(items=items, separator=True))
            continue
        items.append(TextBlock(text=pattern_text(choice, t), wrap=True, spacing="None"))
        if choice.next_start is not None:
            local = choice.next_start.astimezone(ZoneInfo(choice.timezone))
            when = format_datetime(local, format="EEEE d MMMM y, HH:mm", locale=t.locale)
            items.append(TextBlock(text=t("meeting.import.next", when=when), wrap=True, is_subtle=True, spacing="None"))
        else:
            items.append(TextBlock(text=t("meeting.import.no_next"), wrap=True, is_subtle=True, spacing="None"))
        label = t("meeting.import.update") if choice.imported else t("meeting.import.pick")
        items.append(ActionSet(actions=[submit(label, ImportPayload, code=code, event=choice.event_id)]))
        body.append(Container(items=items, separator=True))
    if len(choices) > MAX_CHOICES:
        body.append(paragraph(t("meeting.import.more", count=len(choices) - MAX_CHOICES), subtle=True))
    return card(body)
