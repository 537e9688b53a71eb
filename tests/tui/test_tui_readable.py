"""Pilot tests of a readable TUI: wide and accented names, human labels, keys, Δ marks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual import events
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input

from costtui.core.chart_data import top_series
from costtui.core.dates import DateRange
from costtui.data.api import FetchProgress
from costtui.data.demo import DemoApi, DemoOrganization
from costtui.tui.screens.date_range import DateRangeScreen
from costtui.tui.screens.dialogs import ExportScreen
from costtui.tui.screens.help import OTHER_VIEWS_HEADING, HelpScreen
from costtui.tui.widgets.cells import MoneyCell
from costtui.tui.widgets.cost_chart import CostChart, cell_safe
from costtui.tui.widgets.level_table import DECREASE_MARK, INCREASE_MARK
from costtui.tui.widgets.load_progress import LoadProgress
from tests.tui.test_chart import NOVEMBER
from tests.tui_support import (
    LAST_30_DAYS,
    column_texts,
    cursor_key,
    expected_costs,
    make_app,
    rows_table,
    screen_text,
    shows_range,
    wait_loaded,
    wait_until,
)

WIDE_NAMES = ("Ops 🚀 EU", "Données & Modèles", "数据管道", "Research Sandbox", "Legacy Chat")
"""The demo's five workspaces renamed with an emoji, accents and CJK (two cells a character)."""


def wide_names_api() -> DemoApi:
    """Return the demo API whose workspaces carry wide and accented names."""
    return DemoApi(DemoOrganization(workspace_names=WIDE_NAMES))


class ChartApp(App[None]):
    """A bare app holding one CostChart."""

    def compose(self) -> ComposeResult:
        """Yield the chart."""
        yield CostChart(id="chart")


def test_cell_safe_pads_wide_characters_so_plotext_counts_cells() -> None:
    assert cell_safe("Ops 🚀 EU") == "Ops 🚀\u200b EU"
    assert cell_len(cell_safe("数据")) == len(cell_safe("数据")) == 4
    assert cell_safe("Mode\u0300les") == "Modèles"  # combined to one cell
    assert cell_safe("plain") == "plain"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("cumulative", [False, True])
async def test_an_emoji_in_the_legend_keeps_the_frame_and_the_day_labels(
    size: tuple[int, int], cumulative: bool,
) -> None:
    app = ChartApp()
    async with app.run_test(size=size) as pilot:
        chart = app.query_one(CostChart)
        data = top_series({"Ops 🚀 EU": [Decimal(100)] * 30, "数据管道": [Decimal(50)] * 30},
                          NOVEMBER)
        chart.show_data(data, cumulative=cumulative, title="Cost 🚀 per day")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert len(lines) == size[1]
        legend = [line for line in lines if "Ops 🚀" in line]
        assert len(legend) == 1 and legend[0].rstrip().endswith("│")
        assert {cell_len(line.rstrip()) for line in lines if line.rstrip().endswith("│")} == {
            size[0]}
        assert "Nov 01" in lines[-1] and "Nov 22" in lines[-1]


async def test_series_differ_by_pattern_and_marker_not_only_by_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = ChartApp()
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(CostChart)
        chart.show_data(top_series({"first": [Decimal(100)] * 30,
                                    "second": [Decimal(50)] * 30}, NOVEMBER))
        await pilot.pause()
        text = screen_text(app)
        assert "██ first" in text and "▓▓ second" in text
        chart.show_data(chart.data or top_series({}, NOVEMBER), cumulative=True)
        await pilot.pause()
        text = screen_text(app)
        assert "•• first" in text and "xx second" in text and " Total" in text


async def test_wide_names_are_whole_in_the_table_and_the_chart() -> None:
    app = make_app(wide_names_api())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        text = screen_text(app)
        for name in WIDE_NAMES:
            assert name in column_texts(app, "name")
            assert name in text, name
        assert "…" not in text
        await pilot.press("c")
        await wait_until(pilot, lambda: "Cost per day by workspace" in screen_text(app))
        lines = screen_text(app).splitlines()
        assert any("Ops 🚀" in line for line in lines)
        assert any("Oct 27" in line and "Nov 23" in line for line in lines)


async def test_the_filter_finds_accented_names_without_accents() -> None:
    app = make_app(wide_names_api())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"modele")
        await wait_until(pilot, lambda: rows_table(app).row_count == 1)
        assert column_texts(app, "name") == ["Données & Modèles"]


async def test_token_types_read_as_words_and_exports_keep_api_values() -> None:
    app = make_app(drill_path=("token_type", "workspace"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        assert sorted(column_texts(app, "name")) == [
            "(no token type)", "Cache read", "Cache write 1h", "Cache write 5m", "Input",
            "Output"]
        text = screen_text(app)
        assert "cache_creation" not in text and "…" not in text


async def test_at_80_columns_descriptions_under_a_model_are_short_and_whole() -> None:
    app = make_app(drill_path=("model", "description"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "by description" in screen_text(app))
        model = cursor_key(app) and app.cost_screen.state.drilled_values[0]
        names = column_texts(app, "name")
        raw = expected_costs(LAST_30_DAYS, "description", {"model": model})
        assert len(names) == len(raw)
        assert all(" Usage - " not in name for name in names)
        assert "Cache Write (5m)" in names
        text = screen_text(app)
        assert "…" not in text, "names get the width before the trend column"


async def test_home_end_j_and_k_move_the_table_cursor() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        table = rows_table(app)
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1


async def test_increases_and_decreases_differ_by_mark_and_style() -> None:
    app = make_app(drill_path=("day",))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        table = rows_table(app)
        percents = column_texts(app, "change_pct")
        changes = column_texts(app, "change")
        marks = {INCREASE_MARK.strip(): "+", DECREASE_MARK.strip(): "-"}
        styles = {}
        for row, (change, percent) in zip(table.ordered_rows, zip(changes, percents,
                                                                  strict=True), strict=True):
            if percent in ("new", "—"):
                continue
            mark = percent[-1]
            assert change.startswith(marks[mark]) and percent.startswith(marks[mark])
            styles[mark] = table.get_cell(row.key, "change_pct").style
        assert set(styles) == {"▲", "▼"}, "the demo has both"
        assert styles["▲"] != styles["▼"]


def test_money_under_a_cent_is_not_shown_as_nothing() -> None:
    assert str(MoneyCell(Decimal("0.003"))) == "<$0.01"
    assert str(MoneyCell(Decimal("0.003"), signed=True)) == "+<$0.01"
    assert MoneyCell(Decimal("0.003")) < MoneyCell(Decimal("0.004"))


@pytest.mark.parametrize("width", [40, 50, 55, 60, 64])
async def test_the_footer_ends_with_the_palette_key_at_any_width(width: int) -> None:
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await wait_loaded(pilot, app)
        assert screen_text(app).splitlines()[-1].endswith("▏^p palette")


async def test_the_cumulative_chart_is_not_titled_cost_per_day() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: "Cost per day by workspace" in screen_text(app))
        await pilot.press("l")
        await wait_until(pilot, lambda: "Running total of cost by workspace" in screen_text(app))
        assert "Cost per day" not in screen_text(app)


async def test_help_at_80_by_24_never_scrolls_sideways_and_starts_with_the_chart_keys() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("c", "question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        scroll = app.screen.query_one("#help-keys", VerticalScroll)
        assert scroll.max_scroll_x == 0 and scroll.max_scroll_y > 0
        first_page = screen_text(app)
        assert " Table " in first_page and " Line " in first_page
        assert " Drill " not in first_page and OTHER_VIEWS_HEADING not in first_page
        await pilot.press("end")
        await pilot.pause()
        last_page = screen_text(app)
        assert OTHER_VIEWS_HEADING in last_page and " Drill " in last_page


async def test_help_lists_home_end_j_k_and_ctrl_c_which_quits() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        lines = screen_text(app).splitlines()
        for keys, name in (("home", "First"), ("end", "Last"), ("j", "Down"), ("k", "Up a row"),
                           ("q / ^c", "Quit")):
            assert any(f" {keys} " in line and f" {name} " in line for line in lines), keys
        await pilot.press("escape")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app._exit)


def burst(app: App[None], *keys: str) -> None:
    """Queue keys at once, as a terminal sends Tab and the text typed right after it."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_dates_typed_right_after_tab_land_in_the_date_fields() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DateRangeScreen))
        burst(app, "tab", *"2026-10-05", "tab", *"2026-10-09")
        await wait_until(pilot, lambda: app.screen.query_one("#last-day", Input).value
                         == "2026-10-09")
        assert app.screen.query_one("#first-day", Input).value == "2026-10-05"
        assert "5 days: 2026-10-05 → 2026-10-09 (UTC)" in screen_text(app)
        burst(app, "shift+tab", *"2026-10-07")
        await wait_until(pilot, lambda: app.screen.query_one("#first-day", Input).value
                         == "2026-10-07")
        await pilot.press("enter")
        await wait_until(pilot, shows_range(app, DateRange(date(2026, 10, 7),
                                                           date(2026, 10, 9))))


async def test_the_export_dialog_shows_the_name_that_will_be_written(tmp_path: Path) -> None:
    taken = "costtui-2026-10-27_2026-11-25-workspace.csv"
    (tmp_path / taken).write_text("an older export\n")
    app = make_app(export_directory=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.pause()
        text = screen_text(app)
        assert "CSV   costtui-2026-10-27_2026-11-25-workspace-2.csv" in text
        assert "JSON  costtui-2026-10-27_2026-11-25-workspace.json" in text
        await pilot.press("c")
        written = tmp_path / "costtui-2026-10-27_2026-11-25-workspace-2.csv"
        await wait_until(pilot, written.exists)
        assert (tmp_path / taken).read_text() == "an older export\n"


class ProgressApp(App[None]):
    """A bare app holding one LoadProgress."""

    CSS = "#load-label { width: auto; } #load-bar { width: 1fr; }"

    def compose(self) -> ComposeResult:
        """Yield the progress line."""
        yield LoadProgress(id="load-progress")


async def test_the_progress_line_says_why_it_waits_and_for_how_long() -> None:
    app = ProgressApp()
    async with app.run_test(size=(120, 3)) as pilot:
        progress = app.query_one(LoadProgress)
        progress.start()
        progress.show_elapsed(1.2)
        await pilot.pause()
        assert screen_text(app).startswith("Loading… · Esc cancels")
        progress.advance_to(FetchProgress(windows_done=1, windows_total=2, pages_done=3))
        progress.show_retry("429 rate limited", 2.6)
        progress.show_elapsed(12.7)
        await pilot.pause()
        assert screen_text(app).startswith(
            "Loading window 2/2 · 3 pages · 429 rate limited, retrying in 3 s · 12 s · "
            "Esc cancels")
        progress.advance_to(FetchProgress(windows_done=1, windows_total=2, pages_done=4))
        await pilot.pause()
        assert screen_text(app).startswith("Loading window 2/2 · 4 pages · 12 s · Esc cancels")


class HidingProgressApp(ProgressApp):
    """The progress line shown only while loading, as styles.tcss does."""

    CSS = ProgressApp.CSS + (" #load-progress { display: none; height: 1; }"
                             " #load-progress.-loading { display: block; }")


async def test_a_bar_hidden_after_the_next_frame_stays_for_a_load_started_meanwhile() -> None:
    app = HidingProgressApp()
    async with app.run_test(size=(120, 3)) as pilot:
        progress = app.query_one(LoadProgress)
        progress.start()
        await pilot.pause()
        assert "Esc cancels" in screen_text(app)
        progress.stop(after_next_frame=True)
        progress.start()  # a new load before the frame: its bar must stay
        await pilot.pause()
        await pilot.pause()
        assert "Esc cancels" in screen_text(app)
        progress.stop(after_next_frame=True)
        await wait_until(pilot, lambda: "Esc cancels" not in screen_text(app))
        assert screen_text(app).strip() == ""
