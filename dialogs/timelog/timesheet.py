"""The weekly timesheet: `uren` / `timesheet` (this week, `vorige week`, a date in the week wanted), paged by week
with the card's buttons, only by the person whose hours it shows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cards.i18n import Translator
from cards.menu import MenuSection
from cards.timelog import SheetView, WeekPayload, build_timesheet_card
from dialogs.kernel.owned import not_yours
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timeparse import parse_week
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.who import me
from dialogs.timelog.budget import project_hours
from dialogs.timelog.declaration import capability
from storage.projects import ProjectRepository
from storage.time_entries import TimeEntryRepository


def sheet_card(services: Services, person_id: int, monday: date, t: Translator) -> dict[str, Any]:
    cells = TimeEntryRepository(services.db).week(person_id, monday, monday + timedelta(days=6))
    projects = sorted({c.project_code for c in cells})
    view = SheetView(
        monday=monday,
        cells=cells,
        projects=projects,
        owner_id=person_id,
    )
    return build_timesheet_card(view, t)


@capability.command(
    "timesheet",
    en=("timesheet", "my hours"),
    nl=("uren", "mijn uren"),
    menu=MenuInfo(
        "menu.timesheet.title",
        "menu.timesheet.description",
        {"en": "timesheet", "nl": "uren"},
        section=MenuSection.TIME,
    ),
)
def timesheet(request: Request, services: Services, rest: str) -> Reply:
    """The week asked for; `uren DT-042` (a project, not a week) is the project's hours."""
    t = request.t
    who = me(request, services)
    monday = parse_week(rest, today_for(request, services))
    if monday is None:
        if ProjectRepository(services.db).lookup(rest, visible_to=who.visibility(), suggest=False).found:
            return project_hours(request, services, rest)
        return Reply.text(t("time.week.unknown", text=rest.strip()[:40]))
    return Reply.card(sheet_card(services, who.id, monday, t))


@capability.verb(WeekPayload)
def page_week(request: Request, services: Services, payload: WeekPayload) -> Reply:
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.timesheet")) is not None:
        return refused
    who = me(request, services)
    monday = payload.monday - timedelta(days=payload.monday.weekday())
    return Reply(replace_card=sheet_card(services, who.id, monday, request.t))
