"""Capacity's shared core (issue 17): availability, a week's available hours with leave and public holidays, how a
week's plan spreads, load classes, the spans of weeks people type, and the reads behind every capacity view, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from dialogs.kernel.capacity import plan_days, week_loads
from dialogs.kernel.timeparse import parse_week_span, week_ahead
from domain.capacity import (
    Availability,
    Load,
    available_minutes,
    load_of,
    parse_working_days,
    spread,
    week_of,
    working_days_text,
)
from storage.capacity import CapacityRepository
from storage.db import Database
from storage.models import Person
from storage.projects import Domain, Project
from storage.time_entries import LeaveDay, TimeEntry

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
EASTER_MONDAY_WEEK = date(2027, 3, 29)  # ISO week 13 of 2027: Easter Monday 29 March
DST_WEEK = date(2027, 3, 22)  # ISO week 12 of 2027: summer time starts Sunday 28 March


def test_full_time_is_the_flemish_norm() -> None:
    assert Availability.full_time() == Availability(38 * 60, frozenset(range(5)))


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("ma,di,wo,do,vr", {0, 1, 2, 3, 4}),
        ("mon,tue,wed,thu,fri", {0, 1, 2, 3, 4}),
        ("ma-do", {0, 1, 2, 3}),
        ("maandag tot donderdag", {0, 1, 2, 3}),
        ("Mon; Wed; Fri", {0, 2, 4}),
        ("di wo do", {1, 2, 3}),
    ],
)
def test_working_days_read_in_both_languages(text: str, days: set[int]) -> None:
    assert parse_working_days(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", " , ", "ma,xx", "vr-ma", "monday-blah", "8"])
def test_working_days_that_are_none(text: str) -> None:
    assert parse_working_days(text) is None


def test_working_days_written_back_in_the_readers_language() -> None:
    assert working_days_text({4, 0, 1}, "nl") == "ma, di, vr"
    assert working_days_text({4, 0, 1}, "en") == "mon, tue, fri"
    assert parse_working_days(working_days_text({0, 2, 3}, "nl")) == frozenset({0, 2, 3})


@pytest.mark.parametrize("minutes", [-1, 60 * 60 + 1])
def test_availability_out_of_range_is_refused(minutes: int) -> None:
    with pytest.raises(ValueError):
        Availability(minutes, frozenset({0}))


def test_no_working_days_is_refused() -> None:
    with pytest.raises(ValueError):
        Availability(38 * 60, frozenset())


def test_easter_monday_takes_a_working_days_share() -> None:
    full = Availability.full_time()
    holidays = {date(2027, 3, 29)}
    assert available_minutes(full, EASTER_MONDAY_WEEK, holidays) == 38 * 60 * 4 // 5  # 30 h 24
    # Someone who does not work on Mondays loses nothing to Easter Monday.
    four_days = Availability(int(30.4 * 60), frozenset({1, 2, 3, 4}))
    assert available_minutes(four_days, EASTER_MONDAY_WEEK, holidays) == int(30.4 * 60)


def test_leave_on_a_weekend_costs_nothing() -> None:
    full = Availability.full_time()
    assert available_minutes(full, DST_WEEK, {date(2027, 3, 27), date(2027, 3, 28)}) == 38 * 60


def test_spread_over_days() -> None:
    days = week_of(date(2027, 1, 18))[:5]
    assert [m for _, m in spread(16 * 60, days)] == [192] * 5
    assert [m for _, m in spread(10 * 60, days[:3])] == [200, 200, 200]
    assert [m for _, m in spread(7, days)] == [2, 2, 1, 1, 1]
    assert spread(3, days) == [(days[0], 1), (days[1], 1), (days[2], 1)]
    assert spread(60, []) == []


@given(st.integers(min_value=1, max_value=60 * 60), st.integers(min_value=1, max_value=7))
def test_spread_keeps_every_minute(minutes: int, count: int) -> None:
    days = week_of(date(2027, 1, 18))[:count]
    shares = spread(minutes, days)
    assert sum(m for _, m in shares) == minutes
    assert all(m > 0 for _, m in shares)
    assert max(m for _, m in shares) - min(m for _, m in shares) <= 1


def test_load_classes() -> None:
    assert load_of(10, None) is Load.UNKNOWN
    assert load_of(0, None) is Load.UNKNOWN
    assert load_of(41 * 60, 38 * 60) is Load.OVER
    assert load_of(35 * 60, 38 * 60) is Load.AT_RISK  # 92 % > 90 %
    assert load_of(34 * 60, 38 * 60) is Load.OK  # 89 %
    assert load_of(34 * 60, 38 * 60, at_risk_percent=80) is Load.AT_RISK
    assert load_of(0, 0) is Load.OK
    assert load_of(1, 0) is Load.OVER


TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("", (date(2026, 11, 30), 8)),
        ("deze week", (date(2026, 11, 30), 1)),
        ("next week", (date(2026, 12, 7), 1)),
        ("week 3", (date(2027, 1, 18), 1)),  # in December, week 3 is next January's
        ("wk 50", (date(2026, 12, 7), 1)),
        ("week 13 2027", (EASTER_MONDAY_WEEK, 1)),
        ("van week 1 tot week 13", (date(2027, 1, 4), 13)),
        ("from week 1 to week 13", (date(2027, 1, 4), 13)),
        ("week 50-2", (date(2026, 12, 7), 6)),  # across the new year
        ("volgende maand", (date(2026, 12, 28), 5)),
        ("next month", (date(2026, 12, 28), 5)),
        ("komende 4 weken", (date(2026, 11, 30), 4)),
    ],
)
def test_spans_of_weeks(text: str, span: tuple[date, int]) -> None:
    assert parse_week_span(text, TODAY) == span


@pytest.mark.parametrize("text", ["week 54", "week 0", "week 53 2027", "komende 99 weken", "soon", "week 3 tot"])
def test_spans_that_do_not_exist(text: str) -> None:
    assert parse_week_span(text, TODAY) is None


def test_week_ahead_knows_long_years() -> None:
    assert week_ahead(53, TODAY) == date(2026, 12, 28)  # 2026 has 53 ISO weeks
    assert week_ahead(53, date(2027, 1, 5)) is None or week_ahead(53, date(2027, 1, 5)) == date(2032, 12, 27)


# Storage, on both databases ---------------------------------------------------------------------------------------


def _people(db: Database, *names: str) -> list[int]:
    with db.session() as session:
        domain = session.exec(select(Domain)).first()  # the migrations seed the domains
        assert domain is not None
        rows = [
            Person(tenant_id="t", aad_object_id=f"aad-{i}", name=name, email=f"p{i}@example.org", created_at=NOW,
                   updated_at=NOW)
            for i, name in enumerate(names)
        ]  # fmt: skip
        session.add_all(rows)
        session.flush()
        for code in ("DT-001", "DT-002"):
            session.add(Project(code=code, name=code, domain_id=domain.id, coordinator_id=rows[0].id, created_at=NOW,
                                updated_at=NOW))  # fmt: skip
        return [row.id for row in rows if row.id is not None]


def _plan(db: Database, person_id: int, code: str, day: date, minutes: int) -> None:
    with db.session() as session:
        project = session.exec(select(Project).where(Project.code == code)).one()
        session.add(TimeEntry(person_id=person_id, project_id=project.id, day=day, minutes=minutes, kind="planned",
                              created_at=NOW, updated_at=NOW))  # fmt: skip


def test_week_loads_on_both_databases(db: Database) -> None:
    an, bert, chris = _people(db, "An Peeters", "Bert Claes", "Chris Dewulf")
    capacity = CapacityRepository(db)
    capacity.set_availability(an, Availability.full_time(), now=NOW, by=None)
    capacity.set_availability(bert, Availability(int(30.4 * 60), frozenset({0, 1, 2, 3})), now=NOW, by=an)
    for offset in range(5):  # An: 40 h in Easter week on two projects; 38 h available less Easter Monday
        _plan(db, an, "DT-001" if offset < 3 else "DT-002", EASTER_MONDAY_WEEK + timedelta(days=offset), 8 * 60)
    _plan(db, bert, "DT-001", date(2027, 3, 30), 4 * 60)
    _plan(db, chris, "DT-002", date(2027, 3, 31), 2 * 60)  # Chris: no availability known
    with db.session() as session:
        session.add(LeaveDay(person_id=bert, day=date(2027, 3, 31)))

    loads = {load.name: load for load in week_loads(db, [an, bert, chris], DST_WEEK, 2, at_risk_percent=90)}

    assert [w.monday for w in loads["An Peeters"].weeks] == [DST_WEEK, EASTER_MONDAY_WEEK]
    quiet, easter = loads["An Peeters"].weeks
    assert (quiet.available, quiet.planned, quiet.load) == (38 * 60, 0, Load.OK)
    assert (easter.available, easter.planned, easter.load) == (38 * 60 * 4 // 5, 40 * 60, Load.OVER)
    assert easter.days_off == (date(2027, 3, 29),)
    project_ids = [project for project, _ in easter.by_project]
    assert [minutes for _, minutes in easter.by_project] == [24 * 60, 16 * 60]
    assert len(set(project_ids)) == 2
    bert_easter = loads["Bert Claes"].weeks[1]
    assert bert_easter.available == round(30.4 * 60 * 2 / 4)  # Easter Monday and a leave day off
    assert bert_easter.free == bert_easter.available - 4 * 60
    chris_easter = loads["Chris Dewulf"].weeks[1]
    assert (chris_easter.available, chris_easter.free, chris_easter.load) == (None, None, Load.UNKNOWN)

    everyone = {load.name for load in week_loads(db, None, EASTER_MONDAY_WEEK, 1, at_risk_percent=90)}
    assert everyone == {"An Peeters", "Bert Claes", "Chris Dewulf"}

    assert plan_days(db, bert, EASTER_MONDAY_WEEK, date(2027, 3, 1)) == [date(2027, 3, 30), date(2027, 4, 1)]
    assert plan_days(db, an, EASTER_MONDAY_WEEK, date(2027, 3, 31)) == [date(2027, 3, 31), date(2027, 4, 1),
                                                                        date(2027, 4, 2)]  # fmt: skip

    capacity.set_availability(bert, None, now=NOW, by=an)
    assert capacity.availability([an, bert]) == {an: Availability.full_time()}
