"""Status cards: the status form and history, milestones, risks, decisions, retrospective and lessons, the status
summary, the portfolio, the weekly digest, the milestone reminder and the board report (pure: values in, dict out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_datetime
from microsoft_teams.cards.core import (
    ActionSet,
    AdaptiveCard,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    Fact,
    FactSet,
    ShowCardAction,
    TextBlock,
    TextInput,
)

from cards.base import CARD_VERSION, card, field_error, heading, hours_text, paragraph, submit
from cards.handover import OPEN_VERB as HANDOVER_OPEN_VERB
from cards.i18n import Translator
from cards.meetings import LIST_VERB as MEETINGS_VERB

STATUS_FORM_VERB = "status.form"
STATUS_SAVE_VERB = "status.save"
STATUS_HISTORY_VERB = "status.history"
STATUS_OPEN_VERB = "status.open"
MILESTONES_VERB = "milestones.open"
MILESTONE_FORM_VERB = "milestones.form"
MILESTONE_SAVE_VERB = "milestones.save"
MILESTONE_DONE_VERB = "milestones.done"
RISKS_VERB = "risks.open"
RISK_FORM_VERB = "risks.form"
RISK_SAVE_VERB = "risks.save"
RISK_CLOSE_VERB = "risks.close"
DECISIONS_VERB = "decisions.open"
DECISION_FORM_VERB = "decisions.form"
DECISION_SAVE_VERB = "decisions.save"
RETRO_FORM_VERB = "retro.form"
RETRO_SAVE_VERB = "retro.save"
LESSONS_FILTER_VERB = "lessons.filter"
PORTFOLIO_VERB = "portfolio.page"
REPORT_VERB = "report.open"
DIGEST_SAVE_VERB = "digest.save"

RAG = ("green", "amber", "red")
_ICON = {"green": "🟢", "amber": "🟠", "red": "🔴"}
_TREND_ICON = {"better": "↗", "worse": "↘", "same": "→"}
# Each of the five texts of a status report: five of these, echoed back on an error, keep the card under 28 KB.
STATUS_TEXT_MAX = 2000
MAX_MILESTONES = 30
MAX_RISKS = 20
MAX_LESSONS = 12
MAX_DECISIONS = 30
MAX_MEETINGS = 3
STATUS_TEXT_FIELDS = ("summary", "achievements", "next_steps", "decisions_needed", "blockers")
STATUS_FIELDS = ("overall", "schedule", "budget", "scope", *STATUS_TEXT_FIELDS)


def rag_label(value: str | None, t: Translator) -> str:
    if value not in _ICON:
        return "⚪ " + t("rag.none")
    return f"{_ICON[value]} {t(f'rag.{value}')}"


def rag_icon(value: str | None) -> str:
    return _ICON.get(value or "", "⚪")


def _date(value: date | None, t: Translator) -> str:
    return format_date(value, format="medium", locale=t.locale) if value else "—"


def _when(value: datetime, t: Translator) -> str:
    """An instant already in the reader's zone."""
    return format_datetime(value, format="d MMM y HH:mm", locale=t.locale)


def _hours(value: Decimal, t: Translator) -> str:
    """The number only: the sentence around it says "uur"/"hours" ("32,5 van 400 uur besteed")."""
    return hours_text(value, t, unit=False)


def _errors_header(errors: dict[str, str], body: list[Any], t: Translator) -> None:
    if errors:
        body.append(field_error(t("form.errors_below")))


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The status form and history -------------------------------------------------------------------------------


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
        body.append(paragraph(t("status.form.prefilled", when=_when(form.previous_when, t)), subtle=True))
    _errors_header(form.errors, body, t)

    def add(element: Any, name: str) -> None:
        body.append(element)
        if name in form.errors:
            body.append(field_error(form.errors[name]))

    choices = [Choice(title=rag_label(value, t), value=value) for value in RAG]
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
            submit(t("status.form.save"), STATUS_SAVE_VERB, code=form.code, form_id=form.form_id),
            submit(t("status.action.history"), STATUS_HISTORY_VERB, code=form.code),
        ],
    )


@dataclass(frozen=True)
class ReportView:
    overall: str
    schedule: str
    budget: str
    scope: str
    summary: str
    achievements: str
    next_steps: str
    decisions_needed: str
    blockers: str
    author: str | None
    when: datetime  # in the reader's zone


def _dimension_line(report: ReportView, t: Translator) -> str:
    return " · ".join(
        f"{t(f'status.field.{d}')} {rag_icon(getattr(report, d))}" for d in ("schedule", "budget", "scope")
    )


def build_status_history_card(
    code: str, reports: list[ReportView], page: int, pages: int, t: Translator
) -> dict[str, Any]:
    body: list[Any] = [heading(t("status.history.title", code=code))]
    if not reports:
        body.append(paragraph(t("status.history.none")))
    for report in reports:
        who = report.author or t("status.author.unknown")
        items: list[Any] = [
            TextBlock(
                text=f"{rag_label(report.overall, t)} · {_when(report.when, t)} · {who}", weight="Bolder", wrap=True
            ),
            paragraph(_dimension_line(report, t), subtle=True),
        ]
        if report.summary:
            items.append(paragraph(_short(report.summary)))
        body.append(Container(separator=True, items=items))
    if pages > 1:
        body.append(paragraph(t("status.page", page=page, pages=pages), subtle=True))
    actions = []
    if page > 1:
        actions.append(submit(t("status.previous"), STATUS_HISTORY_VERB, code=code, page=page - 1))
    if page < pages:
        actions.append(submit(t("status.next"), STATUS_HISTORY_VERB, code=code, page=page + 1))
    return card(body, actions or None)


# Milestones ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneLine:
    id: int
    title: str
    due_on: date
    flag: str  # done, late, soon, planned
    done_on: date | None = None


def _milestone_text(line: MilestoneLine, t: Translator) -> str:
    mark = {"done": "✅", "late": "⚠️", "soon": "⏳", "planned": "▫️"}[line.flag]
    state = t(f"milestone.flag.{line.flag}")
    return f"{mark} **{line.title}** — {_date(line.due_on, t)} ({state})"


def _milestone_row_text(line: MilestoneLine, t: Translator) -> list[TextBlock]:
    """A milestone row's text: the title on its own line, its date and state under it (red when late)."""
    mark = {"done": "✅", "late": "⚠️", "soon": "⏳", "planned": "▫️"}[line.flag]
    state = t(f"milestone.flag.{line.flag}")
    late = line.flag == "late"
    return [
        TextBlock(text=f"{mark} **{line.title}**", wrap=True),
        TextBlock(
            text=f"{_date(line.due_on, t)} · {state}",
            color="Attention" if late else None,
            is_subtle=None if late else True,
            size="Small",
            spacing="None",
            wrap=True,
        ),
    ]


def _row_actions(buttons: list[Any]) -> ActionSet:
    """A list row's buttons, under its text and close to it."""
    return ActionSet(actions=buttons, spacing="Small")


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
            buttons = [submit(t("milestones.action.edit"), MILESTONE_FORM_VERB, code=code, milestone=line.id)]
            if line.flag != "done":
                buttons.append(submit(t("milestones.action.done"), MILESTONE_DONE_VERB, code=code, milestone=line.id))
            else:
                buttons.append(
                    submit(t("milestones.action.reopen"), MILESTONE_DONE_VERB, code=code, milestone=line.id, undo=True)
                )
            items.append(_row_actions(buttons))
        body.append(Container(separator=True, items=items))
    if len(shown) > MAX_MILESTONES:
        body.append(paragraph(t("digest.more", count=len(shown) - MAX_MILESTONES), subtle=True))
    actions = [submit(t("milestones.action.add"), MILESTONE_FORM_VERB, code=code)] if can_edit else []
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
    _errors_header(form.errors, body, t)
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
    return card(body, [submit(t("milestone.form.save"), MILESTONE_SAVE_VERB, **data)])


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
        paragraph(t(key, title=reminder.title, due=_date(reminder.due_on, t), name=reminder.name)),
    ]
    return card(body, [submit(t("milestone.reminder.open"), MILESTONES_VERB, code=reminder.code)])


# Risks ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskLine:
    id: int
    title: str
    probability: int
    impact: int
    score: int
    level: str  # low, medium, high
    mitigation: str
    owner: str | None
    state: str


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
                text=t("risks.line", score=line.score, title=line.title, p=line.probability, i=line.impact),
                weight="Bolder",
                color=color if line.state in ("open", "occurred") else "Default",
                wrap=True,
            ),
            paragraph(
                t(
                    "risks.details",
                    state=t(f"risk.state.{line.state}"),
                    owner=line.owner or t("risk.owner.none"),
                ),
                subtle=True,
            ),
        ]
        if line.mitigation:
            items.append(paragraph(f"{t('risk.field.mitigation')}: {_short(line.mitigation, 150)}", subtle=True))
        if can_edit:
            buttons = [submit(t("risks.action.edit"), RISK_FORM_VERB, code=code, risk=line.id)]
            if line.state != "closed":
                buttons.append(submit(t("risks.action.close"), RISK_CLOSE_VERB, code=code, risk=line.id))
            items.append(_row_actions(buttons))
        body.append(Container(separator=True, items=items))
    if len(lines) > MAX_RISKS:
        body.append(paragraph(t("digest.more", count=len(lines) - MAX_RISKS), subtle=True))
    actions = [submit(t("risks.action.add"), RISK_FORM_VERB, code=code)] if can_edit else []
    return card(body, actions or None)


@dataclass(frozen=True)
class RiskForm:
    code: str
    form_id: str
    risk_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


RISK_STATES = ("open", "mitigated", "occurred", "closed")


def build_risk_form_card(form: RiskForm, t: Translator) -> dict[str, Any]:
    v = form.values
    body: list[Any] = [heading(t("risk.form.edit" if form.risk_id else "risk.form.new", code=form.code))]
    _errors_header(form.errors, body, t)

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
    add(
        TextInput(
            id="owner",
            label=t("risk.field.owner"),
            placeholder=t("project.person.placeholder"),
            value=v.get("owner", ""),
        ),
        "owner",
    )
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
    return card(body, [submit(t("risk.form.save"), RISK_SAVE_VERB, **data)])


# Decisions and scope changes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionLine:
    kind: str  # decision, scope_change
    decided_on: date
    text: str
    decided_by: str


def build_decisions_card(
    code: str, name: str, lines: list[DecisionLine], t: Translator, *, can_edit: bool, notice: str | None = None
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
                        text=f"{t(f'decision.kind.{line.kind}')} · {_date(line.decided_on, t)}{who}",
                        weight="Bolder",
                        wrap=True,
                    ),
                    paragraph(_short(line.text, 400)),
                ],
            )
        )
    if len(lines) > MAX_DECISIONS:
        body.append(paragraph(t("digest.more", count=len(lines) - MAX_DECISIONS), subtle=True))
    actions = [submit(t("decisions.action.add"), DECISION_FORM_VERB, code=code)] if can_edit else []
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
    _errors_header(form.errors, body, t)

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
    return card(body, [submit(t("decision.form.save"), DECISION_SAVE_VERB, code=form.code, form_id=form.form_id)])


# Retrospective and lessons ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetroForm:
    code: str
    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def build_retrospective_card(form: RetroForm, t: Translator) -> dict[str, Any]:
    v = form.values
    body: list[Any] = [
        heading(t("retro.title", code=form.code, name=form.name)),
        paragraph(t("retro.intro"), subtle=True),
    ]
    _errors_header(form.errors, body, t)
    for name in ("went_well", "to_improve", "lessons"):
        body.append(
            TextInput(
                id=name,
                label=t(f"retro.field.{name}"),
                value=v.get(name, ""),
                is_multiline=True,
                max_length=4000,
                placeholder=t(f"retro.placeholder.{name}"),
            )
        )
        if name in form.errors:
            body.append(field_error(form.errors[name]))
    return card(body, [submit(t("retro.save"), RETRO_SAVE_VERB, code=form.code)])


@dataclass(frozen=True)
class LessonLine:
    code: str
    name: str
    domain: str
    lessons: str
    to_improve: str
    went_well: str


def build_lessons_card(
    lines: list[LessonLine], domains: list[tuple[str, str]], selected: str, t: Translator
) -> dict[str, Any]:
    body: list[Any] = [heading(t("lessons.title"))]
    body.append(
        ChoiceSetInput(
            id="domain",
            label=t("lessons.filter.domain"),
            style="compact",
            value=selected or "",
            choices=[Choice(title=t("lessons.filter.all"), value="")]
            + [Choice(title=name, value=value) for value, name in domains],
        )
    )
    body.append(ActionSet(actions=[submit(t("lessons.filter.apply"), LESSONS_FILTER_VERB)]))
    if not lines:
        body.append(paragraph(t("lessons.none")))
    for line in lines[:MAX_LESSONS]:
        items: list[Any] = [TextBlock(text=f"**{line.code}** · {line.name} ({line.domain})", wrap=True)]
        for key, text in (("lessons", line.lessons), ("to_improve", line.to_improve), ("went_well", line.went_well)):
            if text.strip():
                items.append(paragraph(f"**{t(f'retro.field.{key}')}** {_short(text, 300)}"))
        body.append(Container(separator=True, items=items))
    return card(body)


# The status summary of one project ----------------------------------------------------------------------


@dataclass(frozen=True)
class StatusSummary:
    code: str
    name: str
    latest: ReportView | None
    trends: dict[str, str | None]  # overall, schedule, budget, scope -> better/worse/same/None
    age_days: int | None
    stale: bool
    spent: Decimal
    budget_hours: Decimal | None
    burn: Decimal | None
    burn_level: str
    next_milestones: list[MilestoneLine]
    late_milestones: list[MilestoneLine]
    top_risks: list[RiskLine]
    can_update: bool
    meetings: list[MeetingLine] = field(default_factory=list)
    handover: HandoverLine | None = None
    show_handover: bool = False  # the reader may see the handover (and the section is shown)


@dataclass(frozen=True)
class MeetingLine:
    title: str
    start: datetime  # in the reader's zone
    place: str = ""
    moved: bool = False


@dataclass(frozen=True)
class HandoverLine:
    planned_on: date
    receiver: str
    state: str  # planned, not_yet, accepted, closed
    open_items: int
    total_items: int
    after_care: str | None = None  # already phrased: who gives second-line support until when


def _trend_text(trend: str | None, t: Translator) -> str:
    return f" {_TREND_ICON[trend]} {t(f'status.trend.{trend}')}" if trend else ""


def _age(days: int | None, t: Translator) -> str:
    if days is None:
        return t("portfolio.never")
    return t("portfolio.age.today") if days == 0 else t("portfolio.age", days=days)


def build_status_card(view: StatusSummary, t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("status.title", code=view.code, name=view.name))]
    latest = view.latest
    if latest is None:
        body.append(TextBlock(text=t("status.no_report"), color="Warning", wrap=True))
    else:
        facts = [
            Fact(
                title=t(f"status.field.{d}"),
                value=rag_label(getattr(latest, d), t) + _trend_text(view.trends.get(d), t),
            )
            for d in ("overall", "schedule", "budget", "scope")
        ]
        body.append(FactSet(facts=facts))
        who = latest.author or t("status.author.unknown")
        age = t("status.age.today", who=who) if not view.age_days else t("status.age", days=view.age_days, who=who)
        body.append(
            TextBlock(
                text=age, color="Warning" if view.stale else None, is_subtle=None if view.stale else True, wrap=True
            )
        )
        if latest.summary:
            body.append(paragraph(_short(latest.summary, 600)))
        for key in ("blockers", "decisions_needed"):
            text = getattr(latest, key)
            if text.strip():
                body.append(paragraph(f"**{t(f'status.field.{key}')}** {_short(text, 400)}"))
    # Hours against budget
    if view.budget_hours is not None:
        hours = t(
            "status.hours.of_budget",
            spent=_hours(view.spent, t),
            budget=_hours(view.budget_hours, t),
            percent=view.burn if view.burn is not None else 0,
        )
    else:
        hours = t("status.hours.no_budget", spent=_hours(view.spent, t))
    color = {"over": "Attention", "warning": "Warning"}.get(view.burn_level)
    body.append(TextBlock(text=f"**{t('status.hours')}** {hours}", color=color, wrap=True))
    # Milestones
    body.append(TextBlock(text=t("status.milestones"), weight="Bolder", wrap=True, spacing="Medium"))
    if not view.late_milestones and not view.next_milestones:
        body.append(paragraph(t("status.milestones.none"), subtle=True))
    for line in view.late_milestones[:5] + view.next_milestones[:3]:
        body.append(paragraph(_milestone_text(line, t)))
    # Risks
    body.append(TextBlock(text=t("status.top_risks"), weight="Bolder", wrap=True, spacing="Medium"))
    if not view.top_risks:
        body.append(paragraph(t("status.risks.none"), subtle=True))
    for risk in view.top_risks[:3]:
        body.append(
            paragraph(
                t("risks.line", score=risk.score, title=risk.title, p=risk.probability, i=risk.impact)
                + f" — {risk.owner or t('risk.owner.none')}"
            )
        )
    body += _meetings_section(view, t) + _handover_section(view, t)
    actions = []
    if view.can_update:
        actions.append(submit(t("status.action.update"), STATUS_FORM_VERB, code=view.code))
    actions += [
        submit(t("status.action.history"), STATUS_HISTORY_VERB, code=view.code),
        submit(t("status.action.milestones"), MILESTONES_VERB, code=view.code),
        submit(t("status.action.risks"), RISKS_VERB, code=view.code),
        submit(t("status.action.report"), REPORT_VERB, code=view.code),
    ]
    return card(body, actions)


def _meetings_section(view: StatusSummary, t: Translator) -> list[Any]:
    body: list[Any] = [TextBlock(text=t("status.meetings"), weight="Bolder", wrap=True, spacing="Medium")]
    if not view.meetings:
        body.append(paragraph(t("status.meetings.none"), subtle=True))
    for meeting in view.meetings[:MAX_MEETINGS]:
        when = format_datetime(meeting.start, format="EEE d MMM y HH:mm", locale=t.locale)
        text = t("status.meetings.line", when=when, title=_short(meeting.title, 120))
        if meeting.place:
            text += f" — {_short(meeting.place, 80)}"
        if meeting.moved:
            text += f" ({t('status.meetings.moved')})"
        body.append(paragraph(text))
    if view.meetings:
        body.append(ActionSet(actions=[submit(t("status.action.meetings"), MEETINGS_VERB, code=view.code)]))
    return body


def _handover_section(view: StatusSummary, t: Translator) -> list[Any]:
    if not view.show_handover:
        return []
    body: list[Any] = [TextBlock(text=t("status.handover"), weight="Bolder", wrap=True, spacing="Medium")]
    handover = view.handover
    if handover is None:
        body.append(paragraph(t("status.handover.none"), subtle=True))
        return body
    body.append(
        paragraph(
            t("status.handover.planned", date=_date(handover.planned_on, t), receiver=_short(handover.receiver, 120))
            + f" · {t(f'handover.state.{handover.state}')}"
        )
    )
    if handover.state in ("planned", "not_yet") and handover.total_items:
        color = "Warning" if handover.open_items else None
        text = t("status.handover.open_items", open=handover.open_items, total=handover.total_items)
        body.append(TextBlock(text=text, color=color, wrap=True))
    if handover.after_care:
        body.append(paragraph(handover.after_care))
    body.append(ActionSet(actions=[submit(t("status.action.handover"), HANDOVER_OPEN_VERB, code=view.code)]))
    return body


# The portfolio --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioLine:
    code: str
    name: str
    coordinator: str | None
    overall: str | None
    schedule: str | None
    budget: str | None
    scope: str | None
    trend: str | None
    burn: Decimal | None
    burn_level: str
    late_milestones: int
    age_days: int | None
    stale: bool


@dataclass(frozen=True)
class PortfolioFilters:
    domains: list[tuple[str, str]]
    coordinators: list[tuple[str, str]]
    governments: list[tuple[str, str]]
    domain: str = ""
    coordinator: str = ""
    government: str = ""


@dataclass(frozen=True)
class PortfolioView:
    lines: list[PortfolioLine]
    page: int
    pages: int
    total: int
    counts: dict[str, int]  # red, amber, green, none
    filters: PortfolioFilters
    owner_id: int | None = None  # whose overview (it shows their domains): only they filter and page it


def _portfolio_line(line: PortfolioLine, t: Translator) -> Container:
    dims = "".join(rag_icon(getattr(line, d)) for d in ("schedule", "budget", "scope"))
    trend = _TREND_ICON.get(line.trend or "", "")
    bits = [f"{t('portfolio.dims')} {dims}"]
    if line.burn is not None:
        bits.append(t("portfolio.burn", percent=line.burn))
    if line.late_milestones:
        bits.append(t("portfolio.late", count=line.late_milestones))
    bits.append(_age(line.age_days, t))
    attention = line.stale or line.late_milestones > 0 or line.burn_level == "over"
    return Container(
        separator=True,
        spacing="Small",
        select_action=submit(line.code, STATUS_OPEN_VERB, code=line.code),
        items=[
            TextBlock(
                text=f"{rag_icon(line.overall)}{trend} **{line.code}** {_short(line.name, 60)}"
                + (f" · {line.coordinator}" if line.coordinator else ""),
                wrap=True,
            ),
            TextBlock(
                text=" · ".join(bits),
                is_subtle=None if attention else True,
                color="Warning" if attention else None,
                size="Small",
                spacing="None",
                wrap=True,
            ),
        ],
    )


def build_portfolio_card(view: PortfolioView, t: Translator) -> dict[str, Any]:
    c = view.counts
    body: list[Any] = [
        heading(t("portfolio.title", total=view.total)),
        paragraph(
            t(
                "portfolio.counts",
                red=c.get("red", 0),
                amber=c.get("amber", 0),
                green=c.get("green", 0),
                none=c.get("none", 0),
            ),
            subtle=True,
        ),
    ]
    f = view.filters
    filters: list[Any] = []
    active: list[str] = []
    for name, options in (("domain", f.domains), ("coordinator", f.coordinators), ("government", f.governments)):
        chosen = getattr(f, name) or ""
        if chosen:
            label = next((label for value, label in options if value == chosen), "")
            if label:
                active.append(f"{t(f'portfolio.filter.{name}').lower()} “{_short(label, 60)}”")
        if len(options) > 1 or (name != "domain" and options):
            filters.append(
                ChoiceSetInput(
                    id=name,
                    label=t(f"portfolio.filter.{name}"),
                    style="compact",
                    value=chosen,
                    choices=[Choice(title=t("portfolio.filter.all"), value="")]
                    + [Choice(title=_short(label, 60), value=value) for value, label in options[:150]],
                )
            )
    if active:
        body.append(paragraph(t("portfolio.filter.active", filters=" · ".join(active)), subtle=True))
    if not view.lines:
        body.append(paragraph(t("portfolio.none")))
    for line in view.lines:
        body.append(_portfolio_line(line, t))
    if view.pages > 1:
        body.append(paragraph(t("status.page", page=view.page, pages=view.pages), subtle=True))
    actions: list[Any] = []
    owner = {"owner": view.owner_id} if view.owner_id is not None else {}
    if filters:
        # The results come first; the filters fold into a button (they took a third of a phone screen above them).
        # Their submit posts the same payload as before: the verb, page 1 and the three choices.
        filter_card = AdaptiveCard(
            version=CARD_VERSION,
            body=filters,
            actions=[submit(t("portfolio.filter.apply"), PORTFOLIO_VERB, page=1, **owner)],
        )
        actions.append(ShowCardAction(title=t("portfolio.filter.show"), card=filter_card))
    keep = {"domain": f.domain, "coordinator": f.coordinator, "government": f.government, **owner}
    if view.page > 1:
        actions.append(submit(t("status.previous"), PORTFOLIO_VERB, page=view.page - 1, **keep))
    if view.page < view.pages:
        actions.append(submit(t("status.next"), PORTFOLIO_VERB, page=view.page + 1, **keep))
    return card(body, actions or None)


# The weekly digest ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    code: str
    name: str
    detail: str = ""  # overall RAG, a date (ISO) or a number of days, per section
    extra: str = ""


@dataclass(frozen=True)
class DigestView:
    week: str
    updated: list[DigestItem]  # detail: overall rag; extra: trend
    turned: list[DigestItem]  # detail: new overall rag; extra: previous
    stale: list[DigestItem]  # detail: days ('' = never)
    milestones: list[DigestItem]  # detail: ISO due date; extra: milestone title
    stale_days: int


def _digest_section(title: str, lines: list[str], empty: str, t: Translator, limit: int = 15) -> list[Any]:
    items: list[Any] = [TextBlock(text=title, weight="Bolder", wrap=True, spacing="Medium")]
    if not lines:
        items.append(paragraph(empty, subtle=True))
    items += [paragraph(line) for line in lines[:limit]]
    if len(lines) > limit:
        items.append(paragraph(t("digest.more", count=len(lines) - limit), subtle=True))
    return items


def build_digest_card(view: DigestView, t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("digest.title", week=view.week))]
    body += _digest_section(
        t("digest.turned"),
        [
            f"{rag_icon(i.detail)} **{i.code}** {i.name}: {rag_label(i.extra or None, t)} → {rag_label(i.detail, t)}"
            for i in view.turned
        ],
        t("digest.turned.none"),
        t,
    )
    body += _digest_section(
        t("digest.updated"),
        [f"{rag_icon(i.detail)}{_TREND_ICON.get(i.extra, '')} **{i.code}** {i.name}" for i in view.updated],
        t("digest.updated.none"),
        t,
    )
    body += _digest_section(
        t("digest.stale", days=view.stale_days),
        [
            f"**{i.code}** {i.name} — " + (t("portfolio.age", days=i.detail) if i.detail else t("portfolio.never"))
            for i in view.stale
        ],
        t("digest.stale.none"),
        t,
    )
    body += _digest_section(
        t("digest.milestones"),
        [f"**{i.code}** {i.extra} — {_date(date.fromisoformat(i.detail), t)}" for i in view.milestones],
        t("digest.milestones.none"),
        t,
    )
    return card(body, [submit(t("digest.open_portfolio"), PORTFOLIO_VERB, page=1)])


@dataclass(frozen=True)
class DigestSettingsForm:
    weekday: str
    at_time: str
    enabled: bool
    stale_days: str
    errors: dict[str, str] = field(default_factory=dict)
    owner_id: int | None = None  # whose digest it is: only they save the card


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def build_digest_settings_card(form: DigestSettingsForm, t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("digest.settings.title")), paragraph(t("digest.settings.intro"), subtle=True)]
    _errors_header(form.errors, body, t)
    body.append(
        ChoiceSetInput(
            id="enabled",
            label=t("digest.settings.enabled"),
            style="compact",
            value="true" if form.enabled else "false",
            choices=[
                Choice(title=t("digest.settings.on"), value="true"),
                Choice(title=t("digest.settings.off"), value="false"),
            ],
        )
    )
    body.append(
        ChoiceSetInput(
            id="weekday",
            label=t("digest.settings.weekday"),
            style="compact",
            value=form.weekday,
            choices=[Choice(title=t(f"weekday.{d}"), value=d) for d in WEEKDAYS],
        )
    )
    if "weekday" in form.errors:
        body.append(field_error(form.errors["weekday"]))
    body.append(TextInput(id="at_time", label=t("digest.settings.time"), value=form.at_time, placeholder="08:30"))
    if "at_time" in form.errors:
        body.append(field_error(form.errors["at_time"]))
    body.append(TextInput(id="stale_days", label=t("digest.settings.stale_days"), value=form.stale_days))
    if "stale_days" in form.errors:
        body.append(field_error(form.errors["stale_days"]))
    owner = {"owner": form.owner_id} if form.owner_id is not None else {}
    return card(body, [submit(t("digest.settings.save"), DIGEST_SAVE_VERB, **owner)])


# The board report ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardReport:
    """Everything in the board description of a project, in plain values (used by the card and the document)."""

    code: str
    name: str
    domain: str
    phase: str
    goal: str
    scope: str
    description: str
    governments: tuple[str, ...]
    coordinator: str | None
    manager: str | None
    team: tuple[str, ...]
    planned_start: date | None
    planned_end: date | None
    milestones: list[MilestoneLine]
    budget_hours: Decimal | None
    budget_euros: Decimal | None
    spent: Decimal
    burn: Decimal | None
    latest: ReportView | None
    top_risks: list[RiskLine]
    decisions: list[DecisionLine]
    generated: datetime  # in the reader's zone


def build_board_report_card(report: BoardReport, t: Translator) -> dict[str, Any]:
    body: list[Any] = [
        heading(t("report.title", code=report.code, name=report.name)),
        paragraph(t("report.generated", when=_when(report.generated, t)), subtle=True),
        FactSet(
            facts=[
                Fact(title=t("project.field.domain"), value=report.domain),
                Fact(title=t("project.field.phase"), value=t(f"project.phase.{report.phase}")),
                Fact(title=t("project.field.coordinator"), value=report.coordinator or t("project.nobody")),
                Fact(title=t("project.field.manager"), value=report.manager or t("project.nobody")),
                Fact(
                    title=t("project.field.planning"),
                    value=t("project.planning", start=_date(report.planned_start, t), end=_date(report.planned_end, t)),
                ),
                Fact(title=t("project.field.governments"), value=", ".join(report.governments) or "—"),
            ]
        ),
    ]
    for key, text in (("goal", report.goal), ("scope", report.scope)):
        body.append(paragraph(f"**{t(f'project.field.{key}')}** {_short(text, 800) or '—'}"))
    if report.budget_hours is not None:
        hours = t(
            "status.hours.of_budget",
            spent=_hours(report.spent, t),
            budget=_hours(report.budget_hours, t),
            percent=report.burn if report.burn is not None else 0,
        )
    else:
        hours = t("status.hours.no_budget", spent=_hours(report.spent, t))
    body.append(paragraph(f"**{t('status.hours')}** {hours}"))
    if report.latest is not None:
        body.append(
            paragraph(
                f"**{t('report.section.status')}** {rag_label(report.latest.overall, t)} — "
                + _dimension_line(report.latest, t)
            )
        )
        if report.latest.summary:
            body.append(paragraph(_short(report.latest.summary, 600)))
        if report.latest.decisions_needed.strip():
            body.append(
                paragraph(f"**{t('status.field.decisions_needed')}** {_short(report.latest.decisions_needed, 400)}")
            )
    else:
        body.append(paragraph(t("status.no_report")))
    body.append(TextBlock(text=t("report.section.milestones"), weight="Bolder", wrap=True))
    for line in report.milestones[:10]:
        body.append(paragraph(_milestone_text(line, t)))
    if not report.milestones:
        body.append(paragraph(t("milestones.none"), subtle=True))
    body.append(TextBlock(text=t("status.top_risks"), weight="Bolder", wrap=True))
    for risk in report.top_risks[:3]:
        body.append(paragraph(t("risks.line", score=risk.score, title=risk.title, p=risk.probability, i=risk.impact)))
    if not report.top_risks:
        body.append(paragraph(t("status.risks.none"), subtle=True))
    body.append(paragraph(t("report.document_follows"), subtle=True))
    return card(body)
