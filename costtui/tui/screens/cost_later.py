"""The cost view's parts its first frame does not show, mounted after it, and its first report.

A first report made while the app started is shown as the view mounts; the filter bar, the
charts (and, then, the problem panel and progress bar) are hidden at first and mounted after
the first frame, so that frame composes and styles only what it shows (and the chart modules
are imported after it).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Input, Label

from costtui.core.dates import DateRange, incomplete_days
from costtui.tui.messages import FirstLevel
from costtui.tui.widgets.error_panel import ErrorPanel
from costtui.tui.widgets.load_progress import LoadProgress

if TYPE_CHECKING:
    from concurrent.futures import Future

    from costtui.core.insights import ReportInsights
    from costtui.core.models import LoadedReport
    from costtui.core.view_state import ItemSelection, LevelView, ViewState
    from costtui.tui.settings import AppSettings

CHART_VIEW = "chart-view"
TALL_SCREEN_ROWS = 50
"""From this many rows up, the table view also shows the chart under the table."""


class LaterParts(Screen[None]):
    """Shows the first report at mount, mounts the hidden parts after the first frame."""

    first_report: Future[LoadedReport] | None
    report: LoadedReport | None
    level: LevelView | None
    state: ViewState
    settings: AppSettings
    insights: ReportInsights | None
    cumulative: bool
    load_running: bool
    _selection: ItemSelection | None
    _mounting_hidden: asyncio.Lock | None = None
    _hidden_mounted = False
    """Whether the filter bar and the charts are mounted (after the first frame)."""

    def show_report(self, report: LoadedReport) -> None:
        """Show loaded data (the cost view's)."""
        raise NotImplementedError

    async def _show_first_report(self) -> FirstLevel | None:
        """Show the report made while the app started, if any; None leaves the load to the app."""
        made = self.first_report
        if made is None:
            return None
        try:
            report = made.result() if made.done() else await asyncio.wrap_future(made)
        except Exception:  # the app's own load then fails the same way and says why
            return None
        self.show_report(report)
        assert self._selection is not None
        return FirstLevel(self._selection, {})

    @staticmethod
    def _problem_and_progress() -> tuple[ErrorPanel, LoadProgress]:
        """Return the problem panel and the progress bar (both hidden until needed)."""
        return ErrorPanel(id="error-panel"), LoadProgress(id="load-progress")

    async def _mount_hidden(self) -> None:
        """Mount the hidden parts (once), then draw the level in the charts."""
        if self._mounting_hidden is None:
            self._mounting_hidden = asyncio.Lock()
        async with self._mounting_hidden:
            if self._hidden_mounted or not self.is_attached:  # done, or the app is closing
                return
            if not self.query(LoadProgress):
                await self.mount(*self._problem_and_progress(), after="#report-header")
                if self.load_running:  # a load started before the bar was there
                    self.query_one(LoadProgress).start()
            await self.mount(Horizontal(
                Label("Filter:", id="filter-label"),
                Input(placeholder="part of a name; Enter keeps it, Esc clears it",
                      compact=True, id="row-filter"),
                id="filter-bar"), before="#views")
            from costtui.tui.screens.chart import ChartPanel
            from costtui.tui.widgets.cost_chart import CostChart

            chart = ChartPanel(id=CHART_VIEW)
            chart.display = False  # what ContentSwitcher does to a view not shown
            await self.query_one(ContentSwitcher).mount(chart)
            if not self.query("#peek-chart"):
                await self.mount(CostChart(id="peek-chart"), after="#views")
            self._hidden_mounted = True
            if self.level is not None and self.report is not None:
                self._draw_charts(self.level, self.report.date_range)

    def _recent_days(self, date_range: DateRange) -> int:
        """Return how many of the range's last days may still be incomplete."""
        return len(incomplete_days(date_range.days(), self.settings.clock.now()))

    def _draw_charts(self, level: LevelView, date_range: DateRange) -> None:
        """Draw the level in the chart and the peek chart (each once mounted: the first frame
        has neither, unless on a tall screen, and the chart modules are imported after it)."""
        if not self._hidden_mounted and not self.query("#peek-chart"):
            return
        from costtui.tui.screens.chart import ChartPanel, chart_data, chart_projection, chart_title
        from costtui.tui.widgets.cost_chart import CostChart

        panels = list(self.query(ChartPanel).results(ChartPanel)) if self._hidden_mounted else []
        peeks = self.query("#peek-chart").results(CostChart)
        data = chart_data(level, date_range)
        for panel in panels:
            forecast = self.insights.forecast if self.insights is not None else None
            panel.show_level(
                level, self.state, data, recent_days=self._recent_days(date_range),
                cumulative=self.cumulative,
                projection=chart_projection(data, self.state, forecast),
            )
        for peek in peeks:
            peek.show_data(data, title=chart_title(level, self.state))

    def _clear_charts(self) -> None:
        """Show the charts (those mounted) empty, loading."""
        if not self._hidden_mounted and not self.query("#peek-chart"):
            return
        from costtui.tui.screens.chart import EMPTY_CHART, ChartPanel
        from costtui.tui.widgets.cost_chart import CostChart

        for panel in self.query(ChartPanel).results(ChartPanel) if self._hidden_mounted else ():
            panel.clear()
        for peek in self.query("#peek-chart").results(CostChart):
            peek.show_data(EMPTY_CHART, title="Loading…")
