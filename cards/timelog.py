"""Time registration cards: the log form (also the "did I get that right?" card), the confirmation with Undo and
Edit, the weekly timesheet, a project's hours against budget, and the proactive burn warning and nudge; with the
contract of every verb their buttons carry (SavePayload, UndoPayload, EditPayload, WeekPayload, HoursPayload)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from babel.dates import format_date
from babel.numbers import format_decimal
from microsoft_teams.cards.core import (
    Choice,
    ChoiceSetInput,
    Column,
    ColumnSet,
    DateInput,
    Fact,
    FactSet,
    Image,
    TextBlock,
    TextInput,
)
from pydantic import Field

from cards.base import (
    PROJECTS_DATASET,
    card,
    execute,
    field_error,
    heading,
    hours_text,
    minutes_text,
    paragraph,
    picker,
    submit,
)
from cards.capacity.common import planned_of_available, week_name
from cards.i18n import Translator
from cards.menu import MenuPayload
from cards.payloads import Day, Id, Payload, Prose, Reference, StoredIn
from domain.capacity import Load, WeekLoad
from domain.time import EntryFacts, WeekCell

CATEGORIES = (
    "analysis",
    "meeting",
    "coordination",
    "implementation",
    "documentation",
    "travel",
    "training",
    "other",
)
KINDS = ("performed", "planned")
FORM_FIELDS = ("project", "date", "duration", "kind", "category", "note")
MAX_SHEET_PROJECTS = 6  # columns a phone still shows; more go into "other"
# A time entry's note: the column's length (time_entry.note).
NOTE_MAX = 500


# The verbs' contracts -------------------------------------------------------------------------------------------


class SavePayload(Payload):
    """The log form's Save: the inputs as the client sends them (an Adaptive Card input arrives as a string, an
    empty one as "", an unchosen choice set not at all), read field by field by the handler's form model so that
    each problem comes back under its field, as typed."""

    VERB: ClassVar[str] = "timelog.save"
    form_id: Annotated[str, Prose()] = ""
    owner: Id | None = None  # whose form it is (dialogs/kernel/owned.py)
    entry_id: Id | None = None  # editing this entry
    project: str = ""
    date: str = ""
    duration: str = ""
    kind: str = "performed"
    category: str = "other"
    note: Annotated[str, StoredIn("time_entry.note", NOTE_MAX)] = ""


class UndoPayload(Payload):
    """The confirmation's Undo."""

    VERB: ClassVar[str] = "timelog.undo"
    entry_id: Id


class PlanUndoPayload(Payload):
    """The Undo of a week's plan: its entries (one per day; at most a week's seven)."""

    VERB: ClassVar[str] = "timelog.undo_plan"
    entry_ids: Annotated[list[Id], Field(min_length=1, max_length=7)]


class EditPayload(Payload):
    """The confirmation's Edit."""

    VERB: ClassVar[str] = "timelog.edit"
    entry_id: Id


class WeekPayload(Payload):
    """The timesheet's previous/next week."""

    VERB: ClassVar[str] = "timelog.week"
    monday: Day
    owner: Id | None = None  # whose timesheet it is


class HoursPayload(Payload):
    """The burn warning's button: the project's hours against budget."""

    VERB: ClassVar[str] = "timelog.hours"
    code: Reference


def day_text(day: date, t: Translator) -> str:
    return format_date(day, format="EEEE d MMMM y", locale=t.locale)


def short_day(day: date, t: Translator) -> str:
    """'ma 18 jan.' / 'Mon 18 Jan': a day of a week the reader knows."""
    return format_date(day, format="EEE d MMM", locale=t.locale)


# The form -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeForm:
    """What the form shows: values as typed (kept when refused), errors per field, the projects to choose from."""

    form_id: str
    projects: list[tuple[str, str]]  # (code, "CODE · name"), the person's recent ones first
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    entry_id: int | None = None  # editing this entry
    understood: str = ""  # for a message that was not clear: what was understood, shown on top
    owner_id: int | None = None  # whose form it is: in a channel anyone sees it, only they may save it


def build_time_form_card(form: TimeForm, t: Translator) -> dict[str, Any]:
    v = form.values
    title = "time.form.edit_title" if form.entry_id else "time.form.title"
    body: list[Any] = [heading(t(title))]
    if form.understood:
        body.append(paragraph(form.understood, subtle=True))
    if len(form.errors) > 1:
        body.append(field_error(t("form.errors_below")).model_copy(update={"spacing": "Medium"}))

    def add(element: Any, name: str) -> None:
        body.append(element)
        if name in form.errors:
            body.append(field_error(form.errors[name]))

    if form.projects:
        label = t("time.field.project")
        add(picker("project", label, form.projects, dataset=PROJECTS_DATASET, value=v.get("project")), "project")
    else:
        add(TextInput(id="project", label=t("time.field.project"), value=v.get("project", "")), "project")
    add(DateInput(id="date", label=t("time.field.date"), value=v.get("date") or None), "date")
    add(
        TextInput(
            id="duration",
            label=t("time.field.duration"),
            placeholder=t("time.field.duration.placeholder"),
            value=v.get("duration", ""),
        ),
        "duration",
    )
    add(
        ChoiceSetInput(
            id="kind",
            label=t("time.field.kind"),
            style="expanded",
            value=v.get("kind") or "performed",
            choices=[Choice(title=t(f"time.kind.{kind}"), value=kind) for kind in KINDS],
        ),
        "kind",
    )
    add(
        ChoiceSetInput(
            id="category",
            label=t("time.field.category"),
            style="compact",
            # Empty when a typed tag named no activity: the person picks one (the error under it lists them).
            value=v.get("category", "other") or None,
            choices=[Choice(title=t(f"time.category.{c}"), value=c) for c in CATEGORIES],
        ),
        "category",
    )
    add(
        TextInput(
            id="note", label=t("time.field.note"), is_multiline=True, max_length=NOTE_MAX, value=v.get("note", "")
        ),
        "note",
    )
    data: dict[str, Any] = {"form_id": form.form_id}
    if form.owner_id is not None:
        data["owner"] = form.owner_id
    if form.entry_id:
        data["entry_id"] = form.entry_id
    return card(body, [submit(t("time.form.save"), SavePayload, **data)])


# The confirmation -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedView:
    entry: EntryFacts
    day_total_minutes: int  # of this kind, this day, this person, with the entry
    state: str = "saved"  # saved | updated | undone
    load: WeekLoadLine | None = None  # a plan's week, as full as it is now


@dataclass(frozen=True)
class WeekLoadLine:
    """How full the planned week is now, and which other projects take its time (code, minutes; largest first)."""

    week: WeekLoad
    others: tuple[tuple[str, int], ...]
    at_risk_percent: int


def week_load_elements(line: WeekLoadLine, t: Translator) -> list[Any]:
    """The week's load after a plan, and a warning when it is over-booked or at risk naming the other projects.
    Unknown availability is said so, with where to set it: never shown as free."""
    week = line.week
    elements: list[Any] = [
        paragraph(t("time.plan.load", week=week_name(week.monday, t), load=planned_of_available(week, t)))
    ]
    if week.load == Load.UNKNOWN:
        elements.append(paragraph(t("time.plan.load.unknown"), subtle=True))
        return elements
    if week.load not in (Load.OVER, Load.AT_RISK):
        return elements
    warning = [t("time.plan.over") if week.load == Load.OVER else t("time.plan.at_risk", percent=line.at_risk_percent)]
    if line.others:
        projects = ", ".join(f"{code} {minutes_text(minutes, t)}" for code, minutes in line.others)
        warning.append(t("time.plan.others", projects=projects))
    color = "Attention" if week.load == Load.OVER else "Warning"
    elements.append(TextBlock(text=" ".join(warning), wrap=True, color=color, weight="Bolder"))
    return elements


def build_time_logged_card(view: LoggedView, t: Translator) -> dict[str, Any]:
    entry = view.entry
    saved = "time.planned.title" if entry.kind == "planned" else "time.logged.title"
    title = {"saved": saved, "updated": "time.logged.updated", "undone": "time.logged.undone"}
    facts = [
        Fact(title=t("time.field.project"), value=f"{entry.project_code} · {entry.project_name}"),
        Fact(title=t("time.field.date"), value=day_text(entry.day, t)),
        Fact(title=t("time.field.duration"), value=minutes_text(entry.minutes, t)),
        Fact(title=t("time.field.kind"), value=t(f"time.kind.{entry.kind}")),
        Fact(title=t("time.field.category"), value=t(f"time.category.{entry.category}")),
    ]
    if entry.note:
        facts.append(Fact(title=t("time.field.note"), value=entry.note[:NOTE_MAX]))
    body: list[Any] = [heading(t(title[view.state])), FactSet(facts=facts)]
    if view.state == "undone":
        return card(body)
    body.append(
        paragraph(t(f"time.logged.day_total.{entry.kind}", total=minutes_text(view.day_total_minutes, t)), subtle=True)
    )
    if view.load is not None:
        body.extend(week_load_elements(view.load, t))
    return card(
        body,
        [
            submit(t("time.action.undo"), UndoPayload, entry_id=entry.id),
            submit(t("time.action.edit"), EditPayload, entry_id=entry.id),
        ],
    )


# A working day a week's plan left out, and why: "past", "holiday" (a public holiday) or "leave".
Skipped = tuple[date, str]


@dataclass(frozen=True)
class WeekPlanView:
    """A week's plan as stored: one entry per day it was spread over (same project, activity and note)."""

    entries: tuple[EntryFacts, ...]
    load: WeekLoadLine | None = None
    state: str = "saved"  # saved | undone
    skipped: tuple[Skipped, ...] = ()


def build_week_planned_card(view: WeekPlanView, t: Translator) -> dict[str, Any]:
    first = view.entries[0]
    monday = first.day - timedelta(days=first.day.weekday())
    title = "time.plan.week.title" if view.state == "saved" else "time.plan.week.undone_title"
    facts = [
        Fact(title=t("time.field.project"), value=f"{first.project_code} · {first.project_name}"),
        Fact(title=t("time.plan.week.total"), value=minutes_text(sum(e.minutes for e in view.entries), t)),
        Fact(title=t("time.field.category"), value=t(f"time.category.{first.category}")),
    ]
    if first.note:
        facts.append(Fact(title=t("time.field.note"), value=first.note[:NOTE_MAX]))
    days = [Fact(title=short_day(e.day, t), value=minutes_text(e.minutes, t)) for e in view.entries]
    body: list[Any] = [
        heading(t(title, week=week_name(monday, t))),
        FactSet(facts=facts),
        TextBlock(text=t("time.plan.week.spread"), wrap=True, weight="Bolder", spacing="Medium"),
        FactSet(facts=days),
    ]
    if view.skipped:
        left_out = ", ".join(f"{short_day(day, t)} ({t(f'time.plan.week.skipped.{why}')})" for day, why in view.skipped)
        body.append(paragraph(t("time.plan.week.skipped", days=left_out), subtle=True))
    if view.state == "undone":
        return card(body)
    if view.load is not None:
        body.extend(week_load_elements(view.load, t))
    return card(body, [submit(t("time.action.undo"), PlanUndoPayload, entry_ids=[e.id for e in view.entries])])


# The timesheet --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetView:
    monday: date
    cells: list[WeekCell]
    projects: list[str]  # codes, in column order
    owner_id: int | None = None  # whose hours these are: only they page through them


def _sheet_table(view: SheetView, kind: str, t: Translator) -> list[Any]:
    cells = [c for c in view.cells if c.kind == kind]
    codes = [code for code in view.projects if any(c.project_code == code for c in cells)]
    shown = codes[:MAX_SHEET_PROJECTS]
    other = len(codes) > MAX_SHEET_PROJECTS
    columns = [*shown, *(["…"] if other else [])]
    elements: list[Any] = [TextBlock(text=t(f"time.sheet.{kind}"), weight="Bolder", wrap=True, spacing="Medium")]
    if not cells:
        elements.append(paragraph(t(f"time.sheet.empty.{kind}"), subtle=True))
        return elements

    def row(first: str, values: list[str], *, bold: bool = False) -> ColumnSet:
        weight = "Bolder" if bold else None
        return ColumnSet(
            spacing="Small",
            columns=[
                Column(width=3, items=[TextBlock(text=first, wrap=True, weight=weight, size="Small")]),
                *[
                    Column(
                        width=2,
                        items=[TextBlock(text=value, horizontal_alignment="Right", weight=weight, size="Small")],
                    )
                    for value in values
                ],
            ],
        )

    def minutes(day: date | None, code: str | None) -> int:
        return sum(
            c.minutes
            for c in cells
            if (day is None or c.day == day)
            and (code is None or c.project_code == code or (code == "…" and c.project_code not in shown))
        )

    def number(total: int) -> str:
        return minutes_text(total, t, unit=False)  # the header says "(hours)"

    elements.append(row("", [*columns, t("time.sheet.total")], bold=True))
    for offset in range(7):
        day = view.monday + timedelta(days=offset)
        values = [number(minutes(day, code)) if minutes(day, code) else "·" for code in columns]
        total = minutes(day, None)
        elements.append(
            row(format_date(day, format="EEE d MMM", locale=t.locale), [*values, number(total) if total else "·"])
        )
    totals = [number(minutes(None, code)) for code in columns]
    elements.append(row(t("time.sheet.total"), [*totals, number(minutes(None, None))], bold=True))
    return elements


def build_timesheet_card(view: SheetView, t: Translator) -> dict[str, Any]:
    sunday = view.monday + timedelta(days=6)
    week = view.monday.isocalendar().week
    title = t(
        "time.sheet.title",
        week=week,
        start=format_date(view.monday, format="d MMM", locale=t.locale),
        end=format_date(sunday, format="d MMM y", locale=t.locale),
    )
    body: list[Any] = [heading(title)]
    body.extend(_sheet_table(view, "performed", t))
    body.extend(_sheet_table(view, "planned", t))
    previous = (view.monday - timedelta(days=7)).isoformat()
    following = (view.monday + timedelta(days=7)).isoformat()
    owner = {"owner": view.owner_id} if view.owner_id is not None else {}
    return card(
        body,
        [
            execute(t("time.sheet.previous"), WeekPayload, monday=previous, **owner),
            execute(t("time.sheet.next"), WeekPayload, monday=following, **owner),
            submit(t("menu.my_week.title"), MenuPayload, command="my week"),
        ],
    )


# A project's hours ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonHours:
    name: str
    planned_minutes: int
    performed_minutes: int


@dataclass(frozen=True)
class ProjectHoursView:
    code: str
    name: str
    spent_minutes: int
    planned_minutes: int
    budget_hours: Decimal | None
    spent_pct: Decimal | None  # of the budget
    elapsed_pct: Decimal | None  # of the planned period
    ahead: bool
    margin_points: int
    people: list[PersonHours]
    chart_uri: str | None = None  # data:image/png;base64,... of the burn chart (dialogs/burn_chart.py)


def _pct(value: Decimal | None, t: Translator) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0", locale=t.locale) + " %"


# Teams' card limit is 28 KB; a card with the chart that would pass this is sent without it (a long people table).
CARD_BYTES_MAX = 27_500


def build_project_hours_card(view: ProjectHoursView, t: Translator) -> dict[str, Any]:
    built = _project_hours_card(view, t)
    if view.chart_uri and len(json.dumps(built, ensure_ascii=False).encode()) > CARD_BYTES_MAX:
        return _project_hours_card(replace(view, chart_uri=None), t)
    return built


def _project_hours_card(view: ProjectHoursView, t: Translator) -> dict[str, Any]:
    facts = [
        Fact(title=t("time.hours.spent"), value=minutes_text(view.spent_minutes, t)),
        Fact(title=t("time.hours.planned"), value=minutes_text(view.planned_minutes, t)),
        Fact(
            title=t("time.hours.budget"),
            value=hours_text(view.budget_hours, t) if view.budget_hours is not None else t("time.hours.no_budget"),
        ),
        Fact(title=t("time.hours.spent_pct"), value=_pct(view.spent_pct, t)),
        Fact(title=t("time.hours.elapsed_pct"), value=_pct(view.elapsed_pct, t)),
    ]
    body: list[Any] = [heading(t("time.hours.title", code=view.code, name=view.name)), FactSet(facts=facts)]
    if view.ahead:
        body.append(field_error(t("time.hours.ahead", margin=view.margin_points)))
    if view.chart_uri:
        body.append(Image(url=view.chart_uri, alt_text=t("time.chart.alt", code=view.code), size="Stretch"))
    body.append(TextBlock(text=t("time.hours.per_person"), weight="Bolder", wrap=True, spacing="Medium"))
    if not view.people:
        body.append(paragraph(t("time.hours.nobody"), subtle=True))
    else:
        header = ColumnSet(
            columns=[
                Column(width=4, items=[TextBlock(text=" ", size="Small")]),
                Column(
                    width=2, items=[TextBlock(text=t("time.kind.planned"), weight="Bolder", size="Small", wrap=True)]
                ),
                Column(
                    width=2, items=[TextBlock(text=t("time.kind.performed"), weight="Bolder", size="Small", wrap=True)]
                ),
            ]
        )
        body.append(header)
        for person in view.people[:40]:
            body.append(
                ColumnSet(
                    spacing="Small",
                    columns=[
                        Column(width=4, items=[TextBlock(text=person.name or "—", wrap=True, size="Small")]),
                        Column(width=2, items=[TextBlock(text=minutes_text(person.planned_minutes, t), size="Small")]),
                        Column(
                            width=2, items=[TextBlock(text=minutes_text(person.performed_minutes, t), size="Small")]
                        ),
                    ],
                )
            )
    return card(body)


# Proactive ------------------------------------------------------------------------------------------------------


def build_burn_warning_card(view: ProjectHoursView, t: Translator) -> dict[str, Any]:
    body: list[Any] = [
        heading(t("time.burn.title", code=view.code)),
        paragraph(
            t(
                "time.burn.text",
                code=view.code,
                name=view.name,
                spent=_pct(view.spent_pct, t),
                elapsed=_pct(view.elapsed_pct, t),
                margin=view.margin_points,
            )
        ),
    ]
    return card(body, [submit(t("time.burn.open"), HoursPayload, code=view.code)])


def build_time_nudge_card(logged_minutes: int, wanted_minutes: int, day: date, t: Translator) -> dict[str, Any]:
    body: list[Any] = [
        heading(t("time.nudge.title")),
        paragraph(
            t(
                "time.nudge.text",
                day=day_text(day, t),
                logged=minutes_text(logged_minutes, t),
                wanted=minutes_text(wanted_minutes, t),
            )
        ),
    ]
    return card(body, [submit(t("time.nudge.log"), MenuPayload, command="log")])
