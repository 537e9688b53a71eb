"""Pilot tests of every TUI flow on the in-process demo API, asserting what the user sees."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from textual.command import CommandPalette
from textual.widgets import ContentSwitcher, Input, Static
from textual.widgets.data_table import ColumnKey

from costtui.core.dates import PRESET_LABELS, DateRange, preset_range
from costtui.core.view_state import row_key_for
from costtui.data.demo import DemoApi, DemoFaults, DemoOrganization
from costtui.tui.screens.date_range import DateRangeScreen
from costtui.tui.screens.dialogs import ExportScreen, ReportCommandScreen
from costtui.tui.screens.grouping import DrillPathScreen, PivotScreen
from costtui.tui.screens.help import HelpScreen
from costtui.tui.widgets.cost_chart import CostChart
from costtui.tui.widgets.level_table import LevelTable
from tests.tui_support import (
    LAST_30_DAYS,
    TODAY,
    GatedTransport,
    cell,
    column_texts,
    cursor_key,
    dollars,
    expected_costs,
    frozen_clock,
    label_text,
    make_app,
    notifications,
    rows_table,
    run_command,
    screen_text,
    shows_range,
    total_line,
    trail_text,
    wait_loaded,
    wait_until,
    workspace_names,
)

SIZES = [(120, 40), (80, 24)]
PROD_SEARCH = "[prod] Search"


def prod_search_id() -> str:
    """Return the id of the demo workspace whose name looks like markup."""
    return next(key for key, name in workspace_names().items() if name == PROD_SEARCH and key)


@pytest.mark.parametrize("size", SIZES)
async def test_start_shows_last_30_days_by_workspace_sorted_with_total(
    size: tuple[int, int],
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot, app)
        costs = expected_costs(LAST_30_DAYS, "workspace_id")
        names = workspace_names()
        ranked = sorted(costs, key=lambda ws: -costs[ws])
        assert column_texts(app, "name") == [names[ws] for ws in ranked]
        assert column_texts(app, "cost") == [dollars(costs[ws]) for ws in ranked]
        total = sum(costs.values(), Decimal(0))
        line = total_line(app)
        assert line[0] == f"Total · {len(costs)} groups"
        assert line[1:3] == [dollars(total), "100.0%"]
        assert trail_text(app) == "All costs › by workspace"
        title = label_text(app, "#header-title")
        assert title.startswith("Acme Robotics (demo) · 2026-10-27 → 2026-11-25 UTC (30 d)")
        assert "fetched" in title
        assert label_text(app, "#freshness").startswith("⚠ 2026-11-23 → 2026-11-25 may be")
        # Numbers are never truncated, even at 80 columns.
        assert dollars(total) in screen_text(app)


async def test_workspace_named_like_markup_is_shown_as_text() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert cell(app, prod_search_id(), "name") == PROD_SEARCH
        assert PROD_SEARCH in screen_text(app)


async def test_share_and_change_against_previous_period() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        current = expected_costs(LAST_30_DAYS, "workspace_id")
        previous = expected_costs(LAST_30_DAYS.previous(), "workspace_id")
        total = sum(current.values(), Decimal(0))
        key = prod_search_id()
        share = (current[key] / total * 100).quantize(Decimal("0.1"))
        assert cell(app, key, "share") == f"{share}%"
        delta = current[key] - previous[key]
        sign = "+" if delta > 0 else ""
        assert cell(app, key, "change") == sign + dollars(delta)
        percent = (delta / previous[key] * 100).quantize(Decimal("0.1"))
        mark = " ▲" if delta > 0 else " ▼"
        assert cell(app, key, "change_pct") == f"{sign}{percent}%{mark}"
        assert len(cell(app, key, "trend")) > 0


async def test_every_preset_loads_its_utc_range_with_exact_total() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        for index, preset in enumerate(PRESET_LABELS):
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(app.screen, DateRangeScreen))
            await pilot.press("home", *["down"] * index, "enter")
            expected = preset_range(preset, TODAY)
            await wait_until(pilot, shows_range(app, expected))
            await pilot.pause()
            total = sum(expected_costs(expected, "workspace_id").values(), Decimal(0))
            assert total_line(app)[1] == dollars(total), preset
            assert str(expected) in label_text(app, "#header-title")
        assert preset_range("last-month", TODAY) == DateRange(date(2026, 10, 1),
                                                              date(2026, 10, 31))


async def test_custom_range_is_validated_as_typed_and_applied() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DateRangeScreen))
        first = app.screen.query_one("#first-day", Input)
        last = app.screen.query_one("#last-day", Input)
        first.focus()
        first.value = ""
        await pilot.press(*"2026-13-01")
        assert "is not a date: use YYYY-MM-DD" in label_text(app, "#range-message")
        first.value = "2026-11-10"
        last.value = "2026-11-01"
        await pilot.pause()
        assert "range is reversed" in label_text(app, "#range-message")
        last.value = "2026-12-01"
        await pilot.pause()
        assert label_text(app, "#range-message") == (
            "16 days: 2026-11-10 → 2026-11-25 (UTC) · To 2026-12-01 is after today; "
            "using today (2026-11-25 UTC)")
        first.value = "2022-12-31"
        await pilot.pause()
        assert "before 2023-01-01" in label_text(app, "#range-message")
        await pilot.press("enter")
        assert isinstance(app.screen, DateRangeScreen), "an invalid range is never applied"
        first.value = "2026-11-10"
        last.value = "2026-11-20"
        await pilot.pause()
        assert label_text(app, "#range-message") == "11 days: 2026-11-10 → 2026-11-20 (UTC)"
        last.focus()
        await pilot.press("enter")
        custom = DateRange(date(2026, 11, 10), date(2026, 11, 20))
        await wait_until(pilot, shows_range(app, custom))
        await pilot.pause()
        total = sum(expected_costs(custom, "workspace_id").values(), Decimal(0))
        assert total_line(app)[1] == dollars(total)
        assert label_text(app, "#freshness") == ""


@pytest.mark.parametrize("size", SIZES)
async def test_drill_two_levels_and_back_restores_cursor(size: tuple[int, int]) -> None:
    api = DemoApi()
    app = make_app(api)
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot, app)
        requests_before = len(api.requests)
        key = prod_search_id()
        table = rows_table(app)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter")
        assert trail_text(app) == f"All costs › {PROD_SEARCH} › by model"
        models = expected_costs(LAST_30_DAYS, "model", {"workspace_id": key})
        top_model = max(models, key=lambda model: models[model])
        assert column_texts(app, "name")[0] == top_model
        assert total_line(app)[1] == dollars(sum(models.values(), Decimal(0)))
        await pilot.press("enter")
        assert trail_text(app) == (
            f"All costs › {PROD_SEARCH} › {top_model} › by token type")
        tokens = expected_costs(LAST_30_DAYS, "token_type",
                                {"workspace_id": key, "model": top_model})
        for token_type, cost in tokens.items():
            assert cell(app, row_key_for(token_type), "cost") == dollars(cost)
        assert total_line(app)[1] == dollars(sum(tokens.values(), Decimal(0)))
        await pilot.press("enter")
        assert any("last level of the drill path" in text for text in notifications(app))
        assert len(api.requests) == requests_before, "drilling needs no new request"
        await pilot.press("backspace")
        assert trail_text(app) == f"All costs › {PROD_SEARCH} › by model"
        assert cursor_key(app) == top_model
        await pilot.press("escape")
        assert trail_text(app) == "All costs › by workspace"
        assert cursor_key(app) == key


async def test_sort_by_columns_keeps_the_cursor_on_its_row() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        names = column_texts(app, "name")
        await pilot.press("down", "down")
        chosen = cursor_key(app)
        await pilot.press("s")  # share: same order as cost
        assert column_texts(app, "name") == names
        await pilot.press("s", "s", "s", "s")  # Δ $, Δ %, trend, then name
        assert app.cost_screen.state.sort_column == "name"
        assert column_texts(app, "name") == sorted(names, key=str.casefold)
        assert cursor_key(app) == chosen
        await pilot.press("S")
        assert column_texts(app, "name") == sorted(names, key=str.casefold, reverse=True)
        assert cursor_key(app) == chosen
        await pilot.press("s")  # back to cost, largest first
        costs = [Decimal(text.strip("$").replace(",", "")) for text in column_texts(app, "cost")]
        assert costs == sorted(costs, reverse=True)
        assert str(rows_table(app).columns[ColumnKey("cost")].label) == "Cost ▼"
        assert not any(text.startswith("Sorted by") for text in notifications(app))


async def test_sorting_by_a_column_without_room_on_screen_says_so() -> None:
    app = make_app()
    async with app.run_test(size=(60, 24)) as pilot:
        await wait_loaded(pilot, app)
        assert not app.cost_screen.query_one(LevelTable).shows_column("trend")
        await pilot.press("s", "s", "s", "s")  # share, Δ $, Δ %, then trend (not on screen)
        assert app.cost_screen.state.sort_column == "trend"
        assert notifications(app) == ["Sorted by latest day, largest first"]


async def test_clicking_a_header_sorts_by_that_column() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        names = column_texts(app, "name")
        await pilot.click("#level-rows", offset=(3, 0))
        assert column_texts(app, "name") == sorted(names, key=str.casefold)


async def test_text_filter_narrows_rows_and_escape_clears_it() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        everything = column_texts(app, "name")
        await pilot.press("slash", *"prod")
        assert column_texts(app, "name") == [PROD_SEARCH]
        costs = expected_costs(LAST_30_DAYS, "workspace_id")
        assert total_line(app)[0] == f"Shown 1 of {len(costs)}"
        assert total_line(app)[1] == dollars(costs[prod_search_id()])
        await pilot.press("enter")  # keep the filter, back to the table
        assert column_texts(app, "name") == [PROD_SEARCH]
        await pilot.press("escape")
        assert column_texts(app, "name") == everything
        assert app.cost_screen.state.depth == 0


async def test_pivot_regroups_the_current_level_keeping_filters() -> None:
    api = DemoApi()
    app = make_app(api)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        requests_before = len(api.requests)
        key = prod_search_id()
        table = rows_table(app)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter", "g")
        await wait_until(pilot, lambda: isinstance(app.screen, PivotScreen))
        await pilot.press("home", "down", "enter")  # Token type (Workspace is filtered above)
        await wait_until(pilot, lambda: not isinstance(app.screen, PivotScreen))
        assert trail_text(app) == f"All costs › {PROD_SEARCH} › by token type"
        assert app.cost_screen.state.drill_path == ("workspace", "token_type", "model")
        tokens = expected_costs(LAST_30_DAYS, "token_type", {"workspace_id": key})
        for token_type, cost in tokens.items():
            assert cell(app, row_key_for(token_type), "cost") == dollars(cost)
        assert len(api.requests) == requests_before, "regrouping needs no new request"


async def test_drill_path_dialog_edits_the_order() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("G")
        await wait_until(pilot, lambda: isinstance(app.screen, DrillPathScreen))
        # Highlight Model (2nd), move it first; remove Token type (3rd); add Day.
        await pilot.press("home", "down", "shift+up")
        assert label_text(app, "#path-preview") == "Model › Workspace › Token type"
        await pilot.press("end", "space")
        assert label_text(app, "#path-preview") == "Model › Workspace › Token type › Day"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, DrillPathScreen))
        assert trail_text(app) == "All costs › by model"
        models = expected_costs(LAST_30_DAYS, "model")
        assert total_line(app)[1] == dollars(sum(models.values(), Decimal(0)))
        assert column_texts(app, "name")[0] == max(models, key=lambda m: models[m])


async def test_chart_shows_the_same_level_and_toggles_cumulative() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        key = prod_search_id()
        table = rows_table(app)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter", "c")
        assert app.screen.query_one(ContentSwitcher).current == "chart-view"
        chart = app.screen.query_one("#cost-chart", CostChart)
        models = expected_costs(LAST_30_DAYS, "model", {"workspace_id": key})
        assert chart.data is not None
        assert chart.data.total == sum(models.values(), Decimal(0))
        assert {series.label for series in chart.data.series} == {
            model or "(no model)" for model in models}
        assert not chart.is_cumulative
        assert trail_text(app) == f"All costs › {PROD_SEARCH} › by model"
        await pilot.press("l")
        assert chart.is_cumulative
        assert label_text(app, "#chart-caption").startswith(
            f"Running total of {len(models)} models · total ")
        await pilot.press("backspace")
        assert chart.data.total == sum(expected_costs(LAST_30_DAYS, "workspace_id").values(),
                                       Decimal(0))
        await pilot.press("c")
        assert app.screen.query_one(ContentSwitcher).current == "table-view"
        assert cursor_key(app) == key


@pytest.mark.parametrize("export_format", ["csv", "json"])
async def test_export_writes_exact_unrounded_rows_and_names_the_file(
    tmp_path: Path, export_format: str
) -> None:
    app = make_app(export_directory=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        key = prod_search_id()
        table = rows_table(app)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter", "e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("c" if export_format == "csv" else "j")
        expected_path = tmp_path / f"costtui-2026-10-27_2026-11-25-workspace-model.{export_format}"
        await wait_until(pilot, lambda: any(str(expected_path) in text
                                            for text in notifications(app)))
        models = expected_costs(LAST_30_DAYS, "model", {"workspace_id": key})
        text = expected_path.read_text()
        if export_format == "csv":
            lines = text.splitlines()
            assert lines[0] == "workspace,workspace_id,model,cost_usd"
            rows = {line.split(",")[2]: Decimal(line.split(",")[3]) for line in lines[1:]}
            assert rows == {model or "": cost for model, cost in models.items()}
            assert all(line.startswith(f"{PROD_SEARCH},{key},") for line in lines[1:])
        else:
            document = json.loads(text)
            assert document["from"] == "2026-10-27" and document["to"] == "2026-11-25"
            assert document["group_by"] == ["workspace", "model"]
            assert document["where"] == {"workspace": key}
            assert Decimal(document["total_usd"]) == sum(models.values(), Decimal(0))
            assert {row["model"]: Decimal(row["cost_usd"]) for row in document["rows"]} == models
        # A second export never overwrites the first.
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("enter" if export_format == "csv" else "j")
        second = expected_path.with_name(f"{expected_path.stem}-2{expected_path.suffix}")
        await wait_until(pilot, second.exists)
        assert expected_path.read_text() == text


async def test_export_error_is_reported(tmp_path: Path) -> None:
    app = make_app(export_directory=tmp_path / "missing")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("c")
        await wait_until(pilot, lambda: any(text.startswith("Could not write")
                                            for text in notifications(app)))
        assert app.is_running


async def test_report_command_reproduces_the_view() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        key = prod_search_id()
        table = rows_table(app)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter", "y")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportCommandScreen))
        screen = app.screen
        assert isinstance(screen, ReportCommandScreen)
        assert screen.command == ("costtui report --demo --from 2026-10-27 --to 2026-11-25 "
                                  "--group-by workspace,model --format csv")
        assert list(screen.rows_to_read) == [f"Workspace = {PROD_SEARCH} ({key})"]
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportCommandScreen)


async def test_escape_cancels_a_slow_first_load() -> None:
    transport = GatedTransport()  # never opened: the load stays in flight until cancelled
    app = make_app(transport=transport)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.is_loading)
        assert "Loading" in label_text(app, "#load-label")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.is_loading)
        assert any("Load cancelled: nothing was loaded yet" in text
                   for text in notifications(app))
        assert app.report is None and app.is_running


async def test_a_new_query_cancels_the_old_one_and_shown_data_stays() -> None:
    transport = GatedTransport()
    transport.gate.set()
    app = make_app(transport=transport)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        shown = column_texts(app, "cost")
        transport.gate.clear()  # from now on, loads wait until the test opens the gate
        app.action_use_preset("last-90-days")
        await wait_until(pilot, lambda: app.is_loading)
        app.action_use_preset("last-month")  # replaces the 90-day load
        await pilot.pause()
        assert column_texts(app, "cost") == shown, "data stays visible while loading"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.is_loading)
        assert any("showing the data already loaded for 2026-10-27 → 2026-11-25" in text
                   for text in notifications(app))
        assert column_texts(app, "cost") == shown
        transport.gate.set()
        app.action_use_preset("last-month")
        await wait_loaded(pilot, app)
        last_month = preset_range("last-month", TODAY)
        assert app.report is not None and app.report.date_range == last_month
        total = sum(expected_costs(last_month, "workspace_id").values(), Decimal(0))
        assert total_line(app)[1] == dollars(total)


async def test_api_error_shows_panel_with_request_id_and_retry_recovers() -> None:
    api = DemoApi(faults=DemoFaults(status_always=403))
    app = make_app(api)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert app.cost_screen.has_class("-error")
        details = label_text(app, "#error-details")
        assert "normal API key" in details
        assert "request-id: req_demo_" in details
        assert "Press r to retry" in details
        assert any("Press r to retry" in text for text in notifications(app))
        api.faults = DemoFaults()
        await pilot.press("r")
        await wait_loaded(pilot, app)
        assert not app.cost_screen.has_class("-error")
        total = sum(expected_costs(LAST_30_DAYS, "workspace_id").values(), Decimal(0))
        assert total_line(app)[1] == dollars(total)


async def test_error_on_refresh_keeps_the_data_already_shown() -> None:
    api = DemoApi()
    app = make_app(api)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        shown = column_texts(app, "cost")
        api.faults = DemoFaults(status_always=401)
        await pilot.press("r")
        await wait_until(pilot, lambda: app.last_error is not None and not app.is_loading)
        await pilot.pause()
        assert column_texts(app, "cost") == shown
        assert "The table still shows the data loaded before." in label_text(
            app, "#error-details")
        assert any("Admin key was rejected (401)" in text for text in notifications(app))


async def test_chart_caption_names_the_groups_drawn_and_other_only_when_there_is_one() -> None:
    org = DemoOrganization(workspace_count=14)
    app = make_app(DemoApi(org))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("c")
        groups = len(app.cost_screen.level.rows) if app.cost_screen.level else 0
        assert groups > 6
        caption = label_text(app, "#chart-caption")
        assert caption.startswith(f"Top 6 of {groups} workspaces + Other · total ")
        chart = app.screen.query_one("#cost-chart", CostChart)
        assert chart.data is not None and chart.data.series[-1].label == "Other"


async def test_no_key_shows_how_to_provide_one() -> None:
    from costtui.tui.app import CostApp
    from costtui.tui.settings import AppSettings

    app = CostApp(None, AppSettings(clock=frozen_clock()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        details = label_text(app, "#error-details")
        assert details.startswith("No Admin key for profile 'default': press K to enter one, "
                                  "or quit and set ANTHROPIC_ADMIN_KEY")
        assert "--demo" in screen_text(app)


async def test_help_lists_every_binding() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_table = app.screen.query_one("#help-table", Static)
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(help_table.content)
        text = console.export_text()  # the whole list, also the rows below the fold
        for action in ("Drill", "Up", "Dates", "Group", "Path", "Filter", "Sort", "Reverse",
                       "Chart", "Table", "Line", "Export", "Command", "Refresh", "Quit",
                       "Cancel", "Info", "Copy", "Earlier", "Later", "Preset"):
            assert f" {action} " in text, action
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_runs_a_preset() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await run_command(pilot, "Range: Last month", "Range: Last month")
        last_month = preset_range("last-month", TODAY)
        await wait_until(pilot, shows_range(app, last_month))


async def test_narrow_terminal_cuts_names_never_numbers() -> None:
    app = make_app(drill_path=("description", "workspace"))
    async with app.run_test(size=(60, 24)) as pilot:
        await wait_loaded(pilot, app)
        text = screen_text(app)
        descriptions = expected_costs(LAST_30_DAYS, "description")
        shown = 0
        for cost in descriptions.values():
            shown += dollars(cost) in text
        assert shown >= 10
        assert "Claude Sonnet …" in text


def test_styles_file_exists_and_no_color_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    from costtui.tui.app import CostApp

    assert Path(CostApp.CSS_PATH).exists()  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_app().no_color


async def test_a_tall_terminal_shows_the_chart_under_the_table() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        peek = app.screen.query_one("#peek-chart", CostChart)
        assert not peek.display and "Cost per day by workspace" not in screen_text(app)
        await pilot.resize_terminal(200, 60)
        await wait_until(pilot, lambda: peek.display)
        await pilot.pause()
        text = screen_text(app)
        assert "Cost per day by workspace" in text and "[prod] Search" in text
        assert rows_table(app).row_count == 6  # the table is still there, above the chart
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Cost per day by model" in screen_text(app))
        await pilot.press("c")
        await wait_until(pilot, lambda: not peek.display)
        assert app.screen.query_one("#cost-chart", CostChart).display
        await pilot.press("c")
        await wait_until(pilot, lambda: peek.display)
