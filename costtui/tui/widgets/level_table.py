"""The table of one drill level: a row per group and a total line that sorting never moves."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Resize
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from costtui.core.formatting import format_change, format_share, sparkline
from costtui.core.report import DIMENSION_LABELS
from costtui.core.view_state import LevelView, ViewState
from costtui.tui.messages import Sparklines
from costtui.tui.widgets.cells import MoneyCell, money_text, name_text, right_text
from costtui.tui.widgets.level_insights import (
    BUDGET_WIDTH,
    NO_INSIGHTS,
    SPIKE_MARK,
    LevelInsights,
    budget_text,
    mark_spikes,
)
from costtui.tui.widgets.reused_cells import ReusedCells

if TYPE_CHECKING:
    from costtui.core.token_level import TokenColumns

CELL_PADDING = 1
MIN_NAME_WIDTH = 8
MAX_NAME_WIDTH = 48
"""The name column grows to this (in terminal cells) before the trend column gets any room."""
MIN_TREND_WIDTH = 5
MAX_TREND_WIDTH = 60
MAX_CELLS_PER_DAY = 3
"""On wide terminals each day of the trend may take up to this many cells."""
COLUMN_LABELS = {
    "cost": "Cost",
    "share": "Share",
    "change": "Δ $",
    "change_pct": "Δ %",
    "trend": "Trend",
    "budget": "Budget",
}
NUMBER_COLUMNS = ("cost", "share", "change", "change_pct")


@dataclass(frozen=True)
class ColumnWidths:
    """Widths (without padding) of the name, number and trend columns; trend 0 means hidden."""

    name: int
    numbers: dict[str, int]
    trend: int


def plan_columns(
    available: int, number_widths: dict[str, int], longest_name: int, day_count: int
) -> ColumnWidths:
    """Share the width (in terminal cells): numbers whole first, then names, then the trend."""
    padding = 2 * CELL_PADDING
    rest = available - sum(width + padding for width in number_widths.values()) - padding
    wanted_name = max(MIN_NAME_WIDTH, min(longest_name, MAX_NAME_WIDTH))
    room = min(MAX_TREND_WIDTH, rest - padding - wanted_name)
    cells_per_day = max(1, min(MAX_CELLS_PER_DAY, room // max(day_count, 1)))
    trend = min(day_count * cells_per_day, room)
    if trend < MIN_TREND_WIDTH:
        return ColumnWidths(max(MIN_NAME_WIDTH, min(longest_name, rest)), number_widths, 0)
    name = max(wanted_name, min(longest_name, rest - padding - trend))
    return ColumnWidths(name, number_widths, trend)


INCREASE_MARK = " ▲"
DECREASE_MARK = " ▼"
"""Marks after Δ % so increases and decreases differ by shape, not by colour alone."""


def change_texts(current: Decimal, previous: Decimal, known: bool) -> tuple[str, str]:
    """Return the Δ $ and Δ % texts ("+4.5% ▲"), or "n/a" when the previous period is incomplete."""
    if not known:
        return "n/a", "n/a"
    change, percent = format_change(current, previous)
    if previous != 0 and current != previous:
        percent += INCREASE_MARK if current > previous else DECREASE_MARK
    return change, percent


def change_cells(
    current: Decimal, previous: Decimal, known: bool, increase: Style, decrease: Style
) -> tuple[Text, Text]:
    """Return the Δ $ and Δ % cells, styled as an increase or a decrease."""
    change, percent = change_texts(current, previous, known)
    style = Style()
    if known and current != previous:
        style = increase if current > previous else decrease
    return (Text(change, style=style, justify="right", no_wrap=True),
            Text(percent, style=style, justify="right", no_wrap=True))


def trend_text(values: Sequence[Decimal], width: int, recent_days: int,
               line: str | None = None) -> Text:
    """Return a sparkline (widened on wide cells) whose last, possibly incomplete, days are dim.

    `line` is the values' sparkline at this width when already known.
    """
    if line is None:
        line = sparkline(values, width)
    if values and len(line) == len(values) and width >= 2 * len(values):
        line = "".join(block * (width // len(values)) for block in line)
    dimmed = math.ceil(recent_days * len(line) / len(values)) if values and recent_days else 0
    text = Text(line, no_wrap=True, overflow="crop")
    if dimmed:
        text.stylize("dim", len(line) - dimmed)
    return text


def plan_level(
    view: LevelView, state: ViewState, available: int, tokens: TokenColumns | None,
    marks: LevelInsights,
) -> tuple[ColumnWidths, bool]:
    """Return a level's column widths at a width, and whether spike marks get a column."""
    number_texts: dict[str, list[str]] = {name: [] for name in NUMBER_COLUMNS}
    for cost, previous in [(row.cost, row.previous_cost) for row in view.rows] + [
        (view.shown_total, view.shown_previous_total)
    ]:
        change_text, percent_text = change_texts(cost, previous, view.changes_known)
        number_texts["cost"].append(money_text(cost))
        number_texts["share"].append(format_share(cost, view.total))
        number_texts["change"].append(change_text)
        number_texts["change_pct"].append(percent_text)
    widths = {
        name: max([cell_len(LevelTable._column_label(name, state)), *map(cell_len, texts)])
        for name, texts in number_texts.items()
    }
    for position, (key, token_label) in enumerate(tokens.columns if tokens is not None else ()):
        assert tokens is not None
        texts = [token_label, tokens.total[position],
                 *(tokens.row(row.key)[position] for row in view.rows)]
        widths[key] = max(map(cell_len, texts))
    if marks.show_budgets:
        widths["budget"] = BUDGET_WIDTH
    longest = max([cell_len(LevelTable._column_label("name", state)),
                   cell_len(LevelTable._total_label(view)),
                   *(cell_len(row.label) for row in view.rows)])
    plan = plan_columns(available, widths, longest, len(view.daily_total))
    mark_room = len(SPIKE_MARK) + 2 * CELL_PADDING
    has_marks = bool(marks.spike_days or marks.total_spike_days) and (
        plan.trend - mark_room >= MIN_TREND_WIDTH)
    if has_marks:
        plan = ColumnWidths(plan.name, plan.numbers, plan.trend - mark_room)
    return plan, has_marks


def level_sparklines(view: LevelView, width: int) -> Sparklines:
    """Return the sparklines of a level's rows and total at a trend width (none if hidden)."""
    if width <= 0:
        return {}
    series = [row.daily for row in view.rows] + [view.daily_total]
    return {(id(values), width): (values, sparkline(values, width)) for values in series}


class LevelRows(ReusedCells):
    """The rows table; Enter drills into the highlighted group (shown in the Footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Drill", tooltip="Drill into the selected row",
                id="drill"),
        Binding("home", "scroll_top", "First", show=False, tooltip="Go to the first row",
                id="first-row"),
        Binding("end", "scroll_bottom", "Last", show=False, tooltip="Go to the last row",
                id="last-row"),
        Binding("j", "cursor_down", "Down", show=False, tooltip="Move down a row",
                id="row-down"),
        Binding("k", "cursor_up", "Up a row", show=False, tooltip="Move up a row", id="row-up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "level-rows--increase",
        "level-rows--decrease",
        "level-rows--budget-ok",
        "level-rows--budget-warn",
        "level-rows--budget-over",
        "level-rows--spike",
    }
    """Styles of a cost that went up or down, of budget statuses and of a spike day."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out Enter while the table is empty (on the last level it explains why not)."""
        if action == "select_cursor":
            return True if self.row_count else None
        return True


class LevelTable(Vertical):
    """The rows of the current level with Cost, Share, Δ $, Δ %, Trend and a fixed total line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view: LevelView | None = None
        self._state: ViewState | None = None
        self._recent_days = 0
        self._planned_for = -1
        self._insights = NO_INSIGHTS
        self._tokens: TokenColumns | None = None
        self._sparklines: Sparklines = {}
        """Sparklines of the last build (or made in a thread for the next): showing the same
        level again (insights, sort, filter, resize back) computes none."""

    def compose(self) -> ComposeResult:
        """Yield the rows table and the one-line total table under it."""
        yield LevelRows(id="level-rows", cursor_type="row", zebra_stripes=True,
                        cell_padding=CELL_PADDING)
        yield ReusedCells(id="level-total", cursor_type="none", show_header=False,
                          show_cursor=False, cell_padding=CELL_PADDING)

    @property
    def rows_table(self) -> LevelRows:
        """Return the table of groups (the one with the cursor)."""
        return self.query_one(LevelRows)

    @property
    def total_table(self) -> DataTable[object]:
        """Return the one-row total table."""
        return self.query_one("#level-total", DataTable)

    def cursor_key(self) -> str | None:
        """Return the row key under the cursor, or None for an empty table."""
        table = self.rows_table
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key

    def show(
        self, view: LevelView, state: ViewState, *, recent_days: int,
        cursor_key: str | None = None, insights: LevelInsights = NO_INSIGHTS,
        tokens: TokenColumns | None = None,
    ) -> None:
        """Show a level with the cursor on the row `cursor_key`, else on the top row.

        `tokens` adds the token columns (Tokens, $/MTok, …) after the number columns.
        """
        self._tokens = tokens
        self._view = view
        self._state = state
        self._insights = insights
        self.rows_table.refresh_bindings()
        self._recent_days = recent_days
        self._rebuild(cursor_key)

    def available_width(self) -> int:
        """Return the width the columns share (the table's, less the scrollbar's gutter)."""
        return self._width() - self._scrollbar_width(self.rows_table)

    def _width(self) -> int:
        """Return the table's width; before the first layout, the screen's (styles.tcss gives
        the table the whole width), so a level shown as the view mounts is planned right."""
        return self.size.width or self.screen.size.width

    def keep_sparklines(self, sparklines: Sparklines) -> None:
        """Keep sparklines made off the UI thread for the next build to use."""
        self._sparklines.update(sparklines)

    def shows_column(self, column: str) -> bool:
        """Tell whether a column is on screen (the trend column is dropped when narrow)."""
        return any(key.value == column for key in self.rows_table.columns)

    def clear_level(self) -> None:
        """Remove every row (the data being replaced belongs to another organisation)."""
        self._view = None
        self.rows_table.clear()
        self.total_table.clear()

    def on_resize(self, event: Resize) -> None:
        """Re-plan the columns for the new width."""
        if self._view is not None and event.size.width != self._planned_for:
            self._rebuild(self.cursor_key())

    def _rebuild(self, cursor_key: str | None) -> None:
        """Rebuild both tables for the current view and width."""
        view, state = self._view, self._state
        if view is None or state is None:
            return
        table, total_table = self.rows_table, self.total_table
        self._planned_for = self._width()
        shown_total = view.shown_total
        shown_previous = view.shown_previous_total
        tokens, marks = self._tokens, self._insights
        token_columns = tokens.columns if tokens is not None else ()
        label = self._column_label("name", state)
        plan, has_marks = plan_level(view, state, self.available_width(), tokens, marks)
        with self.app.batch_update():
            for each in (table, total_table):
                each.clear(columns=True)
                each.add_column(name_text(label), width=plan.name, key="name")
                for name in NUMBER_COLUMNS:
                    each.add_column(right_text(self._column_label(name, state)),
                                    width=plan.numbers[name], key=name)
                for key, token_label in token_columns:
                    each.add_column(right_text(token_label), width=plan.numbers[key], key=key)
                if marks.show_budgets:
                    each.add_column(name_text(COLUMN_LABELS["budget"]), width=BUDGET_WIDTH,
                                    key="budget")
                if has_marks:
                    each.add_column(Text(""), width=len(SPIKE_MARK), key="spike")  # not markup
                if plan.trend:
                    each.add_column(name_text(self._column_label("trend", state)),
                                    width=plan.trend, key="trend")
            increase = table.get_component_rich_style("level-rows--increase", partial=True)
            decrease = table.get_component_rich_style("level-rows--decrease", partial=True)
            statuses = {status: table.get_component_rich_style(f"level-rows--budget-{status}",
                                                               partial=True)
                        for status in ("ok", "warn", "over")}
            spike_style = table.get_component_rich_style("level-rows--spike", partial=True)
            days = marks.days
            sparklines_before, self._sparklines = self._sparklines, {}
            with table.adding_rows():
                for row in view.rows:
                    cells: list[object] = [
                        name_text(row.label),
                        MoneyCell(row.cost),
                        right_text(format_share(row.cost, view.total)),
                        *change_cells(row.cost, row.previous_cost, view.changes_known,
                                      increase, decrease),
                    ]
                    if tokens is not None:
                        cells += map(right_text, tokens.row(row.key))
                    if marks.show_budgets:
                        cells.append(budget_text(marks.budgets.get(row.key), statuses))
                    if has_marks:
                        cells.append(self._mark(row.key in marks.spike_days, spike_style))
                    if plan.trend:
                        trend = self._trend(row.daily, plan.trend, sparklines_before)
                        cells.append(mark_spikes(trend, days,
                                                 marks.spike_days.get(row.key, frozenset()),
                                                 spike_style))
                    table.add_row(*cells, key=row.key)
            total_cells: list[object] = [
                name_text(self._total_label(view), style="bold"),
                MoneyCell(shown_total),
                right_text(format_share(shown_total, view.total)),
                *change_cells(shown_total, shown_previous, view.changes_known,
                              increase, decrease),
            ]
            if tokens is not None:
                total_cells += map(right_text, tokens.total)
            if marks.show_budgets:
                total_cells.append(budget_text(marks.total_budget, statuses))
            if has_marks:
                total_cells.append(self._mark(bool(marks.total_spike_days), spike_style))
            if plan.trend:
                total_cells.append(mark_spikes(
                    self._trend(view.daily_total, plan.trend, sparklines_before), days,
                    marks.total_spike_days, spike_style))
            total_table.add_row(*total_cells, key="total")
            if cursor_key is not None:
                try:
                    table.move_cursor(row=table.get_row_index(cursor_key), animate=False)
                except RowDoesNotExist:
                    pass

    def _trend(
        self, values: Sequence[Decimal], width: int, before: Sparklines
    ) -> Text:
        """Return a trend cell, its sparkline reused from the last build if it had these values."""
        key = (id(values), width)
        kept = before.get(key)
        line = kept[1] if kept is not None and kept[0] is values else sparkline(values, width)
        self._sparklines[key] = (values, line)
        return trend_text(values, width, self._recent_days, line)

    @staticmethod
    def _mark(spiked: bool, style: Style) -> Text:
        """Return the spike-mark cell: ▲ when the row has a spike day in range."""
        return Text(SPIKE_MARK, style=style) if spiked else Text("")

    @staticmethod
    def _scrollbar_width(table: DataTable[object]) -> int:
        """Return the width the vertical scrollbar gutter takes."""
        return table.styles.scrollbar_size_vertical

    @staticmethod
    def _total_label(view: LevelView) -> str:
        """Return the first cell of the total line."""
        if view.is_text_filtered:
            return f"Shown {len(view.rows)} of {view.group_count}"
        groups = "group" if view.group_count == 1 else "groups"
        return f"Total · {view.group_count} {groups}"

    @staticmethod
    def _column_label(column: str, state: ViewState) -> str:
        """Return a header label with an arrow on the sorted column."""
        label = (DIMENSION_LABELS[state.dimension] if column == "name"
                 else COLUMN_LABELS[column])
        if column == state.sort_column:
            label += " ▼" if state.sort_descending else " ▲"
        return label
