"""Shared benchmark machinery: child processes, ports, CPU accounting, latency statistics, a fake connector.

Not production code: nothing under bot/, dialogs/, cards/ or storage/ imports this.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
LOOPBACK = "127.0.0.1"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Environment variables that would turn the anonymous --dev / sample configuration into an authenticated one
# (and make every benchmark request a 401) if the caller's shell happens to have them.
_SCRUBBED_ENV_PREFIXES = ("MICROSOFT_APP_", "MICROSOFTAPP", "PROJECTBOT_", "DATABASE_URL")


# -- ports and readiness ---------------------------------------------------------------------------------


def free_port() -> int:
    """A port the kernel just considered free on loopback (the usual small race is acceptable here)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, child: Child, timeout: float) -> None:
    """Wait until something answers HTTP at `url` (any status), or fail if the child died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.proc.poll() is not None:
            raise BenchError(f"{child.name} exited with status {child.proc.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered (405 for GET /api/messages): it is listening
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.1)
    raise BenchError(f"{child.name} did not answer {url} within {timeout:.0f}s")


def get_json(url: str, timeout: float = 5) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


class BenchError(RuntimeError):
    """The benchmark could not run or its result is not valid."""


# -- child processes -------------------------------------------------------------------------------------


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the benchmark itself is killed (even with SIGKILL)."""
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    # Own process group: a Ctrl-C in the terminal reaches only the benchmark, which then stops its children
    # in order instead of all of them printing KeyboardInterrupt tracebacks at once.
    os.setpgrp()


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_SCRUBBED_ENV_PREFIXES)}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


@dataclass
class Child:
    """One process the benchmark started; `stop()` ends it (TERM, then KILL) and is safe to call twice."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path | None
    _log: IO[bytes] | None = None

    @classmethod
    def start(
        cls,
        name: str,
        argv: Sequence[str],
        *,
        log_dir: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        pipes: bool = False,
    ) -> Child:
        """Start `argv`; output goes to log_dir/<name>.log, or to pipes (stdin/stdout) when `pipes`."""
        log_path = log_dir / f"{name}.log"
        log = log_path.open("wb")
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE if pipes else subprocess.DEVNULL,
            stdout=subprocess.PIPE if pipes else log,
            stderr=log,
            env=dict(env) if env is not None else child_env(),
            cwd=cwd,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        return cls(name=name, proc=proc, log_path=log_path, _log=log)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, timeout: float = 10) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                self.proc.wait(timeout)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


# -- CPU accounting (Linux /proc; None elsewhere) --------------------------------------------------------

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds the process has used so far, all threads included."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def machine_cpu_seconds() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    values = [int(v) for v in first[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return (total - idle) / _CLOCK_TICKS, total / _CLOCK_TICKS


# -- statistics ------------------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (p99 of 3000 turns is the 2970th)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-fraction * len(sorted_values) // 1))))
    return sorted_values[rank - 1]


def latency_summary(latencies_s: Sequence[float]) -> dict[str, float]:
    ordered = sorted(latencies_s)
    if not ordered:
        return {}
    ms = 1000.0
    return {
        "p50_ms": percentile(ordered, 0.50) * ms,
        "p90_ms": percentile(ordered, 0.90) * ms,
        "p99_ms": percentile(ordered, 0.99) * ms,
        "max_ms": ordered[-1] * ms,
        "mean_ms": sum(ordered) / len(ordered) * ms,
    }


# -- the fake Bot Connector ------------------------------------------------------------------------------


@dataclass
class ConnectorCounts:
    """What the fake connector received; read over GET /_bench/stats."""

    requests: int = 0
    activities: int = 0  # well-formed activities accepted (answered 201)
    rejected: int = 0  # not JSON or not an activity (answered 400)
    replies: int = 0  # POST .../activities/{id} (reply to the incoming activity)
    sends: int = 0  # POST .../activities (new message in the conversation)
    messages: int = 0
    with_text: int = 0
    cards: int = 0  # adaptive card attachments, over all activities
    other: int = 0  # requests to any other route (answered 404)
    texts: dict[str, int] = field(default_factory=dict)  # a few distinct texts, for diagnosis

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def connector_app() -> Any:
    """A minimal, fast Bot Connector: accepts sends and replies with {"id": ...} and counts what it got."""
    from aiohttp import web

    counts = ConnectorCounts()
    ids = itertools.count(1_800_000_000_000)

    async def send(request: web.Request) -> web.Response:
        counts.requests += 1
        raw = await request.read()
        try:
            activity = json.loads(raw)
        except ValueError:
            activity = None
        if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
            counts.rejected += 1
            return web.json_response({"error": {"code": "BadArgument", "message": "not an activity"}}, status=400)
        counts.activities += 1
        if "activity_id" in request.match_info:
            counts.replies += 1
        else:
            counts.sends += 1
        if activity["type"] == "message":
            counts.messages += 1
        text = activity.get("text")
        if text:
            counts.with_text += 1
            if text in counts.texts or len(counts.texts) < 10:
                counts.texts[text] = counts.texts.get(text, 0) + 1
        for attachment in activity.get("attachments") or ():
            if isinstance(attachment, dict) and attachment.get("contentType") == CARD_CONTENT_TYPE:
                counts.cards += 1
        return web.json_response({"id": str(next(ids))}, status=201)

    async def other(request: web.Request) -> web.Response:
        counts.requests += 1
        counts.other += 1
        await request.read()
        return web.json_response({"error": {"code": "NotFound", "message": request.path}}, status=404)

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(counts.as_json())

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/v3/conversations/{conversation_id}/activities", send)
    app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", send)
    app.router.add_get("/_bench/stats", stats)
    app.router.add_route("*", "/{tail:.*}", other)
    return app


def run_connector(port: int) -> None:
    from aiohttp import web

    web.run_app(connector_app(), host=LOOPBACK, port=port, access_log=None, print=None)


def counts_delta(after: Mapping[str, Any], before: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(after[k]) - int(before.get(k, 0)) for k, v in after.items() if isinstance(v, int)}


def fresh_postgres_database(url: str, *, prefix: str = "bench") -> tuple[str, Any]:
    """A throwaway database on the same server (not a schema: a search_path in the URL would have to travel through
    every version's engine options); returns its URL and a function that drops it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from storage.db import normalise_url

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop
