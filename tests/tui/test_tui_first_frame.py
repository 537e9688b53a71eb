"""The demo's first frame shows its rows: the report made while the app starts is shown at mount."""

from __future__ import annotations

import argparse
import gc
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from costtui.cli.tui import build_app
from costtui.data.demo_source import DemoSource
from costtui.tui.app import CostApp
from costtui.tui.widgets.level_table import LevelRows
from costtui.tui.widgets.load_progress import LoadProgress
from tests.tui_support import frozen_clock, label_text, wait_loaded


def demo_app() -> CostApp:
    """Return the app `costtui --demo --reset-view` builds (its first report already started)."""
    arguments = argparse.Namespace(demo=True, profile=None, first_day=None, last_day=None,
                                   reset_view=True)
    return build_app(arguments, frozen_clock())


async def test_the_demos_first_frame_has_its_rows_and_no_loading_bar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frames: list[dict[str, Any]] = []
    display = App._display

    def record(app: CostApp, screen: Any, renderable: Any) -> None:
        rows = screen.query(LevelRows)
        frames.append({
            "rows": rows.first().row_count if rows else 0,
            "loading": bool(screen.query(LoadProgress)) and
            screen.query_one(LoadProgress).has_class("-loading"),
            "title": label_text(app, "#header-title"),
            "requests": app.source.api.requests if app.source.api is not None else [],
        })
        display(app, screen, renderable)

    monkeypatch.setattr(App, "_display", record)
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        table = app.screen.query_one(LevelRows)
        shown_rows = table.row_count
        first_cells = [str(cell) for cell in table.get_row_at(0)[:2]]
    first = frames[0]
    assert first["rows"] == shown_rows == 6
    assert first["loading"] is False
    assert "Loading" not in first["title"] and "Acme Robotics (demo)" in first["title"]
    assert first["requests"] == []  # made in-process: no request went to the demo API
    assert first_cells[0] == "[prod] Search"


async def test_the_demos_rows_are_in_its_table_when_the_app_is_ready() -> None:
    """The app is ready (and draws its first frame) once the view has mounted with the demo's
    first report, as it is once the widgets it composes itself are mounted."""
    app = demo_app()
    rows_at_ready: list[int] = []

    async def at_ready(pilot: Pilot[None]) -> None:
        rows = app.screen.query(LevelRows)
        rows_at_ready.append(rows.first().row_count if rows else 0)
        app.exit()

    await app.run_async(headless=True, size=(120, 40), auto_pilot=at_ready)
    assert rows_at_ready == [6]


async def test_the_collector_paused_by_the_launch_runs_again_once_the_view_is_up() -> None:
    app = demo_app()
    gc.disable()  # as launch() leaves it while the app starts
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_the_demos_first_report_is_the_one_its_first_load_would_make() -> None:
    shown = demo_app()
    loaded = demo_app()
    assert isinstance(loaded.source, DemoSource)
    loaded.source.take_report(loaded.date_range, ("workspace_id", "description"))
    loaded.cost_screen.first_report = None  # the view gets nothing: the app loads as usual
    texts = []
    for app in (shown, loaded):
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            table = app.screen.query_one(LevelRows)
            texts.append([[str(cell) for cell in table.get_row_at(row)]
                          for row in range(table.row_count)])
            assert app.report is not None
            texts.append([app.report.organization_name, app.report.missing_days])
    assert texts[0] == texts[2] and texts[1] == texts[3]
