"""The cost view's dialogs and clipboard: dates, grouping, path, export, command, row info.

Each dialog's module is imported when the dialog first opens, not on the way to the first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.screen import Screen

from costtui.core.dates import DateRange, incomplete_days
from costtui.core.formatting import format_dollars, format_exact
from costtui.core.freshness import source_text
from costtui.core.models import LoadedReport
from costtui.core.view_state import DrillError, LevelRow, LevelView, ViewState, level_label
from costtui.tui.messages import ExportRequested, RangeChosen

if TYPE_CHECKING:
    from costtui.core.insights import ReportInsights, SpikeDay
    from costtui.tui.settings import AppSettings


class CostDialogs(Screen[None]):
    """The cost view's actions that open a dialog or use the clipboard (a base of CostScreen)."""

    state: ViewState
    report: LoadedReport | None
    settings: AppSettings
    requested_range: DateRange
    level: LevelView | None
    insights: ReportInsights | None
    view_report: Callable[[LoadedReport], LoadedReport]

    def _set_state(self, state: ViewState, cursor_key: str | None) -> None:
        raise NotImplementedError

    def _close_filter(self) -> None:
        raise NotImplementedError

    def cursor_row(self) -> LevelRow | None:
        """Return the row under the table cursor (None when there is none)."""
        raise NotImplementedError

    def action_choose_range(self) -> None:
        """Open the date range dialog."""
        from costtui.tui.screens.date_range import DateRangeScreen

        def chosen(date_range: DateRange | None) -> None:
            if date_range is not None:
                self.post_message(RangeChosen(date_range))

        self.app.push_screen(DateRangeScreen(self.settings.clock.today(), self.requested_range),
                             chosen)

    def action_pivot(self) -> None:
        """Choose another dimension for the current level, keeping the filters above it."""
        from costtui.tui.screens.grouping import PivotScreen

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
        from costtui.tui.screens.grouping import DrillPathScreen

        def chosen(path: tuple[str, ...] | None) -> None:
            if path and path != self.state.drill_path:
                self._close_filter()
                self._set_state(self.state.with_path(path), None)

        self.app.push_screen(DrillPathScreen(self.state.drill_path), chosen)

    def action_export(self) -> None:
        """Choose CSV or JSON and write the view to a file."""
        from costtui.core.focus import focus_file_name
        from costtui.core.view_export import export_file_name
        from costtui.tui.screens.dialogs import ExportScreen

        report = self.report
        if report is None:
            self.notify("Nothing to export yet: wait for the data to load.", severity="warning")
            return
        state = self.state
        names = {fmt: export_file_name(report.date_range, state, fmt) for fmt in ("csv", "json")}
        names["focus"] = focus_file_name(report.date_range)

        def chosen(export_format: str | None) -> None:
            if export_format is not None:
                self.export_as(export_format, state)

        self.app.push_screen(ExportScreen(names, self.settings.export_directory), chosen)

    def export_as(self, export_format: str, state: ViewState | None = None) -> None:
        """Ask for the view (or `state`) to be written to a new file, without the dialog."""
        if self.report is None:
            self.notify("Nothing to export yet: wait for the data to load.", severity="warning")
            return
        report = self.report if export_format == "focus" else self.view_report(self.report)
        self.post_message(ExportRequested(report, state or self.state, export_format))

    def action_show_command(self) -> None:
        """Show the `costtui report` command that prints this view's rows."""
        from costtui.core.view_export import report_command, rows_to_look_at
        from costtui.tui.screens.dialogs import ReportCommandScreen

        report = self.report
        shown_range = report.date_range if report else self.requested_range
        command = report_command(self.state, shown_range, demo=self.settings.demo,
                                 profile=self.settings.profile)
        look_at = rows_to_look_at(self.state, report.workspace_names if report else {})
        self.app.clear_notifications()  # on a small terminal toasts would cover the command
        self.app.push_screen(ReportCommandScreen(command, look_at))

    def action_row_info(self) -> None:
        """Show everything about the row under the cursor: ids, exact amounts, source."""
        from costtui.core.row_info import row_info_lines
        from costtui.tui.screens.dialogs import RowInfoScreen

        row = self.cursor_row()
        if row is None or self.report is None:
            self.notify("No row to describe yet.", severity="warning", markup=False)
            return
        recent = incomplete_days(self.report.date_range.days(), self.settings.clock.now())
        lines = row_info_lines(row, self.state, self.report,
                               source_text=source_text(self.report), recent_days=recent)
        self.app.push_screen(RowInfoScreen(row.label, lines, row_text(row)))

    def action_copy_row(self) -> None:
        """Copy the row under the cursor as text (name, tab, exact dollars) to the clipboard."""
        row = self.cursor_row()
        if row is None:
            self.notify("No row to copy yet.", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(row_text(row))
        self.notify(f"Copied {row.label} · {format_dollars(row.cost)} (exact amount) to the "
                    "clipboard, if the terminal allows OSC 52", title="Copied", markup=False)


    def action_show_anomalies(self) -> None:
        """List the range's spike days by impact; Enter drills to one and ranks its causes."""
        from costtui.tui.screens.anomalies import AnomaliesScreen

        insights = self.insights
        if insights is None:
            self.notify("Spike days are still being computed: try again in a moment.",
                        severity="warning", markup=False)
            return

        def chosen(spike: SpikeDay | None) -> None:
            if spike is not None:
                self.explain_spike(spike, insights)

        self.app.push_screen(AnomaliesScreen(insights.spikes, insights.date_range), chosen)

    def explain_spike(self, spike: SpikeDay, insights: ReportInsights) -> None:
        """Drill the view to the spike's group and day, and list its children by impact share."""
        from costtui.core.insights import (
            TOTAL_DIMENSION,
            child_dimension,
            child_shares,
            spike_drill_path,
        )
        from costtui.tui.screens.anomalies import SpikeCausesScreen

        path = spike_drill_path(spike, self.state.drill_path)
        state = ViewState(drill_path=path)
        if spike.dimension != TOTAL_DIMENSION:
            state = state.drill(spike.group)
        state = state.drill(spike.score.day.isoformat())
        self._close_filter()
        self._set_state(state, None)
        children = child_dimension(spike, path)
        shares = child_shares(insights.window, spike, children)
        names = insights.window.workspace_names
        labels = [level_label(children, share.child, names) for share in shares]
        self.app.push_screen(SpikeCausesScreen(spike, children, shares, labels))


def row_text(row: LevelRow) -> str:
    """Return a row as one line of text for the clipboard: its name, a tab, exact dollars."""
    return f"{row.label}\t{format_exact(row.cost)}"
