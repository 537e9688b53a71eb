"""The main screen: header, the table or chart of the current level, and every browsing key."""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.timer import Timer
from textual.widgets import ContentSwitcher, DataTable, Input

from costtui.core.dates import DateRange, incomplete_days
from costtui.core.freshness import report_notes
from costtui.core.key_names import ALLOCATED_NOTE
from costtui.core.models import LoadedReport
from costtui.core.periods import change_label
from costtui.core.view_state import (
    SORT_COLUMN_LABELS,
    SORT_COLUMNS,
    DrillError,
    ItemSelection,
    LevelRow,
    LevelView,
    ViewState,
    breadcrumb,
    compute_level,
    row_key_for,
    value_for_row_key,
)
from costtui.data.api_errors import ApiError
from costtui.data.progress import FetchProgress
from costtui.tui.messages import CostViewReady, FirstLevel, Sparklines, ViewChanged
from costtui.tui.screens.cost_dialogs import CostDialogs
from costtui.tui.screens.cost_keys import COST_VIEW_BINDINGS
from costtui.tui.screens.cost_later import CHART_VIEW, TALL_SCREEN_ROWS, LaterParts
from costtui.tui.screens.cost_tokens import CostTokens
from costtui.tui.settings import AppSettings
from costtui.tui.widgets.error_panel import ErrorPanel, load_error_details
from costtui.tui.widgets.key_footer import KeyFooter
from costtui.tui.widgets.level_insights import KeptLevelInsights, level_insights
from costtui.tui.widgets.level_table import LevelTable
from costtui.tui.widgets.load_progress import LoadProgress
from costtui.tui.widgets.report_header import (
    ReportHeader,
    budget_status_text,
    freshness_line,
    header_title,
    projection_text,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

    from costtui.core.insights import ReportInsights

TABLE_VIEW = "table-view"


class CostScreen(CostDialogs, CostTokens, LaterParts):
    """Where costs are browsed: Enter drills, Backspace goes up, g regroups, c shows the chart."""

    HELP = """\
## Costs

Each row is a group of the current level with its cost, its share of the level,
the change against the previous period of the same length and a per-day trend.

- **Enter** drills into the row; **Backspace** goes back up.
- **g** groups this level by another dimension; **G** edits the whole drill path.
- **d** changes the UTC date range; **c** switches between table and chart.
"""

    BINDINGS: ClassVar[list[BindingType]] = COST_VIEW_BINDINGS
    AUTO_FOCUS = "#level-rows"
    """The table takes the focus first (the default, the first focusable widget, is the hidden
    filter input: focusing it then the table restyled both)."""

    def __init__(self, state: ViewState, settings: AppSettings, date_range: DateRange,
                 first_report: Future[LoadedReport] | None = None) -> None:
        super().__init__()
        self.first_report = first_report
        """The first report, made in a thread while the app started: shown as the view mounts."""
        self.state = state
        """Drill path, drilled values, text filter and sort."""
        self.settings = settings
        """The session's clock, profile, demo flag and export directory (handed down)."""
        self.requested_range = date_range
        """The range last asked for: loading, loaded, or waiting for a key."""
        self.report: LoadedReport | None = None
        """The report on screen; kept through later loads and errors."""
        self.load_running = False
        """Whether a load of `requested_range` is running."""
        self.report_is_stale = False
        """Whether the report shown is the cache's copy while a fresh one is fetched."""
        self._load_started = 0.0
        self._elapsed_timer: Timer | None = None
        self.level: LevelView | None = None
        """The rows currently shown."""
        self._selection: ItemSelection | None = None
        """Filtered item subsets of the shown report, reused while drilling and pivoting."""
        self.showing_chart = False
        self.cumulative = False
        self.insights: ReportInsights | None = None
        """Projection, budgets and spike days of the report on screen (None until computed)."""
        self.resumed_once = False
        """Whether the view was shown once (its first showing follows its mount)."""

    def compose(self) -> ComposeResult:
        """Yield header, problem panel, progress, table and footer: what the first frame shows
        (the hidden parts come after it, see LaterParts)."""
        yield ReportHeader(id="report-header")
        if self.first_report is None:  # a load or a problem may be in the first frame
            yield from self._problem_and_progress()
        with ContentSwitcher(initial=TABLE_VIEW, id="views"):
            yield LevelTable(id=TABLE_VIEW)
        if self.app.size.height >= TALL_SCREEN_ROWS:  # the peek chart is in the first frame
            from costtui.tui.widgets.cost_chart import CostChart

            yield CostChart(id="peek-chart")
        yield KeyFooter(compact=True)

    async def on_mount(self) -> None:
        """Show the header (or the first report), focus the table, tell the app the view is up.

        A first report made while the app started is shown now: the first frame has its rows.
        """
        self._update_header()
        self.query_one("#level-rows", DataTable).focus()
        self._elapsed_timer = self.set_interval(1.0, self._tick_elapsed, pause=True)
        self.post_message(CostViewReady(await self._show_first_report()))
        self.call_after_refresh(self._mount_hidden)

    @on(events.ScreenResume)
    def _first_resume(self, event: events.ScreenResume) -> None:
        """Skip restyling the whole view as it first shows: it was just styled as it mounted
        (a pass over every widget of the first frame, about 7 ms)."""
        if not self.resumed_once:
            self.resumed_once = True
            event.refresh_styles = False

    # What the app hands down -----------------------------------------------------------------

    def show_loading(self, date_range: DateRange) -> None:
        """Show an empty progress bar for a new load; the data already shown stays."""
        self.requested_range = date_range
        self.forget_usage()  # fetched again with the new costs when tokens or keys are shown
        self.load_running = True
        for bar in self.query(LoadProgress):  # none before it is mounted
            bar.start()
        self._load_started = monotonic()
        if self._elapsed_timer is not None:
            self._elapsed_timer.resume()
        self._update_header()
        self.refresh_bindings()

    def loading_progressed(self, progress: FetchProgress) -> None:
        """Advance the progress bar, or say why the fetch waits and for how long."""
        for bar in self.query(LoadProgress):
            if progress.retry_reason is None:
                bar.advance_to(progress)
            else:
                bar.show_retry(progress.retry_reason, progress.retry_in_seconds)

    def _tick_elapsed(self) -> None:
        """Show how long the load has taken (a monotonic duration, not a date)."""
        for bar in self.query(LoadProgress):
            bar.show_elapsed(monotonic() - self._load_started)

    def show_loading_stopped(self, *, hide_bar_later: bool = False) -> None:
        """Hide the progress bar (after the next frame if `hide_bar_later`), reset the header."""
        self.load_running = False
        if self._elapsed_timer is not None:
            self._elapsed_timer.pause()
        for bar in self.query(LoadProgress):
            bar.stop(after_next_frame=hide_bar_later)
        self._update_header()
        self.refresh_bindings()

    def show_report(self, report: LoadedReport, *, stale: bool = False,
                    first_level: FirstLevel | None = None) -> None:
        """Show loaded data, keeping the level and the cursor row.

        A `stale` report is the cache's copy (the load goes on, the header says refreshing);
        `first_level` holds its level on screen grouped and drawn (off the UI thread)."""
        self.report = report
        if first_level is not None and first_level.selection.report is report:
            self._selection = first_level.selection
            self._table().keep_sparklines(first_level.sparklines)
        self.report_is_stale = stale
        self.requested_range = report.date_range
        if self.insights is not None and self.insights.date_range != report.date_range:
            self.insights = None  # spike days of another range; the new ones are coming
        self.remove_class("-error")
        if not stale:
            self.show_loading_stopped(hide_bar_later=True)  # one layout per frame
        self._show_level(self._table().cursor_key())

    def show_other_organization(self) -> None:
        """Go back to the top level: the drilled values belonged to another organisation."""
        self.state = ViewState(drill_path=self.state.drill_path,
                               sort_column=self.state.sort_column,
                               sort_descending=self.state.sort_descending)
        self.insights = None

    def show_insights(self, insights: ReportInsights, trends: Sparklines | None = None,
                      kept: KeptLevelInsights | None = None) -> None:
        """Show a report's budget bars and spike marks, then (next frame) projection and status."""
        self.insights = insights
        self._table().keep_sparklines(trends or {})  # drawn with the insights, off the UI thread
        self._show_level(self._table().cursor_key(), kept)  # kept: the level's marks, likewise
        self.call_after_refresh(self._show_insights_header, insights)  # one layout per frame

    def _show_insights_header(self, insights: ReportInsights) -> None:
        """Show the projection and budget status, unless other insights replaced these."""
        if self.insights is insights:
            budget, status = budget_status_text(insights.budgets)
            self.query_one(ReportHeader).update_insights(projection_text(insights.forecast),
                                                         budget, status)

    def show_load_error(self, error: ApiError | BaseException) -> None:
        """Show what failed, what to do next and the request id above the kept data."""
        self.show_loading_stopped()
        details = load_error_details(error, data_kept=self.report is not None)
        self.query_one(ErrorPanel).show_problem("Could not load costs", details)
        self.add_class("-error")
        self._update_header()

    def show_no_key(self, profile: str, note: str | None) -> None:
        """Explain that there is no Admin key and how to provide one."""
        self.show_loading_stopped()
        details = [
            f"No Admin key for profile '{profile}': press K to enter one, or quit and set "
            "ANTHROPIC_ADMIN_KEY, run `costtui key set`, or start with --demo.",
        ]
        if note:
            details.append(note)
        self.query_one(ErrorPanel).show_problem("No Admin key", details)
        self.add_class("-error")

    def show_nothing_loaded(self) -> None:
        """Say, where the table would be, that a cancelled first load left nothing to show."""
        self.query_one(ErrorPanel).show_problem(
            "Nothing loaded", [f"The load of {self.requested_range} was cancelled: press r to "
                               "load it, or d to choose another range."])
        self.add_class("-error")

    def show_profile(self, settings: AppSettings) -> None:
        """Empty the table and chart for another profile (its organisation's data is coming)."""
        self.settings = settings
        self.report = None
        self.insights = None
        self.forget_usage()
        self.query_one(ReportHeader).update_insights("", "", None)
        self.level = None
        self._table().clear_level()
        self._clear_charts()
        self.remove_class("-error")
        self._update_header()

    # Showing a level -------------------------------------------------------------------------

    def cursor_row(self) -> LevelRow | None:
        """Return the row under the table cursor (None when there is none)."""
        key = self._table().cursor_key()
        if self.level is None or key is None:
            return None
        return next((row for row in self.level.rows if row.key == key), None)

    def _table(self) -> LevelTable:
        return self.query_one(LevelTable)

    def _show_level(self, cursor_key: str | None, kept: KeptLevelInsights | None = None) -> None:
        """Recompute the current level from the loaded data (no request) and show it."""
        self._update_header()
        if self.report is None:
            return
        self._want_tokens()
        report = self.view_report(self.report)
        if self._selection is None or self._selection.report is not report:
            self._selection = ItemSelection(report)
        self.level = compute_level(report, self.state, self._selection)
        recent = self._recent_days(report.date_range)
        self._table().show(self.level, self.state, recent_days=recent, cursor_key=cursor_key,
                           insights=level_insights(self.insights, self.state, self.level, kept),
                           tokens=self.level_tokens(report))
        self._draw_charts(self.level, report.date_range)
        self.refresh_bindings()

    def _update_header(self) -> None:
        """Rewrite the header lines from the report, the range asked for and the view state."""
        report = self.report
        shown_range = report.date_range if report is not None else self.requested_range
        loading = self.requested_range if self.load_running else None
        title = header_title(report, shown_range, self.settings.profile, loading,
                             refreshing=self.report_is_stale and self.load_running)
        freshness = freshness_line(incomplete_days(shown_range.days(), self.settings.clock.now()),
                                   report_notes(report) if report else [])
        names = report.workspace_names if report else {}
        trail = breadcrumb(self.state, names)
        trail[-1] += f" · {change_label(shown_range)}"
        if self.shows_keys():
            trail[-1] += f" · API keys {ALLOCATED_NOTE}"
        self.query_one(ReportHeader).update_header(title=title, trail=trail, freshness=freshness)

    def _set_state(self, state: ViewState, cursor_key: str | None) -> None:
        """Switch to a new view state and show it (the loaded data answers every dimension)."""
        remembered = (self.state.drill_path, self.state.sort_column, self.state.sort_descending)
        self.state = state
        self._show_level(cursor_key)
        if remembered != (state.drill_path, state.sort_column, state.sort_descending):
            self.post_message(ViewChanged(state))

    # Actions ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show each key only where it does something."""
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

    def action_back(self) -> None:
        """Close the filter if it is open or set, else go up one level."""
        if self.has_class("-filtering") or self.state.text_filter:
            self._close_filter()
            self._set_state(self.state.with_text_filter(""), self._table().cursor_key())
            return
        self.action_up()

    async def action_filter(self) -> None:
        """Open the row filter."""
        await self._mount_hidden()
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
        for filter_input in self.query("#row-filter").results(Input):  # none before mounted
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

    async def action_show_chart(self) -> None:
        """Show cost per day as a chart of the same level and filters."""
        await self._mount_hidden()
        self.showing_chart = True
        self.add_class("-chart-shown")
        self.remove_class("-filtering")
        self.query_one(ContentSwitcher).current = CHART_VIEW
        self.query_one(f"#{CHART_VIEW}").focus()
        self.refresh_bindings()

    def action_show_table(self) -> None:
        """Show the table of the same level and filters."""
        self.showing_chart = False
        self.remove_class("-chart-shown")
        self.query_one(ContentSwitcher).current = TABLE_VIEW
        self.query_one("#level-rows", DataTable).focus()
        self.refresh_bindings()

    async def action_show_cumulative(self) -> None:
        """Show the chart as a cumulative line (or back to bars if it already is)."""
        if not self.showing_chart:
            self.cumulative = False
            await self.action_show_chart()
        self.action_toggle_cumulative()

    def action_toggle_cumulative(self) -> None:
        """Switch the chart between stacked daily bars and a cumulative line."""
        self.cumulative = not self.cumulative
        self._show_level(self._table().cursor_key())
