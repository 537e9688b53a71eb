"""Benchmark: a year of a large demo organisation over loopback HTTP with injected latency.

Compares costtui's client (concurrent 31-day windows) with plain sequential paging at
limit=31 and at the API's default limit=7, and prints wall time, requests and peak memory.
Run: python bench/bench_fetch.py [--days 365] [--workspaces 40] [--latency 0.15]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loopback import serve  # noqa: E402
from costtui.core.admin_key import AdminKey  # noqa: E402
from costtui.core.clock import Clock  # noqa: E402
from costtui.core.dates import DateRange, day_start  # noqa: E402
from costtui.data.api import CostClient  # noqa: E402
from costtui.data.demo import DEMO_KEY  # noqa: E402

GROUPING = ("workspace_id", "description")


async def client_run(base_url: str, date_range: DateRange, concurrency: int) -> tuple[Decimal, int]:
    """Fetch with costtui's client; return the exact total in cents and requests made."""
    async with CostClient(AdminKey(DEMO_KEY), base_url=base_url, concurrency=concurrency) as client:
        buckets = await client.cost_buckets(date_range, GROUPING)
        requests = client.requests_made
    total = sum((item.amount_cents for b in buckets for item in b.items), Decimal(0))
    return total, requests


async def plain_paging(base_url: str, date_range: DateRange, limit: int) -> tuple[Decimal, int]:
    """Fetch the whole range as one paged request sequence, as a naive integration would."""
    params: dict[str, Any] = {
        "starting_at": day_start(date_range.first_day),
        "ending_at": day_start(date_range.last_day + timedelta(days=1)),
        "limit": limit,
        "group_by[]": list(GROUPING),
    }
    total = Decimal(0)
    requests = 0
    async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": DEMO_KEY}) as http:
        while True:
            response = await http.get("/v1/organizations/cost_report", params=params)
            requests += 1
            body = response.json()
            total += sum(
                (Decimal(i["amount"]) for b in body["data"] for i in b["results"]), Decimal(0)
            )
            if not body["has_more"]:
                return total, requests
            params["page"] = body["next_page"]


def run_strategy(strategy: str, base_url: str, date_range: DateRange, concurrency: int,
                 results: Any) -> None:
    """Run one strategy in a fresh process; send back total, requests, wall time, peak RSS."""
    runs: dict[str, Callable[[], Awaitable[tuple[Decimal, int]]]] = {
        "client": lambda: client_run(base_url, date_range, concurrency),
        "sequential-31": lambda: client_run(base_url, date_range, 1),
        "plain-31": lambda: plain_paging(base_url, date_range, 31),
        "plain-7": lambda: plain_paging(base_url, date_range, 7),
    }
    started = time.perf_counter()
    total, requests = asyncio.run(runs[strategy]())
    wall = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((str(total), requests, wall, peak_mib))


def measure(label: str, strategy: str, base_url: str, date_range: DateRange,
            concurrency: int) -> Decimal:
    """Run one strategy in its own process and print wall time, requests and peak RSS."""
    results: Any = multiprocessing.Queue()
    process = multiprocessing.Process(
        target=run_strategy, args=(strategy, base_url, date_range, concurrency, results)
    )
    process.start()
    total, requests, wall, peak_mib = results.get(timeout=600)
    process.join()
    print(f"{label:<38} {wall:8.2f} s {requests:6d} req {peak_mib:8.1f} MiB peak RSS")
    return Decimal(total)


def main() -> None:
    """Parse options, start the server process, and measure every strategy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workspaces", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    last = Clock().today() - timedelta(days=1)
    date_range = DateRange(last - timedelta(days=args.days - 1), last)
    port_queue: Any = multiprocessing.Queue()
    stop = multiprocessing.Event()
    process = multiprocessing.Process(
        target=serve, args=(args.workspaces, args.latency, port_queue, stop)
    )
    process.start()
    try:
        base_url = port_queue.get(timeout=30)
        print(f"{args.days} days, {args.workspaces} workspaces, grouped by {', '.join(GROUPING)},"
              f" {args.latency * 1000:.0f} ms per request, loopback {base_url}")
        strategies = [
            (f"costtui client (concurrency {args.concurrency})", "client"),
            ("costtui client, sequential windows", "sequential-31"),
            ("plain paging, limit=31 (no parsing)", "plain-31"),
            ("plain paging, limit=7 (API default)", "plain-7"),
        ]
        totals = [
            measure(label, strategy, base_url, date_range, args.concurrency)
            for label, strategy in strategies
        ]
        same = "identical" if len(set(totals)) == 1 else f"DIFFERENT: {totals}"
        print(f"total ${totals[0] / 100:,.2f} (exact {totals[0] / 100}); totals {same}")
    finally:
        stop.set()
        process.join(timeout=10)


if __name__ == "__main__":
    main()
