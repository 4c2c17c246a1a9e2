"""Benchmark: `portfolio` for a manager overseeing 500 projects with 1,000,000 time entries, SQLite and PostgreSQL.

    .venv/bin/python bench/portfolio.py                                    # SQLite (temp file)
    .venv/bin/python bench/portfolio.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/portfolio.py --projects 500 --entries 1000000 --runs 20 --json

Seeds a fresh database (migrated to head) with one manager, N projects in his domain (two status reports on most,
four milestones and three risks each, a few local governments) and M performed/planned time entries spread over
the projects and 50 people; then calls the real `portfolio` handler (dialogs.status.portfolio.portfolio_page: permission
check, queries, hours from time entries, attention ranking, card for page 1) `--runs` times and reports the number
of SQL statements per call (counted with a SQLAlchemy event listener) and the timings. Also counts the
statements for a portfolio of 10 projects to show the count does not grow with the number of projects.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, insert, text

from cards.status.portfolio import PortfolioPage
from dialogs.kernel.turn import Request, Services, Where
from dialogs.status.portfolio import portfolio_page
from storage import migrate
from storage.db import Database, create_db_engine, normalise_url
from storage.directory import DirectoryRepository, Role
from storage.milestones_risks import Milestone, Risk
from storage.models import Person
from storage.people import person_facts
from storage.projects import Government, Project, ProjectGovernment
from storage.status import StatusReport
from storage.time_entries import TimeEntry
from tests.harness.clock import FakeClock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DOMAIN = 2


def seed(db: Database, projects: int, entries: int, *, domain: int = DOMAIN, prefix: str = "P") -> Person:
    rng = random.Random(42)
    with db.session() as session:
        people = [
            Person(tenant_id="t", aad_object_id=f"aad-{prefix}-{i}", name=f"Person {i}", created_at=NOW, updated_at=NOW)
            for i in range(50)
        ]
        manager = Person(
            tenant_id="t", aad_object_id=f"aad-{prefix}-manager", name="Manager", created_at=NOW, updated_at=NOW
        )
        session.add_all([*people, manager])
        session.flush()
        person_ids = [p.id for p in people]
        governments = [Government(name=f"Gemeente {prefix}{i}") for i in range(20)]
        session.add_all(governments)
        session.flush()
        project_rows = [
            {
                "code": f"{prefix}-{i:05d}",
                "name": f"Project {i}",
                "domain_id": domain,
                "coordinator_id": person_ids[i % 50],
                "budget_hours": Decimal(rng.choice([200, 500, 1000, 2500])),
                "phase": "execution",
                "state": "active",
                "description": "",
                "goal": "",
                "scope": "",
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(projects)
        ]
        session.execute(insert(Project), project_rows)
        ids = [
            row[0]
            for row in session.execute(
                text("SELECT id FROM project WHERE code LIKE :p ORDER BY id"), {"p": f"{prefix}-%"}
            ).all()
        ]
        session.execute(
            insert(ProjectGovernment),
            [{"project_id": pid, "government_id": governments[i % 20].id} for i, pid in enumerate(ids)],
        )
        reports, milestones, risks = [], [], []
        for i, pid in enumerate(ids):
            if i % 7:
                for age in (rng.randint(15, 40), rng.randint(0, 20)):
                    reports.append(
                        {
                            "project_id": pid,
                            "overall": rng.choice(["green", "green", "amber", "red"]),
                            "schedule": rng.choice(["green", "amber", "red"]),
                            "budget": rng.choice(["green", "amber"]),
                            "scope": "green",
                            "summary": "Voortgang volgens plan, met enkele aandachtspunten.",
                            "achievements": "",
                            "next_steps": "",
                            "decisions_needed": "",
                            "blockers": "",
                            "author_id": person_ids[i % 50],
                            "created_at": NOW - timedelta(days=age, minutes=i),
                        }
                    )
            for m in range(4):
                due = date(2026, 9, 1) + timedelta(days=rng.randint(0, 180))
                done = NOW - timedelta(days=1) if m == 0 else None
                milestones.append(
                    {"project_id": pid, "title": f"Mijlpaal {m}", "description": "", "due_on": due, "done_at": done,
                     "created_at": NOW, "updated_at": NOW}
                )  # fmt: skip
            for r in range(3):
                p, i_ = rng.randint(1, 5), rng.randint(1, 5)
                risks.append(
                    {"project_id": pid, "title": f"Risico {r}", "description": "", "probability": p, "impact": i_,
                     "score": p * i_, "mitigation": "", "state": rng.choice(["open", "open", "mitigated", "closed"]),
                     "created_at": NOW, "updated_at": NOW}
                )  # fmt: skip
        session.execute(insert(StatusReport), reports)
        session.execute(insert(Milestone), milestones)
        session.execute(insert(Risk), risks)
    _time_entries(db, ids, person_ids, entries, rng)
    assert manager.id is not None
    directory = DirectoryRepository(db)
    directory.grant(manager.id, Role.MANAGER, actor_id=None, now=NOW)
    directory.set_managed_domains(manager.id, {domain}, actor_id=None, now=NOW)
    return manager


def _time_entries(
    db: Database, project_ids: list[int], person_ids: list[int | None], count: int, rng: random.Random
) -> None:
    chunk = 50_000
    start = date(2025, 1, 1)
    written = 0
    while written < count:
        n = min(chunk, count - written)
        rows = [
            {
                "person_id": person_ids[rng.randrange(50)],
                "project_id": project_ids[rng.randrange(len(project_ids))],
                "day": start + timedelta(days=rng.randrange(690)),
                "minutes": rng.choice([30, 60, 90, 120, 240, 480]),
                "kind": "performed" if rng.random() < 0.85 else "planned",
                "category": "other",
                "note": "",
                "created_at": NOW,
                "updated_at": NOW,
            }
            for _ in range(n)
        ]
        with db.session() as session:
            session.execute(insert(TimeEntry), rows)
        written += n


@contextmanager
def counting(db: Database) -> Any:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def measure(db: Database, manager: Person, runs: int) -> dict[str, Any]:
    request = Request(
        kind="message",
        person=person_facts(manager),
        where=Where("msteams", "c", "personal", "t"),
        language="nl",
        timezone="Europe/Brussels",
    )
    services = Services(db=db, clock=FakeClock(NOW), default_language="nl", default_timezone="Europe/Brussels")
    portfolio_page(request, services, PortfolioPage())  # warm up (connections, statement caches)
    timings = []
    with counting(db) as statements:
        for _ in range(runs):
            started = time.perf_counter()
            reply = portfolio_page(request, services, PortfolioPage())
            timings.append((time.perf_counter() - started) * 1000)
    card = reply.cards[0]
    timings.sort()
    return {
        "queries_per_call": len(statements) // runs,
        "ms_median": round(statistics.median(timings), 1),
        "ms_p90": round(timings[int(0.9 * (len(timings) - 1))], 1),
        "ms_max": round(timings[-1], 1),
        "card_bytes": len(json.dumps(card, ensure_ascii=False).encode()),
    }


def run(url: str | None, projects: int, entries: int, runs: int) -> dict[str, Any]:
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
    try:
        migrate.upgrade(db)
        started = time.perf_counter()
        small = seed(db, 10, 20_000, domain=1, prefix="S")
        manager = seed(db, projects, entries)
        if backend == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        seeded_s = round(time.perf_counter() - started, 1)
        result = {"backend": backend, "projects": projects, "time_entries": entries, "seed_s": seeded_s}
        result["small_portfolio_10_projects"] = measure(db, small, max(3, runs // 4))
        result["portfolio"] = measure(db, manager, runs)
        return result
    finally:
        db.dispose()
        if cleanup is not None:
            cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL URL (a fresh schema is made and dropped)")
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.postgres, args.projects, args.entries, args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        p, s = result["portfolio"], result["small_portfolio_10_projects"]
        print(
            f"{result['backend']}: {result['projects']} projects, {result['time_entries']:,} time entries "
            f"(seeded in {result['seed_s']} s)\n"
            f"  portfolio: {p['queries_per_call']} SQL statements per call; median {p['ms_median']} ms, "
            f"p90 {p['ms_p90']} ms, max {p['ms_max']} ms; page-1 card {p['card_bytes']:,} bytes\n"
            f"  10-project portfolio: {s['queries_per_call']} SQL statements per call; median {s['ms_median']} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
