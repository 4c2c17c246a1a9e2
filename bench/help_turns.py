"""Benchmark: `help` turns per second and p50/p99 latency, projectbot vs. a stock botbuilder echo bot.

    .venv/bin/python bench/help_turns.py                 # 200 warm-up + 3000 turns each, 16 in flight
    .venv/bin/python bench/help_turns.py --rounds 3 --json

Four kinds of process, all on 127.0.0.1, all started and stopped here: a fake Bot Connector, the bot under
test (`projectbot serve --dev` on a fresh SQLite file, or bench/echo_bot.py), and a load generator. A turn is
one POST of a Teams personal-chat `message` ("help") to /api/messages until its HTTP response; both bots
send their reply to the fake connector before they respond. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import select
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH_DIR,
    LOOPBACK,
    REPO_ROOT,
    BenchError,
    Child,
    child_env,
    counts_delta,
    cpu_seconds,
    free_port,
    get_json,
    latency_summary,
    machine_cpu_seconds,
    run_connector,
    wait_for_http,
)

TARGETS = ("echo", "projectbot")
TARGET_RATIO = 2.0  # the goal: projectbot's throughput at least twice the echo bot's
RESULTS_DIR = BENCH_DIR / "results"
TENANT_ID = "5f2b6c1e-3d4a-4b8c-9e7f-0a1b2c3d4e5f"
START_TIMEOUT_S = 60.0


# ========================================================================================================
# Load generator (its own process: `help_turns.py _load ...`)
# ========================================================================================================


def _build_bodies(service_url: str, users: int, count: int, offset: int) -> list[bytes]:
    """`count` Teams personal-chat "help" messages from `users` people, round-robin, as request bodies."""
    sys.path.insert(0, str(REPO_ROOT))
    from tests.harness.activities import ActivityFactory, TeamsUser

    factory = ActivityFactory(service_url, TENANT_ID)
    people = [
        TeamsUser.named(f"Bench User {i:03d}", locale="nl-BE", timezone="Europe/Brussels")
        if i % 2 == 0
        else TeamsUser.named(f"Bench User {i:03d}", locale="en-US", timezone="America/New_York")
        for i in range(users)
    ]
    return [json.dumps(factory.message(people[(offset + n) % users], "help")).encode() for n in range(count)]


async def _phase(session: Any, url: str, bodies: list[bytes], concurrency: int, deadline: float) -> dict[str, Any]:
    import aiohttp

    headers = {"Content-Type": "application/json"}
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    pending = iter(bodies)

    async def worker() -> None:
        for body in pending:  # one shared iterator: each body is sent exactly once
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                status = 0
                errors[f"{type(exc).__name__}: {exc}"[:200]] += 1
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    done = sum(statuses.values())
    return {
        "turns": done,
        "planned": len(bodies),
        "complete": done == len(bodies),
        "wall_s": wall,
        "turns_per_s": done / wall if wall > 0 else 0.0,
        "non_2xx": sum(n for status, n in statuses.items() if not 200 <= status < 300),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": dict(errors.most_common(5)),
        **latency_summary(latencies),
    }


def _emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


async def _load(args: argparse.Namespace) -> None:
    import aiohttp

    deadline = time.monotonic() + args.max_seconds
    warm = _build_bodies(args.service_url, args.users, args.warmup, 0)
    main = _build_bodies(args.service_url, args.users, args.turns, args.warmup)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        warmed = await _phase(session, args.url, warm, args.concurrency, deadline)
        _emit({"event": "warmed", **warmed})
        # The orchestrator reads counters (connector, CPU) between the phases, then says "go".
        go = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        if go.strip() != "go":
            return
        measured = await _phase(session, args.url, main, args.concurrency, deadline)
        _emit({"event": "done", **measured})


# ========================================================================================================
# Orchestrator
# ========================================================================================================


@dataclass
class Config:
    turns: int
    warmup: int
    concurrency: int
    users: int
    rounds: int
    targets: tuple[str, ...]
    max_seconds: float
    request_timeout: float
    py_spy: Path | None
    py_spy_args: tuple[str, ...]
    keep_logs: bool
    tmpdir: Path | None
    projectbot_src: Path | None


def _python() -> str:
    return sys.executable


def _projectbot_argv(port: int, src: Path | None) -> list[str]:
    """`projectbot serve --dev`; from another checkout (`--projectbot-src`) through `python -m bot.cli`."""
    script = Path(sys.executable).with_name("projectbot")
    serve = ["serve", "--dev", "--port", str(port)]
    if src is None and script.exists():
        return [str(script), *serve]
    return [_python(), "-m", "bot.cli", *serve]


def _read_event(child: Child, timeout: float) -> dict[str, Any]:
    """The next JSON line the load generator prints, within `timeout` seconds."""
    stdout = child.proc.stdout
    assert stdout is not None
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BenchError(f"the load generator said nothing for {timeout:.0f}s")
        ready, _, _ = select.select([stdout], [], [], min(remaining, 1.0))
        if ready:
            line = stdout.readline()
            if not line:
                raise BenchError(f"the load generator exited ({child.proc.poll()}):\n{child.log_tail()}")
            return dict(json.loads(line))
        if child.proc.poll() is not None:
            raise BenchError(f"the load generator exited ({child.proc.returncode}):\n{child.log_tail()}")


def _cpu(children: dict[str, Child]) -> dict[str, float | None]:
    return {name: cpu_seconds(child.pid) for name, child in children.items()}


def _db_rows(db_path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return {
            table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("person", "conversation_ref")
        }


def _expected_cards(target: str, turns: int) -> tuple[int, int]:
    """(activities, adaptive cards) the connector must receive for `turns` help turns."""
    return (turns, turns) if target == "projectbot" else (turns, 0)


def run_target(
    target: str, config: Config, connector_url: str, connector: Child, work: Path, round_no: int
) -> dict[str, Any]:
    """Start one bot, warm it up, measure it, stop it; the measured figures and their checks."""
    port = free_port()
    run_dir = work / f"{round_no}-{target}"
    run_dir.mkdir()
    db_path = run_dir / "bench.db"
    if target == "projectbot":
        extra = {"DATABASE_URL": f"sqlite:///{db_path}"}
        if config.projectbot_src is not None:
            extra["PYTHONPATH"] = str(config.projectbot_src)  # ahead of the editable install of REPO_ROOT
        env = child_env(extra)
        argv = _projectbot_argv(port, config.projectbot_src)
    else:
        env = child_env()
        argv = [_python(), str(BENCH_DIR / "echo_bot.py"), "--port", str(port)]
    url = f"http://{LOOPBACK}:{port}/api/messages"
    started: list[Child] = []
    try:
        server = Child.start(target, argv, log_dir=run_dir, env=env, cwd=run_dir)
        started.append(server)
        wait_for_http(url, server, START_TIMEOUT_S)
        load = Child.start(
            "load",
            [
                _python(),
                str(Path(__file__).resolve()),
                "_load",
                "--url",
                url,
                "--service-url",
                connector_url,
                "--turns",
                str(config.turns),
                "--warmup",
                str(config.warmup),
                "--concurrency",
                str(config.concurrency),
                "--users",
                str(config.users),
                "--max-seconds",
                str(config.max_seconds),
                "--request-timeout",
                str(config.request_timeout),
            ],
            log_dir=run_dir,
            env=child_env(),
            cwd=REPO_ROOT,
            pipes=True,
        )
        started.append(load)
        warmed = _read_event(load, config.max_seconds + 60)
        if warmed["non_2xx"]:
            raise BenchError(
                f"{target}: {warmed['non_2xx']} warm-up turns failed {warmed['statuses']} {warmed['errors']}\n"
                f"--- {target} log ---\n{server.log_tail()}"
            )
        watched = {"server": server, "load": load, "connector": connector}
        profiler = _start_py_spy(config, target, server, run_dir, round_no)
        if profiler is not None:
            started.append(profiler)
            watched["py-spy"] = profiler
        counts_before = get_json(connector_url + "_bench/stats")
        cpu_before, machine_before = _cpu(watched), machine_cpu_seconds()
        assert load.proc.stdin is not None
        load.proc.stdin.write(b"go\n")
        load.proc.stdin.flush()
        measured = _read_event(load, config.max_seconds + 60)
        cpu_after, machine_after = _cpu(watched), machine_cpu_seconds()
        counts_after = get_json(connector_url + "_bench/stats")
        if profiler is not None:
            _stop_py_spy(profiler)
    finally:
        for child in reversed(started):
            child.stop()

    turns = int(measured["turns"])
    if turns == 0:
        raise BenchError(f"{target}: no turn completed within --max-seconds {measured['errors']}")
    received = counts_delta(counts_after, counts_before)
    expected_activities, expected_cards = _expected_cards(target, turns)
    cpu = {
        name: (after - before) if after is not None and before is not None else None
        for name, before in cpu_before.items()
        for after in [cpu_after[name]]
    }
    result: dict[str, Any] = {
        "target": target,
        "round": round_no,
        **measured,
        "warmup": {k: warmed[k] for k in ("turns", "turns_per_s", "non_2xx", "p50_ms", "p99_ms")},
        "connector": received,
        "connector_texts": counts_after.get("texts", {}),
        "expected": {"activities": expected_activities, "cards": expected_cards},
        "cpu_s": cpu,
        "server_cpu_ms_per_turn": (cpu["server"] or 0) / turns * 1000 if turns and cpu["server"] else None,
    }
    if machine_before and machine_after:
        busy = machine_after[0] - machine_before[0]
        total = machine_after[1] - machine_before[1]
        result["machine_busy"] = busy / total if total else None
        # CPU the benchmark's own processes did not use: other work on the machine (noise), in cores.
        ours = sum(v for v in cpu.values() if v is not None)
        result["other_cores"] = max(0.0, busy - ours) / measured["wall_s"] if measured["wall_s"] else None
    problems = []
    if not measured["complete"]:
        problems.append(f"only {turns} of {measured['planned']} turns within --max-seconds")
    if measured["non_2xx"]:
        problems.append(f"{measured['non_2xx']} non-2xx responses {measured['statuses']} {measured['errors']}")
    if received["activities"] != expected_activities:
        problems.append(f"connector got {received['activities']} activities, expected {expected_activities}")
    if received["cards"] != expected_cards:
        problems.append(f"connector got {received['cards']} cards, expected {expected_cards}")
    if received["rejected"] or received["other"]:
        problems.append(f"connector rejected {received['rejected']}, unknown routes {received['other']}")
    if target == "echo" and counts_after.get("texts", {}).get("Echo: help", 0) < turns:
        problems.append(f"echo replies were not all 'Echo: help': {counts_after.get('texts')}")
    if target == "projectbot":
        rows = _db_rows(db_path)
        result["db_rows"] = rows
        expected_rows = min(config.users, config.warmup + turns)
        if rows != {"person": expected_rows, "conversation_ref": expected_rows}:
            problems.append(f"database rows {rows}, expected {expected_rows} of each")
    result["problems"] = problems
    result["valid"] = not problems
    return result


def _start_py_spy(config: Config, target: str, server: Child, run_dir: Path, round_no: int) -> Child | None:
    """Profile the bot's measured phase: FILE becomes FILE-<target>-r<round> (same suffix)."""
    if config.py_spy is None:
        return None
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(exe).exists():
        raise BenchError("--py-spy needs py-spy: .venv/bin/pip install py-spy (not a project dependency)")
    base = config.py_spy
    out = base.with_name(f"{base.stem}-{target}-r{round_no}{base.suffix}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = {".json": "speedscope", ".txt": "raw"}.get(out.suffix, "flamegraph")
    argv = [exe, "record", "--pid", str(server.pid), "--format", fmt, "--output", str(out), *config.py_spy_args]
    profiler = Child.start("py-spy", argv, log_dir=run_dir, env=child_env())
    time.sleep(1.0)  # let it attach before the measured phase starts
    if profiler.proc.poll() is not None:
        raise BenchError(f"py-spy did not start:\n{profiler.log_tail()}")
    print(f"  py-spy -> {out}", file=sys.stderr, flush=True)
    return profiler


def _stop_py_spy(profiler: Child) -> None:
    """py-spy writes its output when interrupted, like Ctrl-C."""
    with contextlib.suppress(ProcessLookupError):
        profiler.proc.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        profiler.proc.wait(30)


def _versions() -> dict[str, str]:
    found = {}
    for package in ("aiohttp", "botbuilder-core", "botbuilder-integration-aiohttp", "SQLAlchemy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    return found


def _git_revision() -> str | None:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("-dirty" if dirty else "")


def _busy_cores(seconds: float = 1.0) -> float | None:
    """How many cores other work keeps busy right now (sampled over `seconds`)."""
    before = machine_cpu_seconds()
    time.sleep(seconds)
    after = machine_cpu_seconds()
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1]) * (os.cpu_count() or 1)


def _machine() -> dict[str, Any]:
    busy = _busy_cores()
    if busy is not None and busy > 0.25:
        print(
            f"warning: the machine is not idle ({busy:.2f} cores busy before the run); expect noisy figures",
            file=sys.stderr,
        )
    return {
        "busy_cores_before": busy,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "versions": _versions(),
        "git": _git_revision(),
    }


def _summary(results: list[dict[str, Any]], targets: tuple[str, ...]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for target in targets:
        rows = [r for r in results if r["target"] == target]
        if not rows:
            continue
        summary[target] = {
            "rounds": len(rows),
            "turns_per_s": statistics.median(r["turns_per_s"] for r in rows),
            "p50_ms": statistics.median(r["p50_ms"] for r in rows),
            "p99_ms": statistics.median(r["p99_ms"] for r in rows),
            "server_cpu_ms_per_turn": statistics.median(r["server_cpu_ms_per_turn"] or 0 for r in rows),
        }
    if "echo" in summary and "projectbot" in summary:
        ratio = summary["projectbot"]["turns_per_s"] / summary["echo"]["turns_per_s"]
        summary["ratio_projectbot_over_echo"] = ratio
        summary["target_ratio"] = TARGET_RATIO
        summary["target_met"] = ratio >= TARGET_RATIO
    return summary


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(results: list[dict[str, Any]], summary: dict[str, Any], config: Config) -> None:
    print()
    print(
        f"help turns: {config.turns} measured after {config.warmup} warm-up, {config.concurrency} in flight, "
        f"{config.users} users, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'round':>5}  {'target':<11} {'turns':>6} {'turns/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'srv CPU ms/turn':>15} {'machine busy':>12} {'others':>6}  check"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        busy = r.get("machine_busy")
        print(
            f"{r['round']:>5}  {r['target']:<11} {r['turns']:>6} {r['turns_per_s']:>8.1f} {r['p50_ms']:>7.1f} "
            f"{r['p99_ms']:>7.1f} {r['max_ms']:>7.1f} {_fmt(r['server_cpu_ms_per_turn'], '>15.2f')} "
            f"{_fmt(busy * 100 if busy is not None else None, '>11.0f')}% "
            f"{_fmt(r.get('other_cores'), '>6.2f')}  "
            + ("ok" if r["valid"] else "INVALID: " + "; ".join(r["problems"]))
        )
    if config.rounds > 1:
        print("-" * len(header))
        for target in config.targets:
            s = summary.get(target)
            if s:
                print(
                    f"{'median':>5}  {target:<11} {'':>6} {s['turns_per_s']:>8.1f} {s['p50_ms']:>7.1f} "
                    f"{s['p99_ms']:>7.1f} {'':>7} {s['server_cpu_ms_per_turn']:>15.2f}"
                )
    if "ratio_projectbot_over_echo" in summary:
        ratio = summary["ratio_projectbot_over_echo"]
        verdict = "met" if summary["target_met"] else "NOT met"
        print(f"\nthroughput projectbot / echo: {ratio:.2f}x  (target >= {TARGET_RATIO:.1f}x: {verdict})")


def orchestrate(config: Config) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="projectbot-bench-", dir=config.tmpdir))
    connector: Child | None = None
    results: list[dict[str, Any]] = []
    failed = True
    try:
        port = free_port()
        connector = Child.start(
            "connector",
            [_python(), str(Path(__file__).resolve()), "_connector", "--port", str(port)],
            log_dir=work,
            env=child_env(),
        )
        connector_url = f"http://{LOOPBACK}:{port}/"
        wait_for_http(connector_url + "_bench/stats", connector, START_TIMEOUT_S)
        for round_no in range(1, config.rounds + 1):
            # Alternate the order so that neither bot always runs on a machine that just got warm (or hot).
            order = config.targets if round_no % 2 else tuple(reversed(config.targets))
            for target in order:
                print(f"round {round_no}: {target} ...", file=sys.stderr, flush=True)
                results.append(run_target(target, config, connector_url, connector, work, round_no))
        failed = not all(r["valid"] for r in results)
    finally:
        if connector is not None:
            connector.stop()
        if config.keep_logs or failed:
            print(f"logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return {"results": results, "summary": _summary(results, config.targets)}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="help_turns.py", description="help turns/s and latency: projectbot vs. a stock echo bot"
    )
    sub = parser.add_subparsers(dest="role")
    parser.add_argument("--turns", type=int, default=3000, help="measured turns per bot per round (3000)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up turns before measuring (200)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (16)")
    parser.add_argument("--users", type=int, default=50, help="distinct Teams users, round-robin (50)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds; each runs every target once (1)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated: echo,projectbot")
    parser.add_argument(
        "--max-seconds", type=float, default=300, help="per bot and round: give up after this long (300)"
    )
    parser.add_argument("--request-timeout", type=float, default=30, help="per-turn HTTP timeout (30 s)")
    parser.add_argument("--json", action="store_true", help="also write the results to bench/results/")
    parser.add_argument(
        "--py-spy",
        type=Path,
        metavar="FILE",
        help="py-spy each bot's measured phase into FILE-<target>-r<round> (.txt raw, .json speedscope, else svg)",
    )
    parser.add_argument(
        "--py-spy-args",
        default="--gil --rate 250",
        help="extra py-spy record options (default: '--gil --rate 250': only the thread holding the GIL)",
    )
    parser.add_argument(
        "--tmpdir", type=Path, help="where the run's directory (SQLite file, logs) goes (default: system temp)"
    )
    parser.add_argument(
        "--projectbot-src",
        type=Path,
        metavar="DIR",
        help="measure projectbot from this checkout (e.g. a `git archive` of a commit) instead of the repo",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and databases")

    connector = sub.add_parser("_connector", help=argparse.SUPPRESS)
    connector.add_argument("--port", type=int, required=True)

    load = sub.add_parser("_load", help=argparse.SUPPRESS)
    load.add_argument("--url", required=True)
    load.add_argument("--service-url", required=True)
    for name in ("--turns", "--warmup", "--concurrency", "--users"):
        load.add_argument(name, type=int, required=True)
    load.add_argument("--max-seconds", type=float, required=True)
    load.add_argument("--request-timeout", type=float, required=True)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.role == "_connector":
        run_connector(args.port)
        return 0
    if args.role == "_load":
        asyncio.run(_load(args))
        return 0

    targets = tuple(t.strip() for t in args.targets.split(",") if t.strip())
    if not targets or any(t not in TARGETS for t in targets):
        print(f"--targets: choose from {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    if min(args.turns, args.concurrency, args.users, args.rounds) < 1 or args.warmup < 0:
        print("--turns, --concurrency, --users and --rounds must be at least 1", file=sys.stderr)
        return 2
    config = Config(
        turns=args.turns,
        warmup=args.warmup,
        concurrency=args.concurrency,
        users=args.users,
        rounds=args.rounds,
        targets=targets,
        max_seconds=args.max_seconds,
        request_timeout=args.request_timeout,
        py_spy=args.py_spy,
        py_spy_args=tuple(shlex.split(args.py_spy_args)),
        keep_logs=args.keep_logs,
        tmpdir=args.tmpdir,
        projectbot_src=args.projectbot_src.resolve() if args.projectbot_src else None,
    )
    # SIGTERM ends the benchmark like Ctrl-C does, through the `finally` blocks that stop every child.
    # (SIGINT too: a shell starting us in the background would otherwise have it ignored.)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    machine = _machine()  # before the run: the load average says whether something else was busy
    try:
        outcome = orchestrate(config)
    except KeyboardInterrupt:
        print("interrupted; every process the benchmark started was stopped", file=sys.stderr)
        return 130
    except BenchError as problem:
        print(f"benchmark failed: {problem}", file=sys.stderr)
        return 1

    print_table(outcome["results"], outcome["summary"], config)
    if args.json:
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        out = RESULTS_DIR / f"help_turns-{stamp}.json"
        document = {"benchmark": "help_turns", "at": stamp, "config": _config_json(config), "machine": machine}
        out.write_text(json.dumps({**document, **outcome}, indent=2, default=str) + "\n")
        print(f"wrote {out.relative_to(REPO_ROOT)}")
    return 0 if all(r["valid"] for r in outcome["results"]) else 1


def _config_json(config: Config) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in config.__dict__.items()}


if __name__ == "__main__":
    sys.exit(main())
