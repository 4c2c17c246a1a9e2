"""Status reports: the update form and its save, the history of reports, and the status card of one project (its
handover and meetings lines come from the capabilities that own them, through the registry's status slots)."""

from __future__ import annotations

import math
import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

from cards.menu import MenuSection
from cards.status.reports import (
    STATUS_FIELDS,
    StatusForm,
    StatusFormOpen,
    StatusHistory,
    StatusSave,
    build_status_form_card,
    build_status_history_card,
)
from cards.status.summary import StatusOpen, StatusSummary, build_status_card
from dialogs.kernel.hours import hours_source
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action
from dialogs.kernel.registry import Slot
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import request_zone
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.status import rules
from dialogs.status.common import can, capability, in_zone, milestone_line, project_for, risk_line
from dialogs.status.forms import ReportFields, read
from domain.projects import ProjectFacts
from domain.status import DIMENSIONS
from domain.summaries import HandoverSummary, UpcomingMeeting
from storage.status import Duplicate, StatusRepository

HISTORY_PAGE = 5

# The status form -----------------------------------------------------------------------------------------------


@capability.command(
    "update",
    takes_project=True,
    en=("update", "update status", "status update"),
    nl=("update", "status bijwerken", "statusupdate"),
    menu=MenuInfo(
        "menu.update.title",
        "menu.update.description",
        {"en": "update DT-042", "nl": "update DT-042"},
        section=MenuSection.STATUS,
    ),
)
def update_form(request: Request, services: Services, rest: str) -> Reply:
    found = project_for(request, services, rest, "update", Action.UPDATE_STATUS)
    previous = StatusRepository(services.db).reports(found.id, limit=1)
    values: dict[str, str] = {}
    when = None
    if previous:
        last = previous[0]
        # Achievements are "since the last update": they start empty; everything else carries over.
        values = {name: str(getattr(last, name)) for name in STATUS_FIELDS if name != "achievements"}
        when = last.created_at.astimezone(request_zone(request, services))
    form = StatusForm(found.code, found.name, uuid.uuid4().hex, values=values, previous_when=when)
    return Reply.card(build_status_form_card(form, request.t))


@capability.verb(StatusFormOpen)
def open_update_form(request: Request, services: Services, payload: StatusFormOpen) -> Reply:
    return update_form(request, services, payload.code)


@capability.verb(StatusSave)
def save_status(request: Request, services: Services, payload: StatusSave) -> Reply:
    t = request.t
    found = project_for(request, services, payload.code, "update", Action.UPDATE_STATUS)
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    report, errors = read(ReportFields, payload, t)
    if report is None:
        typed = {name: str(getattr(payload, name)) for name in STATUS_FIELDS}
        form = StatusForm(found.code, found.name, form_id, values=typed, errors=errors)
        return Reply(replace_card=build_status_form_card(form, t))
    try:
        StatusRepository(services.db).add_report(
            found.id,
            report.model_dump(),
            author_id=request.person.id,
            now=services.clock.now(),
            form_id=submission_key(request, form_id),
        )
    except Duplicate:
        return Reply(
            texts=[t("status.already_saved", code=found.code)], replace_card=status_card(request, services, found)
        )
    return Reply(texts=[t("status.saved", code=found.code)], replace_card=status_card(request, services, found))


# The status card -----------------------------------------------------------------------------------------------


@capability.command(
    "status",
    takes_project=True,
    en=("status",),
    nl=("status",),
    menu=MenuInfo(
        "menu.status.title",
        "menu.status.description",
        {"en": "status DT-042", "nl": "status DT-042"},
        section=MenuSection.STATUS,
    ),
)
def show_status(request: Request, services: Services, rest: str) -> Reply:
    found = project_for(request, services, rest, "status", Action.VIEW_PROJECT)
    return Reply.card(status_card(request, services, found))


@capability.verb(StatusOpen)
def open_status(request: Request, services: Services, payload: StatusOpen) -> Reply:
    return show_status(request, services, payload.code)


def status_card(request: Request, services: Services, project: ProjectFacts) -> dict[str, Any]:
    repository = StatusRepository(services.db)
    now = services.clock.now()
    where = request_zone(request, services)
    day = now.astimezone(where).date()
    reports = repository.latest_two([project.id]).get(project.id, [])
    latest = reports[0] if reports else None
    previous = reports[1] if len(reports) > 1 else None
    trends = {
        d: rules.trend(getattr(previous, d) if previous else None, getattr(latest, d) if latest else None)
        for d in ("overall", *DIMENSIONS)
    }
    spent = hours_source().spent(services.db, [project.id]).get(project.id, Decimal(0))
    burn = rules.burn_percent(spent, project.budget_hours)
    open_milestones = [milestone_line(m, day, where) for m in repository.milestones_for([project.id])]
    top = repository.top_risks([project.id]).get(project.id, [])
    show_handover, handover = _handover(request, services, project)
    view = StatusSummary(
        code=project.code,
        name=project.name,
        latest=in_zone(latest, where) if latest else None,
        trends=trends,
        age_days=rules.age_days(latest.created_at if latest else None, now),
        stale=rules.is_stale(latest.created_at if latest else None, now),
        spent=spent,
        budget_hours=project.budget_hours,
        burn=burn,
        burn_level=rules.burn_level(burn),
        next_milestones=[m for m in open_milestones if m.flag != "late"][:3],
        late_milestones=[m for m in open_milestones if m.flag == "late"],
        top_risks=[risk_line(r) for r in top],
        can_update=can(request, services, project, Action.UPDATE_STATUS),
        meetings=[replace(m, start=m.start.astimezone(where)) for m in _meetings(services, project)],
        show_handover=show_handover,
        handover=handover,
    )
    return build_status_card(view, request.t)


def _meetings(services: Services, project: ProjectFacts) -> list[UpcomingMeeting]:
    """The project's next meetings, from whichever capabilities hold meetings (Slot.STATUS_MEETINGS)."""
    now = services.clock.now()
    found: list[UpcomingMeeting] = [
        meeting
        for upcoming in services.capabilities.sections(Slot.STATUS_MEETINGS)
        for meeting in upcoming(services.db, project.id, now)
    ]
    return sorted(found, key=lambda meeting: meeting.start)


def _handover(request: Request, services: Services, project: ProjectFacts) -> tuple[bool, HandoverSummary | None]:
    """Whether the card shows a handover section (some capability handles handovers and the reader may see it),
    and the project's handover (None: none planned)."""
    summaries = services.capabilities.sections(Slot.STATUS_HANDOVER)
    if not summaries or not can(request, services, project, Action.VIEW_HANDOVER):
        return False, None
    for summary in summaries:
        found: HandoverSummary | None = summary(services.db, project.id, request.t)
        if found is not None:
            return True, found
    return True, None


# The history ---------------------------------------------------------------------------------------------------


@capability.command(
    "status history",
    takes_project=True,
    en=("status history", "history"),
    nl=("statusgeschiedenis", "status geschiedenis", "geschiedenis"),
)
def history(request: Request, services: Services, rest: str, *, page: int = 1) -> Reply:
    found = project_for(request, services, rest, "status history", Action.VIEW_PROJECT)
    repository = StatusRepository(services.db)
    pages = max(1, math.ceil(repository.count_reports(found.id) / HISTORY_PAGE))
    page = min(max(page, 1), pages)
    rows = repository.reports(found.id, limit=HISTORY_PAGE, offset=(page - 1) * HISTORY_PAGE)
    where = request_zone(request, services)
    return Reply.card(build_status_history_card(found.code, [in_zone(r, where) for r in rows], page, pages, request.t))


@capability.verb(StatusHistory)
def history_page(request: Request, services: Services, payload: StatusHistory) -> Reply:
    return history(request, services, payload.code, page=payload.page)
