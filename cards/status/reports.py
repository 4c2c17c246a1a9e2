"""The status report: the form that records one (four RAG choices and five texts) and the history of reports, with
the contracts of their buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import Choice, ChoiceSetInput, Container, TextBlock, TextInput

from cards.base import card, field_error, heading, paragraph, submit
from cards.i18n import Translator
from cards.payloads import Prose, StoredIn
from cards.status.common import OnProject, errors_header, rag_icon, rag_label, short, when_text
from domain.status import DIMENSIONS, RAG_VALUES, Report

# Each of the five texts of a status report: five of these, echoed back on an error, keep the card under 28 KB.
STATUS_TEXT_MAX = 2000
STATUS_TEXT_FIELDS = ("summary", "achievements", "next_steps", "decisions_needed", "blockers")
STATUS_FIELDS = ("overall", "schedule", "budget", "scope", *STATUS_TEXT_FIELDS)


class StatusFormOpen(OnProject):
    """The status form ("update"), pre-filled from the latest report."""

    VERB: ClassVar[str] = "status.form"


class StatusSave(OnProject):
    """The status form's save: the four RAG choices (a compact choice left unchosen arrives as "" or not at all)
    and the five texts."""

    VERB: ClassVar[str] = "status.save"
    form_id: Annotated[str, Prose()] = ""
    overall: str = ""
    schedule: str = ""
    budget: str = ""
    scope: str = ""
    summary: Annotated[str, StoredIn("status_report.summary", STATUS_TEXT_MAX)] = ""
    achievements: Annotated[str, StoredIn("status_report.achievements", STATUS_TEXT_MAX)] = ""
    next_steps: Annotated[str, StoredIn("status_report.next_steps", STATUS_TEXT_MAX)] = ""
    decisions_needed: Annotated[str, StoredIn("status_report.decisions_needed", STATUS_TEXT_MAX)] = ""
    blockers: Annotated[str, StoredIn("status_report.blockers", STATUS_TEXT_MAX)] = ""


class StatusHistory(OnProject):
    """A page of the project's reports, newest first."""

    VERB: ClassVar[str] = "status.history"
    page: int = 1


@dataclass(frozen=True)
class StatusForm:
    code: str
    name: str
    form_id: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    previous_when: datetime | None = None  # the report it is pre-filled from, in the reader's zone


def build_status_form_card(form: StatusForm, t: Translator) -> dict[str, Any]:
    v = form.values
    body: list[Any] = [heading(t("status.form.title", code=form.code, name=form.name))]
    if form.previous_when is not None:
        body.append(paragraph(t("status.form.prefilled", when=when_text(form.previous_when, t)), subtle=True))
    errors_header(form.errors, body, t)

    def add(element: Any, name: str) -> None:
        body.append(element)
        if name in form.errors:
            body.append(field_error(form.errors[name]))

    choices = [Choice(title=rag_label(value, t), value=value) for value in RAG_VALUES]
    for name in ("overall", "schedule", "budget", "scope"):
        add(
            ChoiceSetInput(
                id=name, label=t(f"status.field.{name}"), style="compact", value=v.get(name) or None, choices=choices
            ),
            name,
        )
    for name in STATUS_TEXT_FIELDS:
        add(
            TextInput(
                id=name,
                label=t(f"status.field.{name}"),
                value=v.get(name, ""),
                is_multiline=True,
                max_length=STATUS_TEXT_MAX,
                placeholder=t(f"status.placeholder.{name}"),
            ),
            name,
        )
    return card(
        body,
        [
            submit(t("status.form.save"), StatusSave, code=form.code, form_id=form.form_id),
            submit(t("status.action.history"), StatusHistory, code=form.code),
        ],
    )


def dimension_line(report: Report, t: Translator) -> str:
    return " · ".join(f"{t(f'status.field.{d}')} {rag_icon(getattr(report, d))}" for d in DIMENSIONS)


def build_status_history_card(code: str, reports: list[Report], page: int, pages: int, t: Translator) -> dict[str, Any]:
    """A page of reports, each with its created_at in the reader's zone."""
    body: list[Any] = [heading(t("status.history.title", code=code))]
    if not reports:
        body.append(paragraph(t("status.history.none")))
    for report in reports:
        who = report.author or t("status.author.unknown")
        items: list[Any] = [
            TextBlock(
                text=f"{rag_label(report.overall, t)} · {when_text(report.created_at, t)} · {who}",
                weight="Bolder",
                wrap=True,
            ),
            paragraph(dimension_line(report, t), subtle=True),
        ]
        if report.summary:
            items.append(paragraph(short(report.summary)))
        body.append(Container(separator=True, items=items))
    if pages > 1:
        body.append(paragraph(t("status.page", page=page, pages=pages), subtle=True))
    actions = []
    if page > 1:
        actions.append(submit(t("status.previous"), StatusHistory, code=code, page=page - 1))
    if page < pages:
        actions.append(submit(t("status.next"), StatusHistory, code=code, page=page + 1))
    return card(body, actions or None)
