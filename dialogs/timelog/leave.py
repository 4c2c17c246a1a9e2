"""Leave days: `verlof 24/12`, `verlof 24/12 tot 2/1`, `verlof weg 24/12`, `verlof` (the ones to come). No reminder
to log time is sent on a leave day (dialogs/timelog/nudges.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date

from cards.i18n import Translator
from cards.menu import MenuSection
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import person_zone
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.workdays import is_public_holiday, is_working_day
from dialogs.timelog.declaration import capability
from storage.time_entries import TimeEntryRepository

MAX_LEAVE_DAYS = 366  # one range at a time
SHOWN_LEAVE_DAYS = 30

_CANCEL = frozenset({"cancel", "remove", "delete", "off", "not", "weg", "annuleer", "schrap", "verwijder", "niet"})
_RANGE = re.compile(r"\s+(?:-|–|to|until|till|tot|t/m|tem|tot en met)\s+", re.IGNORECASE)
_DAY = re.compile(
    r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}))?$|^(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})$"
)


@dataclass(frozen=True)
class LeaveRequest:
    start: date
    end: date
    cancel: bool

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def _leave_day(text: str, today: date, after: date | None = None) -> date | None:
    found = _DAY.match(text.strip())
    if found is None:
        return None
    try:
        if found["iy"]:
            return date(int(found["iy"]), int(found["im"]), int(found["id"]))
        if found["y"]:
            return date(int(found["y"]), int(found["m"]), int(found["d"]))
        # Without a year: the next such day from `after` (the range's start) or today on.
        first = after or today
        for year in (first.year, first.year + 1):
            try:
                candidate = date(year, int(found["m"]), int(found["d"]))
            except ValueError:
                continue
            if candidate >= first:
                return candidate
        return None
    except ValueError:
        return None


def parse_leave(text: str, today: date) -> LeaveRequest | None:
    """`24/12`, `24/12/2026`, `2026-12-24`, `24/12 - 2/1`, `24/12 tot 2/1`, with `cancel`/`weg` in front to take
    them back. A day without a year is the next one from today; None when it names no day or range."""
    words = text.strip().split(maxsplit=1)
    cancel = bool(words) and words[0].lower() in _CANCEL
    rest = words[1] if cancel and len(words) > 1 else ("" if cancel else text.strip())
    parts = _RANGE.split(rest.strip(), maxsplit=1)
    start = _leave_day(parts[0], today)
    if start is None:
        return None
    end = _leave_day(parts[1], today, after=start) if len(parts) > 1 else start
    if end is None or end < start or (end - start).days >= MAX_LEAVE_DAYS:
        return None
    return LeaveRequest(start, end, cancel)


def _day_text(day: date, t: Translator) -> str:
    return format_date(day, format="EEE d MMMM y", locale=t.locale)


@capability.command(
    "leave",
    en=("leave", "day off", "days off"),
    nl=("verlof", "vrije dag", "vrij"),
    menu=MenuInfo(
        "menu.leave.title",
        "menu.leave.description",
        {"en": "leave 24/12", "nl": "verlof 24/12"},
        section=MenuSection.TIME,
    ),
)
def leave(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    person = request.person
    assert person.id is not None
    entries = TimeEntryRepository(services.db)
    today = services.clock.now().astimezone(person_zone(person, request.timezone)).date()
    if not rest.strip():
        days = entries.leave_days(person.id, today, today + timedelta(days=3 * 366))
        if not days:
            return Reply.text(t("leave.none"))
        shown = ", ".join(_day_text(day, t) for day in days[:SHOWN_LEAVE_DAYS])
        more = t("leave.more", count=len(days) - SHOWN_LEAVE_DAYS) if len(days) > SHOWN_LEAVE_DAYS else ""
        return Reply.text(t("leave.list", days=shown, more=more).strip())
    asked = parse_leave(rest, today)
    if asked is None:
        return Reply.text(t("leave.unclear", text=rest.strip()[:40]))
    entries.set_leave(person.id, asked.days, on_leave=not asked.cancel)
    span = (
        _day_text(asked.start, t)
        if asked.start == asked.end
        else t("leave.range", start=_day_text(asked.start, t), end=_day_text(asked.end, t))
    )
    if asked.cancel:
        return Reply.text(t("leave.cancelled", days=span))
    working = sum(1 for day in asked.days if is_working_day(day))
    holidays = sum(1 for day in asked.days if is_public_holiday(day) and day.weekday() < 5)
    note = t("leave.holidays", count=holidays) if holidays else ""
    return Reply.text(t("leave.saved", days=span, count=working, holidays=note).strip())
