"""People's load per ISO week, as every capacity view reads it: availability (storage), planned hours, leave and
Belgian public holidays, put together by domain/capacity.py. Shared by planning (dialogs/timelog), the capacity
views and notices (dialogs/capacity) and the planning export; a fixed number of queries, whatever the number of
people or weeks."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from dialogs.kernel.workdays import is_public_holiday
from domain.capacity import Availability, PersonLoad, WeekLoad, week_load, week_of
from storage.capacity import CapacityRepository
from storage.db import Database


def week_mondays(first_monday: date, weeks: int) -> list[date]:
    return [first_monday + timedelta(weeks=i) for i in range(weeks)]


def public_holidays(start: date, end: date) -> set[date]:
    """The Belgian public holidays from start to end inclusive."""
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return {day for day in days if is_public_holiday(day)}


def week_loads(
    db: Database,
    person_ids: Collection[int] | None,
    first_monday: date,
    weeks: int,
    *,
    at_risk_percent: int,
) -> list[PersonLoad]:
    """The load of these people (None: everyone with a known availability or plans in the span) for `weeks` weeks
    from `first_monday`, sorted by name; erased people are left out. Four queries."""
    repository = CapacityRepository(db)
    mondays = week_mondays(first_monday, weeks)
    end = mondays[-1] + timedelta(days=6)
    planned = repository.planned(person_ids, first_monday, end)
    availability = repository.availability(person_ids)
    ids = set(person_ids) if person_ids is not None else set(planned) | set(availability)
    names = repository.names(ids)
    leave = repository.leave(names.keys(), first_monday, end)
    holidays = public_holidays(first_monday, end)
    loads = [
        PersonLoad(
            person_id,
            name,
            email,
            availability.get(person_id),
            tuple(
                week_load(
                    monday,
                    availability.get(person_id),
                    planned.get(person_id, {}).get(monday, {}),
                    holidays | leave.get(person_id, set()),
                    at_risk_percent,
                )
                for monday in mondays
            ),
        )
        for person_id, (name, email) in names.items()
    ]
    return sorted(loads, key=lambda load: (load.name.casefold(), load.person_id))


def person_week(db: Database, person_id: int, monday: date, *, at_risk_percent: int) -> WeekLoad:
    """One person's week (after a plan is stored: the confirmation says how full the week is now)."""
    found = week_loads(db, [person_id], monday, 1, at_risk_percent=at_risk_percent)
    if found:
        return found[0].weeks[0]
    return week_load(monday, None, {}, set(), at_risk_percent)


def plan_days(db: Database, person_id: int, monday: date, today: date) -> list[date]:
    """The days a week's plan spreads over: the person's working days (Monday to Friday when unknown) from today
    on, without public holidays and their leave. Empty when none is left."""
    availability = CapacityRepository(db).availability([person_id]).get(person_id)
    working = (availability or Availability.full_time()).working_days
    days = [day for day in week_of(monday) if day >= today and day.weekday() in working]
    if not days:
        return []
    leave = CapacityRepository(db).leave([person_id], days[0], days[-1]).get(person_id, set())
    return [day for day in days if not is_public_holiday(day) and day not in leave]
