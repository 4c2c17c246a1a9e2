"""The reminder posted in a meeting's conversation before it (when and where, the project's status, the agenda and
open action items, who comes), with the answers and the agenda item it takes in place; and their contracts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar

from babel.units import format_unit
from microsoft_teams.cards.core import AdaptiveCard, ShowCardAction, TextBlock, TextInput
from pydantic import Field

from cards.base import CARD_VERSION, card, execute, heading, paragraph, stacked_fact, submit
from cards.i18n import Translator
from cards.meetings.common import KINDS, OCCURRENCE_KEY_MAX, reader_time, short, when_text
from cards.meetings.report import MAX_ACTIONS, action_text
from cards.payloads import Id, Payload, StoredIn
from domain.meetings import MAX_LEAD_MINUTES, ActionItemFacts

# The status capability's own verb (cards/status), named here: cards/status shows the meetings list, so importing
# its contract from here would be an import circle.
MAX_AGENDA = 15
AGENDA_MAX = 1000  # an agenda item, typed or from the reminder card (meeting_agenda_item.text)


# The verbs' contracts -------------------------------------------------------------------------------------------


class ReminderRef(Payload):
    """Which reminder was pressed: the occurrence, and the lead time and place in the row of reminders the card
    was sent as (the card is drawn again as it was, with the answers counted)."""

    series: Id
    occurrence: str = Field(max_length=OCCURRENCE_KEY_MAX)
    lead: int = Field(default=0, ge=0, le=MAX_LEAD_MINUTES)
    first: bool = True


class AttendPayload(ReminderRef):
    VERB: ClassVar[str] = "meeting.attend"


class DeclinePayload(ReminderRef):
    VERB: ClassVar[str] = "meeting.decline"


class AgendaPayload(ReminderRef):
    """The reminder's "add to the agenda"."""

    VERB: ClassVar[str] = "meeting.agenda_add"
    agenda_text: Annotated[str, StoredIn("meeting_agenda_item.text", AGENDA_MAX)] = ""


# The reminder ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderView:
    series_id: int
    occurrence: str
    lead_minutes: int
    first: bool  # the first (longest-lead) reminder shows everything; later ones are short and point back to it
    code: str
    project: str
    title: str
    kind: str
    start: datetime
    end: datetime
    timezone: str
    place: str = ""
    link: str = ""
    agenda: list[str] = field(default_factory=list)
    status_line: str | None = None
    actions: list[ActionItemFacts] = field(default_factory=list)
    attending: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    moved: bool = False
    notice: str | None = None
    # The status capability's "open the status card" contract (a button about one project, by `code`), given by the
    # meetings capability: the meetings' cards do not import the status cards (which link back to the meetings).
    open_status: type[Payload] | None = None


def _lead_text(minutes: int, t: Translator) -> str:
    """ "1 dag", "2 uur", "30 minuten", "1 hour": singular or plural as the language wants."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days and not rest:
        count, unit = days, "duration-day"
    elif hours and not mins and not days:
        count, unit = hours, "duration-hour"
    elif not days and not hours:
        count, unit = mins, "duration-minute"
    else:
        count, unit = round(minutes / 60), "duration-hour"
    return format_unit(count, unit, length="long", locale=t.locale)


def build_meeting_reminder_card(view: ReminderView, t: Translator) -> dict[str, Any]:
    kind = t(f"meeting.kind.{view.kind}") if view.kind in KINDS else ""
    head = "meeting.reminder.title" if view.first else "meeting.reminder.title_soon"
    body: list[Any] = [
        heading(t(head, title=short(view.title, 150), lead=_lead_text(view.lead_minutes, t))),
        TextBlock(text=f"{view.code} · {short(view.project, 120)} · {kind}", is_subtle=True, wrap=True, spacing="None"),
    ]
    if view.notice:
        body.append(paragraph(view.notice))
    body += _when_and_where(view, t)
    if view.status_line:
        body.append(TextBlock(text=t("meeting.reminder.status"), weight="Bolder", wrap=True))
        body.append(paragraph(short(view.status_line, 400)))
    if view.first:
        body += _agenda_and_actions(view, t)
    else:
        agenda = t("meeting.reminder.agenda_count", count=len(view.agenda))
        body.append(paragraph(t("meeting.reminder.see_first", agenda=agenda, actions=len(view.actions)), subtle=True))
    body += _answers(view, t)
    return card(body, _buttons(view, t))


def _when_and_where(view: ReminderView, t: Translator) -> list[Any]:
    facts = [(t("meeting.reminder.when"), when_text(view.start, view.end, view.timezone, t))]
    facts.append((t("meeting.reminder.your_time"), reader_time(view.start)))
    if view.place:
        facts.append((t("meeting.reminder.place"), short(view.place, 300)))
    if view.link:
        facts.append((t("meeting.reminder.link"), f"[{t('meeting.reminder.join')}]({view.link})"))
    body: list[Any] = [block for label, value in facts for block in stacked_fact(label, value)]
    if view.moved:
        body.append(paragraph(t("meeting.reminder.moved"), subtle=True))
    return body


def _agenda_and_actions(view: ReminderView, t: Translator) -> list[Any]:
    """What the first (longest-lead) reminder shows in full: the agenda and the project's open action items."""
    body: list[Any] = [TextBlock(text=t("meeting.reminder.agenda"), weight="Bolder", wrap=True)]
    if view.agenda:
        lines = [f"{i}. {short(item, 200)}" for i, item in enumerate(view.agenda[:MAX_AGENDA], 1)]
        body.append(paragraph("\n".join(lines)))
    else:
        body.append(paragraph(t("meeting.reminder.no_agenda"), subtle=True))
    if view.actions:
        body.append(TextBlock(text=t("meeting.reminder.actions"), weight="Bolder", wrap=True))
        body.append(paragraph("\n".join(action_text(a, t) for a in view.actions[:MAX_ACTIONS])))
    return body


def _answers(view: ReminderView, t: Translator) -> list[Any]:
    body: list[Any] = [paragraph(t("meeting.reminder.answers", yes=len(view.attending), no=len(view.absent)))]
    if view.attending:
        body.append(paragraph(t("meeting.reminder.attending", names=", ".join(view.attending[:40])), subtle=True))
    if view.absent:
        body.append(paragraph(t("meeting.reminder.absent", names=", ".join(view.absent[:40])), subtle=True))
    return body


def _buttons(view: ReminderView, t: Translator) -> list[Any]:
    """Attending, not attending, an agenda item (answered in place, for everyone), and the project's status."""
    ids = {"series": view.series_id, "occurrence": view.occurrence, "lead": view.lead_minutes, "first": view.first}
    agenda_card = AdaptiveCard(
        version=CARD_VERSION,
        body=[TextInput(id="agenda_text", label=t("meeting.reminder.agenda_label"), max_length=AGENDA_MAX)],
        actions=[execute(t("meeting.reminder.agenda_save"), AgendaPayload, **ids)],
    )
    buttons: list[Any] = [
        execute(t("meeting.reminder.attend"), AttendPayload, **ids),
        execute(t("meeting.reminder.decline"), DeclinePayload, **ids),
        ShowCardAction(title=t("meeting.reminder.add_agenda"), card=agenda_card),
    ]
    if view.open_status is not None:
        buttons.append(submit(t("meeting.reminder.open_status"), view.open_status, code=view.code))
    return buttons
