"""Benchmark: issue #10's table, side by side, as ratios against plain pagers and a bare app.

A year of a demo organisation grouped by workspace + description, served over loopback HTTP
with `--latency` added per request. Whole-process runs (their own XDG dirs, the loopback base
URL and the demo key in ANTHROPIC_ADMIN_KEY): cold / warm / offline `costtui report` against
a plain sequential pager (limit=31: fetch, json, Decimal sum) and a naive one (limit=7); CPU per
cost line; in-process warm vs cold `load_report`; `costtui --demo` first paint with data vs a
bare Textual app's (both headless through App.run); pivot latency, the longest UI freeze (5 ms
heartbeat) and peak RSS of the TUI holding the year; warm reopen's time to data on screen.
costtui's bytecode is compiled before the runs, as a wheel install does.
Run: python bench/bench_engine.py [--sizes 5,40[,200]] [--runs 3] [--latency 0.15] [--out F]
"""

from __future__ import annotations

import argparse
import compileall
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loopback import serve  # noqa: E402
from costtui.data.demo import DEMO_KEY  # noqa: E402

PROBES = str(ROOT / "bench" / "bench_probes.py")
REPORT_ARGS = ("report", "--group-by", "workspace,description", "--format", "csv")


@dataclass
class Run:
    """One whole process: wall seconds, CPU seconds, peak RSS and its JSON line (if any)."""

    wall: float
    cpu: float
    rss_mib: float
    result: dict[str, Any] = field(default_factory=dict)
    spawned: float = 0.0


def run_process(args: list[str], env: dict[str, str]) -> Run:
    """Run a child to completion; measure it with wait4 (wall, user+sys CPU, peak RSS)."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        spawned = time.monotonic()
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read().decode(), stderr.read().decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args[1:5])}… failed ({process.returncode}): "
                           f"{errors[-2000:]}")
    lines = output.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, result, spawned)


def process_env(base_url: str, home: Path) -> dict[str, str]:
    """Return a child's environment: its own XDG dirs, the loopback API and the demo key."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("COSTTUI_", "ANTHROPIC_", "XDG_"))}
    for name in ("CACHE", "CONFIG", "STATE", "DATA"):
        (home / name.lower()).mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    env.update(ANTHROPIC_BASE_URL=base_url, ANTHROPIC_ADMIN_KEY=DEMO_KEY,
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    return env


def costtui(*args: str) -> list[str]:
    """Return the command line of a whole `costtui` process."""
    return [sys.executable, "-m", "costtui", *args]


def probe(*args: str) -> list[str]:
    """Return the command line of one bench_probes.py child."""
    return [sys.executable, PROBES, *args]


@dataclass
class Figures:
    """Every run of one organisation size, by measure name."""

    runs: dict[str, list[Run]] = field(default_factory=dict)

    def add(self, name: str, run: Run) -> None:
        """Record one run of a measure."""
        self.runs.setdefault(name, []).append(run)

    def wall(self, name: str, pick: Callable[[list[float]], float] = min) -> float:
        """Return the min (or median) wall time of a measure."""
        return pick([run.wall for run in self.runs[name]])

    def value(self, name: str, key: str, pick: Callable[[list[float]], float] = min) -> float:
        """Return the min (or median) of a figure a probe reported."""
        return pick([float(run.result[key]) for run in self.runs[name]])


def measure_size(workspaces: int, args: argparse.Namespace, first: str, last: str) -> Figures:
    """Serve one organisation size and run every measure `args.runs` times."""
    figures = Figures()
    port_queue: Any = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, daemon=True,
                                     args=(workspaces, args.latency, port_queue, stop))
    server.start()
    scratch = Path(tempfile.mkdtemp(prefix="costtui-bench-"))
    try:
        base_url = port_queue.get(timeout=60)
        span = ("--from", first, "--to", last)
        # A warm-up pass, not recorded: the stand-in server then answers each path from memory,
        # so the runs measure the clients (and the latency), not the demo making its JSON.
        warm_up = process_env(base_url, scratch / "warm-up")
        for command in (costtui(*REPORT_ARGS, *span), probe("pager", "31", first, last),
                        probe("pager", "7", first, last), probe("inprocess", first, last)):
            run_process(command, warm_up)
        for number in range(args.runs):
            home = scratch / f"run-{number}"
            env = process_env(base_url, home)
            figures.add("cold", run_process(costtui(*REPORT_ARGS, *span), env))
            figures.add("warm", run_process(costtui(*REPORT_ARGS, *span), env))
            figures.add("offline", run_process(costtui("--offline", *REPORT_ARGS, *span), env))
            figures.add("pager31", run_process(probe("pager", "31", first, last), env))
            figures.add("pager7", run_process(probe("pager", "7", first, last), env))
            figures.add("inprocess", run_process(probe("inprocess", first, last), env))
            if not args.no_tui and workspaces in args.tui_sizes:
                tui_home = process_env(base_url, scratch / f"tui-{number}")
                figures.add("tui_cold", run_process(probe("tui", first, last), tui_home))
                figures.add("tui_warm", run_process(probe("tui", first, last), tui_home))
            print(f"  {workspaces} workspaces: run {number + 1}/{args.runs} done",
                  file=sys.stderr, flush=True)
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
        shutil.rmtree(scratch, ignore_errors=True)
    return figures


def measure_paint(args: argparse.Namespace) -> Figures:
    """Run `costtui --demo` and a bare Textual app headless, each to its first filled table."""
    figures = Figures()
    scratch = Path(tempfile.mkdtemp(prefix="costtui-bench-"))
    try:
        for number in range(args.runs):
            env = process_env("https://api.anthropic.com", scratch / f"paint-{number}")
            for kind in ("bare", "demo"):
                run = run_process(probe("paint", kind), env)
                run.result["first_paint"] = run.result["painted"] - run.spawned
                figures.add(f"paint_{kind}", run)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return figures


def ratio(numerator: float, denominator: float) -> str:
    """Return a ratio as "0.83×"."""
    return f"{numerator / denominator:.2f}×" if denominator else "n/a"


def verdict(ok: bool | None) -> str:
    """Return the met? column."""
    return "—" if ok is None else ("yes" if ok else "**no**")


def size_rows(size: int, f: Figures, paint: Figures | None) -> list[tuple[str, str, str, str]]:
    """Return (measure, value, goal, met?) rows of one organisation size."""
    rows: list[tuple[str, str, str, str]] = []
    judged = size in (40, 200)
    lines = f.value("pager31", "lines")
    cold, warm, offline = f.wall("cold"), f.wall("warm"), f.wall("offline")
    pager31, pager7 = f.wall("pager31"), f.wall("pager7")
    med = statistics.median
    rows.append((f"{size} ws: cost lines / raw JSON (limit=31)",
                 f"{lines:,.0f} / {f.value('pager31', 'bytes') / 2**20:.1f} MiB", "", ""))
    rows.append((f"{size} ws: cold `costtui report` vs plain pager limit=31",
                 f"{ratio(cold, pager31)} ({cold:.2f} s vs {pager31:.2f} s; median "
                 f"{f.wall('cold', med):.2f} vs {f.wall('pager31', med):.2f})", "≤ 0.35×",
                 verdict(cold / pager31 <= 0.35 if judged else None)))
    rows.append((f"{size} ws: cold vs naive pager limit=7",
                 f"{ratio(cold, pager7)} ({cold:.2f} s vs {pager7:.2f} s)", "≤ 0.10×",
                 verdict(cold / pager7 <= 0.10 if size == 40 else None)))
    rows.append((f"{size} ws: warm / offline `costtui report` vs pager limit=31",
                 f"{ratio(warm, pager31)} / {ratio(offline, pager31)} "
                 f"({warm:.2f} s / {offline:.2f} s)", "", ""))
    cpu_cold = min(run.cpu for run in f.runs["cold"]) / lines * 1e6
    cpu_warm = min(run.cpu for run in f.runs["warm"]) / lines * 1e6
    rows.append((f"{size} ws: process CPU / cost lines, cold / warm (start-up included)",
                 f"{cpu_cold:.1f} µs / {cpu_warm:.1f} µs", "", ""))
    in_cold, in_warm = f.value("inprocess", "cold"), f.value("inprocess", "warm")
    in_offline = f.value("inprocess", "warm_offline")
    rows.append((f"{size} ws: in-process load_report cold / warm (incomplete days refetched)",
                 f"{ratio(in_cold, in_warm)} ({in_cold:.2f} s vs {in_warm:.3f} s)",
                 "(holds a round trip: not the goal's measure)", ""))
    # The goal's warm load is the TUI's: it paints the cache alone, then revalidates. Judged
    # twice: with the per-day rows (as earlier waves did), and with the first level grouped.
    rows.append((f"{size} ws: in-process load_report cold / warm from the cache alone "
                 "(with the per-day rows built)",
                 f"{ratio(in_cold, in_offline)} ({in_cold:.2f} s / {in_offline:.3f} s)", "≥ 20×",
                 verdict(in_cold / in_offline >= 20 if size == 40 else None)))
    if "warm_offline_load_only" in f.runs["inprocess"][0].result:
        only = f.value("inprocess", "warm_offline_load_only")
        rows.append((f"{size} ws: … the same, load_report alone (rows built when first read)",
                     f"{ratio(f.value('inprocess', 'cold_load_only'), only)} ({only:.3f} s)",
                     "", ""))
    if "warm_offline_level" in f.runs["inprocess"][0].result:
        level = f.value("inprocess", "warm_offline_level")
        cold_level = f.value("inprocess", "cold_level")
        rows.append((f"{size} ws: … the same, load_report + the first level grouped "
                     "(by workspace, as the TUI shows it first)",
                     f"{ratio(cold_level, level)} ({cold_level:.2f} s / {level:.3f} s)",
                     "≥ 20×", verdict(cold_level / level >= 20 if size == 40 else None)))
    if "tui_cold" in f.runs:
        tui_cold, tui_warm = f.runs["tui_cold"], f.runs["tui_warm"]
        warm_data = min((run.result["data"] - run.result["mounted"]) * 1000 for run in tui_warm)
        cold_data = min((run.result["data"] - run.result["mounted"]) * 1000 for run in tui_cold)
        first_first = sum(bool(run.result.get("data_before_reply")) for run in tui_warm)
        rows.append((f"{size} ws: TUI warm reopen, mount → data on screen",
                     f"{warm_data:.0f} ms (cold {cold_data:.0f} ms); data before the first "
                     f"reply in {first_first}/{len(tui_warm)} runs",
                     "before any reply (< one round trip)",
                     verdict(first_first == len(tui_warm) if size == 40 else None)))
        pivot = f.value("tui_cold", "pivot") * 1000
        painted = f.value("tui_cold", "pivot_painted") * 1000
        # Judged on the frame the user sees; Textual's idle wait (20 ms windows with almost no
        # CPU in the whole process) is shown beside it, as earlier waves judged that.
        rows.append((f"{size} ws: pivot `g` to a dimension not shown yet: its frame drawn",
                     f"{painted:.0f} ms (until idle: {pivot:.0f} ms)",
                     "≤ 100 ms", verdict(painted <= 100 if judged else None)))
        cold_gap = f.value("tui_cold", "max_gap") * 1000
        warm_gap = f.value("tui_warm", "max_gap") * 1000
        gap = max(cold_gap, warm_gap)
        rows.append((f"{size} ws: longest UI freeze while the year loads (5 ms heartbeat)",
                     f"cold {cold_gap:.0f} ms / warm {warm_gap:.0f} ms (min of runs)",
                     "≤ 50 ms", verdict(gap <= 50 if size == 40 else None)))
        if paint is not None:
            bare_rss = paint.value("paint_bare", "peak_rss_mib")
            json_mib = f.value("pager31", "bytes") / 2**20
            tui_rss = f.value("tui_cold", "peak_rss_mib")
            rows.append((f"{size} ws: TUI peak RSS vs (bare Textual + raw JSON)",
                         f"{ratio(tui_rss, bare_rss + json_mib)} ({tui_rss:.0f} MiB vs "
                         f"{bare_rss:.0f} + {json_mib:.0f} MiB)", "≤ 1.2×",
                         verdict(tui_rss / (bare_rss + json_mib) <= 1.2 if size == 40 else None)))
    return rows


def slope_rows(by_size: dict[int, Figures]) -> list[tuple[str, str, str, str]]:
    """Return CPU per extra cost line between the smallest size and each larger one."""
    rows: list[tuple[str, str, str, str]] = []
    sizes = sorted(by_size)
    for size in sizes[1:]:
        small, large = by_size[sizes[0]], by_size[size]
        extra = large.value("pager31", "lines") - small.value("pager31", "lines")
        cold, warm = (
            (min(r.cpu for r in large.runs[name]) - min(r.cpu for r in small.runs[name]))
            / extra * 1e6 for name in ("cold", "warm"))
        rows.append((f"CPU per cost line, cold / warm (slope {sizes[0]} → {size} ws)",
                     f"{cold:.2f} µs / {warm:.2f} µs", "≤ 3 µs / ≤ 0.5 µs",
                     verdict(cold <= 3 and warm <= 0.5)))
    return rows


def paint_rows(paint: Figures) -> list[tuple[str, str, str, str]]:
    """Return the first-paint row: `costtui --demo` vs a bare Textual app, both headless."""
    demo, bare = paint.value("paint_demo", "first_paint"), paint.value("paint_bare", "first_paint")
    return [("`costtui --demo` first paint with data vs bare Textual app",
             f"{ratio(demo, bare)} ({demo * 1000:.0f} ms vs {bare * 1000:.0f} ms)", "≤ 1.5×",
             verdict(demo / bare <= 1.5))]


def main() -> None:
    """Parse options, run every measure per size, print and optionally save the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,40", help="workspace counts, comma-separated "
                        "(200 takes minutes: e.g. --sizes 5,40,200)")
    parser.add_argument("--runs", type=int, default=3, help="whole-process runs per measure")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--latency", type=float, default=0.15, help="seconds added per request")
    parser.add_argument("--tui-sizes", default="40,200", help="sizes that also run TUI probes")
    parser.add_argument("--no-tui", action="store_true", help="skip the TUI probes")
    parser.add_argument("--out", type=Path, help="also write the markdown table to this file")
    args = parser.parse_args()
    # Compile costtui's bytecode first, as installing a wheel does: with PYTHONDONTWRITEBYTECODE
    # set and an editable install, every child would compile each module from source again,
    # while the libraries it is compared with (Textual, httpx) load compiled.
    compileall.compile_dir(ROOT / "costtui", quiet=1)
    compileall.compile_dir(ROOT / "bench", quiet=1)
    sizes = [int(part) for part in args.sizes.split(",")]
    args.tui_sizes = {int(part) for part in args.tui_sizes.split(",")}
    today = datetime.now(timezone.utc).date()
    first, last = str(today - timedelta(days=args.days - 1)), str(today)
    paint = None if args.no_tui else measure_paint(args)
    rows = paint_rows(paint) if paint is not None else []
    by_size: dict[int, Figures] = {}
    for size in sizes:
        print(f"measuring {size} workspaces…", file=sys.stderr, flush=True)
        by_size[size] = measure_size(size, args, first, last)
        rows += size_rows(size, by_size[size], paint)
    rows += slope_rows(by_size)
    header = (f"{args.days} days ({first} … {last}), workspace + description, "
              f"{args.latency * 1000:.0f} ms per request on loopback (answers from memory "
              f"after a warm-up pass), min of {args.runs} "
              f"whole-process runs, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    table = "\n".join([header, "", "| measure | value | goal | met? |", "|---|---|---|---|",
                       *(f"| {' | '.join(row)} |" for row in rows)])
    print(table)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
