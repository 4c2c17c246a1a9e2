"""The status card of one project: its latest report with trends, hours against budget, milestones, top risks,
the coming meetings and the handover (those two as the values their capabilities return: domain/summaries.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from babel.dates import format_datetime
from microsoft_teams.cards.core import ActionSet, Fact, FactSet, TextBlock

from cards.base import card, heading, paragraph, submit
from cards.handover.plan import OpenPlan
from cards.i18n import Translator
from cards.meetings.listing import ListPayload as MeetingsList
from cards.status.board import ReportOpen
from cards.status.common import TREND_ICON, OnProject, day_text, hours_of_budget, rag_label, short
from cards.status.milestones import MilestoneLine, MilestonesOpen, milestone_text
from cards.status.reports import StatusFormOpen, StatusHistory
from cards.status.risks import RiskLine, RisksOpen, risk_text
from domain.status import DIMENSIONS, Report
from domain.summaries import HandoverSummary, UpcomingMeeting

MAX_MEETINGS = 3


class StatusOpen(OnProject):
    """A project's status card (from a portfolio line, a meeting's card)."""

    VERB: ClassVar[str] = "status.open"


@dataclass(frozen=True)
class StatusSummary:
    code: str
    name: str
    latest: Report | None  # created_at in the reader's zone
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
    meetings: list[UpcomingMeeting] = field(default_factory=list)  # their start in the reader's zone
    handover: HandoverSummary | None = None
    show_handover: bool = False  # the reader may see the handover (and the section is shown)


def _trend_text(trend: str | None, t: Translator) -> str:
    return f" {TREND_ICON[trend]} {t(f'status.trend.{trend}')}" if trend else ""


def build_status_card(view: StatusSummary, t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("status.title", code=view.code, name=view.name))]
    body += _latest_section(view, t) + _hours_section(view, t) + _milestones_section(view, t) + _risks_section(view, t)
    body += _meetings_section(view, t) + _handover_section(view, t)
    actions = []
    if view.can_update:
        actions.append(submit(t("status.action.update"), StatusFormOpen, code=view.code))
    actions += [
        submit(t("status.action.history"), StatusHistory, code=view.code),
        submit(t("status.action.milestones"), MilestonesOpen, code=view.code),
        submit(t("status.action.risks"), RisksOpen, code=view.code),
        submit(t("status.action.report"), ReportOpen, code=view.code),
    ]
    return card(body, actions)


def _latest_section(view: StatusSummary, t: Translator) -> list[Any]:
    """The latest report: its four ratings with their trends, how old it is, its summary, blockers and decisions
    needed."""
    latest = view.latest
    if latest is None:
        return [TextBlock(text=t("status.no_report"), color="Warning", wrap=True)]
    facts = [
        Fact(
            title=t(f"status.field.{d}"),
            value=rag_label(getattr(latest, d), t) + _trend_text(view.trends.get(d), t),
        )
        for d in ("overall", *DIMENSIONS)
    ]
    who = latest.author or t("status.author.unknown")
    age = t("status.age.today", who=who) if not view.age_days else t("status.age", count=view.age_days, who=who)
    body: list[Any] = [
        FactSet(facts=facts),
        TextBlock(text=age, color="Warning" if view.stale else None, is_subtle=None if view.stale else True, wrap=True),
    ]
    if latest.summary:
        body.append(paragraph(short(latest.summary, 600)))
    for key in ("blockers", "decisions_needed"):
        text = getattr(latest, key)
        if text.strip():
            body.append(paragraph(f"**{t(f'status.field.{key}')}:** {short(text, 400)}"))
    return body


def _hours_section(view: StatusSummary, t: Translator) -> list[Any]:
    hours = hours_of_budget(view.spent, view.budget_hours, view.burn, t)
    color = {"over": "Attention", "warning": "Warning"}.get(view.burn_level)
    return [TextBlock(text=f"**{t('status.hours')}** {hours}", color=color, wrap=True)]


def _milestones_section(view: StatusSummary, t: Translator) -> list[Any]:
    body: list[Any] = [TextBlock(text=t("status.milestones"), weight="Bolder", wrap=True, spacing="Medium")]
    if not view.late_milestones and not view.next_milestones:
        body.append(paragraph(t("status.milestones.none"), subtle=True))
    for line in view.late_milestones[:5] + view.next_milestones[:3]:
        body.append(paragraph(milestone_text(line, t)))
    return body


def _risks_section(view: StatusSummary, t: Translator) -> list[Any]:
    body: list[Any] = [TextBlock(text=t("status.top_risks"), weight="Bolder", wrap=True, spacing="Medium")]
    if not view.top_risks:
        body.append(paragraph(t("status.risks.none"), subtle=True))
    for risk in view.top_risks[:3]:
        body.append(paragraph(risk_text(risk, t) + f" — {risk.risk.owner or t('risk.owner.none')}"))
    return body


def _meetings_section(view: StatusSummary, t: Translator) -> list[Any]:
    body: list[Any] = [TextBlock(text=t("status.meetings"), weight="Bolder", wrap=True, spacing="Medium")]
    if not view.meetings:
        body.append(paragraph(t("status.meetings.none"), subtle=True))
    for meeting in view.meetings[:MAX_MEETINGS]:
        when = format_datetime(meeting.start, format="EEE d MMM y HH:mm", locale=t.locale)
        text = t("status.meetings.line", when=when, title=short(meeting.title, 120))
        if meeting.place:
            text += f" — {short(meeting.place, 80)}"
        if meeting.moved:
            text += f" ({t('status.meetings.moved')})"
        body.append(paragraph(text))
    if view.meetings:
        body.append(ActionSet(actions=[submit(t("status.action.meetings"), MeetingsList, code=view.code)]))
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
            t("status.handover.planned", date=day_text(handover.planned_on, t), receiver=short(handover.receiver, 120))
            + f" · {t(f'handover.state.{handover.state}')}"
        )
    )
    if handover.state in ("planned", "not_yet") and handover.total_items:
        color = "Warning" if handover.open_items else None
        text = t("status.handover.open_items", open=handover.open_items, count=handover.total_items)
        body.append(TextBlock(text=text, color=color, wrap=True))
    if handover.after_care_note:
        body.append(paragraph(handover.after_care_note))
    body.append(ActionSet(actions=[submit(t("status.action.handover"), OpenPlan, code=view.code)]))
    return body
