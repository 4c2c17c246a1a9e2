"""The series form (a new meeting series or an edited one) and the contract of its Save button."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import (
    Choice,
    ChoiceSetInput,
    DateInput,
    NumberInput,
    TextInput,
    TimeInput,
    ToggleInput,
)

from cards.base import card, field_error, heading, submit
from cards.i18n import Translator
from cards.meetings.common import KINDS, REPEATS
from cards.meetings.outlook import ImportListPayload
from cards.payloads import Id, Payload, Prose, StoredIn

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


class SeriesPayload(Payload):
    """The form's Save: the project and the series being edited (none: a new one), and the inputs as the client
    sends them (an Adaptive Card input arrives as a string, an empty one as "")."""

    VERB: ClassVar[str] = "meeting.save"
    code: str
    form_id: Annotated[str, Prose()] = ""
    series: Id | None = None
    title: Annotated[str, StoredIn("meeting_series.title", 200)] = ""
    kind: str = "project"
    date: str = ""
    time: str = ""
    duration: str = ""
    timezone: str = ""
    repeat: str = "none"
    until: str = ""
    count: str = ""
    place: Annotated[str, StoredIn("meeting_series.place", 500)] = ""
    link: Annotated[str, StoredIn("meeting_series.link", 1000)] = ""
    leads: str = ""
    skip_holidays: str = "false"


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
            value=v.get("leads") or t("meeting.leads.default"),
            placeholder=t("meeting.leads.default"),
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
    actions = [submit(t("meeting.form.save"), SeriesPayload, **data)]
    if form.can_import and not form.series_id:
        actions.append(submit(t("meeting.form.import"), ImportListPayload, code=form.code))
    return card(body, actions)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None
