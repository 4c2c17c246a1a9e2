"""Time entries in storage: idempotent adds, the 24 h guard, aggregates, GDPR export/erasure/retention, indexes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import text

from storage.db import Database
from storage.people import PersonRepository
from storage.privacy import PrivacyRepository, export_csv
from storage.projects import ProjectRepository
from storage.time_entries import BurnCheck, Stored, TimeEntryRepository
from tests.test_projects_privacy import NOW, all_text_in_database, seed, seen


def setup(db: Database) -> tuple[int, int, int]:
    seed(db)
    an = PersonRepository(db).record_seen(seen("an"), NOW)
    bob = PersonRepository(db).record_seen(seen("bob"), NOW)
    project = ProjectRepository(db).by_code("DT-042")
    assert an.id and bob.id and project
    return an.id, bob.id, project.id


def add(db: Database, person: int, project: int, day: date, minutes: int, **kw: object) -> tuple[object, bool]:
    """(entry, created) of TimeEntryRepository.add."""
    values: dict[str, object] = {"kind": "performed", "category": "analysis", "note": "", "request_key": None}
    values.update(kw)
    stored = TimeEntryRepository(db).add(
        person_id=person,
        project_id=project,
        day=day,
        minutes=minutes,
        now=NOW,
        max_day_minutes=1440,
        **values,  # type: ignore[arg-type]
    )
    return stored.entry, stored.created


def test_add_is_idempotent_and_guards_the_day(db: Database) -> None:
    an, _bob, project = setup(db)
    day = date(2026, 11, 23)
    first, created = add(db, an, project, day, 600, request_key="k1")
    again, created_again = add(db, an, project, day, 600, request_key="k1")
    assert created and not created_again and first == again
    assert add(db, an, project, day, 900) == (None, False)  # 600 + 900 > 24 h
    assert add(db, an, project, day, 900, kind="planned")[1]  # planned counts separately
    entries = TimeEntryRepository(db)
    assert entries.day_minutes(an, day, "performed") == 600
    assert entries.project_minutes(project) == 600 and entries.project_minutes(project, "planned") == 900


def test_one_write_reports_the_day_and_the_burn_check(db: Database) -> None:
    an, _bob, project = setup(db)
    day = date(2026, 11, 23)
    entries = TimeEntryRepository(db)

    def write(minutes: int, key: str) -> Stored:
        return entries.add(
            person_id=an, project_id=project, day=day, minutes=minutes, kind="performed", category="other", note="",
            request_key=key, now=NOW, max_day_minutes=1440, ahead=lambda spent: spent >= 900,
        )  # fmt: skip

    first = write(600, "k1")
    assert first.created and first.day_minutes == 600 and first.burn == BurnCheck(600, None)
    second = write(300, "k2")
    assert second.day_minutes == 900 and second.burn == BurnCheck(900, 1)  # just crossed: crossing number 1
    again = write(300, "k2")
    assert not again.created and again.entry == second.entry and again.burn is None and again.day_minutes == 900
    refused = write(600, "k3")
    assert refused.entry is None and not refused.created and refused.day_minutes == 900  # nothing stored
    assert entries.by_request_key("k3") is None and entries.project_minutes(project) == 900
    assert first.entry is not None
    moved = entries.update(
        first.entry.id, an, project_id=project, day=day, minutes=1200, kind="performed", category="other", note="",
        now=NOW, max_day_minutes=1440,
    )  # fmt: skip
    assert moved is not None and moved.entry is None and moved.day_minutes == 300  # 1200 + 300 > 24 h: unchanged
    assert entries.day_minutes(an, day, "performed") == 900
    assert entries.check_burn(project, lambda spent: spent >= 900, now=NOW).crossing is None  # still ahead


def test_week_per_person_and_cumulative(db: Database) -> None:
    an, bob, project = setup(db)
    add(db, an, project, date(2026, 11, 23), 60)
    add(db, an, project, date(2026, 11, 23), 30)
    add(db, bob, project, date(2026, 11, 24), 120)
    add(db, an, project, date(2026, 11, 30), 45)
    add(db, an, project, date(2026, 11, 25), 240, kind="planned")
    entries = TimeEntryRepository(db)
    week = entries.week(an, date(2026, 11, 23), date(2026, 11, 29))
    assert [(c.day, c.kind, c.minutes) for c in week] == [
        (date(2026, 11, 23), "performed", 90),
        (date(2026, 11, 25), "planned", 240),
    ]
    assert entries.per_person(project) == [(an, "An", 240, 135), (bob, "Bob", 0, 120)]
    assert entries.cumulative(project) == [
        (date(2026, 11, 23), 90),
        (date(2026, 11, 24), 210),
        (date(2026, 11, 30), 255),
    ]
    assert entries.recent_project_ids(an) == [project]


def test_burn_state_counts_crossings(db: Database) -> None:
    _an, _bob, project = setup(db)
    entries = TimeEntryRepository(db)
    assert entries.set_ahead(project, False, now=NOW) is None
    assert entries.set_ahead(project, True, now=NOW) == 1
    assert entries.set_ahead(project, True, now=NOW) is None
    assert entries.set_ahead(project, False, now=NOW) is None
    assert entries.set_ahead(project, True, now=NOW) == 2


def test_time_entries_are_exported_erased_anonymously_and_expire(db: Database) -> None:
    an, bob, project = setup(db)
    add(db, an, project, date(2026, 11, 23), 90, note="gesprek met An over haar planning")
    add(db, bob, project, date(2026, 11, 23), 60, note="bob's note")
    add(db, an, project, date(2019, 1, 2), 30, note="old")
    entries = TimeEntryRepository(db)
    entries.set_nudge(an, enabled=True, at_time=time(16, 30), min_minutes=420, now=NOW)
    entries.set_leave(an, [date(2026, 12, 24)])
    data = PrivacyRepository(db).export(an)
    rows = data["time_entries"]
    assert {(r.get("project"), r.get("minutes")) for r in rows if "minutes" in r} == {("DT-042", 90), ("DT-042", 30)}
    assert {"nudge_enabled": True, "nudge_at": "16:30:00", "nudge_below_minutes": 420} in rows
    assert {"leave_day": date(2026, 12, 24)} in rows
    assert "time_entries,1,minutes,30" in export_csv(data)

    total_before = entries.project_minutes(project)
    PrivacyRepository(db).forget(an, now=NOW)
    assert entries.project_minutes(project) == total_before  # totals stay
    leftovers = all_text_in_database(db)
    assert "gesprek met An" not in leftovers and "bob's note" in leftovers
    assert not entries.nudge(an).enabled and not entries.on_leave(an, date(2026, 12, 24))

    purged = PrivacyRepository(db).apply_retention(now=datetime(2026, 11, 23, tzinfo=UTC))
    assert purged["time_entry"] == 1  # the 2019 entry is more than 7 years old
    assert entries.project_minutes(project) == total_before - 30


def test_timesheet_and_burn_queries_use_the_indexes(db: Database) -> None:
    if not db.is_sqlite:
        return  # the plan text below is SQLite's; PostgreSQL picks its own plan on small tables
    with db.engine.connect() as connection:
        week = connection.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT day, kind, sum(minutes) FROM time_entry "
                "WHERE person_id = 1 AND day >= '2026-11-23' AND day <= '2026-11-29' GROUP BY day, kind"
            )
        ).all()
        burn = connection.execute(
            text("EXPLAIN QUERY PLAN SELECT sum(minutes) FROM time_entry WHERE project_id = 1 AND kind = 'performed'")
        ).all()
    assert "ix_time_entry_person_day" in str(week)
    assert "COVERING INDEX ix_time_entry_project_kind_day" in str(burn)
