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
from domain.status import Report
from storage.directory import DirectoryRepository
from storage.projects import ProjectFacts
from storage.status import MilestoneRow, RiskRow

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


def zone(request: Request) -> ZoneInfo:
    try:
        return ZoneInfo(request.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Brussels")


def today(request: Request, services: Services) -> date:
    return services.clock.now().astimezone(zone(request)).date()


def in_zone(report: Report, where: ZoneInfo) -> Report:
    """The report as the reader sees it: written at their local time."""
    return replace(report, created_at=report.created_at.astimezone(where))


def milestone_line(row: MilestoneRow, day: date, where: ZoneInfo) -> MilestoneLine:
    return MilestoneLine(
        id=row.id,
        title=row.title,
        due_on=row.due_on,
        flag=rules.milestone_flag(row.due_on, row.done_at is not None, day),
        done_on=row.done_at.astimezone(where).date() if row.done_at else None,
    )


def risk_line(row: RiskRow) -> RiskLine:
    return RiskLine(
        id=row.id,
        title=row.title,
        probability=row.probability,
        impact=row.impact,
        score=row.score,
        level=rules.risk_level(row.score),
        mitigation=row.mitigation,
        owner=row.owner,
        state=row.state,
    )


def pick_person(services: Services, pick: PersonPick, now: datetime) -> int | None:
    """The person a form named: known, or a placeholder made now for the e-mail address given."""
    if pick.person_id is not None or pick.email is None:
        return pick.person_id
    return DirectoryRepository(services.db).person_for_email(pick.email, now=now).id
