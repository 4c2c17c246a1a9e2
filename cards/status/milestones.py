"""Milestones: the project's list (open ones by due date, then the done ones), the form for one, and the reminder
its coordinator gets when one is due soon or late; with the contracts of their buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import Container, DateInput, TextBlock, TextInput

from cards.base import card, field_error, heading, paragraph, submit
from cards.i18n import Translator
from cards.payloads import Id, Prose, StoredIn
from cards.status.common import OnProject, day_text, errors_header, row_actions
from domain.status import MilestoneFacts

MAX_MILESTONES = 30
_MARK = {"done": "✅", "late": "⚠️", "soon": "⏳", "planned": "▫️"}


class MilestonesOpen(OnProject):
    VERB: ClassVar[str] = "milestones.open"


class MilestoneFormOpen(OnProject):
    """The milestone form: a new one, or the one named."""

    VERB: ClassVar[str] = "milestones.form"
    milestone: Id | None = None


class MilestoneSave(OnProject):
    VERB: ClassVar[str] = "milestones.save"
    form_id: Annotated[str, Prose()] = ""
    milestone: Id | None = None  # None: a new one
    title: Annotated[str, StoredIn("milestone.title", 200)] = ""
    due: str = ""  # the date input: "" when left empty, else YYYY-MM-DD
    description: Annotated[str, StoredIn("milestone.description", 4000)] = ""


class MilestoneDone(OnProject):
    """Marks a milestone done, or (undo) open again."""

    VERB: ClassVar[str] = "milestones.done"
    milestone: Id
    undo: bool = False


@dataclass(frozen=True)
class MilestoneLine:
    """A milestone as of the reader's day."""

    milestone: MilestoneFacts
    flag: str  # done, late, soon, planned
    done_on: date | None = None  # in the reader's zone


def milestone_text(line: MilestoneLine, t: Translator) -> str:
    state = t(f"milestone.flag.{line.flag}")
    return f"{_MARK[line.flag]} **{line.milestone.title}** — {day_text(line.milestone.due_on, t)} ({state})"


def _milestone_row_text(line: MilestoneLine, t: Translator) -> list[TextBlock]:
    """A milestone row's text: the title on its own line, its date and state under it (red when late)."""
    state = t(f"milestone.flag.{line.flag}")
    late = line.flag == "late"
    return [
        TextBlock(text=f"{_MARK[line.flag]} **{line.milestone.title}**", wrap=True),
        TextBlock(
            text=f"{day_text(line.milestone.due_on, t)} · {state}",
            color="Attention" if late else None,
            is_subtle=None if late else True,
            size="Small",
            spacing="None",
            wrap=True,
        ),
    ]


def build_milestones_card(
    code: str, name: str, lines: list[MilestoneLine], t: Translator, *, can_edit: bool, notice: str | None = None
) -> dict[str, Any]:
    body: list[Any] = [heading(t("milestones.title", code=code, name=name))]
    if notice:
        body.append(paragraph(notice))
    if not lines:
        body.append(paragraph(t("milestones.none")))
    late = sum(1 for line in lines if line.flag == "late")
    if late:
        body.append(TextBlock(text=t("milestones.late_count", count=late), color="Attention", wrap=True))
    # Open ones first (by due date), then the done ones; a card shows at most 30 (Teams' 28 KB limit).
    shown = [line for line in lines if line.flag != "done"] + [line for line in lines if line.flag == "done"][::-1]
    for line in shown[:MAX_MILESTONES]:
        # The text takes the whole width (buttons beside it squeeze it to a few words a line on a phone); the
        # row's buttons sit under it.
        items: list[Any] = _milestone_row_text(line, t)
        if can_edit:
            buttons = [submit(t("milestones.action.edit"), MilestoneFormOpen, code=code, milestone=line.milestone.id)]
            if line.flag != "done":
                buttons.append(
                    submit(t("milestones.action.done"), MilestoneDone, code=code, milestone=line.milestone.id)
                )
            else:
                buttons.append(
                    submit(
                        t("milestones.action.reopen"), MilestoneDone, code=code, milestone=line.milestone.id, undo=True
                    )
                )
            items.append(row_actions(buttons))
        body.append(Container(separator=True, items=items))
    if len(shown) > MAX_MILESTONES:
        body.append(paragraph(t("digest.more", count=len(shown) - MAX_MILESTONES), subtle=True))
    actions = [submit(t("milestones.action.add"), MilestoneFormOpen, code=code)] if can_edit else []
    return card(body, actions or None)


@dataclass(frozen=True)
class MilestoneForm:
    code: str
    form_id: str
    milestone_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def build_milestone_form_card(form: MilestoneForm, t: Translator) -> dict[str, Any]:
    v = form.values
    title = "milestone.form.edit" if form.milestone_id else "milestone.form.new"
    body: list[Any] = [heading(t(title, code=form.code))]
    errors_header(form.errors, body, t)
    body.append(TextInput(id="title", label=t("milestone.field.title"), value=v.get("title", ""), max_length=200))
    if "title" in form.errors:
        body.append(field_error(form.errors["title"]))
    body.append(DateInput(id="due", label=t("milestone.field.due"), value=v.get("due") or None))
    if "due" in form.errors:
        body.append(field_error(form.errors["due"]))
    body.append(
        TextInput(
            id="description",
            label=t("milestone.field.description"),
            value=v.get("description", ""),
            is_multiline=True,
            max_length=4000,
        )
    )
    if "description" in form.errors:
        body.append(field_error(form.errors["description"]))
    data: dict[str, Any] = {"code": form.code, "form_id": form.form_id}
    if form.milestone_id:
        data["milestone"] = form.milestone_id
    return card(body, [submit(t("milestone.form.save"), MilestoneSave, **data)])


@dataclass(frozen=True)
class MilestoneReminder:
    code: str
    name: str
    title: str
    due_on: date
    late: bool


def build_milestone_reminder_card(reminder: MilestoneReminder, t: Translator) -> dict[str, Any]:
    key = "milestone.reminder.late" if reminder.late else "milestone.reminder.soon"
    body: list[Any] = [
        heading(t("milestone.reminder.title", code=reminder.code)),
        paragraph(t(key, title=reminder.title, due=day_text(reminder.due_on, t), name=reminder.name)),
    ]
    return card(body, [submit(t("milestone.reminder.open"), MilestonesOpen, code=reminder.code)])
