"""Longest UI-loop stall (5 ms heartbeat) of the token columns and the API-key level, demo year.

Run `python bench/bench_tokens.py [RUNS]`: opens the demo TUI headless on a year, waits until it
settles, then presses t (tokens at the top level), pivots to model with tokens on, and pivots
to API key; for each it prints the longest gap between heartbeats and the time to figures.
It also times the core computations (token columns of a level, the allocation to API keys).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEARTBEAT_SECONDS = 0.005
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)


def year() -> Any:
    """Return the demo year ending today (UTC) of NOW."""
    from costtui.core.dates import DateRange

    return DateRange(date(2025, 11, 26), NOW.date())


def tui() -> dict[str, Any]:
    """Drive the demo TUI: t, pivot to model, pivot to API key; the longest stall of each."""
    from textual.widgets import DataTable

    from costtui.core.clock import FixedClock
    from costtui.core.key_allocation import LOADING_KEYS
    from costtui.core.view_state import DEFAULT_DRILL_PATH
    from costtui.data.demo import DemoApi, DemoTransport
    from costtui.data.open import demo_client
    from costtui.tui.app import CostApp
    from costtui.tui.settings import AppSettings

    settings = AppSettings(clock=FixedClock(NOW), demo=True, date_range=year(),
                           drill_path=DEFAULT_DRILL_PATH)
    figures: dict[str, Any] = {}

    class MeasuredApp(CostApp):
        """The app with a 5 ms heartbeat recording the longest gap since the last reset."""

        beat_at = 0.0
        max_gap = 0.0

        def on_mount(self) -> None:
            self.beat_at = time.monotonic()
            self.set_interval(HEARTBEAT_SECONDS, self.beat)

        def beat(self) -> None:
            now = time.monotonic()
            self.max_gap = max(self.max_gap, now - self.beat_at)
            self.beat_at = now

        def reset(self) -> None:
            self.beat_at = time.monotonic()
            self.max_gap = 0.0

    def cells(app: Any) -> list[str]:
        table = app.screen.query_one("#level-rows", DataTable)
        return [str(getattr(value, "plain", value)) for row in table.ordered_rows
                for value in table.get_row(row.key)]

    async def until(pilot: Any, condition: Callable[[], bool]) -> None:
        while not condition():
            await pilot.pause(0.005)

    async def step(pilot: Any, name: str, act: Callable[[], Any],
                   done: Callable[[], bool]) -> None:
        app = pilot.app
        await pilot.pause(0.05)
        app.reset()
        started = time.perf_counter()
        result = act()
        if hasattr(result, "__await__"):
            await result
        await until(pilot, done)
        await pilot.pause(0.02)
        figures[name] = {"max_gap_ms": round(app.max_gap * 1000, 1),
                         "done_s": round(time.perf_counter() - started, 3)}

    async def measure(pilot: Any) -> None:
        app = pilot.app
        await until(pilot, lambda: app.report is not None and not app.is_loading
                    and not app.insights_running)
        figures["lines"] = len(app.report.lines)
        screen = app.cost_screen
        await step(pilot, "press_t", lambda: pilot.press("t"),
                   lambda: screen.usage is not None and "…" not in cells(app))
        await step(pilot, "pivot_model_with_tokens", lambda: screen.pivot_to("model"),
                   lambda: screen.state.dimension == "model" and "…" not in cells(app))
        await step(pilot, "pivot_api_key_with_tokens", lambda: screen.pivot_to("api_key"),
                   lambda: screen.state.dimension == "api_key" and "…" not in cells(app)
                   and LOADING_KEYS not in cells(app) and "computing…" not in str(cells(app)))
        await step(pilot, "tokens_off_at_api_key", lambda: pilot.press("t"),
                   lambda: "tokens" not in [str(c.value) for c in
                                            app.screen.query_one("#level-rows",
                                                                 DataTable).columns])
        await step(pilot, "pivot_workspace", lambda: screen.pivot_to("workspace"),
                   lambda: screen.state.dimension == "workspace")
        await step(pilot, "pivot_api_key_again", lambda: screen.pivot_to("api_key"),
                   lambda: screen.state.dimension == "api_key" and LOADING_KEYS not in cells(app)
                   and "computing…" not in str(cells(app)))
        app.exit()

    MeasuredApp(demo_client(DemoTransport(DemoApi())), settings).run(
        headless=True, size=(160, 40), auto_pilot=measure)
    return figures


def core() -> dict[str, Any]:
    """Time the computations on the demo year: allocation to keys, a level's token columns."""
    import asyncio

    from costtui.core.clock import FixedClock
    from costtui.core.dates import DateRange
    from costtui.core.key_lines import keyed_report
    from costtui.core.token_export import unmatched_lines
    from costtui.core.token_level import token_columns
    from costtui.core.usage_index import usage_index
    from costtui.data.demo import DemoApi, DemoTransport
    from costtui.data.open import demo_client
    from costtui.data.source import load_report
    from costtui.data.usage_source import usage_source_for

    async def load() -> tuple[Any, Any]:
        client = demo_client(DemoTransport(DemoApi()))
        report = await load_report(client, year(), ("workspace_id", "description"),
                                   clock=FixedClock(NOW))
        usage = usage_source_for(client)
        assert usage is not None
        fetch = DateRange(year().previous().first_day, year().last_day)
        days = await usage.usage(fetch, by_api_key=True)
        keys = {key.id: key for key in await usage.api_keys()}
        await usage.aclose()
        return report, (tuple(row for day in days for row in day.rows), keys)

    report, (rows, keys) = asyncio.run(load())
    figures: dict[str, Any] = {"usage_rows": len(rows), "lines": len(report.lines),
                               "previous_lines": len(report.previous_lines)}

    def timed(name: str, run: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = run()
        figures[name] = round(time.perf_counter() - started, 3)
        return result

    now = FixedClock(NOW).now()
    index = timed("usage_index", lambda: usage_index(rows))
    for dimension in ("workspace", "model"):
        timed(f"token_columns_{dimension}",
              lambda d=dimension: token_columns(report.lines, index, d, {}, now))
    keyed = timed("keyed_report", lambda: keyed_report(report, index, keys))
    timed("token_columns_api_key",
          lambda: token_columns(keyed.lines, index, "api_key", {}, now))
    current = [row for row in rows if report.date_range.first_day <= row.day]
    timed("unmatched_lines", lambda: unmatched_lines(report.items, current, now,
                                                     report.workspace_names))
    return figures


def main() -> None:
    """Print the core timings, then each step's stalls over RUNS runs (min and median)."""
    runs = int(sys.argv[1]) if sys.argv[1:] and sys.argv[1].isdigit() else 3
    with tempfile.TemporaryDirectory() as home:
        os.environ["XDG_CACHE_HOME"] = os.environ["XDG_CONFIG_HOME"] = home
        if sys.argv[1:2] == ["tui"]:
            print(json.dumps(tui()), flush=True)
            return
        print("core:", core(), flush=True)
        results = [json.loads(subprocess.run(
            [sys.executable, __file__, "tui"], capture_output=True, text=True, check=True,
        ).stdout.splitlines()[-1]) for _ in range(runs)]
    for step in results[0]:
        if step == "lines":
            continue
        gaps = sorted(result[step]["max_gap_ms"] for result in results)
        done = sorted(result[step]["done_s"] for result in results)
        print(f"{step:28} longest stall min {gaps[0]:6.1f} ms  median "
              f"{statistics.median(gaps):6.1f} ms   figures after median "
              f"{statistics.median(done):.3f} s")


if __name__ == "__main__":
    main()
