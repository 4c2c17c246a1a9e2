"""The meeting report form (decisions and up to four action items, asked of the coordinator after a meeting) and a
project's action items; with the contracts of the verbs their buttons carry."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import ActionSet, Container, DateInput, TextBlock, TextInput
from pydantic import Field

from cards.base import card, field_error, heading, paragraph, person_fields, submit
from cards.i18n import Translator
from cards.meetings.common import OCCURRENCE_KEY_MAX, day_text, short, when_text
from cards.payloads import Id, Payload, Prose, Reference, StoredIn
from domain.meetings import ActionItemFacts

REPORT_ACTION_ROWS = 4
MAX_ACTIONS = 15


# The verbs' contracts -------------------------------------------------------------------------------------------


class ReportPayload(Payload):
    """The report's Save: the occurrence, and the inputs as the client sends them."""

    VERB: ClassVar[str] = "meeting.report_save"
    series: Id
    occurrence: str = Field(max_length=OCCURRENCE_KEY_MAX)
    form_id: Annotated[str, Prose()] = ""
    decisions: Annotated[str, StoredIn("meeting_report.decisions", 4000)] = ""
    action_1: Annotated[str, StoredIn("meeting_action_item.text", 1000)] = ""
    owner_1: str = ""
    owner_1_new: str = ""
    due_1: str = ""
    action_2: Annotated[str, StoredIn("meeting_action_item.text", 1000)] = ""
    owner_2: str = ""
    owner_2_new: str = ""
    due_2: str = ""
    action_3: Annotated[str, StoredIn("meeting_action_item.text", 1000)] = ""
    owner_3: str = ""
    owner_3_new: str = ""
    due_3: str = ""
    action_4: Annotated[str, StoredIn("meeting_action_item.text", 1000)] = ""
    owner_4: str = ""
    owner_4_new: str = ""
    due_4: str = ""


class ActionsPayload(Payload):
    """A project's action items."""

    VERB: ClassVar[str] = "meeting.actions"
    code: Reference


class ActionDonePayload(Payload):
    """An action item's Done."""

    VERB: ClassVar[str] = "meeting.action_done"
    action: Id


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
    # (value, name) of the project's coordinator and team: the owners' pickers list them (Teams searches everyone).
    people: tuple[tuple[str, str], ...] = ()


def build_meeting_report_card(form: ReportForm, t: Translator) -> dict[str, Any]:
    v = form.values
    body: list[Any] = [
        heading(t("meeting.report.title", title=short(form.title, 150))),
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
            *_owner_fields(i, form, t),
            DateInput(id=f"due_{i}", label=t("meeting.report.due"), value=v.get(f"due_{i}") or None),
        ]
        for name in (f"action_{i}", f"owner_{i}", f"due_{i}"):
            if name in form.errors:
                items.append(field_error(form.errors[name]))
        body.append(Container(items=items, separator=True))
    data = {"series": form.series_id, "occurrence": form.occurrence, "form_id": form.form_id}
    return card(body, [submit(t("meeting.report.save"), ReportPayload, **data)])


def _owner_fields(row: int, form: ReportForm, t: Translator) -> list[Any]:
    """Who does it: a picker of the project's people (Teams searches every colleague as one types) with a field for
    the address of someone else; one text field (a name or an address) when the project has nobody to list."""
    name = f"owner_{row}"
    if not form.people:
        label, placeholder = t("meeting.report.owner"), t("meeting.report.owner_hint")
        value = form.values.get(name, "")
        return [TextInput(id=name, label=label, value=value, placeholder=placeholder, max_length=320)]
    return person_fields(t("meeting.report.owner"), list(form.people), form.values, t, name=name, nobody=True)


# Action items ---------------------------------------------------------------------------------------------------


def action_text(action: ActionItemFacts, t: Translator) -> str:
    owner = action.owner or t("meeting.actions.nobody")
    due = t("meeting.actions.due", due=day_text(action.due_on, t)) if action.due_on else ""
    return f"- {short(action.text, 200)} — {owner}{due}"


def build_action_items_card(
    code: str,
    name: str,
    actions: list[ActionItemFacts],
    t: Translator,
    *,
    markable: Collection[int] = (),
    notice: str | None = None,
) -> dict[str, Any]:
    """A project's action items; those in `markable` (ids: the reader may mark them) with a Done button."""
    body: list[Any] = [heading(t("meeting.actions.title", code=code, name=short(name, 120)))]
    if notice:
        body.append(paragraph(notice))
    if not actions:
        body.append(paragraph(t("meeting.actions.none")))
    for line in actions[:30]:
        items: list[Any] = [TextBlock(text=action_text(line, t), wrap=True)]
        if line.id in markable and not line.done:
            items.append(ActionSet(actions=[submit(t("meeting.actions.done"), ActionDonePayload, action=line.id)]))
        body.append(Container(items=items, separator=True))
    return card(body)
