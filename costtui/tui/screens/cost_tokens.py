"""The cost view's token columns (t): usage asked for on demand, then Tokens, $/MTok, cache."""

from __future__ import annotations

from textual.screen import Screen

from costtui.core.dates import DateRange
from costtui.core.models import LoadedReport
from costtui.core.token_export import unmatched_lines
from costtui.core.token_level import TokenColumns, token_columns
from costtui.core.usage import UsageRow
from costtui.core.view_state import ViewState
from costtui.tui.messages import TokensWanted
from costtui.tui.settings import AppSettings
from costtui.tui.widgets.level_table import LevelTable


class CostTokens(Screen[None]):
    """Token columns of the cost view (a base of CostScreen)."""

    state: ViewState
    report: LoadedReport | None
    settings: AppSettings
    tokens_shown = False
    """Whether the token columns are on (t)."""
    usage: tuple[DateRange, tuple[UsageRow, ...]] | None = None
    """The usage of a range, once fetched for the token columns."""

    def _table(self) -> LevelTable:
        raise NotImplementedError

    def _show_level(self, cursor_key: str | None) -> None:
        raise NotImplementedError

    def level_tokens(self, report: LoadedReport) -> TokenColumns | None:
        """Return the token columns of the level shown, or None while they are off."""
        if not self.tokens_shown:
            return None
        usage = self.usage[1] if self.usage and self.usage[0] == report.date_range else None
        return token_columns(report.items, usage, self.state.dimension, self.state.filters,
                             self.settings.clock.now())

    def _want_tokens(self) -> None:
        """Ask for the usage of the report's range when the token columns need it."""
        report = self.report
        if self.tokens_shown and report is not None and (
                self.usage is None or self.usage[0] != report.date_range):
            self.post_message(TokensWanted(report.date_range))

    def show_tokens(self, date_range: DateRange, rows: tuple[UsageRow, ...]) -> None:
        """Show the token columns of a range whose usage arrived; say what did not match."""
        self.usage = (date_range, rows)
        report = self.report
        if report is None or report.date_range != date_range:
            return
        self._show_level(self._table().cursor_key())
        lines = unmatched_lines(report.items, rows, self.settings.clock.now(),
                                report.workspace_names)
        if lines:
            self.notify("\n".join(lines), title="Not in the token join (total unchanged)",
                        markup=False, timeout=10)

    def show_tokens_failed(self, date_range: DateRange) -> None:
        """Turn the token columns off: the usage of the range could not be loaded."""
        self.tokens_shown = False
        self._show_level(self._table().cursor_key())

    def action_toggle_tokens(self) -> None:
        """Show or hide Tokens, $/MTok and, by model or workspace, cache hit and savings."""
        self.tokens_shown = not self.tokens_shown
        self._want_tokens()
        self._show_level(self._table().cursor_key())
