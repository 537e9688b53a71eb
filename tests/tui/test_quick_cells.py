"""Cells drawn the quick way are the very segments DataTable draws, for every kind of cell shown."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from costtui.core.formatting import sparkline
from costtui.core.view_state import LevelRow, LevelView, ViewState, compute_level
from costtui.data.demo import DemoApi, DemoOrganization
from costtui.tui.messages import FirstLevel
from costtui.tui.widgets.cells import MoneyCell, name_text, right_text
from costtui.tui.widgets.level_insights import SPIKE_MARK, level_insights
from costtui.tui.widgets.level_table import LevelTable, plan_level
from costtui.tui.widgets.quick_cells import quick_text_lines
from costtui.tui.widgets.reused_cells import ReusedCells
from tests.tui_support import make_app, wait_loaded

TRICKY_CELLS: list[object] = [
    name_text("Search"),
    name_text("A workspace name far too long for its narrow column, cut with an ellipsis"),
    name_text("Équipe 東京 🚀 rocket launch team"),
    name_text(""),
    name_text("Total · 41 groups", style="bold"),
    right_text("+$1,234.50"),
    right_text("12.5% ▲"),
    MoneyCell(Decimal("1234.5")),
    MoneyCell(Decimal("0.001")),
    Text("▁▂▃▄▅▆▇█" * 4, no_wrap=True, overflow="crop"),
    Text("centred", justify="center"),
    Text("tab\there"),
    Text("plain, wraps by default"),
    Text("styled spans", spans=[], style="italic"),
    Text.from_markup("[red]red[/] and [b]bold[/b] 🚀 wide"),
    "a plain str with [b]markup[/b]",
]


def with_spans() -> Text:
    """Return a trend-like cell with a dim tail and a styled mark, as the level table builds."""
    text = Text("▁▃▅▇█▇▅▃▁▂▃▄▅", no_wrap=True, overflow="crop")
    text.stylize("dim", 9)
    text.stylize(Style(color="red", bold=True), 4, 5)
    return text


class CellsApp(App[None]):
    """Tricky cells in narrow and wide columns, zebra rows, a cursor."""

    def compose(self) -> ComposeResult:
        yield ReusedCells(id="cells", cursor_type="row", zebra_stripes=True, cell_padding=1)

    def on_mount(self) -> None:
        table = self.query_one(ReusedCells)
        for width in (1, 2, 3, 6, 12, 30):
            table.add_column(Text(f"w{width}", justify="right"), width=width)
        for cell in [*TRICKY_CELLS, with_spans()]:
            table.add_row(*([cell] * 6))


def every_cell_both_ways(table: ReusedCells) -> tuple[int, int]:
    """Compare each cell drawn quickly with DataTable's own drawing; return (quick, compared)."""
    quick = compared = 0
    widths = [column.get_render_width(table) for column in table.ordered_columns]
    for row_index in range(-1, table.row_count):
        for base_style in (Style(), Style(bgcolor="grey11", color="white")):
            for cursor, hover in ((False, False), (True, False), (False, True)):
                for column_index, width in enumerate(widths):
                    lines = table._quick_cell(row_index, column_index, base_style, width,
                                              cursor, hover)
                    slow = DataTable._render_cell(table, row_index, column_index, base_style,
                                                  width, cursor, hover)
                    compared += 1
                    if lines is not None:
                        quick += 1
                        assert lines == slow, (row_index, column_index, lines, slow)
    return quick, compared


async def test_tricky_cells_are_drawn_exactly_as_datatable_draws_them() -> None:
    app = CellsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        quick, compared = every_cell_both_ways(app.query_one(ReusedCells))
        assert compared == 18 * 2 * 3 * 6
        assert quick > compared * 3 // 4  # str cells (no end line) and width-1 cells fall back


async def test_every_cell_of_a_level_is_drawn_exactly_as_datatable_draws_it() -> None:
    app = make_app(DemoApi(DemoOrganization(workspace_count=12)))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        for table_id in ("#level-rows", "#level-total"):
            table = app.screen.query_one(table_id, ReusedCells)
            quick, compared = every_cell_both_ways(table)
            assert quick == compared > 0


def test_a_cell_with_a_line_break_or_no_room_is_left_to_datatable() -> None:
    from rich.console import Console

    console = Console(width=40)
    options = console.options
    assert quick_text_lines(console, options, Text("two\nlines"), 10, 1, Style(), Style()) \
        is None
    assert quick_text_lines(console, options, Text("x"), 2, 1, Style(), Style()) is None
    assert quick_text_lines(console, options, Text("ok"), 6, 1, Style(), Style()) == [
        [Segment(" ", Style()), Segment("ok"), Segment("  ", Style()), Segment(" ", Style())]]


class LevelApp(App[None]):
    """One level table, shown from hand-made views."""

    def compose(self) -> ComposeResult:
        yield LevelTable(id="table-view")


def level_of(daily: tuple[Decimal, ...]) -> LevelView:
    """Return a one-row level whose row and total cost what `daily` says per day."""
    row = LevelRow(key="w|1", value="ws_1", label="Search", cost=sum(daily, Decimal(0)),
                   previous_cost=Decimal(0), daily=daily)
    return LevelView(dimension="workspace", rows=(row,), total=row.cost,
                     previous_total=Decimal(0), daily_total=daily, group_count=1)


def trend_cell(app: LevelApp) -> str:
    """Return the row's trend cell as drawn."""
    table = app.query_one(LevelTable).rows_table
    return str(table.get_cell("w|1", "trend"))


async def test_a_level_shown_again_keeps_its_trend_and_new_values_redraw_it() -> None:
    app = LevelApp()
    async with app.run_test(size=(100, 10)) as pilot:
        table = app.query_one(LevelTable)
        rising = tuple(Decimal(day) for day in range(1, 9))
        drawn = "▂▂▂▃▃▃▄▄▄▅▅▅▅▅▅▆▆▆▇▇▇███"
        table.show(level_of(rising), ViewState(), recent_days=0)
        await pilot.pause()
        assert trend_cell(app) == drawn
        table.show(level_of(rising), ViewState(), recent_days=0)  # the same values again
        await pilot.pause()
        assert trend_cell(app) == drawn
        table.show(level_of(tuple(reversed(rising))), ViewState(), recent_days=0)
        await pilot.pause()
        assert trend_cell(app) == drawn[::-1]


async def test_the_table_draws_the_trends_the_load_made_off_the_ui_thread() -> None:
    app = make_app(DemoApi(DemoOrganization(workspace_count=12)))
    app.settings = replace(app.settings, insights=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert app.report is not None
        made = await app.group_first_level(app.report)
        level = compute_level(app.report, app.cost_screen.state, made.selection)
        widths = {width for _, width in made.sparklines}
        assert len(widths) == 1 and len(made.sparklines) == len(level.rows) + 1 == 14
        width = widths.pop()
        assert all(made.sparklines[(id(row.daily), width)] == (row.daily, sparkline(
            row.daily, width)) for row in level.rows)
        # Marked lines stand in for the thread's: the table must draw them, not its own.
        marked = {key: (values, "▁" * width) for key, (values, _) in made.sparklines.items()}
        app.cost_screen.show_report(app.report, first_level=FirstLevel(made.selection, marked))
        await pilot.pause()
        rows = app.cost_screen.query_one(LevelTable).rows_table
        assert {str(rows.get_cell(row.key, "trend")) for row in level.rows} == {"▁" * width}


async def test_the_table_draws_the_trends_the_insights_thread_made_for_its_spike_marks() -> None:
    app = make_app(DemoApi(DemoOrganization(workspace_count=12)))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        screen = app.cost_screen
        level, insights = screen.level, screen.insights
        assert level is not None and insights is not None
        table = screen.query_one(LevelTable)
        marks = level_insights(insights, screen.state, level)
        plan, _ = plan_level(level, screen.state, table.available_width(), None, marks)
        marked = {(id(row.daily), plan.trend): (row.daily, "▁" * plan.trend)
                  for row in level.rows}
        screen.show_insights(insights, marked)
        await pilot.pause()
        shown = {str(table.rows_table.get_cell(row.key, "trend")).replace(SPIKE_MARK, "▁")
                 for row in level.rows}
        assert shown == {"▁" * plan.trend}


def test_one_style_cells_that_fit_are_built_in_one_step_to_the_same_segments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Console

    import costtui.tui.widgets.quick_cells as quick_cells

    console = Console(width=40)
    options = console.options
    pre = Style(bgcolor="grey11") + Style.from_meta({"row": 3, "column": 1})
    one_style = [name_text("Search"), name_text("Total · 4", style="bold"),
                 right_text("12.5%"), MoneyCell(Decimal("1234.5")).__rich__(),
                 Text("left", justify="left", style="red"), Text("Équipe 東京")]
    others = [name_text("A name far too long for this column"), right_text("trailing "),
              Text("tab\there"), Text("centred", justify="center"), with_spans(), Text("")]
    cases = [(cell, post) for cell in one_style + others
             for post in (Style(), Style(color="red", bold=True))]
    quick = [quick_text_lines(console, options, cell, 16, 1, pre, post) for cell, post in cases]
    one_step = [quick_cells._plain_line(console, options, cell, 14, 1, pre, post) is not None
                for cell, post in cases]
    monkeypatch.setattr(quick_cells, "_plain_line", lambda *args: None)
    general = [quick_text_lines(console, options, cell, 16, 1, pre, post)
               for cell, post in cases]
    assert quick == general
    assert one_step == [True] * 2 * len(one_style) + [False] * 2 * len(others)
