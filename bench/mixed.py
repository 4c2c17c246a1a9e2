"""A realistic mix of turns over HTTP, 16 in flight: does slow work (charts, documents, the portfolio) hold up the
quick turns (help) of everybody else?

    .venv/bin/python bench/mixed.py                                                   # SQLite (temp file)
    .venv/bin/python bench/mixed.py --database postgresql://postgres@127.0.0.1:5432/test  # a fresh database, dropped
    .venv/bin/python bench/mixed.py --projectbot-src /tmp/base                        # another checkout ("before")
    .venv/bin/python bench/mixed.py --seconds 20 --rounds 2 --json
    .venv/bin/python bench/mixed.py --open-loop 60,15                                 # turns arriving, per second

The database is seeded (by the checkout under test, so its own schema) with 100 projects, their status reports,
milestones, risks and 100,000 time entries over 50 people (bench/portfolio.py), a manager over all of them; the 50
people are the bench's Teams users, each the coordinator of two projects. The bot runs as `serve --dev` in its own
process, the fake Bot Connector in another; the load generator here.

Per round, three phases of `--seconds` each, measured after a warm-up:

* **help alone**: `--help-workers` (8) people ask `help` in a loop;
* **beside charts**: the same 8 help loops, and beside them `16 - 8` loops of the turns that draw: `budget <code>`
  (the hours card with the burn chart), `project <code>` (the project card with the chart) and `rapport <code>`
  (the board report: a DOCX with the chart, offered as a file);
* **full mix**: the same 8 help loops, and 8 loops of every other kind, drawn at random by weight: `log` (a 5-minute
  entry on one of their projects, so the data under that project's chart changes), `timesheet`, `status <code>`,
  `budget`, `project`, `portfolio` (the manager, 100 projects), `rapport`.

With `--open-loop HELP,OTHER` the phases are open loops instead: help turns arrive at HELP per second and the
drawing (or, in the full mix, other) turns at OTHER per second, at random (Poisson), each answered or not, as many
people's turns arrive; the load then stays below what the server can do, and the ratio shows whether a quick turn
waits for a slow one rather than how the one core is shared out when it is saturated.

Reported per turn type and phase: count, p50/p95/p99/max (ms, as the load generator saw them: the bot answers the
POST after its replies went out). The headline is **help p95 beside charts / help p95 alone**, measured in the same
run. Goals (issue 13): that ratio <= 1.5; budget/project p50 <= 150 ms; no type's p99 over 1 s (full mix). Every
turn must answer 2xx; answers "busy, try again" are counted (from what the connector received).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

if sys.argv[1:2] == ["_seed"]:
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # the checkout under test (PYTHONPATH) comes first
else:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    LOOPBACK,
    REPO_ROOT,
    BenchError,
    Child,
    child_env,
    cpu_seconds,
    free_port,
    fresh_postgres_database,
    get_json,
    percentile,
    wait_for_http,
)

TENANT_ID = "5f2b6c1e-3d4a-4b8c-9e7f-0a1b2c3d4e5f"
PEOPLE = 50
CHART_WEIGHTS = {"budget": 40, "project": 30, "report": 30}
OTHER_WEIGHTS = {
    "log": 25,
    "timesheet": 15,
    "status": 15,
    "budget": 15,
    "project": 10,
    "portfolio": 10,
    "report": 10,
}
JSON_HEADERS = {"Content-Type": "application/json"}
BUSY_WORDS = ("te druk", "too busy", "niet bereiken", "cannot reach")
GOALS = {"help_p95_ratio": 1.5, "chart_card_p50_ms": 150.0, "p99_ms": 1000.0}


# -- seeding (a child process running the checkout under test) --------------------------------------------------


def _seed(url: str, projects: int, entries: int) -> None:
    """Runs with the checkout under test first on sys.path: its models, its migrations."""
    from sqlalchemy import text

    from bench.portfolio import seed
    from storage import migrate
    from storage.db import Database
    from tests.harness.activities import TeamsUser

    db = Database.from_url(url)
    migrate.upgrade(db)
    seed(db, projects, entries, prefix="P")
    with db.engine.begin() as connection:
        people = connection.execute(
            text(
                "SELECT id FROM person WHERE aad_object_id LIKE 'aad-P-%'"
                " AND aad_object_id != 'aad-P-manager' ORDER BY id"
            )
        ).all()
        for n, (person_id,) in enumerate(people):
            user = TeamsUser.named(f"Mixed {n:02d}")
            connection.execute(
                text("UPDATE person SET tenant_id = :t, aad_object_id = :a WHERE id = :id"),
                {"t": TENANT_ID, "a": user.aad_object_id, "id": person_id},
            )
        connection.execute(
            text("UPDATE person SET tenant_id = :t, aad_object_id = :a WHERE aad_object_id = 'aad-P-manager'"),
            {"t": TENANT_ID, "a": TeamsUser.named("Mixed manager").aad_object_id},
        )
    db.dispose()


def seed_database(url: str, src: Path, projects: int, entries: int, log_dir: Path) -> float:
    started = time.perf_counter()
    env = child_env({"PYTHONPATH": f"{src}{os.pathsep}{REPO_ROOT}" if src != REPO_ROOT else str(REPO_ROOT)})
    with (log_dir / "seed.log").open("wb") as log:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "_seed", url, str(projects), str(entries)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=log_dir,
        )
    if done.returncode:
        raise BenchError(f"seeding failed:\n{(log_dir / 'seed.log').read_text()[-3000:]}")
    return time.perf_counter() - started


# -- the load -------------------------------------------------------------------------------------------------


class Load:
    def __init__(self, url: str, service_url: str, projects: int, seed: int) -> None:
        from tests.harness.activities import ActivityFactory, TeamsUser

        self.url = url
        self.factory = ActivityFactory(service_url, TENANT_ID)
        self.people = [TeamsUser.named(f"Mixed {n:02d}", locale="nl-BE") for n in range(PEOPLE)]
        self.manager = TeamsUser.named("Mixed manager", locale="nl-BE")
        self.helpers = [
            TeamsUser.named(f"Mixed helper {n:02d}", locale="en-US" if n % 2 else "nl-BE") for n in range(40)
        ]
        self.projects = projects
        self.rng = random.Random(seed)
        # phase -> turn kind -> latencies (s)
        self.latencies: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: dict[str, int] = defaultdict(int)

    def _project_of(self, person: int) -> str:
        """One of the two projects the person coordinates (seed: project i's coordinator is person i % 50)."""
        choices = [i for i in (person, person + PEOPLE) if i < self.projects] or [person % self.projects]
        return f"P-{self.rng.choice(choices):05d}"

    def _turn(self, kind: str) -> bytes:
        if kind == "help":
            return json.dumps(self.factory.message(self.rng.choice(self.helpers), "help")).encode()
        if kind == "portfolio":
            return json.dumps(self.factory.message(self.manager, "portfolio")).encode()
        n = self.rng.randrange(PEOPLE)
        person, code = self.people[n], self._project_of(n)
        text = {
            "log": f"registreer 5m {code} bench",
            "timesheet": "uren",
            "status": f"status {code}",
            "budget": f"budget {code}",
            "project": f"project {code}",
            "report": f"rapport {code}",
        }[kind]
        return json.dumps(self.factory.message(person, text)).encode()

    async def one(self, session: Any, kind: str, record: str | None) -> None:
        """One turn: POST it, wait for the answer (the bot answers once its replies went out), note how long."""
        import aiohttp

        body = self._turn(kind)
        started = time.perf_counter()
        try:
            async with session.post(self.url, data=body, headers=JSON_HEADERS) as answer:
                await answer.read()
                status = answer.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        if record is not None:
            self.latencies[record][kind].append(time.perf_counter() - started)
            self.statuses[kind][status] += 1

    async def loop(self, session: Any, kinds: list[str], weights: list[int], until: float, record: str | None) -> None:
        """A closed loop: one person asking again as soon as they have their answer."""
        while time.monotonic() < until:
            await self.one(session, self.rng.choices(kinds, weights)[0], record)

    async def arrivals(
        self, session: Any, kinds: list[str], weights: list[int], rate: float, until: float, record: str | None
    ) -> None:
        """An open loop: turns arrive at `rate` per second on average (Poisson), whether earlier ones are answered
        or not, as many people's turns do; each is its own task."""
        running: set[asyncio.Task[None]] = set()
        while True:
            await asyncio.sleep(self.rng.expovariate(rate))
            if time.monotonic() >= until:
                break
            task = asyncio.create_task(self.one(session, self.rng.choices(kinds, weights)[0], record))
            running.add(task)
            task.add_done_callback(running.discard)
        if running:
            await asyncio.gather(*running)

    async def phase(
        self, help_workers: int, others: dict[str, int], other_workers: int, seconds: float, record: str | None
    ) -> float:
        """Closed loops: `help_workers` asking help, `other_workers` asking the kinds of `others` by weight."""
        import aiohttp

        until = time.monotonic() + seconds
        other_kinds, other_weights = list(others), list(others.values())
        started = time.perf_counter()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            await asyncio.gather(
                *(self.loop(session, ["help"], [1], until, record) for _ in range(help_workers)),
                *(self.loop(session, other_kinds, other_weights, until, record) for _ in range(other_workers)),
            )
        return time.perf_counter() - started

    async def open_phase(
        self, help_rate: float, others: dict[str, int], other_rate: float, seconds: float, record: str | None
    ) -> float:
        """Open loops: help arriving at `help_rate` per second and the kinds of `others` at `other_rate`."""
        import aiohttp

        until = time.monotonic() + seconds
        started = time.perf_counter()
        connector = aiohttp.TCPConnector(limit=0)  # an open loop has no bound on turns in flight
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
            await asyncio.gather(
                self.arrivals(session, ["help"], [1], help_rate, until, record),
                *(
                    [self.arrivals(session, list(others), list(others.values()), other_rate, until, record)]
                    if others and other_rate > 0
                    else []
                ),
            )
        return time.perf_counter() - started


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "count": len(ordered),
        "p50_ms": round(percentile(ordered, 0.50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 0.95) * 1000, 1),
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else float("nan"),
    }


# -- orchestration --------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    src = args.projectbot_src.resolve() if args.projectbot_src else REPO_ROOT
    drop = None
    with tempfile.TemporaryDirectory(prefix="projectbot-mixed-", dir=args.tmpdir) as tmp:
        work = Path(tmp)
        if args.database:
            url, drop = fresh_postgres_database(args.database, prefix="mixed")
        else:
            url = f"sqlite:///{work / 'bench.db'}"
        try:
            seeded = seed_database(url, src, args.projects, args.entries, work)
            connector_port, bot_port = free_port(), free_port()
            connector = Child.start(
                "connector",
                [sys.executable, "-c", f"from bench.common import run_connector; run_connector({connector_port})"],
                log_dir=work,
                env=child_env({"PYTHONPATH": str(REPO_ROOT)}),
            )
            env = {"DATABASE_URL": url, "PYTHONPATH": str(src)}
            env.update(dict(item.split("=", 1) for item in args.env))
            server = Child.start(
                "projectbot",
                [sys.executable, "-m", "bot.cli", "serve", "--dev", "--port", str(bot_port)],
                log_dir=work,
                env=child_env(env),
                cwd=work,
            )
            try:
                wait_for_http(f"http://{LOOPBACK}:{connector_port}/", connector, 30)
                wait_for_http(f"http://{LOOPBACK}:{bot_port}/healthz", server, 120)
                load = Load(
                    f"http://{LOOPBACK}:{bot_port}/api/messages",
                    f"http://{LOOPBACK}:{connector_port}/",
                    args.projects,
                    args.seed,
                )
                others = args.concurrency - args.help_workers
                asyncio.run(load.phase(args.help_workers, OTHER_WEIGHTS, others, args.warmup, record=None))
                before = get_json(f"http://{LOOPBACK}:{connector_port}/_bench/stats")
                cpu_before = cpu_seconds(server.pid) or 0.0
                drawing = {kind: CHART_WEIGHTS[kind] for kind in args.beside.split(",")}
                for _round in range(args.rounds):
                    if args.open_loop:
                        help_rate, other_rate = args.open_loop
                        asyncio.run(load.open_phase(help_rate, {}, 0, args.seconds, "help alone"))
                        asyncio.run(load.open_phase(help_rate, drawing, other_rate, args.seconds, "beside charts"))
                        if not args.skip_full_mix:
                            asyncio.run(load.open_phase(help_rate, OTHER_WEIGHTS, other_rate, args.seconds, "full mix"))
                        continue
                    asyncio.run(load.phase(args.help_workers, {}, 0, args.seconds, record="help alone"))
                    asyncio.run(load.phase(args.help_workers, drawing, others, args.seconds, "beside charts"))
                    if not args.skip_full_mix:
                        asyncio.run(load.phase(args.help_workers, OTHER_WEIGHTS, others, args.seconds, "full mix"))
                cpu = (cpu_seconds(server.pid) or 0.0) - cpu_before
                after = get_json(f"http://{LOOPBACK}:{connector_port}/_bench/stats")
            except BaseException:
                print(f"logs kept in {work}:\n{server.log_tail()}", file=sys.stderr)
                raise
            finally:
                server.stop()
                connector.stop()
        finally:
            if drop is not None:
                drop()
    texts = after.get("texts", {})
    busy = sum(n - before.get("texts", {}).get(t, 0) for t, n in texts.items() if any(w in t for w in BUSY_WORDS))
    phases = {
        phase: {kind: summary(values) for kind, values in sorted(kinds.items())}
        for phase, kinds in load.latencies.items()
    }
    alone, beside, mixed = phases["help alone"]["help"], phases["beside charts"], phases.get("full mix", {})
    ratio = beside["help"]["p95_ms"] / alone["p95_ms"] if alone["p95_ms"] else float("nan")
    non_2xx = {
        kind: {str(s): n for s, n in statuses.items() if not 200 <= s < 300}
        for kind, statuses in load.statuses.items()
        if any(not 200 <= s < 300 for s in statuses)
    }
    result: dict[str, Any] = {
        "backend": "postgresql" if args.database else "sqlite",
        "src": str(src),
        "projects": args.projects,
        "entries": args.entries,
        "seed_seconds": round(seeded, 1),
        "concurrency": None if args.open_loop else args.concurrency,
        "help_workers": None if args.open_loop else args.help_workers,
        "open_loop_rates_per_s": list(args.open_loop) if args.open_loop else None,
        "seconds_per_phase": args.seconds,
        "rounds": args.rounds,
        "phases": phases,
        "help_p95_ratio": round(ratio, 2),
        "help_p95_ratio_full_mix": round(mixed["help"]["p95_ms"] / alone["p95_ms"], 2) if mixed else None,
        "server_cpu_s": round(cpu, 1),
        "busy_answers": busy,
        "non_2xx": non_2xx,
        "goals": GOALS,
    }
    result["goals_met"] = {
        "help_p95_ratio": ratio <= GOALS["help_p95_ratio"],
        "chart_card_p50": all(
            phase[k]["p50_ms"] <= GOALS["chart_card_p50_ms"]
            for phase in (beside, mixed)
            for k in ("budget", "project")
            if k in phase
        ),
        "p99_under_1s": all(s["p99_ms"] <= GOALS["p99_ms"] for s in mixed.values()),
    }
    return result


def _rates(text: str) -> tuple[float, float]:
    try:
        help_rate, other_rate = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HELP,OTHER turns per second (e.g. 40,8), not {text!r}") from None
    if help_rate <= 0 or other_rate < 0:
        raise argparse.ArgumentTypeError("the help rate must be above 0 and the other rate at least 0")
    return help_rate, other_rate


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_seed"]:
        _seed(argv[1], int(argv[2]), int(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="a PostgreSQL URL (a fresh database is made and dropped); default SQLite")
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=16, help="turns in flight in the mixed phase")
    parser.add_argument("--help-workers", type=int, default=8, help="of which asking help (also alone)")
    parser.add_argument("--seconds", type=float, default=30, help="per phase")
    parser.add_argument("--rounds", type=int, default=1, help="help-alone / mixed pairs")
    parser.add_argument("--warmup", type=float, default=8)
    parser.add_argument(
        "--beside", default="budget,project,report", help="the drawing turns of the second phase (comma-separated)"
    )
    parser.add_argument(
        "--open-loop",
        type=_rates,
        metavar="HELP,OTHER",
        help="open loops instead: help turns arriving at HELP per second, the drawing (or other) turns at OTHER per "
        "second, Poisson (e.g. 40,8); --concurrency and --help-workers then only shape the warm-up",
    )
    parser.add_argument("--skip-full-mix", action="store_true", help="only the first two phases")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--projectbot-src", type=Path, help="run (and seed with) this checkout")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server (repeatable)")
    parser.add_argument("--tmpdir", help="where the SQLite file lives (e.g. /dev/shm)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    load_shape = (
        f"open loops: help {args.open_loop[0]:g}/s, others {args.open_loop[1]:g}/s"
        if args.open_loop
        else f"{args.concurrency} in flight ({args.help_workers} asking help)"
    )
    print(
        f"{result['backend']}, {result['src']}: {args.projects} projects, {args.entries} entries, {load_shape}, "
        f"{args.seconds:.0f} s per phase x {args.rounds}"
    )
    print(f"  {'phase':<14} {'turn':<10} {'count':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  ms")
    for phase, kinds in result["phases"].items():
        for kind, s in kinds.items():
            print(
                f"  {phase:<14} {kind:<10} {s['count']:>6} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['p99_ms']:>8} "
                f"{s['max_ms']:>8}"
            )
    print(
        f"  help p95 beside charts / alone: {result['help_p95_ratio']}x (goal <= {GOALS['help_p95_ratio']}x), "
        f"full mix / alone: {result['help_p95_ratio_full_mix']}x; "
        f"busy answers {result['busy_answers']}; non-2xx {result['non_2xx'] or 'none'}; "
        f"server CPU {result['server_cpu_s']} s"
    )
    print(f"  goals met: {result['goals_met']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
