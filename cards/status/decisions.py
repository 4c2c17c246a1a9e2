"""Decisions and scope changes: the project's log and the form that records one, with the contracts of their
buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import Choice, ChoiceSetInput, Container, DateInput, TextBlock, TextInput

from cards.base import card, field_error, heading, paragraph, submit
from cards.i18n import Translator
from cards.payloads import Prose, StoredIn
from cards.status.common import OnProject, day_text, errors_header, short
from domain.status import Decision

MAX_DECISIONS = 30


class DecisionsOpen(OnProject):
    VERB: ClassVar[str] = "decisions.open"


class DecisionFormOpen(OnProject):
    VERB: ClassVar[str] = "decisions.form"


class DecisionSave(OnProject):
    VERB: ClassVar[str] = "decisions.save"
    form_id: Annotated[str, Prose()] = ""
    kind: str = "decision"  # decision, scope_change
    date: str = ""  # the date input: "" when left empty, else YYYY-MM-DD
    text: Annotated[str, StoredIn("project_decision.text", 4000)] = ""
    decided_by: Annotated[str, StoredIn("project_decision.decided_by", 200)] = ""


def build_decisions_card(
    code: str, name: str, lines: list[Decision], t: Translator, *, can_edit: bool, notice: str | None = None
) -> dict[str, Any]:
    body: list[Any] = [heading(t("decisions.title", code=code, name=name))]
    if notice:
        body.append(paragraph(notice))
    if not lines:
        body.append(paragraph(t("decisions.none")))
    for line in lines[:MAX_DECISIONS]:
        who = f" — {line.decided_by}" if line.decided_by else ""
        body.append(
            Container(
                separator=True,
                items=[
                    TextBlock(
                        text=f"{t(f'decision.kind.{line.kind}')} · {day_text(line.decided_on, t)}{who}",
                        weight="Bolder",
                        wrap=True,
                    ),
                    paragraph(short(line.text, 400)),
                ],
            )
        )
    if len(lines) > MAX_DECISIONS:
        body.append(paragraph(t("digest.more", count=len(lines) - MAX_DECISIONS), subtle=True))
    actions = [submit(t("decisions.action.add"), DecisionFormOpen, code=code)] if can_edit else []
    return card(body, actions or None)


@dataclass(frozen=True)
class DecisionForm:
    code: str
    form_id: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def build_decision_form_card(form: DecisionForm, t: Translator) -> dict[str, Any]:
    v = form.values
    body: list[Any] = [heading(t("decision.form.title", code=form.code))]
    errors_header(form.errors, body, t)

    def add(element: Any, name: str) -> None:
        body.append(element)
        if name in form.errors:
            body.append(field_error(form.errors[name]))

    add(
        ChoiceSetInput(
            id="kind",
            label=t("decision.field.kind"),
            style="expanded",
            value=v.get("kind") or "decision",
            choices=[Choice(title=t(f"decision.kind.{k}"), value=k) for k in ("decision", "scope_change")],
        ),
        "kind",
    )
    add(DateInput(id="date", label=t("decision.field.date"), value=v.get("date") or None), "date")
    add(
        TextInput(
            id="text", label=t("decision.field.text"), value=v.get("text", ""), is_multiline=True, max_length=4000
        ),
        "text",
    )
    add(
        TextInput(
            id="decided_by",
            label=t("decision.field.decided_by"),
            placeholder=t("decision.decided_by.placeholder"),
            value=v.get("decided_by", ""),
            max_length=200,
        ),
        "decided_by",
    )
    return card(body, [submit(t("decision.form.save"), DecisionSave, code=form.code, form_id=form.form_id)])
