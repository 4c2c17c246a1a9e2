"""What the status capability's handlers share: its one Capability declaration (each module adds its commands,
verbs, renderers, jobs and hooks to it), the project a request names with the reader's right checked, the
reader's zone and day, and the card lines made from storage's rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from cards.status.milestones import MilestoneLine
from cards.status.risks import RiskLine
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.registry import Capability
from dialogs.kernel.turn import Request, Services, Stop
from dialogs.kernel.who import PersonPick, find_project, me, refusal
from dialogs.status import rules
from domain.projects import ProjectFacts
from domain.status import MilestoneFacts, Report, RiskFacts
from storage.directory import DirectoryRepository

capability = Capability("status")


def project_for(request: Request, services: Services, reference: str, command: str, action: Action) -> ProjectFacts:
    """The project a reference names, when the reader may do `action` on it; else Stop with the answer."""
    found = find_project(request, services, reference, command)
    decision = allowed(me(request, services).actor(found), action)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    return found


def can(request: Request, services: Services, project: ProjectFacts, action: Action) -> bool:
    return allowed(me(request, services).actor(project), action).allowed


def in_zone(report: Report, where: ZoneInfo) -> Report:
    """The report as the reader sees it: written at their local time."""
    return replace(report, created_at=report.created_at.astimezone(where))


def milestone_line(milestone: MilestoneFacts, day: date, where: ZoneInfo) -> MilestoneLine:
    """The milestone as of the reader's day, in their zone."""
    done = milestone.done_at
    flag = rules.milestone_flag(milestone.due_on, done is not None, day)
    return MilestoneLine(milestone, flag, done.astimezone(where).date() if done else None)


def risk_line(risk: RiskFacts) -> RiskLine:
    return RiskLine(risk, rules.risk_level(risk.score))


def pick_person(services: Services, pick: PersonPick, now: datetime) -> int | None:
    """The person a form named: known, or a placeholder made now for the e-mail address given."""
    if pick.person_id is not None or pick.email is None:
        return pick.person_id
    return DirectoryRepository(services.db).person_for_email(pick.email, now=now).id
