"""The cost view's token columns (t) and API-key levels: usage asked for on demand."""

from __future__ import annotations

from textual.screen import Screen

from costtui.core.dates import DateRange
from costtui.core.key_allocation import KEY_DIMENSION, NO_USAGE_KEYS, keyed_report
from costtui.core.models import LoadedReport
from costtui.core.token_level import TokenColumns, token_columns
from costtui.core.usage import ApiKeyInfo, UsageRow
from costtui.core.view_state import ViewState
from costtui.tui.messages import TokensWanted
from costtui.tui.settings import AppSettings
from costtui.tui.widgets.level_table import LevelTable

Usage = tuple[DateRange, tuple[UsageRow, ...], dict[str, ApiKeyInfo]]
"""A range, its usage per API key (with the period before it) and the keys' names."""


class CostTokens(Screen[None]):
    """Token columns and API-key levels of the cost view (a base of CostScreen)."""

    state: ViewState
    report: LoadedReport | None
    settings: AppSettings
    tokens_shown = False
    """Whether the token columns are on (t)."""
    usage: Usage | None = None
    """The usage of a range, once fetched for tokens or API keys."""
    usage_failed: DateRange | None = None
    """A range whose usage could not be loaded."""
    usage_requested: DateRange | None = None
    """The range whose usage is being fetched (asked once)."""
    _keyed: tuple[LoadedReport, Usage | None, LoadedReport] | None = None
    _columns: tuple[tuple[object, ...], object, TokenColumns] | None = None

    def _table(self) -> LevelTable:
        raise NotImplementedError

    def _show_level(self, cursor_key: str | None) -> None:
        raise NotImplementedError

    def shows_keys(self) -> bool:
        """Tell whether the level shown or a level above it is by API key."""
        return KEY_DIMENSION in (*self.state.filter_dimensions, self.state.dimension)

    def _usage_of(self, report: LoadedReport) -> Usage | None:
        usage = self.usage
        return usage if usage is not None and usage[0] == report.date_range else None

    def view_report(self, report: LoadedReport) -> LoadedReport:
        """Return the report the level is computed from: by API key, its lines allocated."""
        if not self.shows_keys():
            return report
        usage = self._usage_of(report)
        if self._keyed is not None and self._keyed[0] is report and self._keyed[1] is usage:
            return self._keyed[2]
        if usage is not None:
            keyed = keyed_report(report, usage[1], usage[2])
        elif self.usage_failed == report.date_range:
            keyed = keyed_report(report, None, {}, NO_USAGE_KEYS)
        else:
            keyed = keyed_report(report, None, {})
        self._keyed = (report, usage, keyed)
        return keyed

    def level_tokens(self, report: LoadedReport) -> TokenColumns | None:
        """Return the token columns of the level shown, or None while they are off."""
        if not self.tokens_shown:
            return None
        usage = self._usage_of(report)
        level = (id(report), id(usage), self.state.dimension, tuple(self.state.filters.items()))
        if self._columns is not None and self._columns[0] == level:
            return self._columns[2]  # a sort or a name filter: the same figures
        rows = None if usage is None else [row for row in usage[1]
                                           if report.date_range.first_day <= row.day]
        columns = token_columns(report.items, rows, self.state.dimension, self.state.filters,
                                self.settings.clock.now())
        self._columns = (level, (report, usage), columns)  # holds both: their ids stay theirs
        return columns

    def _want_tokens(self) -> None:
        """Ask for the usage of the report's range when tokens or API keys need it."""
        report = self.report
        if (self.tokens_shown or self.shows_keys()) and report is not None and (
                self._usage_of(report) is None
                and report.date_range not in (self.usage_failed, self.usage_requested)):
            self.usage_requested = report.date_range
            self.post_message(TokensWanted(report.date_range))

    def forget_usage(self) -> None:
        """Drop the usage shown: new costs are loading (their usage is fetched with them)."""
        self.usage = self.usage_failed = self.usage_requested = None

    def show_tokens(self, date_range: DateRange, rows: tuple[UsageRow, ...],
                    keys: dict[str, ApiKeyInfo]) -> None:
        """Show tokens or API keys of a range whose usage arrived; say what did not match."""
        self.usage = (date_range, rows, keys)
        self.usage_requested = None
        report = self.report
        if report is None or report.date_range != date_range:
            return
        self._show_level(self._table().cursor_key())
        current = [row for row in rows if date_range.first_day <= row.day]
        from costtui.core.token_export import unmatched_lines

        lines = unmatched_lines(report.items, current, self.settings.clock.now(),
                                report.workspace_names)
        if lines and self.tokens_shown:
            self.notify("\n".join(lines), title="Not in the token join (total unchanged)",
                        markup=False, timeout=10)

    def show_tokens_failed(self, date_range: DateRange) -> None:
        """Turn the token columns off: the usage of the range could not be loaded."""
        self.tokens_shown = False
        self.usage_failed = date_range
        self.usage_requested = None
        self._show_level(self._table().cursor_key())

    def action_toggle_tokens(self) -> None:
        """Show or hide Tokens, $/MTok and, by model or workspace, cache hit and savings."""
        self.tokens_shown = not self.tokens_shown
        self.usage_failed = None
        self._want_tokens()
        self._show_level(self._table().cursor_key())
