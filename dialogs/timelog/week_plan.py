"""A week's plan by message: `plan 16u DT-042 week 3` / `plan 16h DT-042 next week`. The hours are spread over the
person's working days of that week that are still ahead (not on public holidays or their leave), stored as one
planned entry per day in one transaction, with the same rules as a day's plan; the confirmation shows the spread
and how full the week is now, and its Undo (`timelog.undo_plan`) removes the whole plan."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, timedelta

from cards.base import minutes_text
from cards.capacity.common import week_name
from cards.timelog import PlanUndoPayload, Skipped, WeekPlanView, build_week_planned_card, short_day
from dialogs.kernel.capacity import plan_days
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.who import Me, me
from dialogs.kernel.workdays import is_public_holiday
from dialogs.timelog.declaration import capability
from dialogs.timelog.entries import DAY_LIMIT_MINUTES, Draft, ensure_own_entry, refusal_of, week_load_line
from domain.capacity import Availability, spread, week_of
from storage.capacity import CapacityRepository
from storage.time_entries import TimeEntryRepository

REQUEST_KEY_MAX = 128  # time_entry.request_key


def day_key(message_key: str | None, day: date) -> str | None:
    """The request key of a week plan's entry for one day, derived from the message's key: the same message again
    (a Teams retry) stores nothing new. A message key too long to take the day is replaced by its digest."""
    if message_key is None:
        return None
    suffix = f":{day.isoformat()}"
    if len(message_key) + len(suffix) > REQUEST_KEY_MAX:
        message_key = "msgweek:" + hashlib.sha256(message_key.encode()).hexdigest()
    return message_key + suffix


def plan_week(request: Request, services: Services, who: Me, draft: Draft, message_key: str | None) -> Reply:
    t = request.t
    assert draft.week is not None
    monday = draft.week
    today = today_for(request, services)
    if monday + timedelta(days=6) < today:
        return Reply.text(t("time.refused", reason=t("time.refused.week_past", week=week_name(monday, t))))
    days = plan_days(services.db, who.id, monday, today)
    if not days:
        return Reply.text(t("time.refused", reason=t("time.refused.week_no_day", week=week_name(monday, t))))
    shares = spread(max(draft.minutes, 0), days)
    # Each day's share passes a day plan's rules (team, closed project, past, 24 h); a duration of zero or less has
    # no share and is refused as one.
    for day_draft in [replace(draft, day=day, minutes=minutes) for day, minutes in shares] or [draft]:
        refused = refusal_of(day_draft, request, services, who)
        if refused is not None:
            return Reply.text(t("time.refused", reason=refused[1]))
    stored = TimeEntryRepository(services.db).add_plan(
        person_id=who.id,
        project_id=draft.project.id,
        shares=[(day, minutes, day_key(message_key, day)) for day, minutes in shares],
        category=draft.category,
        note=draft.note,
        now=services.clock.now(),
        max_day_minutes=DAY_LIMIT_MINUTES,
    )
    if stored.full_day is not None:
        day, logged = stored.full_day
        reason = t(
            "time.refused.week_day_full",
            day=short_day(day, t),
            logged=minutes_text(logged, t),
            left=minutes_text(max(DAY_LIMIT_MINUTES - logged, 0), t),
        )
        return Reply.text(t("time.refused", reason=reason))
    load = week_load_line(services, who.id, monday, draft.project.id)
    skipped = _skipped(services, who.id, monday, today, {e.day for e in stored.entries})
    return Reply.card(build_week_planned_card(WeekPlanView(stored.entries, load, skipped=skipped), t))


def _skipped(services: Services, person_id: int, monday: date, today: date, planned: set[date]) -> tuple[Skipped, ...]:
    """The person's working days of the week the plan left out, and why (past, public holiday, leave): a week of
    four days says which day it lost. Mirrors plan_days, which chose the days."""
    known = CapacityRepository(services.db).availability([person_id]).get(person_id)
    working = (known or Availability.full_time()).working_days
    left_out = [day for day in week_of(monday) if day.weekday() in working and day not in planned]
    return tuple((day, _why(day, today)) for day in left_out)


def _why(day: date, today: date) -> str:
    if day < today:
        return "past"
    return "holiday" if is_public_holiday(day) else "leave"


@capability.verb(PlanUndoPayload)
def undo_plan(request: Request, services: Services, payload: PlanUndoPayload) -> Reply:
    """Removes the week plan's entries: only the person's own (anyone else is refused politely, as on a day's
    Undo); pressed again, it says the plan is gone."""
    t = request.t
    who = me(request, services)
    entries = TimeEntryRepository(services.db)
    for entry in entries.get_many(payload.entry_ids):
        ensure_own_entry(request, services, entry)
    removed = entries.delete_many(payload.entry_ids, who.id)
    if not removed:
        return Reply.text(t("time.plan.week.gone"))
    card = build_week_planned_card(WeekPlanView(tuple(removed), state="undone"), t)
    return Reply(texts=[t("time.plan.week.undone")], replace_card=card)
