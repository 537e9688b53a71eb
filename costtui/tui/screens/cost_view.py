"""The main screen: header, the table or chart of the current level, and every browsing key."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher, DataTable, Footer, Input, Label

from costtui.core.dates import DateRange, incomplete_days
from costtui.core.models import DEFAULT_PROFILE, LoadedReport
from costtui.core.report import DIMENSION_LABELS
from costtui.core.text import safe_line
from costtui.core.view_export import export_file_name, report_command, rows_to_look_at
from costtui.core.view_state import (
    SORT_COLUMN_LABELS,
    SORT_COLUMNS,
    DrillError,
    ItemSelection,
    LevelView,
    ViewState,
    breadcrumb,
    compute_level,
    row_key_for,
    value_for_row_key,
)
from costtui.data.api import ApiError, FetchProgress
from costtui.data.source_status import missing_days_text, status_text
from costtui.tui.screens.chart import EMPTY_CHART, ChartPanel, chart_data, chart_title
from costtui.tui.screens.date_range import DateRangeScreen
from costtui.tui.screens.dialogs import ExportScreen, ReportCommandScreen
from costtui.tui.screens.grouping import DrillPathScreen, PivotScreen
from costtui.tui.widgets.cost_chart import CostChart
from costtui.tui.widgets.error_panel import ErrorPanel
from costtui.tui.widgets.level_table import LevelTable
from costtui.tui.widgets.load_progress import LoadProgress
from costtui.tui.widgets.report_header import ReportHeader, freshness_line, title_line

if TYPE_CHECKING:
    from costtui.tui.app import CostApp

TABLE_VIEW = "table-view"
CHART_VIEW = "chart-view"
TALL_SCREEN_ROWS = 50
"""From this many rows up, the table view also shows the chart under the table."""


class CostScreen(Screen[None]):
    """Where costs are browsed: Enter drills, Backspace goes up, g regroups, c shows the chart."""

    HELP = """\
## Costs

Each row is a group of the current level with its cost, its share of the level,
the change against the previous period of the same length and a per-day trend.

- **Enter** drills into the row; **Backspace** goes back up.
- **g** groups this level by another dimension; **G** edits the whole drill path.
- **d** changes the UTC date range; **c** switches between table and chart.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("backspace", "up", "Up", tooltip="Go back up one level", id="up"),
        Binding("escape", "cancel_load", "Cancel", tooltip="Stop loading, keep what is shown",
                id="cancel-load"),
        Binding("escape", "back", "Back", show=False,
                tooltip="Close the filter, else go up one level", id="back"),
        Binding("d", "choose_range", "Dates", tooltip="Choose the UTC date range",
                id="choose-range"),
        Binding("g", "pivot", "Group", tooltip="Group this level by another dimension",
                id="pivot"),
        Binding("G", "edit_path", "Path", show=False, tooltip="Edit the whole drill path",
                id="edit-path"),
        Binding("slash", "filter", "Filter", key_display="/", tooltip="Filter rows by name",
                id="filter"),
        Binding("s", "next_sort", "Sort", show=False, tooltip="Sort by the next column",
                id="next-sort"),
        Binding("S", "reverse_sort", "Reverse", show=False, tooltip="Reverse the sort",
                id="reverse-sort"),
        Binding("c", "show_chart", "Chart", tooltip="Show cost per day as a chart",
                id="show-chart"),
        Binding("c", "show_table", "Table", tooltip="Show the table", id="show-table"),
        Binding("l", "toggle_cumulative", "Line", tooltip="Stacked daily bars or cumulative line",
                id="toggle-cumulative"),
        Binding("e", "export", "Export", tooltip="Export the view to CSV or JSON", id="export"),
        Binding("y", "show_command", "Command", show=False,
                tooltip="Show the costtui report command for this view", id="show-command"),
        Binding("r", "refresh", "Refresh", show=False, tooltip="Fetch the range again (or retry)",
                id="refresh"),
        Binding("k", "enter_key", "Key", show=False, tooltip="Enter a new Admin key",
                id="enter-key"),
    ]

    def __init__(self, state: ViewState) -> None:
        super().__init__()
        self.state = state
        """Drill path, drilled values, text filter and sort."""
        self.level: LevelView | None = None
        """The rows currently shown."""
        self._selection: ItemSelection | None = None
        """Filtered item subsets of the shown report, reused while drilling and pivoting."""
        self.showing_chart = False
        self.cumulative = False

    @property
    def cost_app(self) -> CostApp:
        """Return the app, typed."""
        return cast("CostApp", self.app)

    def compose(self) -> ComposeResult:
        """Yield header, problem panel, progress, filter, table/chart and footer."""
        yield ReportHeader(id="report-header")
        yield ErrorPanel(id="error-panel")
        yield LoadProgress(id="load-progress")
        with Horizontal(id="filter-bar"):
            yield Label("Filter:", id="filter-label")
            yield Input(placeholder="part of a name; Enter keeps it, Esc clears it",
                        compact=True, id="row-filter")
        with ContentSwitcher(initial=TABLE_VIEW, id="views"):
            yield LevelTable(id=TABLE_VIEW)
            yield ChartPanel(id=CHART_VIEW)
        yield CostChart(id="peek-chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Show the header, focus the table and start the first load."""
        self._update_header()
        self.query_one("#level-rows", DataTable).focus()
        self.cost_app.start()

    # What the app tells the screen -----------------------------------------------------------

    def loading_started(self, date_range: DateRange) -> None:
        """Show an empty progress bar; the data already shown stays."""
        self.query_one(LoadProgress).start()
        self._update_header()

    def loading_progressed(self, progress: FetchProgress) -> None:
        """Advance the progress bar."""
        self.query_one(LoadProgress).advance_to(progress)

    def loading_stopped(self) -> None:
        """Put the header back to the range of the data shown."""
        self._update_header()

    def report_arrived(self, report: LoadedReport) -> None:
        """Show freshly loaded data, keeping the level and the cursor row."""
        self.remove_class("-error")
        self._show_level(self._table().cursor_key())

    def show_load_error(self, error: ApiError | BaseException) -> None:
        """Show what failed, what to do next and the request id above the kept data."""
        if isinstance(error, ApiError):
            details = [error.hint[:1].upper() + error.hint[1:] + "."]
            if error.api_message:
                details.append(f"The API said: {error.api_message}")
            if error.status:
                details.append(f"HTTP {error.status}" + (f" ({error.error_type})"
                                                         if error.error_type else ""))
            if error.request_id:
                details.append(f"request-id: {error.request_id}")
        else:
            details = [f"{type(error).__name__}: {safe_line(str(error))}"]
        if self.cost_app.report is not None:
            details.append("The table still shows the data loaded before.")
        details.append("Press r to retry" + (", k to enter a new key" if getattr(
            error, "status", None) == 401 else "") + ".")
        self.query_one(ErrorPanel).show_problem("Could not load costs", details)
        self.add_class("-error")
        self._update_header()

    def show_no_key(self, profile: str, note: str | None) -> None:
        """Explain that there is no Admin key and how to provide one."""
        details = [
            f"No Admin key for profile '{profile}': press k to enter one, or quit and set "
            "ANTHROPIC_ADMIN_KEY, run `costtui key set`, or start with --demo.",
        ]
        if note:
            details.append(note)
        self.query_one(ErrorPanel).show_problem("No Admin key", details)
        self.add_class("-error")

    def clear_report(self) -> None:
        """Empty the table and chart (another organisation's data is on its way)."""
        self.level = None
        self._table().clear_level()
        self.query_one(ChartPanel).clear()
        self.query_one("#peek-chart", CostChart).show_data(EMPTY_CHART, title="Loading…")
        self.remove_class("-error")
        self._update_header()

    # Showing a level -------------------------------------------------------------------------

    def _table(self) -> LevelTable:
        return self.query_one(LevelTable)

    def _show_level(self, cursor_key: str | None) -> None:
        """Recompute the current level from the loaded data (no request) and show it."""
        report = self.cost_app.report
        self._update_header()
        if report is None:
            return
        if self._selection is None or self._selection.report is not report:
            self._selection = ItemSelection(report)
        self.level = compute_level(report, self.state, self._selection)
        recent = len(incomplete_days(report.date_range.days(), self.cost_app.settings.clock.now()))
        self._table().show(self.level, self.state, recent_days=recent, cursor_key=cursor_key)
        data = chart_data(self.level, report.date_range)
        self.query_one(ChartPanel).show_level(
            self.level, self.state, data, recent_days=recent, cumulative=self.cumulative
        )
        self.query_one("#peek-chart", CostChart).show_data(
            data, title=chart_title(self.level, self.state)
        )
        self.refresh_bindings()

    def _update_header(self) -> None:
        """Rewrite the header lines from the app's range and report and the view state."""
        app = self.cost_app
        report = app.report
        shown_range = report.date_range if report is not None else app.date_range
        status = app.source_status if report is not None else None
        profile = app.settings.profile
        title = title_line(report.organization_name if report else None, shown_range,
                           report.fetched_at if report else None,
                           profile=None if profile == DEFAULT_PROFILE else profile,
                           source_text=status_text(status) if status else None)
        if app.is_loading and (report is None or app.date_range != report.date_range):
            title += f" · loading {app.date_range}…"
        names = report.workspace_names if report else {}
        notes = list(report.notes) if report else []
        if report is not None and report.missing_days:
            where = "cache" if app.settings.offline else "source"
            notes.append(f"{len(report.missing_days)} day(s) missing from the {where}: "
                         f"{missing_days_text(report.missing_days)}")
        if report is not None and report.previous_missing_days:
            notes.append(f"Δ n/a: {len(report.previous_missing_days)} day(s) of the previous "
                         "period are missing")
        freshness = freshness_line(
            incomplete_days(shown_range.days(), app.settings.clock.now()), notes
        )
        self.query_one(ReportHeader).update_header(
            title=title, trail=breadcrumb(self.state, names), freshness=freshness
        )

    def _set_state(self, state: ViewState, cursor_key: str | None) -> None:
        """Switch to a new view state and show it, reloading only if the data lacks a dimension."""
        self.state = state
        if self.cost_app.report is not None and not self.cost_app.ensure_grouping(
            state.drill_path[: state.depth + 1]
        ):
            return
        self._show_level(cursor_key)

    # Actions ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show each key only where it does something."""
        if action == "cancel_load":
            return self.cost_app.is_loading
        if action == "show_chart":
            return not self.showing_chart
        if action in ("show_table", "toggle_cumulative"):
            return self.showing_chart
        if action == "up":
            return self.state.depth > 0
        return True

    @on(DataTable.RowSelected, "#level-rows")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_drill(self) -> None:
        """Filter to the selected row and show the next dimension of the path."""
        key = self._table().cursor_key()
        if key is None or self.showing_chart:
            return
        try:
            state = self.state.drill(value_for_row_key(key))
        except DrillError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self._close_filter()
        self._set_state(state, None)

    def action_up(self) -> None:
        """Go back up one level with the cursor on the row drilled from."""
        try:
            state, left = self.state.up()
        except DrillError:
            return
        self._close_filter()
        self._set_state(state, row_key_for(left))

    def action_cancel_load(self) -> None:
        """Stop the running load."""
        self.cost_app.action_cancel_load()

    def action_back(self) -> None:
        """Close the filter if it is open or set, else go up one level."""
        if self.has_class("-filtering") or self.state.text_filter:
            self._close_filter()
            self._set_state(self.state.with_text_filter(""), self._table().cursor_key())
            return
        self.action_up()

    def action_filter(self) -> None:
        """Open the row filter."""
        if self.showing_chart:
            self.action_show_table()
        self.add_class("-filtering")
        self.query_one("#row-filter", Input).focus()

    @on(Input.Changed, "#row-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.value != self.state.text_filter:
            self._set_state(self.state.with_text_filter(event.value), self._table().cursor_key())

    @on(Input.Submitted, "#row-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            self.remove_class("-filtering")
        self.query_one("#level-rows", DataTable).focus()

    def _close_filter(self) -> None:
        """Hide and clear the filter input and give the table the focus."""
        filter_input = self.query_one("#row-filter", Input)
        with filter_input.prevent(Input.Changed):
            filter_input.value = ""
        self.remove_class("-filtering")
        if not self.showing_chart:
            self.query_one("#level-rows", DataTable).focus()

    def action_next_sort(self) -> None:
        """Sort by the next column."""
        self._sort(self.state.next_sort())

    def action_reverse_sort(self) -> None:
        """Reverse the sort."""
        self._sort(self.state.reversed_sort())

    @on(DataTable.HeaderSelected, "#level-rows")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column in SORT_COLUMNS:
            self._sort(self.state.reversed_sort() if column == self.state.sort_column
                       else self.state.sorted_by(column))

    def _sort(self, state: ViewState) -> None:
        """Apply a sort and keep the cursor on the same group.

        The column header's ▼/▲ shows the sort; only a sort by a column not on screen (the
        chart is shown, or the trend column has no room) is announced.
        """
        self._set_state(state, self._table().cursor_key())
        if not self.showing_chart and self._table().shows_column(state.sort_column):
            return
        direction = "largest first" if state.sort_descending else "smallest first"
        if state.sort_column == "name":
            direction = "Z to A" if state.sort_descending else "A to Z"
        self.notify(f"Sorted by {SORT_COLUMN_LABELS[state.sort_column]}, {direction}",
                    timeout=2, markup=False)

    def on_resize(self) -> None:
        """On a tall terminal, show the chart under the table as well."""
        self.set_class(self.size.height >= TALL_SCREEN_ROWS, "-tall")

    def action_show_chart(self) -> None:
        """Show cost per day as a chart of the same level and filters."""
        self.showing_chart = True
        self.add_class("-chart-shown")
        self.remove_class("-filtering")
        self.query_one(ContentSwitcher).current = CHART_VIEW
        self.query_one(ChartPanel).focus()
        self.refresh_bindings()

    def action_show_table(self) -> None:
        """Show the table of the same level and filters."""
        self.showing_chart = False
        self.remove_class("-chart-shown")
        self.query_one(ContentSwitcher).current = TABLE_VIEW
        self.query_one("#level-rows", DataTable).focus()
        self.refresh_bindings()

    def action_show_cumulative(self) -> None:
        """Show the chart as a cumulative line (or back to bars if it already is)."""
        if not self.showing_chart:
            self.cumulative = False
            self.action_show_chart()
        self.action_toggle_cumulative()

    def action_toggle_cumulative(self) -> None:
        """Switch the chart between stacked daily bars and a cumulative line."""
        self.cumulative = not self.cumulative
        self._show_level(self._table().cursor_key())

    def action_choose_range(self) -> None:
        """Open the date range dialog."""

        def chosen(date_range: DateRange | None) -> None:
            if date_range is not None:
                self.cost_app.load(date_range)

        self.app.push_screen(DateRangeScreen(self.cost_app.today, self.cost_app.date_range),
                             chosen)

    def action_pivot(self) -> None:
        """Choose another dimension for the current level, keeping the filters above it."""

        def chosen(dimension: str | None) -> None:
            if dimension is not None:
                self.pivot_to(dimension)

        self.app.push_screen(PivotScreen(self.state), chosen)

    def pivot_to(self, dimension: str) -> None:
        """Group the current level by `dimension`, keeping the filters above it."""
        if dimension == self.state.dimension:
            return
        try:
            state = self.state.pivot(dimension)
        except DrillError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self._close_filter()
        self._set_state(state, None)

    def action_edit_path(self) -> None:
        """Edit the ordered drill path; the view goes back to its top level."""

        def chosen(path: tuple[str, ...] | None) -> None:
            if path and path != self.state.drill_path:
                self._close_filter()
                self._set_state(self.state.with_path(path), None)

        self.app.push_screen(DrillPathScreen(self.state.drill_path), chosen)

    def action_export(self) -> None:
        """Choose CSV or JSON and write the view to a file."""
        report = self.cost_app.report
        if report is None:
            self.notify("Nothing to export yet: wait for the data to load.", severity="warning")
            return
        state = self.state
        names = {fmt: export_file_name(report.date_range, state, fmt) for fmt in ("csv", "json")}

        def chosen(export_format: str | None) -> None:
            if export_format is not None:
                self.cost_app.export_view(state, export_format)

        self.app.push_screen(ExportScreen(names, self.cost_app.settings.export_directory), chosen)

    def export_as(self, export_format: str) -> None:
        """Write the view to a new file in the given format, without the dialog."""
        self.cost_app.export_view(self.state, export_format)

    def action_show_command(self) -> None:
        """Show the `costtui report` command that prints this view's rows."""
        app = self.cost_app
        report = app.report
        shown_range = report.date_range if report else app.date_range
        command = report_command(self.state, shown_range, demo=app.settings.demo,
                                 profile=app.settings.profile)
        look_at = rows_to_look_at(self.state, report.workspace_names if report else {})
        self.app.push_screen(ReportCommandScreen(command, look_at))

    def action_refresh(self) -> None:
        """Fetch again (or retry after an error)."""
        self.cost_app.action_refresh()

    def action_enter_key(self) -> None:
        """Enter a new Admin key."""
        self.cost_app.action_enter_key()

    def level_label(self) -> str:
        """Return the label of the current level's dimension."""
        return DIMENSION_LABELS[self.state.dimension]
