"""Meeting cards: the series form, upcoming occurrences, moving one, the conversation choice, the reminder with
answers and agenda, the meeting report form and the action items (pure: values in, dict out)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.units import format_unit
from microsoft_teams.cards.core import (
    ActionSet,
    AdaptiveCard,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    NumberInput,
    ShowCardAction,
    TextBlock,
    TextInput,
    TimeInput,
    ToggleInput,
)

from cards.base import CARD_VERSION, card, execute, field_error, heading, paragraph, stacked_fact, submit
from cards.i18n import Translator
from cards.meeting_import import IMPORT_LIST_VERB

FORM_VERB = "meeting.form"
SAVE_VERB = "meeting.save"
EDIT_VERB = "meeting.edit"
LIST_VERB = "meeting.list"
CANCEL_ONE_VERB = "meeting.cancel_one"
MOVE_FORM_VERB = "meeting.move_form"
MOVE_SAVE_VERB = "meeting.move_save"
CONVERSATION_FORM_VERB = "meeting.conversation_form"
CONVERSATION_SAVE_VERB = "meeting.conversation_save"
ATTEND_VERB = "meeting.attend"
DECLINE_VERB = "meeting.decline"
AGENDA_VERB = "meeting.agenda_add"
REPORT_SAVE_VERB = "meeting.report_save"
ACTIONS_VERB = "meeting.actions"
ACTION_DONE_VERB = "meeting.action_done"
STATUS_OPEN_VERB = "status.open"  # the status capability's own verb (cards.status), named here to stay decoupled

KINDS = ("project", "working_group", "steering")
REPEATS = ("none", "weekly", "biweekly", "monthly", "monthly_last")
FORM_FIELDS = (
    "title",
    "kind",
    "date",
    "time",
    "duration",
    "timezone",
    "repeat",
    "until",
    "count",
    "place",
    "link",
    "leads",
    "skip_holidays",
)
REPORT_ACTION_ROWS = 4
LIST_PAGE = 8  # meetings per page of the list: one short line each, grouped under their series
MAX_AGENDA = 15
MAX_ACTIONS = 15


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Brussels")


def when_text(start: datetime, end: datetime, timezone: str, t: Translator) -> str:
    """ "maandag 23 november 2026, 10:00–11:00 (Europe/Brussels)" in the meeting's zone."""
    zone = _zone(timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = format_date(local_start, format="full", locale=t.locale)
    begin = format_time(local_start, format="HH:mm", locale=t.locale)
    until = format_time(local_end, format="HH:mm", locale=t.locale)
    return t("meeting.when", day=day, start=begin, end=until, zone=timezone)


def reader_time(start: datetime) -> str:
    """Teams renders these functions in each reader's own time zone and language."""
    stamp = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{{{{DATE({stamp}, SHORT)}}}} {{{{TIME({stamp})}}}}"


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _day(value: date | None, t: Translator) -> str:
    return format_date(value, format="medium", locale=t.locale) if value else "—"


# The series form ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingForm:
    code: str
    form_id: str
    series_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    can_import: bool = False  # Graph is configured: offer importing the series from Outlook instead


def build_meeting_form_card(form: MeetingForm, t: Translator) -> dict[str, Any]:
    v = form.values
    title_key = "meeting.form.edit" if form.series_id else "meeting.form.new"
    body: list[Any] = [heading(t(title_key, code=form.code))]
    if form.errors:
        body.append(field_error(t("form.errors_below")))

    def error(name: str) -> None:
        if name in form.errors:
            body.append(field_error(form.errors[name]))

    body.append(TextInput(id="title", label=t("meeting.field.title"), value=v.get("title", ""), max_length=200))
    error("title")
    body.append(
        ChoiceSetInput(
            id="kind",
            label=t("meeting.field.kind"),
            value=v.get("kind") or "project",
            choices=[Choice(title=t(f"meeting.kind.{kind}"), value=kind) for kind in KINDS],
        )
    )
    error("kind")
    body.append(DateInput(id="date", label=t("meeting.field.date"), value=v.get("date") or None))
    error("date")
    body.append(TimeInput(id="time", label=t("meeting.field.time"), value=v.get("time") or None))
    error("time")
    body.append(
        NumberInput(
            id="duration",
            label=t("meeting.field.duration"),
            value=_number(v.get("duration", "60")),
            min=5,
            max=720,
        )
    )
    error("duration")
    body.append(
        TextInput(
            id="timezone",
            label=t("meeting.field.timezone"),
            value=v.get("timezone") or "Europe/Brussels",
            max_length=64,
        )
    )
    error("timezone")
    body.append(
        ChoiceSetInput(
            id="repeat",
            label=t("meeting.field.repeat"),
            value=v.get("repeat") or "none",
            choices=[Choice(title=t(f"meeting.repeat.{repeat}"), value=repeat) for repeat in REPEATS],
        )
    )
    error("repeat")
    body.append(DateInput(id="until", label=t("meeting.field.until"), value=v.get("until") or None))
    error("until")
    body.append(
        NumberInput(id="count", label=t("meeting.field.count"), value=_number(v.get("count", "")), min=1, max=500)
    )
    error("count")
    body.append(TextInput(id="place", label=t("meeting.field.place"), value=v.get("place", ""), max_length=500))
    error("place")
    body.append(
        TextInput(id="link", label=t("meeting.field.link"), value=v.get("link", ""), max_length=1000, style="Url")
    )
    error("link")
    body.append(
        TextInput(
            id="leads",
            label=t("meeting.field.leads"),
            value=v.get("leads") or "24h, 1h",
            placeholder="24h, 1h",
            max_length=64,
        )
    )
    error("leads")
    body.append(
        ToggleInput(
            id="skip_holidays",
            title=t("meeting.field.skip_holidays"),
            value=v.get("skip_holidays") or "false",
            value_on="true",
            value_off="false",
        )
    )
    data: dict[str, Any] = {"code": form.code, "form_id": form.form_id}
    if form.series_id:
        data["series"] = form.series_id
    actions = [submit(t("meeting.form.save"), SAVE_VERB, **data)]
    if form.can_import and not form.series_id:
        actions.append(submit(t("meeting.form.import"), IMPORT_LIST_VERB, code=form.code))
    return card(body, actions)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


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
    zone = _zone(line.timezone)
    local_start, local_end = line.start.astimezone(zone), line.end.astimezone(zone)
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
    title = _short(first.title, 120)
    items: list[Any] = [
        TextBlock(
            text=t("meeting.list.line", code=first.code, title=title) if show_code else title,
            weight="Bolder",
            wrap=True,
        )
    ]
    notes = [_short(first.place, 120)] if first.place else []
    if first.conversation:
        notes.append(t("meeting.list.conversation", name=_short(first.conversation, 80)))
    if notes:
        items.append(TextBlock(text=" · ".join(notes), wrap=True, is_subtle=True, size="Small", spacing="None"))
    for line in lines:
        tap = (
            submit(t("meeting.list.move"), MOVE_FORM_VERB, series=line.series_id, occurrence=line.occurrence)
            if line.can_manage
            else None
        )
        when = TextBlock(text=_list_when(line, t, reader_zone), wrap=True)
        items.append(Container(items=[when], spacing="Small", select_action=tap))
    if first.can_manage:
        actions = [
            submit(t("meeting.list.edit"), EDIT_VERB, series=first.series_id),
            submit(t("meeting.list.relink"), CONVERSATION_FORM_VERB, series=first.series_id),
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
    the data the Previous and Next buttons send with LIST_VERB (none: no buttons, the note still says how many
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
            notes.append(t("meeting.list.more.one" if after == 1 else "meeting.list.more.other", count=after))
        body.append(paragraph(" · ".join(notes), subtle=True))
    actions: list[Any] = []
    if paging is not None and page > 1:
        actions.append(submit(t("projects.previous"), LIST_VERB, **paging, page=page - 1))
    if paging is not None and page < pages:
        actions.append(submit(t("projects.next"), LIST_VERB, **paging, page=page + 1))
    return card(body, actions or None)


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
    body: list[Any] = [heading(t("meeting.move.title", title=_short(form.title, 120)))]
    if form.when:
        body.append(TextBlock(text=t("meeting.move.now", when=form.when), wrap=True, is_subtle=True, spacing="None"))
    body.append(DateInput(id="date", label=t("meeting.move.date"), value=form.values.get("date") or None))
    if "date" in form.errors:
        body.append(field_error(form.errors["date"]))
    body.append(TimeInput(id="time", label=t("meeting.move.time"), value=form.values.get("time") or None))
    if "time" in form.errors:
        body.append(field_error(form.errors["time"]))
    cancel = submit(
        t("meeting.move.cancel"), CANCEL_ONE_VERB, series=form.series_id, occurrence=form.occurrence
    ).with_associated_inputs("none")
    return card(
        body,
        [submit(t("meeting.move.save"), MOVE_SAVE_VERB, series=form.series_id, occurrence=form.occurrence), cancel],
    )


def build_meeting_conversation_card(
    series_id: int,
    title: str,
    choices: list[tuple[int, str]],
    t: Translator,
    *,
    current: int | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    body: list[Any] = [heading(t("meeting.relink.title", title=_short(title, 120)))]
    if not choices:
        body.append(paragraph(t("meeting.relink.none")))
        return card(body)
    body.append(
        ChoiceSetInput(
            id="conversation",
            label=t("meeting.relink.label"),
            value=str(current) if current is not None else None,
            choices=[Choice(title=_short(label, 100), value=str(ref_id)) for ref_id, label in choices],
        )
    )
    if error:
        body.append(field_error(error))
    return card(body, [submit(t("meeting.relink.save"), CONVERSATION_SAVE_VERB, series=series_id)])


# The reminder ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionLine:
    id: int
    text: str
    owner: str | None
    due_on: date | None
    done: bool = False
    can_mark: bool = False


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
    actions: list[ActionLine] = field(default_factory=list)
    attending: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    moved: bool = False
    notice: str | None = None


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
        heading(t(head, title=_short(view.title, 150), lead=_lead_text(view.lead_minutes, t))),
        TextBlock(
            text=f"{view.code} · {_short(view.project, 120)} · {kind}", is_subtle=True, wrap=True, spacing="None"
        ),
    ]
    if view.notice:
        body.append(paragraph(view.notice))
    facts = [(t("meeting.reminder.when"), when_text(view.start, view.end, view.timezone, t))]
    facts.append((t("meeting.reminder.your_time"), reader_time(view.start)))
    if view.place:
        facts.append((t("meeting.reminder.place"), _short(view.place, 300)))
    if view.link:
        facts.append((t("meeting.reminder.link"), f"[{t('meeting.reminder.join')}]({view.link})"))
    body.extend(block for label, value in facts for block in stacked_fact(label, value))
    if view.moved:
        body.append(paragraph(t("meeting.reminder.moved"), subtle=True))
    if view.status_line:
        body.append(TextBlock(text=t("meeting.reminder.status"), weight="Bolder", wrap=True))
        body.append(paragraph(_short(view.status_line, 400)))
    if view.first:
        body.append(TextBlock(text=t("meeting.reminder.agenda"), weight="Bolder", wrap=True))
        if view.agenda:
            lines = [f"{i}. {_short(item, 200)}" for i, item in enumerate(view.agenda[:MAX_AGENDA], 1)]
            body.append(paragraph("\n".join(lines)))
        else:
            body.append(paragraph(t("meeting.reminder.no_agenda"), subtle=True))
        if view.actions:
            body.append(TextBlock(text=t("meeting.reminder.actions"), weight="Bolder", wrap=True))
            body.append(paragraph("\n".join(_action_text(a, t) for a in view.actions[:MAX_ACTIONS])))
    else:
        body.append(
            paragraph(t("meeting.reminder.see_first", agenda=len(view.agenda), actions=len(view.actions)), subtle=True)
        )
    body.append(
        paragraph(
            t(
                "meeting.reminder.answers",
                yes=len(view.attending),
                no=len(view.absent),
            )
        )
    )
    if view.attending:
        body.append(paragraph(t("meeting.reminder.attending", names=", ".join(view.attending[:40])), subtle=True))
    if view.absent:
        body.append(paragraph(t("meeting.reminder.absent", names=", ".join(view.absent[:40])), subtle=True))
    ids = {"series": view.series_id, "occurrence": view.occurrence, "lead": view.lead_minutes, "first": view.first}
    agenda_card = AdaptiveCard(
        version=CARD_VERSION,
        body=[TextInput(id="agenda_text", label=t("meeting.reminder.agenda_label"), max_length=1000)],
        actions=[execute(t("meeting.reminder.agenda_save"), AGENDA_VERB, **ids)],
    )
    actions: list[Any] = [
        execute(t("meeting.reminder.attend"), ATTEND_VERB, **ids),
        execute(t("meeting.reminder.decline"), DECLINE_VERB, **ids),
        ShowCardAction(title=t("meeting.reminder.add_agenda"), card=agenda_card),
        submit(t("meeting.reminder.open_status"), STATUS_OPEN_VERB, code=view.code),
    ]
    return card(body, actions)


def _action_text(action: ActionLine, t: Translator) -> str:
    owner = action.owner or t("meeting.actions.nobody")
    due = t("meeting.actions.due", due=_day(action.due_on, t)) if action.due_on else ""
    return f"- {_short(action.text, 200)} — {owner}{due}"


# The meeting report ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportForm:
    series_id: int
    occurrence: str
    code: str
    title: str
    start: datetime
    end: datetime
    timezone: str
    form_id: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def build_meeting_report_card(form: ReportForm, t: Translator) -> dict[str, Any]:
    v = form.values
    body: list[Any] = [
        heading(t("meeting.report.title", title=_short(form.title, 150))),
        TextBlock(
            text=f"{form.code} · {when_text(form.start, form.end, form.timezone, t)}",
            is_subtle=True,
            wrap=True,
            spacing="None",
        ),
        paragraph(t("meeting.report.intro")),
    ]
    if form.errors:
        body.append(field_error(t("form.errors_below")))
    body.append(
        TextInput(
            id="decisions",
            label=t("meeting.report.decisions"),
            value=v.get("decisions", ""),
            is_multiline=True,
            max_length=4000,
        )
    )
    if "decisions" in form.errors:
        body.append(field_error(form.errors["decisions"]))
    for i in range(1, REPORT_ACTION_ROWS + 1):
        items: list[Any] = [
            TextInput(
                id=f"action_{i}",
                label=t("meeting.report.action", number=i),
                value=v.get(f"action_{i}", ""),
                max_length=1000,
            ),
            TextInput(
                id=f"owner_{i}",
                label=t("meeting.report.owner"),
                value=v.get(f"owner_{i}", ""),
                placeholder=t("meeting.report.owner_hint"),
                max_length=320,
            ),
            DateInput(id=f"due_{i}", label=t("meeting.report.due"), value=v.get(f"due_{i}") or None),
        ]
        for name in (f"action_{i}", f"owner_{i}", f"due_{i}"):
            if name in form.errors:
                items.append(field_error(form.errors[name]))
        body.append(Container(items=items, separator=True))
    data = {"series": form.series_id, "occurrence": form.occurrence, "form_id": form.form_id}
    return card(body, [submit(t("meeting.report.save"), REPORT_SAVE_VERB, **data)])


# Action items ---------------------------------------------------------------------------------------------------


def build_action_items_card(
    code: str, name: str, lines: list[ActionLine], t: Translator, *, notice: str | None = None
) -> dict[str, Any]:
    body: list[Any] = [heading(t("meeting.actions.title", code=code, name=_short(name, 120)))]
    if notice:
        body.append(paragraph(notice))
    if not lines:
        body.append(paragraph(t("meeting.actions.none")))
    for line in lines[:30]:
        items: list[Any] = [TextBlock(text=_action_text(line, t), wrap=True)]
        if line.can_mark and not line.done:
            items.append(ActionSet(actions=[submit(t("meeting.actions.done"), ACTION_DONE_VERB, action=line.id)]))
        body.append(Container(items=items, separator=True))
    return card(body)


def format_local(start: datetime, timezone: str, t: Translator) -> str:
    return format_datetime(start.astimezone(_zone(timezone)), format="EEE d MMM y HH:mm", locale=t.locale)
