"""The board (RvB) report of a project: a card with its essentials, and the DOCX document (board_document.py,
built off the database path) with the burn chart time registration draws."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from cards.i18n import Translator
from cards.menu import MenuSection
from cards.status.board import BoardReport, ReportOpen, build_board_report_card
from dialogs.kernel.hours import hours_source
from dialogs.kernel.permissions import Action
from dialogs.kernel.project_chart import draw_burn_chart
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import request_zone
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services
from dialogs.status import rules
from dialogs.status.board_document import board_report_docx, file_name
from dialogs.status.common import capability, in_zone, milestone_line, project_for, risk_line
from domain.projects import ProjectFacts
from storage.status import StatusRepository

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@capability.command(
    "report",
    takes_project=True,
    en=("report", "board report"),
    nl=("rapport", "rvb-rapport"),
    menu=MenuInfo(
        "menu.report.title",
        "menu.report.description",
        {"en": "report DT-042", "nl": "rapport DT-042"},
        section=MenuSection.STATUS,
    ),
)
def board_report(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    found = project_for(request, services, rest, "report", Action.VIEW_BOARD_REPORT)
    report = gather_board_report(services, found, t, request_zone(request, services))
    chart = draw_burn_chart(services, found, report.generated.date(), t)
    document = services.renderer.render(board_report_docx, report, t, chart=chart)  # off the database path
    file = OutgoingFile(
        name=file_name(report, t),
        content_type=DOCX_TYPE,
        data=document,
        description=t("report.file.description", code=found.code),
    )
    return Reply(cards=[build_board_report_card(report, t)], files=[file])


@capability.verb(ReportOpen)
def open_board_report(request: Request, services: Services, payload: ReportOpen) -> Reply:
    return board_report(request, services, payload.code)


def gather_board_report(services: Services, project: ProjectFacts, t: Translator, where: ZoneInfo) -> BoardReport:
    repository = StatusRepository(services.db)
    now = services.clock.now()
    today = now.astimezone(where).date()
    latest = repository.reports(project.id, limit=1)
    spent = hours_source().spent(services.db, [project.id]).get(project.id, Decimal(0))
    return BoardReport(
        code=project.code,
        name=project.name,
        domain=project.domain_nl if t.language == "nl" else project.domain_en,
        phase=project.phase,
        goal=project.goal,
        scope=project.scope,
        description=project.description,
        governments=project.governments,
        coordinator=project.coordinator_name,
        manager=project.manager_name,
        team=tuple(f"{m.name} ({m.role})" if m.role else m.name for m in project.team),
        planned_start=project.planned_start,
        planned_end=project.planned_end,
        milestones=[milestone_line(m, today, where) for m in repository.milestones(project.id)],
        budget_hours=project.budget_hours,
        budget_euros=project.budget_euros,
        spent=spent,
        burn=rules.burn_percent(spent, project.budget_hours),
        latest=in_zone(latest[0], where) if latest else None,
        top_risks=[risk_line(r) for r in repository.top_risks([project.id]).get(project.id, [])],
        decisions=repository.decisions(project.id, limit=10),
        generated=now.astimezone(where),
    )
