"""`timesheet` and `log` turn times with 100,000 time entries in the database, against the `help` turn in the same run.

The bot runs as `projectbot serve --dev` in its own process on a pre-seeded SQLite file, replying to the fake Bot
Connector of bench/common.py (its own process too). One user, one request at a time (latency, not throughput):
warm-up, then `--turns` turns of each kind, interleaved help / timesheet / log so drift hits all three alike.
The user is on 10 projects and has ~2,000 of the entries; `log` stores a 1-minute entry on today each turn.

    .venv/bin/python bench/time_turns.py [--entries 100000] [--turns 300] [--json]

Goal (issue 5): median `timesheet` and `log` turns within 1.5x of the median `help` turn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import LOOPBACK, Child, child_env, free_port, latency_summary, wait_for_http

TENANT_ID = "5f2b6c1e-3d4a-4b8c-9e7f-0a1b2c3d4e5f"
TARGET = 1.5


def seed(db_path: Path, entries: int) -> str:
    """Migrated database with 50 projects and `entries` time entries; the bench user on 10 projects with ~2% of
    them. Returns the code of a project the user may log on."""
    from sqlalchemy import update
    from sqlmodel import col

    from bench.portfolio import NOW
    from bench.portfolio import seed as seed_portfolio
    from storage import migrate
    from storage.db import Database
    from storage.models import Person
    from storage.projects import Project, ProjectRepository
    from storage.time_entries import TimeEntry
    from tests.harness.activities import TeamsUser

    db = Database.from_url(f"sqlite:///{db_path}")
    migrate.upgrade(db)
    seed_portfolio(db, 50, entries)
    user = TeamsUser.named("Bench Time User", locale="nl-BE", timezone="Europe/Brussels")
    with db.session() as session:
        person = Person(
            tenant_id=TENANT_ID, aad_object_id=user.aad_object_id, name=user.name, created_at=NOW, updated_at=NOW
        )
        session.add(person)
        session.flush()
        person_id = person.id
        projects = list(session.exec(Project.__table__.select().order_by(col(Project.id)).limit(10)))  # type: ignore[attr-defined]
        # Give the user every 50th entry (about 2%): a realistic history for their timesheet.
        session.execute(update(TimeEntry).where(col(TimeEntry.id) % 50 == 0).values(person_id=person_id))
    assert person_id is not None
    repository = ProjectRepository(db)
    for project in projects:
        repository.add_member(
            project.id, person_id, role="analyst", external=False, actor_id=None, now=datetime.now(UTC)
        )
    code = str(projects[0].code)
    db.dispose()
    return code


async def measure(url: str, service_url: str, code: str, turns: int, warmup: int) -> dict[str, list[float]]:
    import aiohttp

    from tests.harness.activities import ActivityFactory, TeamsUser

    factory = ActivityFactory(service_url, TENANT_ID)
    user = TeamsUser.named("Bench Time User", locale="nl-BE", timezone="Europe/Brussels")
    texts = {"help": "help", "timesheet": "uren", "log": f"registreer 1m {code} bench"}
    times: dict[str, list[float]] = {kind: [] for kind in texts}
    order = list(texts)
    async with aiohttp.ClientSession() as session:
        for n in range(warmup + turns):
            random.Random(n).shuffle(order)
            for kind in order:
                body = json.dumps(factory.message(user, texts[kind])).encode()
                started = time.perf_counter()
                async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as answer:
                    await answer.read()
                    if answer.status >= 300:
                        raise RuntimeError(f"{kind}: HTTP {answer.status}")
                if n >= warmup:
                    times[kind].append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=300, help="measured turns of each kind (log: at most 1400)")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="projectbot-time-bench-") as tmp:
        work = Path(tmp)
        db_path = work / "bench.db"
        seeded = time.perf_counter()
        code = seed(db_path, args.entries)
        seeded = time.perf_counter() - seeded
        connector_port, bot_port = free_port(), free_port()
        python = sys.executable
        connector = Child.start(
            "connector",
            [python, "-c", f"from bench.common import run_connector; run_connector({connector_port})"],
            log_dir=work,
            env=child_env({"PYTHONPATH": str(Path(__file__).resolve().parent.parent)}),
        )
        server = Child.start(
            "projectbot",
            [python, "-m", "bot.cli", "serve", "--dev", "--port", str(bot_port)],
            log_dir=work,
            env=child_env(
                {"DATABASE_URL": f"sqlite:///{db_path}", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
            ),
            cwd=work,
        )
        try:
            wait_for_http(f"http://{LOOPBACK}:{connector_port}/", connector, 30)
            wait_for_http(f"http://{LOOPBACK}:{bot_port}/healthz", server, 60)
            times = asyncio.run(
                measure(
                    f"http://{LOOPBACK}:{bot_port}/api/messages",
                    f"http://{LOOPBACK}:{connector_port}/",
                    code,
                    args.turns,
                    args.warmup,
                )
            )
        finally:
            server.stop()
            connector.stop()
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    result: dict[str, Any] = {
        "entries": args.entries,
        "turns_each": args.turns,
        "seed_seconds": round(seeded, 1),
        "latency_ms": {kind: latency_summary(values) for kind, values in times.items()},
        "ratio_to_help": {kind: round(medians[kind] / medians["help"], 2) for kind in ("timesheet", "log")},
        "target": TARGET,
    }
    result["within_target"] = all(ratio <= TARGET for ratio in result["ratio_to_help"].values())
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.entries} time entries, {args.turns} turns of each kind (one at a time)")
        for kind in ("help", "timesheet", "log"):
            summary = result["latency_ms"][kind]
            print(f"  {kind:<10} {json.dumps(summary)}")
        for kind, ratio in result["ratio_to_help"].items():
            print(f"  {kind} / help (median): {ratio:.2f}x (target <= {TARGET}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
