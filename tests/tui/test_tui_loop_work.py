"""Work kept off the UI loop: levels grouped in threads, refresh and insights after a frame."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import costtui.core.view_state as view_state
from costtui.core.models import LoadedReport
from costtui.data.demo import DemoApi, DemoOrganization
from costtui.tui.screens.cost_view import CostScreen
from tests.tui.test_tui_stale import fill_cache, gated_app, row_keys
from tests.tui_support import make_app, rows_table, wait_loaded, wait_until


async def test_the_refresh_reads_the_cache_only_once_the_cached_copy_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The refresh waits for `call_after_refresh`, which Textual may run without a paint (a
    # batch update open, a screen not yet current), so a frame in between is not asserted.
    path = tmp_path / "costs.sqlite3"
    org = DemoOrganization()
    await fill_cache(path, org)
    app, transport = gated_app(path, DemoApi(org, check_key=False))
    events = record_frames_and_reports(monkeypatch)
    fresh_buckets = app.source.cost_buckets  # type: ignore[union-attr]

    async def recording_buckets(*args: Any, **kwargs: Any) -> Any:
        events.append("refresh")
        return await fresh_buckets(*args, **kwargs)

    app.source.cost_buckets = recording_buckets  # type: ignore[method-assign,union-attr]
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: "refresh" in events)
        assert events.index("shown") < events.index("refresh")
        assert rows_table(app).row_count == len(row_keys(app)) > 0
        transport.gate.set()
        await wait_loaded(pilot, app)
        assert events.count("shown") == 2  # the cached copy, then the fresh report


def record_frames_and_reports(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return a list the cost view appends "frame" to per paint, "shown" per report.

    A paint is a layout pass or a compositor refresh: Textual repaints changed widgets without
    a layout, and runs `call_after_refresh` callbacks once nothing is left to paint.
    """
    events: list[str] = []
    refresh_layout = CostScreen._refresh_layout
    compositor_refresh = CostScreen._compositor_refresh
    show_report = CostScreen.show_report

    def recording_refresh(screen: CostScreen, *args: Any, **kwargs: Any) -> Any:
        events.append("frame")
        return refresh_layout(screen, *args, **kwargs)

    def recording_compositor(screen: CostScreen) -> None:
        events.append("frame")
        compositor_refresh(screen)

    def recording_show(screen: CostScreen, report: LoadedReport, **kwargs: Any) -> None:
        events.append("shown")
        show_report(screen, report, **kwargs)

    monkeypatch.setattr(CostScreen, "_refresh_layout", recording_refresh)
    monkeypatch.setattr(CostScreen, "_compositor_refresh", recording_compositor)
    monkeypatch.setattr(CostScreen, "show_report", recording_show)
    return events


async def test_levels_of_a_loaded_report_are_grouped_off_the_ui_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "costs.sqlite3"
    org = DemoOrganization()
    await fill_cache(path, org)
    app, transport = gated_app(path, DemoApi(org, check_key=False))
    grouped_on: list[tuple[str, bool]] = []
    group_level = view_state._group_level

    def recording_group_level(report: LoadedReport, dimension: str, filters: Any) -> Any:
        grouped_on.append((dimension, threading.current_thread() is threading.main_thread()))
        return group_level(report, dimension, filters)

    monkeypatch.setattr(view_state, "_group_level", recording_group_level)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: app.report is not None)
        transport.gate.set()
        await wait_loaded(pilot, app)
        # The cached copy and the fresh report: each first level grouped in a worker thread.
        assert grouped_on == [("workspace", False), ("workspace", False)]
        app.cost_screen.pivot_to("model")
        await pilot.pause()
        assert grouped_on[-1] == ("model", True)  # a pivot groups at once, on the loop
        assert rows_table(app).row_count > 0


async def test_insights_of_a_report_replaced_before_its_frame_are_never_scored() -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        started: list[int] = []
        scored = app.compute_report_insights

        def recording_scoring(*args: Any) -> Any:
            started.append(args[2])
            return scored(*args)

        app.compute_report_insights = recording_scoring  # type: ignore[method-assign]
        assert app.report is not None
        old_generation = app.load_generation
        app.load_insights(app.report)  # asked for, but the frame has not been drawn yet
        app.action_refresh()  # a new load replaces it first
        await wait_loaded(pilot, app)
        assert old_generation not in started
        assert started == [app.load_generation]
