"""`export`: time entries as an XLSX workbook and a CSV (dialogs/timelog/files.py), for one project or everything
the person may see, for a month or all time."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from cards.i18n import Translator
from cards.menu import MenuSection
from dialogs.kernel.permissions import Action, Relation, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services
from dialogs.kernel.who import find_project, me
from dialogs.timelog.declaration import capability
from dialogs.timelog.files import XLSX_TYPE, export_csv, export_xlsx, parse_month
from storage.projects import ProjectRepository
from storage.time_entries import TimeEntryRepository


@capability.command(
    "export",
    takes_project=True,
    en=("export",),
    nl=("export", "exporteer"),
    menu=MenuInfo(
        "menu.export.title", "menu.export.description", {"en": "export", "nl": "export"}, section=MenuSection.TIME
    ),
)
def export(request: Request, services: Services, rest: str) -> Reply:
    """`export` (everything the person may see), `export DT-042`, `export november`, `export DT-042 november 2026`."""
    t = request.t
    who = me(request, services)
    words = rest.split()
    period: tuple[date, date] | None = None
    for size in (2, 1):
        if len(words) >= size and (found := parse_month(words[-size:], today_for(request, services))):
            period, words = found, words[:-size]
            break
    entries = TimeEntryRepository(services.db)
    start, end = period if period else (None, None)
    if words:
        project = find_project(request, services, " ".join(words), "export")
        # Everyone's entries only for those who may see other people's time on it; otherwise one's own.
        if allowed(who.actor(project), Action.VIEW_TIME_OF_OTHER).allowed and who.actor(project).relations - {
            Relation.SELF
        }:
            rows = entries.export_rows(project_ids=[project.id], start=start, end=end)
        else:
            rows = entries.export_rows(person_ids=[who.id], project_ids=[project.id], start=start, end=end)
        scope = project.code
    else:
        visible = [
            p.id
            for p in ProjectRepository(services.db).for_person(who.id, who.domains)
            if allowed(who.actor(p), Action.VIEW_TIME_OF_OTHER).allowed
        ]
        rows = entries.export_rows(own_or_projects=(who.id, visible), start=start, end=end)
        scope = t("time.export.scope.all")
    stem = "-".join(
        part
        for part in (t("time.export.stem"), scope if words else "", start.strftime("%Y-%m") if start else "")
        if part
    ).lower()
    # "1 nov 2026": a month in words, never 01/11/2026, which an en-US reader takes for January 11.
    when = t("time.export.period", start=_day(start, t), end=_day(end, t)) if start and end else ""
    summary = t("time.export.done", count=len(rows), scope=scope, period=when)
    description = t("time.export.description", scope=scope)
    return Reply(
        texts=[summary],
        files=[
            OutgoingFile(f"{stem}.xlsx", XLSX_TYPE, services.renderer.render(export_xlsx, rows, t), description),
            OutgoingFile(f"{stem}.csv", "text/csv", export_csv(rows, t), description),
        ],
    )


def _day(day: date, t: Translator) -> str:
    return format_date(day, format="medium", locale=t.locale)
