"""Benchmark: the SQLite cache in front of a large demo organisation over loopback HTTP.

Measures a year grouped by workspace and description: the client alone for reference, then
cold start (empty cache), warm reopen, warm reopen after a day passes (clock +24 h, range
moved with it) and an offline reopen, each as a fresh process would do it: new client, new
cache connection, `load_report`. The server runs in a child process and stops on exit.
Run: python bench/bench_cache.py [--days 365] [--workspaces 40] [--latency 0.15]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loopback import serve  # noqa: E402
from costtui.core.admin_key import AdminKey  # noqa: E402
from costtui.core.clock import FixedClock  # noqa: E402
from costtui.core.dates import DateRange  # noqa: E402
from costtui.data.api import CostClient  # noqa: E402
from costtui.data.cache import CostCache  # noqa: E402
from costtui.data.cached_source import CachedSource  # noqa: E402
from costtui.data.demo import DEMO_KEY  # noqa: E402
from costtui.data.source import CostSource, load_report  # noqa: E402

GROUPING = ("workspace_id", "description")
START = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
"""The injected "now" of the first runs; the range is the `--days` days ending that day."""


async def open_report(
    base_url: str,
    cache_path: Path | None,
    now: datetime,
    days: int,
    *,
    offline: bool = False,
) -> tuple[Decimal, int, str, int]:
    """Open like a fresh process: return the exact total, requests, origin and missing days."""
    last = now.date()
    date_range = DateRange(last - timedelta(days=days - 1), last)
    client = CostClient(AdminKey(DEMO_KEY), base_url=base_url)
    source: CostSource = client
    if cache_path is not None:
        cache = CostCache(cache_path, clock=FixedClock(now))
        source = CachedSource(client, cache, offline=offline)
    try:
        report = await load_report(source, date_range, GROUPING, clock=FixedClock(now),
                                   with_previous=False)
    finally:
        await source.aclose()
    origin = report.origin or "no cache"
    total = sum((item.amount_cents for item in report.items), Decimal(0))
    return total, client.requests_made, origin, len(report.missing_days)


def measure(label: str, *args: Any, **kwargs: Any) -> tuple[float, Decimal]:
    """Run one reopen and print its wall time, requests made and where the days came from."""
    started = time.perf_counter()
    total, requests, origin, missing = asyncio.run(open_report(*args, **kwargs))
    wall = time.perf_counter() - started
    print(f"{label:<34} {wall:7.3f} s {requests:4d} req  {origin:<13} missing {missing}")
    return wall, total


def main() -> None:
    """Parse options, start the server process, and measure each reopen."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workspaces", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per request")
    args = parser.parse_args()
    port_queue: Any = multiprocessing.Queue()
    stop = multiprocessing.Event()
    process = multiprocessing.Process(
        target=serve, args=(args.workspaces, args.latency, port_queue, stop), daemon=True
    )
    process.start()
    try:
        base_url = port_queue.get(timeout=30)
        with tempfile.TemporaryDirectory(prefix="costtui-bench-") as directory:
            cache_path = Path(directory) / "costs.sqlite3"
            print(f"{args.days} days ending {START.date()}, {args.workspaces} workspaces, "
                  f"grouped by {', '.join(GROUPING)}, {args.latency * 1000:.0f} ms per request, "
                  f"loopback {base_url}")
            common = (base_url, cache_path)
            measure("no cache (client alone)", base_url, None, START, args.days)
            cold, cold_total = measure("cold start (empty cache)", *common, START, args.days)
            warm, warm_total = measure("warm reopen", *common, START, args.days)
            later = START + timedelta(hours=24)
            day_after, _ = measure("warm reopen, a day later", *common, later, args.days)
            offline, _ = measure("offline reopen, a day later", *common, later, args.days,
                                 offline=True)
            size = sum(path.stat().st_size for path in Path(directory).iterdir())
            same = "identical" if cold_total == warm_total else "DIFFERENT"
            print(f"cache file {size / 2**20:.1f} MiB; cold and warm totals {same} "
                  f"(${cold_total / 100:,.2f})")
            print(f"speed-up over cold: warm {cold / warm:.1f}×, a day later "
                  f"{cold / day_after:.1f}×, offline {cold / offline:.1f}×")
    finally:
        stop.set()
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()


if __name__ == "__main__":
    main()
