"""Benchmark: assembling a loaded year and pivoting its levels, in process, without the network.

Builds a demo organisation's year (plus the year before, for the previous period) as parsed
DayBuckets, then times `load_report`'s assembly from a source that hands those buckets back, and
`compute_level` for the top level, pivots to dimensions not shown yet, drilled levels and levels
already seen. Buckets are pickled under the temp directory so that repeated runs (and runs of
another checkout's code, with --root) time the same data. Prints the minimum of --repeat runs.
Run: python bench/bench_aggregate.py [--workspaces 40] [--days 365] [--repeat 3] [--root DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

END = date(2026, 11, 18)
"""The last day of the benchmarked range."""


def _code_root() -> Path:
    """Return the checkout whose costtui is timed: --root DIR, or this file's own checkout."""
    if "--root" in sys.argv:
        return Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
    return Path(__file__).resolve().parent.parent


sys.path.insert(0, str(_code_root()))

from costtui.core.clock import FixedClock  # noqa: E402
from costtui.core.dates import DateRange  # noqa: E402
from costtui.core.models import DayBucket, Organization, Workspace  # noqa: E402
from costtui.core.view_state import ItemSelection, ViewState, compute_level  # noqa: E402
from costtui.data.api_parse import parse_cost_page  # noqa: E402
from costtui.data.demo_org import DemoOrganization, stamp  # noqa: E402
from costtui.data.source import load_report  # noqa: E402


def demo_buckets(workspaces: int, days: list[date]) -> list[DayBucket]:
    """Return the demo organisation's parsed buckets of the days, cached in a pickle file."""
    path = Path(tempfile.gettempdir()) / (
        f"costtui-bench-aggregate-{workspaces}-{days[0]}-{days[-1]}.pickle")
    if path.exists():
        try:
            loaded: list[DayBucket] = pickle.loads(path.read_bytes())
            return loaded
        except (AttributeError, TypeError, pickle.UnpicklingError):
            pass  # written by an older layout of DayBucket: made again below
    organization = DemoOrganization(workspace_count=workspaces)
    raw = [{"starting_at": stamp(day), "ending_at": stamp(day + timedelta(days=1)),
            "results": organization.cost_items(day)} for day in days]
    body = {"data": raw, "has_more": False, "next_page": None}
    buckets = None
    try:  # the wire's fast decoder (shared keys, least scales), where this checkout has it
        from costtui.data.api_columns import decode_cost_page
        decoded = decode_cost_page(json.dumps(body).encode())
        buckets = None if decoded is None else decoded[0]
    except ImportError:
        pass
    if buckets is None:
        buckets, _ = parse_cost_page(body, "the benchmark")
    path.write_bytes(pickle.dumps(buckets))
    return buckets


class BucketSource:
    """A CostSource that hands back prepared buckets at once."""

    uses_cache = False
    offline = False

    def __init__(self, buckets: list[DayBucket]) -> None:
        self.buckets = buckets

    async def organization(self) -> Organization:
        return Organization("org", "Bench Org")

    async def workspaces(self) -> list[Workspace]:
        return []

    async def cost_buckets(self, *args: Any, **kwargs: Any) -> list[DayBucket]:
        return self.buckets

    def take_warnings(self) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None


def best_ms(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Return the fastest of `repeat` runs in milliseconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), result


def main() -> None:
    """Build the data, then time assembly, pivots, drills and levels already seen."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=40)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", help="time the costtui of this checkout instead")
    args = parser.parse_args()
    date_range = DateRange(END - timedelta(days=args.days - 1), END)
    fetched = DateRange(date_range.previous().first_day, END)
    buckets = demo_buckets(args.workspaces, fetched.days())
    lines = sum(len(bucket.keys) for bucket in buckets)
    distinct = len({key for bucket in buckets for key in bucket.keys})
    print(f"code {_code_root()}: {args.workspaces} workspaces, {args.days} days + the period "
          f"before: {lines:,} lines, {distinct:,} distinct keys")
    clock = FixedClock(datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc))
    source = BucketSource(buckets)

    def assemble() -> Any:
        return asyncio.run(load_report(source, date_range, ("workspace_id", "description"),
                                       clock=clock))

    build, report = best_ms(assemble, args.repeat)
    print(f"{'assemble the report (load_report)':<46} {build:8.1f} ms   "
          f"({build * 1000 / lines:.2f} µs per line)")
    top = ViewState()
    first = compute_level(report, top).rows[0].value
    below = compute_level(report, top.drill(first)).rows[0].value
    steps = [("top level (by workspace)", top)]
    steps += [(f"pivot to {name} (new)", top.pivot(name))
              for name in ("model", "token_type", "day", "description")]
    steps += [("drill into the largest workspace", top.drill(first)),
              ("drill again (token types)", top.drill(first).drill(below)),
              ("pivot the drilled level to day", top.drill(first).pivot("day")),
              ("back to top by model (seen)", top.pivot("model"))]
    timings: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        fresh = assemble()  # nothing remembered from an earlier repeat
        selection = ItemSelection(fresh)
        for label, state in steps:
            gc.collect()
            started, started_cpu = time.perf_counter(), time.process_time()
            compute_level(fresh, state, selection)
            timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
            cpu.setdefault(label, []).append((time.process_time() - started_cpu) * 1000)
    for label, values in timings.items():
        print(f"{label:<46} {min(values):8.1f} ms   (CPU {min(cpu[label]):6.1f} ms)")


if __name__ == "__main__":
    main()
