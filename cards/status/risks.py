"""The risk register: the project's risks (score, owner, mitigation) and the form for one, with the contracts of
their buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import Choice, ChoiceSetInput, Container, TextBlock, TextInput

from cards.base import card, field_error, heading, paragraph, person_fields, submit
from cards.i18n import Translator
from cards.payloads import Id, Prose, StoredIn
from cards.status.common import OnProject, errors_header, row_actions, short
from domain.status import ACTIVE_RISK_STATES, RISK_STATES, RiskFacts

MAX_RISKS = 20


class RisksOpen(OnProject):
    VERB: ClassVar[str] = "risks.open"


class RiskFormOpen(OnProject):
    """The risk form: a new one, or the one named."""

    VERB: ClassVar[str] = "risks.form"
    risk: Id | None = None


class RiskSave(OnProject):
    VERB: ClassVar[str] = "risks.save"
    form_id: Annotated[str, Prose()] = ""
    risk: Id | None = None  # None: a new one
    title: Annotated[str, StoredIn("risk.title", 200)] = ""
    probability: str = ""  # the compact choices 1-5: "" when left unchosen
    impact: str = ""
    mitigation: Annotated[str, StoredIn("risk.mitigation", 4000)] = ""
    owner: str = ""  # the picker's choice (or a typed name or address), looked up when saved
    owner_new: str = ""  # an address typed under the picker: someone not in its list (wins over the choice)
    state: str = "open"


class RiskClose(OnProject):
    VERB: ClassVar[str] = "risks.close"
    risk: Id


@dataclass(frozen=True)
class RiskLine:
    """A risk with its level on the 5x5 matrix."""

    risk: RiskFacts
    level: str  # low, medium, high


def risk_text(line: RiskLine, t: Translator) -> str:
    risk = line.risk
    return t("risks.line", score=risk.score, title=risk.title, p=risk.probability, i=risk.impact)


def build_risks_card(
    code: str, name: str, lines: list[RiskLine], t: Translator, *, can_edit: bool, notice: str | None = None
) -> dict[str, Any]:
    body: list[Any] = [heading(t("risks.title", code=code, name=name))]
    if notice:
        body.append(paragraph(notice))
    if not lines:
        body.append(paragraph(t("risks.none")))
    for line in lines[:MAX_RISKS]:
        color = {"high": "Attention", "medium": "Warning"}.get(line.level, "Default")
        items: list[Any] = [
            TextBlock(
                text=risk_text(line, t),
                weight="Bolder",
                color=color if line.risk.state in ACTIVE_RISK_STATES else "Default",
                wrap=True,
            ),
            paragraph(
                t(
                    "risks.details",
                    state=t(f"risk.state.{line.risk.state}"),
                    owner=line.risk.owner or t("risk.owner.none"),
                ),
                subtle=True,
            ),
        ]
        if line.risk.mitigation:
            items.append(paragraph(f"{t('risk.field.mitigation')}: {short(line.risk.mitigation, 150)}", subtle=True))
        if can_edit:
            buttons = [submit(t("risks.action.edit"), RiskFormOpen, code=code, risk=line.risk.id)]
            if line.risk.state != "closed":
                buttons.append(submit(t("risks.action.close"), RiskClose, code=code, risk=line.risk.id))
            items.append(row_actions(buttons))
        body.append(Container(separator=True, items=items))
    if len(lines) > MAX_RISKS:
        body.append(paragraph(t("digest.more", count=len(lines) - MAX_RISKS), subtle=True))
    actions = [submit(t("risks.action.add"), RiskFormOpen, code=code)] if can_edit else []
    return card(body, actions or None)


@dataclass(frozen=True)
class RiskForm:
    code: str
    form_id: str
    risk_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    people: list[tuple[str, str]] = field(default_factory=list)  # (value, title): the colleagues to pick from


def build_risk_form_card(form: RiskForm, t: Translator) -> dict[str, Any]:
    v = form.values
    body: list[Any] = [heading(t("risk.form.edit" if form.risk_id else "risk.form.new", code=form.code))]
    errors_header(form.errors, body, t)

    def add(element: Any, name: str) -> None:
        body.append(element)
        if name in form.errors:
            body.append(field_error(form.errors[name]))

    add(TextInput(id="title", label=t("risk.field.title"), value=v.get("title", ""), max_length=200), "title")
    scale = [Choice(title=f"{n} — {t(f'risk.scale.{n}')}", value=str(n)) for n in range(1, 6)]
    for name in ("probability", "impact"):
        add(
            ChoiceSetInput(
                id=name, label=t(f"risk.field.{name}"), style="compact", value=v.get(name) or None, choices=scale
            ),
            name,
        )
    add(
        TextInput(
            id="mitigation",
            label=t("risk.field.mitigation"),
            value=v.get("mitigation", ""),
            is_multiline=True,
            max_length=4000,
        ),
        "mitigation",
    )
    owner = t("risk.field.owner")
    body.extend(person_fields(owner, form.people, v, t, name="owner", nobody=True, error=form.errors.get("owner")))
    add(
        ChoiceSetInput(
            id="state",
            label=t("risk.field.state"),
            style="compact",
            value=v.get("state") or "open",
            choices=[Choice(title=t(f"risk.state.{s}"), value=s) for s in RISK_STATES],
        ),
        "state",
    )
    data: dict[str, Any] = {"code": form.code, "form_id": form.form_id}
    if form.risk_id:
        data["risk"] = form.risk_id
    return card(body, [submit(t("risk.form.save"), RiskSave, **data)])
