"""The upcoming meetings (a page at a time, grouped by series), moving or cancelling one of them, and the choice of
the conversation a series' reminders go to; with the contracts of the verbs their buttons carry."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from babel.dates import format_date, format_time
from microsoft_teams.cards.core import (
    ActionSet,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    TextBlock,
    TimeInput,
)
from pydantic import Field

from cards.base import card, field_error, heading, paragraph, submit
from cards.i18n import Translator
from cards.meetings.common import OCCURRENCE_KEY_MAX, short, zone
from cards.payloads import Id, Payload

LIST_PAGE = 8  # meetings per page of the list: one short line each, grouped under their series


# The verbs' contracts -------------------------------------------------------------------------------------------


class ListPayload(Payload):
    """The list's own Previous/Next buttons send a page and either a project code ("" for this conversation or your
    projects, as typed) or the series a card showed; other cards (the status card) open it with just a code."""

    VERB: ClassVar[str] = "meeting.list"
    code: str = ""
    series: Id | None = None
    page: int | None = None


class SeriesRef(Payload):
    series: Id


class EditPayload(SeriesRef):
    """A series' Edit in the list: the series form, filled in."""

    VERB: ClassVar[str] = "meeting.edit"


class ConversationFormPayload(SeriesRef):
    """A series' "other conversation" in the list: the choice of conversations."""

    VERB: ClassVar[str] = "meeting.conversation_form"


class RelinkPayload(SeriesRef):
    """The conversation choice's Save; `conversation` is the chosen conversation's id, as the choice set sends it
    ("" or absent when none was chosen)."""

    VERB: ClassVar[str] = "meeting.conversation_save"
    conversation: str = ""


class OccurrenceRef(Payload):
    series: Id
    occurrence: str = Field(max_length=OCCURRENCE_KEY_MAX)


class MoveFormPayload(OccurrenceRef):
    """A meeting's line in the list: the card to move or cancel it."""

    VERB: ClassVar[str] = "meeting.move_form"


class CancelOnePayload(OccurrenceRef):
    """The move card's "cancel this meeting"."""

    VERB: ClassVar[str] = "meeting.cancel_one"


class MovePayload(OccurrenceRef):
    """The move card's Save: the new date and time as the inputs send them."""

    VERB: ClassVar[str] = "meeting.move_save"
    date: str = ""
    time: str = ""


# Upcoming occurrences -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OccurrenceLine:
    series_id: int
    occurrence: str
    code: str
    title: str
    start: datetime
    end: datetime
    timezone: str
    place: str = ""
    moved: bool = False
    conversation: str | None = None
    can_manage: bool = False


def _list_when(line: OccurrenceLine, t: Translator, reader_zone: str | None) -> str:
    """ "do 3 dec 2026, 14:00–15:00": short enough for one line on a phone; the zone only when it is not the
    reader's own."""
    local_zone = zone(line.timezone)
    local_start, local_end = line.start.astimezone(local_zone), line.end.astimezone(local_zone)
    text = t(
        "meeting.list.when",
        day=format_date(local_start, format="EEE d MMM y", locale=t.locale),
        start=format_time(local_start, format="HH:mm", locale=t.locale),
        end=format_time(local_end, format="HH:mm", locale=t.locale),
    )
    if line.timezone != reader_zone:
        text += f" ({line.timezone})"
    if line.moved:
        text += f" · {t('meeting.list.moved')}"
    return text


def _series_group(lines: list[OccurrenceLine], t: Translator, show_code: bool, reader_zone: str | None) -> Container:
    """A series once (its title, place and conversation, its buttons), then one tappable line per meeting."""
    first = lines[0]
    title = short(first.title, 120)
    items: list[Any] = [
        TextBlock(
            text=t("meeting.list.line", code=first.code, title=title) if show_code else title,
            weight="Bolder",
            wrap=True,
        )
    ]
    notes = [short(first.place, 120)] if first.place else []
    if first.conversation:
        notes.append(t("meeting.list.conversation", name=short(first.conversation, 80)))
    if notes:
        items.append(TextBlock(text=" · ".join(notes), wrap=True, is_subtle=True, size="Small", spacing="None"))
    for line in lines:
        tap = (
            submit(t("meeting.list.move"), MoveFormPayload, series=line.series_id, occurrence=line.occurrence)
            if line.can_manage
            else None
        )
        when = TextBlock(text=_list_when(line, t, reader_zone), wrap=True)
        items.append(Container(items=[when], spacing="Small", select_action=tap))
    if first.can_manage:
        actions = [
            submit(t("meeting.list.edit"), EditPayload, series=first.series_id),
            submit(t("meeting.list.relink"), ConversationFormPayload, series=first.series_id),
        ]
        items.append(ActionSet(actions=actions))
    return Container(items=items, separator=True)


def build_meetings_card(
    lines: list[OccurrenceLine],
    t: Translator,
    *,
    scope: str,
    page: int = 1,
    paging: dict[str, Any] | None = None,
    show_code: bool = True,
    reader_zone: str | None = None,
) -> dict[str, Any]:
    """Upcoming meetings, a page at a time, grouped by series so the title and place are said once. `paging` is
    the data the Previous and Next buttons send with ListPayload (none: no buttons, the note still says how many
    more there are); `show_code` names each series' project (not needed when the heading does)."""
    pages = max(1, math.ceil(len(lines) / LIST_PAGE))
    page = min(max(page, 1), pages)
    shown = lines[(page - 1) * LIST_PAGE : page * LIST_PAGE]
    body: list[Any] = [heading(t("meeting.list.title", scope=scope))]
    if not lines:
        body.append(paragraph(t("meeting.list.none")))
    if any(line.can_manage for line in shown):
        body.append(TextBlock(text=t("meeting.list.hint"), wrap=True, is_subtle=True, size="Small", spacing="None"))
    groups: dict[int, list[OccurrenceLine]] = {}
    for line in shown:
        groups.setdefault(line.series_id, []).append(line)
    body.extend(_series_group(group, t, show_code, reader_zone) for group in groups.values())
    after = len(lines) - page * LIST_PAGE
    if pages > 1:
        notes = [t("projects.page", page=page, pages=pages)]
        if after > 0:
            notes.append(t("meeting.list.more", count=after))
        body.append(paragraph(" · ".join(notes), subtle=True))
    actions: list[Any] = []
    if paging is not None and page > 1:
        actions.append(submit(t("projects.previous"), ListPayload, **paging, page=page - 1))
    if paging is not None and page < pages:
        actions.append(submit(t("projects.next"), ListPayload, **paging, page=page + 1))
    return card(body, actions or None)


# Moving or cancelling one meeting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveForm:
    series_id: int
    occurrence: str
    title: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    when: str = ""  # when the meeting is planned now, already phrased


def build_occurrence_move_card(form: MoveForm, t: Translator) -> dict[str, Any]:
    """One meeting of a series, tapped in the list: move it (new date and time) or cancel it."""
    body: list[Any] = [heading(t("meeting.move.title", title=short(form.title, 120)))]
    if form.when:
        body.append(TextBlock(text=t("meeting.move.now", when=form.when), wrap=True, is_subtle=True, spacing="None"))
    body.append(DateInput(id="date", label=t("meeting.move.date"), value=form.values.get("date") or None))
    if "date" in form.errors:
        body.append(field_error(form.errors["date"]))
    body.append(TimeInput(id="time", label=t("meeting.move.time"), value=form.values.get("time") or None))
    if "time" in form.errors:
        body.append(field_error(form.errors["time"]))
    ids = {"series": form.series_id, "occurrence": form.occurrence}
    cancel = submit(t("meeting.move.cancel"), CancelOnePayload, **ids).with_associated_inputs("none")
    return card(body, [submit(t("meeting.move.save"), MovePayload, **ids), cancel])


# The conversation a series' reminders go to ---------------------------------------------------------------------


def build_meeting_conversation_card(
    series_id: int,
    title: str,
    choices: list[tuple[int, str]],
    t: Translator,
    *,
    current: int | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    body: list[Any] = [heading(t("meeting.relink.title", title=short(title, 120)))]
    if not choices:
        body.append(paragraph(t("meeting.relink.none")))
        return card(body)
    body.append(
        ChoiceSetInput(
            id="conversation",
            label=t("meeting.relink.label"),
            value=str(current) if current is not None else None,
            choices=[Choice(title=short(label, 100), value=str(ref_id)) for ref_id, label in choices],
        )
    )
    if error:
        body.append(field_error(error))
    return card(body, [submit(t("meeting.relink.save"), RelinkPayload, series=series_id)])
