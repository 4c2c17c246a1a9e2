"""Benchmark: `bezetting` for a manager of 60 people on 40 projects with 200,000 planned entries (SQLite, PostgreSQL).

    .venv/bin/python bench/capacity.py                                                   # SQLite (temp file)
    .venv/bin/python bench/capacity.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/capacity.py --people 60 --projects 40 --entries 200000 --runs 30 --json

Seeds a fresh database (migrated to head) with one manager of a domain holding N projects, each with a coordinator
and six team members drawn from P people (all of them on some project; one in twelve without a known availability,
a few leave days each) and M planned time entries over a year back and a year ahead; plus a second manager with 20
people on 10 projects of another domain. Then calls the real handler of the `bezetting` turn (dialogs.capacity.
occupancy.occupancy_page: permission and audience, people on the projects, the load in four queries, ordering,
page 1 of the card with its heatmap) for the default 8 weeks, `--runs` times each way:

- warm: the heatmap comes from the renderer's cache (the same data drawn before: what a second look, a page back
  or another person asking the same gets);
- cold: the cache is emptied before each call, so the heatmap is drawn by a worker process each time (what the
  first look after any plan changes gets);

both with the production renderer (bot.rendering.PooledRenderer, one worker, started and warmed before timing).
SQL statements are counted with a SQLAlchemy `before_cursor_execute` listener, for 60 and for 20 people.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, insert, text

from bot.rendering import PooledRenderer
from cards.capacity.occupancy import OccupancyPage
from dialogs.capacity.occupancy import occupancy_page
from dialogs.kernel.heatmap import HeatLabels, render_heatmap
from dialogs.kernel.rendering import RenderingBusy
from dialogs.kernel.turn import Request, Services, Where
from domain.capacity import days_to_mask
from storage import migrate
from storage.capacity import PersonAvailability
from storage.db import Database, create_db_engine, normalise_url
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.people import person_facts
from storage.projects import Project, TeamMember
from storage.time_entries import LeaveDay, TimeEntry
from tests.harness.clock import FakeClock

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday morning in Brussels
TODAY = NOW.date()
TEAM = 6


def seed(db: Database, people: int, projects: int, entries: int, *, domain: int, prefix: str) -> Person:
    """A manager of `domain` and its projects, staffed by `people` people; `entries` planned entries."""
    rng = random.Random(17)
    with db.session() as session:
        staff = [
            Person(tenant_id="t", aad_object_id=f"aad-{prefix}-{i}", name=f"{prefix} Persoon {i:02d}",
                   email=f"{prefix.lower()}{i}@example.test", created_at=NOW, updated_at=NOW)
            for i in range(people)
        ]  # fmt: skip
        manager = Person(tenant_id="t", aad_object_id=f"aad-{prefix}-manager", name=f"{prefix} Manager",
                         created_at=NOW, updated_at=NOW)  # fmt: skip
        session.add_all([*staff, manager])
        session.flush()
        ids = [p.id for p in staff if p.id is not None]
        session.execute(
            insert(Project),
            [
                {"code": f"{prefix}-{i:03d}", "name": f"Project {prefix} {i}", "domain_id": domain,
                 "coordinator_id": ids[i % people], "phase": "execution", "state": "active", "description": "",
                 "goal": "", "scope": "", "created_at": NOW, "updated_at": NOW}
                for i in range(projects)
            ],
        )  # fmt: skip
        project_ids = [
            row[0]
            for row in session.execute(
                text("SELECT id FROM project WHERE code LIKE :p ORDER BY id"), {"p": f"{prefix}-%"}
            ).all()
        ]
        # Everyone on at least one team: person i on project i % projects, the rest of each team at random.
        members = {(project_ids[i % projects], person) for i, person in enumerate(ids)}
        for project in project_ids:
            while sum(1 for p, _ in members if p == project) < TEAM:
                members.add((project, rng.choice(ids)))
        session.execute(
            insert(TeamMember),
            [{"project_id": p, "person_id": who, "role": "", "external": False, "added_at": NOW} for p, who in members],
        )
        session.execute(
            insert(PersonAvailability),
            [
                {"person_id": who, "minutes_per_week": rng.choice([38 * 60, 38 * 60, 30 * 60 + 24]),
                 "working_days": days_to_mask(range(5)), "updated_at": NOW}
                for i, who in enumerate(ids)
                if i % 12  # one in twelve unknown
            ],
        )  # fmt: skip
        session.execute(
            insert(LeaveDay),
            [
                {"person_id": who, "day": day}
                for who in ids
                for day in {TODAY + timedelta(days=rng.randrange(56)) for _ in range(2)}
            ],
        )
    _planned(db, project_ids, ids, entries, rng)
    assert manager.id is not None
    directory = DirectoryRepository(db)
    directory.grant(manager.id, Role.MANAGER, actor_id=None, now=NOW)
    directory.set_managed_domains(manager.id, {domain}, actor_id=None, now=NOW)
    return manager


def _planned(db: Database, project_ids: list[int], person_ids: list[int], count: int, rng: random.Random) -> None:
    """Planned entries on weekdays from a year back to a year ahead (about 8 % in the 8 weeks asked)."""
    chunk = 50_000
    start = TODAY - timedelta(days=364)
    written = 0
    while written < count:
        n = min(chunk, count - written)
        rows = []
        for _ in range(n):
            day = start + timedelta(days=rng.randrange(728))
            rows.append(
                {"person_id": rng.choice(person_ids), "project_id": rng.choice(project_ids),
                 "day": day - timedelta(days=max(day.weekday() - 4, 0)), "minutes": rng.choice([60, 120, 180, 240]),
                 "kind": "planned", "category": "other", "note": "", "created_at": NOW, "updated_at": NOW}
            )  # fmt: skip
        with db.session() as session:
            session.execute(insert(TimeEntry), rows)
        written += n


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def turn(db: Database, manager: Person, renderer: PooledRenderer) -> Callable[[], dict[str, Any]]:
    """One `bezetting` turn's handler, for this manager: returns the card."""
    services = Services(
        db=db, clock=FakeClock(NOW), default_language="nl", default_timezone="Europe/Brussels", renderer=renderer
    )

    def call() -> dict[str, Any]:
        request = Request(
            kind="message",
            person=person_facts(manager),
            where=Where("msteams", "c", "personal", "t"),
            language="nl",
            timezone="Europe/Brussels",
        )
        return occupancy_page(request, services, OccupancyPage()).cards[0]

    return call


def start_worker(renderer: PooledRenderer) -> None:
    """Start the drawing worker (spawn and its imports: up to seconds on a busy machine) before timing, as a running
    server has long done; then forget the test drawing."""
    labels = HeatLabels("", "?", (("ok", "ok"),))
    for _ in range(12):
        try:
            renderer.render(render_heatmap, (), (), labels, cache=True)
            break
        except RenderingBusy:
            continue
    renderer._cache.clear()


def timed(call: Callable[[], dict[str, Any]], runs: int, before: Callable[[], None] = lambda: None) -> dict[str, Any]:
    timings, cpu = [], []
    for _ in range(runs):
        before()
        started, started_cpu = time.perf_counter(), time.process_time()
        card = call()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    return {
        # This process's CPU time (the handler's own work, without the drawing worker's): what a busy machine's
        # wall-clock figures hide.
        "cpu_ms_p50": round(statistics.median(cpu), 1),
        "ms_p50": round(statistics.median(timings), 1),
        "ms_p95": round(timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))], 1),
        "ms_max": round(timings[-1], 1),
        "card_bytes": len(json.dumps(card, ensure_ascii=False).encode()),
        "has_heatmap": '"Image"' in json.dumps(card),
    }


def queries(db: Database, call: Callable[[], dict[str, Any]]) -> int:
    with counting(db) as statements:
        call()
    return len(statements)


def run(url: str | None, people: int, projects: int, entries: int, runs: int) -> dict[str, Any]:
    cleanup = None
    if url is None:
        directory = tempfile.TemporaryDirectory()
        db = Database.from_url(f"sqlite:///{directory.name}/bench.db")
        backend = "sqlite"
        cleanup = directory.cleanup
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        db = Database(create_db_engine(url, search_path=schema))
        backend = "postgresql"

        def drop() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

        cleanup = drop
    renderer = PooledRenderer(1)
    try:
        migrate.upgrade(db)
        started = time.perf_counter()
        small = seed(db, 20, 10, 20_000, domain=1, prefix="K")
        manager = seed(db, people, projects, entries, domain=2, prefix="B")
        if backend == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        seeded_s = round(time.perf_counter() - started, 1)
        big, little = turn(db, manager, renderer), turn(db, small, renderer)
        start_worker(renderer)
        big(), little()  # warm up: connections, statement caches
        result: dict[str, Any] = {
            "backend": backend,
            "people": people,
            "projects": projects,
            "planned_entries": entries,
            "seed_s": seeded_s,
            "queries": queries(db, big),
            "queries_20_people": queries(db, little),
            "warm": timed(big, runs),
            "cold": timed(big, runs, before=renderer._cache.clear),
            # Other work on the machine skews the figures: the load average over the last minute, at the end.
            "load_average": round(os.getloadavg()[0], 1),
            "cpus": os.cpu_count(),
        }
        return result
    finally:
        renderer.close()
        db.dispose()
        if cleanup is not None:
            cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (a fresh schema is made and dropped); default SQLite")
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--projects", type=int, default=40)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.database_url, args.people, args.projects, args.entries, args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    warm, cold = result["warm"], result["cold"]
    print(
        f"{result['backend']}: {result['people']} people, {result['projects']} projects, "
        f"{result['planned_entries']:,} planned entries (seeded in {result['seed_s']} s)\n"
        f"  SQL statements per turn: {result['queries']} for {result['people']} people, "
        f"{result['queries_20_people']} for 20\n"
        f"  warm (heatmap cached): p50 {warm['ms_p50']} ms, p95 {warm['ms_p95']} ms, max {warm['ms_max']} ms, "
        f"CPU p50 {warm['cpu_ms_p50']} ms; "
        f"card {warm['card_bytes']:,} bytes, heatmap {'yes' if warm['has_heatmap'] else 'no'}\n"
        f"  cold (heatmap drawn): p50 {cold['ms_p50']} ms, p95 {cold['ms_p95']} ms, max {cold['ms_max']} ms, "
        f"CPU p50 {cold['cpu_ms_p50']} ms, heatmap {'yes' if cold['has_heatmap'] else 'no'}\n"
        f"  load average {result['load_average']} on {result['cpus']} CPUs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
