"""The burn chart's cost (issue 13): time per drawing in process, and what a fresh drawing worker costs the first
chart after a start (spawn, imports, the drawing) through the production renderer.

    .venv/bin/python bench/burn_chart.py                       # this checkout
    git archive fc898ed | (mkdir -p /tmp/base && tar -x -C /tmp/base)
    .venv/bin/python bench/burn_chart.py --src /tmp/base        # another checkout's code, the same series

The series: 120 days back from today with an entry every weekday (1-5 h), a budget of 400 h and a planned period
running 60 days past today, with Dutch labels. The server has loaded the database layer before its first drawing, so
the cold start imports it first and times only the renderer."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)


def series_and_labels(days: int = 120) -> tuple[Any, Any]:
    from dialogs.kernel.burn_chart import BurnSeries, ChartLabels

    points, total, start = [], 0, TODAY - timedelta(days=days)
    for n in range(days):
        day = start + timedelta(days=n)
        if day.weekday() < 5:
            total += 60 * (1 + (n * 7) % 5)
            points.append((day, total))
    labels = ChartLabels("DT-042: uren tegenover budget", "Gepresteerd", "Budget", "Volgens planning", "uren", "-")
    return BurnSeries(points, Decimal(400), start, TODAY + timedelta(days=60), TODAY), labels


def in_process(drawings: int) -> None:
    from dialogs.kernel.burn_chart import render_burn_chart

    series, labels = series_and_labels()
    png = render_burn_chart(series, labels)  # the imports and the first drawing's set-up are the cold start's
    took = []
    for _ in range(drawings):
        started = time.perf_counter()
        render_burn_chart(series, labels)
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    print(
        f"in process, {drawings} drawings: median {statistics.median(took):.1f} ms, "
        f"p90 {took[int(len(took) * 0.9)]:.1f} ms, min {took[0]:.1f} ms; PNG {len(png):,} bytes"
    )


def cold_once() -> None:
    """In a fresh process: the first chart through a new PooledRenderer, then a second (warm worker, cache miss)."""
    import storage.db  # noqa: F401  (a running server has it loaded)
    from bot.rendering import PooledRenderer
    from dialogs.kernel.burn_chart import render_burn_chart

    renderer = PooledRenderer(1)
    try:
        series, labels = series_and_labels()
        started = time.perf_counter()
        renderer.render(render_burn_chart, series, labels, cache=True)
        first = time.perf_counter() - started
        other, _ = series_and_labels(119)
        started = time.perf_counter()
        renderer.render(render_burn_chart, other, labels, cache=True)
        second = time.perf_counter() - started
        rss = worker_rss_mb(renderer)
    finally:
        renderer.close()
    print(f"{first * 1000:.1f} {second * 1000:.1f} {rss:.0f}")


def worker_rss_mb(renderer: Any) -> float:
    """The chart worker's resident memory after its drawings (Linux /proc; 0 elsewhere)."""
    pids = [process.pid for process in renderer._pools["charts"]._processes.values()]
    try:
        status = Path(f"/proc/{pids[0]}/status").read_text()
    except (IndexError, OSError):
        return 0.0
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")) / 1024


def cold_starts(runs: int, src: Path) -> None:
    firsts, seconds, rss = [], [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--src", str(src), "--cold-once"], capture_output=True, text=True, check=True
        ).stdout.split()
        firsts.append(float(out[-3]))
        seconds.append(float(out[-2]))
        rss.append(float(out[-1]))
    print(
        f"fresh worker, {runs} starts: first chart median {statistics.median(firsts):.0f} ms "
        f"({min(firsts):.0f}-{max(firsts):.0f}); the next (warm worker) {statistics.median(seconds):.1f} ms; "
        f"worker RSS {statistics.median(rss):.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT, help="the checkout whose code draws (default: this one)")
    parser.add_argument("--drawings", type=int, default=50)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--cold-once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    if args.cold_once:
        cold_once()
        return
    in_process(args.drawings)
    cold_starts(args.starts, args.src.resolve())


if __name__ == "__main__":
    main()
