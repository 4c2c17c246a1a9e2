"""`mijn week` / `my week`: my availability, plans and leave for this week and the next. Anyone may ask for their
own; it shows nobody else's."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from cards.capacity.my_week import MyDay, MyWeek, MyWeekView, build_my_week_card
from cards.menu import MenuSection
from dialogs.capacity.declaration import capability
from dialogs.kernel.capacity import week_loads
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timeparse import monday_of
from dialogs.kernel.timezones import request_zone
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.workdays import is_public_holiday
from domain.capacity import DEFAULT_WORKING_DAYS, PersonLoad, week_of
from storage.time_entries import EntryKind, TimeEntryRepository

WEEKS = 2  # this week and the next
_SETTINGS = {"nl": "instellingen", "en": "settings"}  # the settings command, where availability is set


@capability.command(
    "my week",
    en=("my week",),
    nl=("mijn week",),
    menu=MenuInfo(
        "menu.my_week.title",
        "menu.my_week.description",
        {"en": "my week", "nl": "mijn week"},
        section=MenuSection.PLANNING,
    ),
)
def my_week(request: Request, services: Services, rest: str) -> Reply:
    assert request.person.id is not None
    person_id = request.person.id
    today = services.clock.now().astimezone(request_zone(request, services)).date()
    first = monday_of(today)
    # The asker is never erased while they talk, so their load is there (unknown availability included).
    (load,) = week_loads(services.db, [person_id], first, WEEKS, at_risk_percent=services.capacity_at_risk_percent)
    view = MyWeekView(
        availability=load.availability,
        weeks=_weeks(services, load),
        settings_command=_SETTINGS[request.t.language],
    )
    return Reply.card(build_my_week_card(view, request.t))


def _weeks(services: Services, load: PersonLoad) -> tuple[MyWeek, ...]:
    """Each week's load with its days: plans per project (one query for both weeks), leave, public holidays."""
    first, last = load.weeks[0].monday, load.weeks[-1].monday + timedelta(days=6)
    plans: dict[date, list[tuple[str, int]]] = defaultdict(list)
    for cell in TimeEntryRepository(services.db).week(load.person_id, first, last):
        if cell.kind == EntryKind.PLANNED.value and cell.minutes:
            plans[cell.day].append((cell.project_code, cell.minutes))
    working = load.availability.working_days if load.availability is not None else DEFAULT_WORKING_DAYS
    return tuple(
        MyWeek(
            week,
            tuple(
                MyDay(
                    day,
                    tuple(plans.get(day, ())),
                    leave=day in week.days_off and not is_public_holiday(day),
                    holiday=is_public_holiday(day),
                    working=day.weekday() in working,
                )
                for day in week_of(week.monday)
            ),
        )
        for week in load.weeks
    )
