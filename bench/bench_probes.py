"""The child processes of bench_engine.py: each measures one thing and prints one JSON line.

Run by bench_engine.py as `python bench/bench_probes.py KIND ARGS…`; the parent times the
whole process (spawn to exit, CPU from wait4) and reads the JSON line for in-process figures.
Every probe takes its base URL, key and XDG directories from the environment the parent sets.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GROUPING = ("workspace_id", "description")
"""The API grouping of every measure: workspace + description, as the TUI loads it."""
HEARTBEAT_SECONDS = 0.005


def peak_rss_mib() -> float:
    """Return this process's peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(result: dict[str, Any]) -> None:
    """Print the probe's result as the last line of stdout."""
    print(json.dumps(result), flush=True)


def year_range(first: str, last: str) -> Any:
    """Return the DateRange of two ISO days."""
    from costtui.core.dates import DateRange

    return DateRange(date.fromisoformat(first), date.fromisoformat(last))


async def pager(limit: int, first: str, last: str) -> dict[str, Any]:
    """Page the whole range sequentially like a plain integration: fetch, json, Decimal sum."""
    import httpx

    params: dict[str, Any] = {
        "starting_at": f"{first}T00:00:00Z",
        "ending_at": f"{date.fromisoformat(last) + timedelta(days=1)}T00:00:00Z",
        "limit": limit,
        "group_by[]": list(GROUPING),
    }
    total, lines, size, requests = Decimal(0), 0, 0, 0
    headers = {"x-api-key": os.environ["ANTHROPIC_ADMIN_KEY"], "anthropic-version": "2023-06-01"}
    async with httpx.AsyncClient(base_url=os.environ["ANTHROPIC_BASE_URL"],
                                 headers=headers) as http:
        while True:
            response = await http.get("/v1/organizations/cost_report", params=params)
            response.raise_for_status()
            requests += 1
            size += len(response.content)
            body = json.loads(response.content)
            for bucket in body["data"]:
                for item in bucket["results"]:
                    total += Decimal(item["amount"])
                    lines += 1
            if not body["has_more"]:
                break
            params["page"] = body["next_page"]
    return {"total": str(total), "lines": lines, "bytes": size, "requests": requests}


async def in_process(first: str, last: str) -> dict[str, Any]:
    """Time load_report cold (empty cache), warm (cache + incomplete days), warm offline.

    Each time includes the report's per-day rows; `<label>_load_only` leaves them out. Then,
    from another empty cache, `<label>_level`: cold and warm offline with the first level
    grouped as the TUI groups it (by workspace, with its day series) instead of the rows.
    """
    from costtui.core.admin_key import AdminKey
    from costtui.core.clock import Clock
    from costtui.core.view_state import ViewState, compute_level
    from costtui.data.cache import CostCache
    from costtui.data.open import SourceOptions, open_source
    from costtui.data.source import load_report

    clock = Clock()
    date_range = year_range(first, last)
    key = AdminKey(os.environ["ANTHROPIC_ADMIN_KEY"])
    timings: dict[str, Any] = {}
    loads = (("cold", False, "rows"), ("warm", False, "rows"), ("warm_offline", True, "rows"),
             ("cold", False, "level"), ("warm_offline", True, "level"))
    with tempfile.TemporaryDirectory(prefix="costtui-bench-") as directory:
        report = None
        for label, offline, then in loads:
            # The previous load's report is freed before the clock starts, not timed with this.
            del report
            path = Path(directory) / f"costs-{then}.sqlite3"
            source = open_source(SourceOptions(offline=offline), None if offline else key,
                                 clock, cache=CostCache(path, clock=clock))
            # One turn of the event loop first: what the previous load's close left queued
            # (up to 1.5 ms after an offline one) is not timed with this load.
            await asyncio.sleep(0)
            started = time.perf_counter()
            report = await load_report(source, date_range, GROUPING, clock=clock,
                                       with_previous=False)
            if then == "level":
                compute_level(report, ViewState())
                timings[f"{label}_level"] = time.perf_counter() - started
            else:
                timings[f"{label}_load_only"] = time.perf_counter() - started
                # With its per-day rows (built when first read): as earlier waves measured it.
                getattr(getattr(report, "lines", None), "rows", None)
                timings[label] = time.perf_counter() - started
                timings[f"{label}_lines"] = report_lines(report)
            await source.aclose()
    return timings


def report_lines(report: Any) -> int:
    """Return a loaded report's number of cost lines, whatever shape holds them."""
    items = getattr(report, "items", None)
    return len(items) if items is not None else -1


def first_paint(kind: str) -> dict[str, Any]:
    """Run `costtui --demo` or a bare Textual app headless; return when a data table is filled."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    painted: dict[str, float] = {}
    original_run = App.run

    async def until_painted(pilot: Any) -> None:
        app = pilot.app
        while True:
            tables = app.screen.query("#level-rows")
            if tables and tables.first(DataTable).row_count > 0:
                break
            await pilot.pause(0.002)
        painted["at"] = time.monotonic()
        app.exit()

    def run_headless(self: App[Any], **_: Any) -> Any:
        return original_run(self, headless=True, size=(120, 40), auto_pilot=until_painted)

    App.run = run_headless  # type: ignore[method-assign]
    if kind == "demo":
        import costtui.cli.main as cli_main

        cli_main.has_terminal = lambda: True
        cli_main.main(["--demo", "--reset-view"])
    else:
        class BareApp(App[None]):
            def compose(self) -> ComposeResult:
                yield Header()
                yield DataTable(id="level-rows")
                yield Footer()

            def on_mount(self) -> None:
                table = self.query_one(DataTable)
                table.add_columns("name", "cost")
                table.add_row("workspace", "$1.00")

        BareApp().run()
    return {"painted": painted["at"], "peak_rss_mib": peak_rss_mib(),
            "modules": len(sys.modules)}


def record_first_reply(figures: dict[str, Any]) -> None:
    """Record in `figures["first_reply"]` when the first HTTP response reaches the client."""
    import httpx

    send = httpx.AsyncClient.send

    async def timed_send(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> httpx.Response:
        response = await send(self, *args, **kwargs)
        figures.setdefault("first_reply", time.monotonic())
        return response

    httpx.AsyncClient.send = timed_send  # type: ignore[method-assign]


def tui(first: str, last: str) -> dict[str, Any]:
    """Open the real TUI on the live client + cache: time to data, longest freeze, RSS, pivot."""
    from textual.widgets import DataTable

    from costtui.core.admin_key import AdminKey
    from costtui.core.clock import Clock
    from costtui.data.open import SourceOptions, open_source
    from costtui.tui.app import CostApp
    from costtui.tui.settings import AppSettings

    clock = Clock()
    settings = AppSettings(clock=clock, date_range=year_range(first, last))
    source = open_source(SourceOptions(), AdminKey(os.environ["ANTHROPIC_ADMIN_KEY"]), clock)
    figures: dict[str, Any] = {}
    record_first_reply(figures)

    class MeasuredApp(CostApp):
        """The app with a 5 ms heartbeat recording the longest gap until the load settles."""

        beat_at = 0.0
        max_gap = 0.0
        settled = False

        def on_mount(self) -> None:
            figures["mounted"] = self.beat_at = time.monotonic()
            self.heartbeat = self.set_interval(HEARTBEAT_SECONDS, self.beat)

        def _display(self, screen: Any, renderable: Any) -> None:
            """Note when the first frame after the pivot is written (its widgets were all
            updated by `pivot_to` before it returned, so that frame shows the new level)."""
            super()._display(screen, renderable)
            if renderable is not None and not self._batch_count and "pivot_started" in figures:
                figures.setdefault("pivot_painted", time.perf_counter() - figures["pivot_started"])

        def beat(self) -> None:
            now = time.monotonic()
            self.max_gap = max(self.max_gap, now - self.beat_at)
            self.beat_at = now
            if "data" not in figures and self.report is not None and \
                    self.screen.query_one("#level-rows", DataTable).row_count > 0:
                figures["data"] = now
                figures["data_before_reply"] = "first_reply" not in figures
            if "data" in figures and not self.is_loading and not self.insights_running:
                figures["settled"] = now
                self.settled = True
                # Stopped: its own work would keep the pivot's idle wait below from ending.
                self.heartbeat.stop()

    async def measure(pilot: Any) -> None:
        app = pilot.app
        while not app.settled:
            await pilot.pause(0.01)
        figures["max_gap"] = app.max_gap
        figures["peak_rss_mib"] = peak_rss_mib()
        figures["lines"] = report_lines(app.report)
        screen = app.cost_screen
        figures["pivot_started"] = started = time.perf_counter()
        screen.pivot_to("model")
        # Until Textual finds the app idle (checked every 20 ms), and, apart, the next frame.
        await pilot.pause()
        figures["pivot"] = time.perf_counter() - started
        app.exit()

    MeasuredApp(source, settings).run(headless=True, size=(120, 40), auto_pilot=measure)
    return figures


def main() -> None:
    """Run the probe named on the command line."""
    kind, *args = sys.argv[1:]
    if kind == "pager":
        emit(asyncio.run(pager(int(args[0]), args[1], args[2])))
    elif kind == "inprocess":
        emit(asyncio.run(in_process(args[0], args[1])))
    elif kind == "paint":
        emit(first_paint(args[0]))
    elif kind == "tui":
        emit(tui(args[0], args[1]))
    else:
        raise SystemExit(f"unknown probe {kind!r}")


if __name__ == "__main__":
    main()
