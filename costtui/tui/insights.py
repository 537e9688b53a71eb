"""The app's insights worker: projection, budgets and spike days of each loaded report."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App

from costtui.core.dates import DateRange
from costtui.core.lines import CostLines
from costtui.core.models import LoadedReport
from costtui.core.text import safe_line
from costtui.data.api_errors import ApiError
from costtui.data.source import CostSource, load_report
from costtui.tui.messages import InsightsComputed, InsightsFailed, Sparklines
from costtui.tui.screens.cost_view import CostScreen
from costtui.tui.settings import AppSettings
from costtui.tui.widgets.level_insights import KeptLevelInsights, keep_level_insights
from costtui.tui.widgets.level_table import LevelTable, level_sparklines, plan_level

if TYPE_CHECKING:
    from costtui.core.insights import ReportInsights

INSIGHTS_GROUP = "insights"
INSIGHTS_API_GROUPING = ("workspace_id", "description")
"""The grouping of the cost view's own load, so a cache answers the window's overlap."""
SCORED_DIMENSIONS = ("workspace", "model")
"""Dimensions whose groups get spike scores (besides the start drill path's first one)."""


def window_from_report(report: LoadedReport, window: DateRange) -> LoadedReport | None:
    """Return the window cut from a loaded report (its range and previous period), or None.

    None when the report misses a day of the window or was loaded with another grouping.
    """
    covered_first = report.date_range.previous().first_day
    if (report.api_group_by != INSIGHTS_API_GROUPING or window.first_day < covered_first
            or window.last_day > report.date_range.last_day):
        return None
    missing = (*report.missing_days, *report.previous_missing_days)
    if any(window.first_day <= day <= window.last_day for day in missing):
        return None
    lines = CostLines.joined((report.previous_lines, report.lines), window.days())
    return replace(report, date_range=window, lines=lines,
                   previous_lines=CostLines.from_buckets((), ()),
                   missing_days=(), previous_missing_days=())


class InsightsLoader(App[None]):
    """Computes a report's insights off the UI thread and hands them to the cost view."""

    source: CostSource | None
    settings: AppSettings
    load_generation: int
    cost_screen: CostScreen
    warnings_shown: set[str]
    insights_running = False
    """Whether the insights of the report on screen are being computed."""
    kept_level_insights: KeptLevelInsights | None = None
    """The level's budget lines and spike days worked out with the last insights, off the loop."""

    def load_insights(self, report: LoadedReport) -> None:
        """Start computing the insights of a report just shown (a newer load replaces it)."""
        if self.source is not None and self.settings.insights:
            self.insights_running = True
            # After the frame showing the report and the next one, hiding the progress bar:
            # the insights thread would share the GIL with either and stretch it.
            self.call_after_refresh(self.call_after_refresh, self._start_insights, self.source,
                                    report, self.load_generation)

    def _start_insights(self, source: CostSource, report: LoadedReport, generation: int) -> None:
        """Start the insights worker unless a newer load or a stop came first."""
        if generation == self.load_generation and self.insights_running:
            self.compute_report_insights(source, report, generation)

    def stop_insights(self) -> None:
        """Stop computing insights (a new load starts; its report will get its own)."""
        self.insights_running = False
        self.workers.cancel_group(self, INSIGHTS_GROUP)

    @work(exclusive=True, group=INSIGHTS_GROUP, exit_on_error=False, description="insights")
    async def compute_report_insights(
        self, source: CostSource, report: LoadedReport, generation: int
    ) -> None:
        """Fetch the insights window, score it in a thread and post the result; touch no widget."""
        from costtui.core.insights import compute_insights, insights_window  # after the paint

        clock = self.settings.clock
        now = clock.now()
        dimensions = tuple(dict.fromkeys(
            name for name in (*SCORED_DIMENSIONS, self.settings.drill_path[0])
            if name not in ("day", "api_key")))
        window_range = insights_window(report.date_range, now.date())
        screen = self.cost_screen
        state, level = screen.state, screen.level
        available = screen.query_one(LevelTable).available_width()

        def draw_trends(insights: ReportInsights) -> tuple[Sparklines, KeptLevelInsights | None]:
            """Work out the level's marks and draw its trends at the width the marks leave."""
            if level is None:
                return {}, None
            kept = keep_level_insights(insights, state, level)
            plan, _ = plan_level(level, state, available, None, kept.marks)
            return level_sparklines(level, plan.trend), kept

        try:
            # A long range's report already holds the window: no second fetch of the same days.
            # It is cut in a thread (20-30 ms for a year, a UI freeze on the loop).
            window = await asyncio.to_thread(window_from_report, report, window_range)
            if window is None:
                window = await load_report(source, window_range, INSIGHTS_API_GROUPING,
                                           clock=clock, with_previous=False)
            insights = await asyncio.to_thread(
                compute_insights, window, report.date_range, dimensions,
                self.settings.profile_budgets, now)
            trends, self.kept_level_insights = await asyncio.to_thread(draw_trends, insights)
        except ApiError as error:
            self.post_message(InsightsFailed(generation, error.hint))
            return
        except Exception as error:  # noqa: BLE001 - any failure is a notice; the costs stay
            self.post_message(InsightsFailed(generation, safe_line(str(error))))
            return
        self.post_message(InsightsComputed(generation, insights, trends))

    @on(InsightsComputed)
    def _show_insights(self, message: InsightsComputed) -> None:
        if message.generation != self.load_generation:
            return
        self.insights_running = False
        self.cost_screen.show_insights(message.insights, message.trends,
                                       self.kept_level_insights)
        check = message.insights.budgets
        for warning in check.warnings if check is not None else ():
            if warning not in self.warnings_shown:
                self.warnings_shown.add(warning)
                self.notify(warning, title="Budgets", severity="warning", markup=False,
                            timeout=10)

    @on(InsightsFailed)
    def _insights_failed(self, message: InsightsFailed) -> None:
        if message.generation == self.load_generation:
            self.insights_running = False
            self.notify(f"Projection, budgets and spike days are not available: "
                        f"{message.reason}.", title="Insights", severity="warning",
                        markup=False, timeout=10)
