"""Start time and memory of `projectbot serve`: from the command to a healthy `/healthz`, idle RSS, and RSS after
N distinct people have each talked to the bot once.

    .venv/bin/python bench/startup.py                       # 5 starts, then 10,000 distinct users (SQLite)
    .venv/bin/python bench/startup.py --starts 7 --users 0  # start time and idle RSS only
    .venv/bin/python bench/startup.py --database postgresql://postgres@127.0.0.1:5432/test   # a fresh database
    .venv/bin/python bench/startup.py --projectbot-src /tmp/base   # measure another checkout (e.g. `git archive`)

Every start is `python -m bot.cli serve --dev` in its own process (cwd a temp dir, so no `.env`), on a database that
an earlier, uncounted start already migrated, with the bytecode already compiled: a warm install. Timed from just
before the process is spawned until `GET /healthz` first answers 200 (polled every 10 ms). Idle RSS is read from
/proc two seconds after that (the server's own process; processes it started, e.g. chart workers, listed apart).
Then, on the last start, `--users` different people each send one `help` (16 in flight) and the RSS is read again:
what per-person caches cost.

Goals (issue 13, item 5): start <= 1.0 s, idle RSS <= 100 MB, RSS after 10,000 distinct users <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    LOOPBACK,
    REPO_ROOT,
    BenchError,
    Child,
    child_env,
    free_port,
    fresh_postgres_database,
    wait_for_http,
)

TENANT_ID = "5f2b6c1e-3d4a-4b8c-9e7f-0a1b2c3d4e5f"
GOALS = {"start_s": 1.0, "idle_rss_mb": 100.0, "users_rss_mb": 150.0}


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children_rss_mb(pid: int) -> dict[str, float]:
    """RSS of every descendant of `pid` (chart/document workers), by pid."""
    found: dict[str, float] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            kids = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            value = rss_mb(int(kid))
            if value is not None:
                found[kid] = round(value, 1)
            todo.append(int(kid))
    return found


def healthy_after(url: str, child: Child, started: float, timeout: float) -> float:
    """Seconds from `started` until `url` answers 200."""
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if child.proc.poll() is not None:
            raise BenchError(f"projectbot exited with {child.proc.returncode}:\n{child.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.01)
    raise BenchError(f"no healthy {url} within {timeout:.0f}s:\n{child.log_tail()}")


def compile_bytecode(root: Path) -> None:
    """A warm install has its bytecode (pip and the container image compile it); a checkout may not, and with
    PYTHONDONTWRITEBYTECODE set (as on the development machines) no start would ever write it, so every start
    would compile the whole bot from source first (≈ 0.3 s)."""
    for package in ("bot", "dialogs", "storage", "cards", "domain"):
        if (root / package).is_dir():
            compileall.compile_dir(root / package, quiet=1)


def start_server(
    work: Path, port: int, database_url: str, src: Path | None, extra_env: dict[str, str], *, floor: bool = False
) -> Child:
    """`projectbot serve --dev`; with floor, bench/stack_floor.py (the libraries alone) started the same way."""
    env = {"DATABASE_URL": database_url, "PYTHONPATH": str(src or REPO_ROOT), **extra_env}
    if floor:
        command = [sys.executable, str(REPO_ROOT / "bench" / "stack_floor.py"), "--database-url", database_url]
    else:
        command = [sys.executable, "-m", "bot.cli", "serve", "--dev"]
    return Child.start(
        f"{'floor' if floor else 'projectbot'}-{port}",
        [*command, "--port", str(port)],
        log_dir=work,
        env=child_env(env),
        cwd=work,
    )


async def talk(url: str, service_url: str, users: int, concurrency: int) -> dict[str, Any]:
    """`users` different people each say `help` once."""
    import aiohttp

    from tests.harness.activities import ActivityFactory, TeamsUser

    factory = ActivityFactory(service_url, TENANT_ID)
    run = uuid.uuid4().hex[:6]
    bodies = (
        json.dumps(
            factory.message(TeamsUser.named(f"Startup {run} {n}", locale="en-US" if n % 2 else "nl-BE"), "help")
        ).encode()
        for n in range(users)
    )
    statuses: dict[int, int] = {}

    async def worker(session: aiohttp.ClientSession) -> None:
        for body in bodies:  # one shared generator: each person talks once
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as answer:
                await answer.read()
                statuses[answer.status] = statuses.get(answer.status, 0) + 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return {"seconds": round(time.perf_counter() - started, 1), "statuses": statuses}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=5, help="counted starts (after one uncounted warm-up)")
    parser.add_argument("--users", type=int, default=10_000, help="distinct people talking once (0: skip)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--idle-seconds", type=float, default=2.0, help="wait before reading the idle RSS")
    parser.add_argument("--database", help="a PostgreSQL URL (a fresh database is made and dropped); default SQLite")
    parser.add_argument("--projectbot-src", type=Path, help="run this checkout instead of the working tree")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server (repeatable)")
    parser.add_argument(
        "--floor", action="store_true", help="start bench/stack_floor.py (the libraries alone) instead of the bot"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.floor:
        args.users = 0
    extra_env = dict(item.split("=", 1) for item in args.env)
    src = args.projectbot_src.resolve() if args.projectbot_src else None
    compile_bytecode(src or REPO_ROOT)

    drop = None
    with tempfile.TemporaryDirectory(prefix="projectbot-startup-") as tmp:
        work = Path(tmp)
        if args.database:
            database_url, drop = fresh_postgres_database(args.database, prefix="bench")
        else:
            database_url = f"sqlite:///{work / 'bench.db'}"
        connector_port = free_port()
        connector = Child.start(
            "connector",
            [sys.executable, "-c", f"from bench.common import run_connector; run_connector({connector_port})"],
            log_dir=work,
            env=child_env({"PYTHONPATH": str(REPO_ROOT)}),
        )
        starts: list[float] = []
        idle: list[float] = []
        workers: dict[str, float] = {}
        users: dict[str, Any] = {}
        try:
            wait_for_http(f"http://{LOOPBACK}:{connector_port}/", connector, 30)
            for number in range(args.starts + 1):  # number 0 migrates and warms the file cache: not counted
                port = free_port()
                started = time.perf_counter()
                server = start_server(work, port, database_url, src, extra_env, floor=args.floor)
                try:
                    seconds = healthy_after(f"http://{LOOPBACK}:{port}/healthz", server, started, 120)
                    time.sleep(args.idle_seconds)
                    resident = rss_mb(server.pid)
                    if number > 0:
                        starts.append(seconds)
                        idle.append(resident or float("nan"))
                    if number == args.starts and args.users:
                        users = asyncio.run(
                            talk(
                                f"http://{LOOPBACK}:{port}/api/messages",
                                f"http://{LOOPBACK}:{connector_port}/",
                                args.users,
                                args.concurrency,
                            )
                        )
                        time.sleep(args.idle_seconds)
                        users["rss_mb"] = round(rss_mb(server.pid) or float("nan"), 1)
                        workers = children_rss_mb(server.pid)
                finally:
                    server.stop()
        finally:
            connector.stop()
            if drop is not None:
                drop()
    result: dict[str, Any] = {
        "backend": "postgresql" if args.database else "sqlite",
        "src": "the libraries alone (bench/stack_floor.py)" if args.floor else str(src or REPO_ROOT),
        "start_s": [round(s, 3) for s in starts],
        "start_s_median": round(statistics.median(starts), 3),
        "idle_rss_mb": [round(r, 1) for r in idle],
        "idle_rss_mb_median": round(statistics.median(idle), 1),
        "users": args.users,
        "after_users": users,
        "worker_processes_rss_mb": workers,
        "goals": GOALS,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['backend']}, {result['src']}")
        print(f"  start to healthy /healthz: median {result['start_s_median']:.3f} s  {result['start_s']}")
        print(f"  idle RSS: median {result['idle_rss_mb_median']:.1f} MB  {result['idle_rss_mb']}")
        if users:
            print(
                f"  after {args.users} distinct users ({users['seconds']} s, {users['statuses']}): "
                f"RSS {users['rss_mb']} MB; worker processes {workers or 'none'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
