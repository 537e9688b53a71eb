"""The cost view's token columns (t) and API-key levels: usage asked for on demand, their
figures computed in a thread so that the UI never waits for a join or an allocation."""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from costtui.core.key_names import COMPUTING_KEYS, KEY_DIMENSION, LOADING_KEYS, NO_USAGE_KEYS
from costtui.core.text import safe_line
from costtui.tui.messages import TokensWanted

if TYPE_CHECKING:  # the token join's modules load when tokens or API keys are first shown
    from collections.abc import Callable

    from costtui.core.dates import DateRange
    from costtui.core.models import LoadedReport
    from costtui.core.report import DimensionValue
    from costtui.core.token_level import TokenColumns
    from costtui.core.token_view import Figures, FiguresJob
    from costtui.core.usage import ApiKeyInfo, UsageRow
    from costtui.core.usage_index import UsageIndex
    from costtui.core.view_state import ItemSelection, ViewState
    from costtui.tui.settings import AppSettings
    from costtui.tui.widgets.level_table import LevelTable

    Usage = tuple[DateRange, tuple[UsageRow, ...], dict[str, ApiKeyInfo]]
    """A range, its usage per API key (with the period before it) and the keys' names."""
    LevelKey = tuple[str, tuple[tuple[str, DimensionValue], ...]]
    """A level of one report: its dimension and filters (a sort or a name filter: the same)."""
FIGURES_GROUP = "token-figures"
NOTES_GROUP = "token-notes"


class FiguresComputed(Message):
    """A thread computed token figures for the report and usage of a job."""

    def __init__(self, job: FiguresJob, usage: Usage, figures: Figures) -> None:
        super().__init__()
        self.job = job
        self.usage = usage
        self.figures = figures


class NotesComputed(Message):
    """A thread listed what the token join could not match, for the report and usage named."""

    def __init__(self, report: LoadedReport, usage: Usage, lines: list[str]) -> None:
        super().__init__()
        self.report = report
        self.usage = usage
        self.lines = lines


class CostTokens(Screen[None]):
    """Token columns and API-key levels of the cost view (a base of CostScreen)."""

    state: ViewState
    report: LoadedReport | None
    settings: AppSettings
    _selection: ItemSelection | None
    tokens_shown = False
    """Whether the token columns are on (t)."""
    usage: Usage | None = None
    """The usage of a range, once fetched for tokens or API keys."""
    usage_failed: DateRange | None = None
    """A range whose usage could not be loaded."""
    usage_requested: DateRange | None = None
    """The range whose usage is being fetched (asked once)."""
    _figures_of: tuple[LoadedReport, Usage | None] | None = None
    """The report and usage the figures below belong to (anything else drops them)."""
    _usage_index: UsageIndex | None = None
    _keyed: LoadedReport | None = None
    """The report with its lines allocated to API keys, once computed."""
    _key_placeholders: dict[str, LoadedReport]
    _token_columns: dict[LevelKey, TokenColumns]
    _figures_running: tuple[tuple[object, ...], FiguresJob] | None = None
    """What the figures worker computes now, and its job (asked again, it is not restarted)."""
    _figures_broken = False
    """Whether computing the figures of this report and usage failed (then not retried)."""
    _notes_wanted: Usage | None = None
    """Usage whose unmatched lines are to be told once its figures are shown."""

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

    def _figures_for(self, report: LoadedReport) -> Usage | None:
        """Return the report's usage, dropping figures that belong to another report or usage."""
        usage = self._usage_of(report)
        known = self._figures_of
        if known is None or known[0] is not report or known[1] is not usage:
            self._figures_of = (report, usage)
            self._usage_index = self._keyed = self._figures_running = None
            self._figures_broken = False
            self._key_placeholders, self._token_columns = {}, {}
        return usage

    def _level(self) -> LevelKey:
        return self.state.dimension, tuple(self.state.filters.items())

    def view_report(self, report: LoadedReport) -> LoadedReport:
        """Return the report the level is computed from: by API key, its lines allocated.

        Until the allocation is computed, every line is under one label saying why.
        """
        if not self.shows_keys():
            return report
        usage = self._figures_for(report)
        if usage is not None and self._keyed is not None:
            return self._keyed
        if usage is not None:
            label = NO_USAGE_KEYS if self._figures_broken else COMPUTING_KEYS
        else:
            label = NO_USAGE_KEYS if self.usage_failed == report.date_range else LOADING_KEYS
        if label not in self._key_placeholders:
            from costtui.core.key_lines import keyed_report

            self._key_placeholders[label] = keyed_report(report, None, {}, label)
        return self._key_placeholders[label]

    def level_tokens(self, report: LoadedReport) -> TokenColumns | None:
        """Return the token columns of the level shown, or None while they are off."""
        if not self.tokens_shown:
            return None
        known = self._token_columns.get(self._level()) if self._figures_of is not None else None
        if known is None or (self.shows_keys() and report is not self._keyed):
            from costtui.core.token_level import loading_columns

            return loading_columns(self.state.dimension)
        return known

    def _want_tokens(self) -> None:
        """Ask for the usage of the report's range when tokens or API keys need it.

        With the usage there, start computing what the level lacks (off the UI loop).
        """
        report = self.report
        if not (self.tokens_shown or self.shows_keys()) or report is None:
            return
        usage = self._figures_for(report)
        if usage is None:
            if report.date_range not in (self.usage_failed, self.usage_requested):
                self.usage_requested = report.date_range
                self.post_message(TokensWanted(report.date_range))
            return
        if self._figures_broken:
            return
        by_key = self.shows_keys() and self._keyed is None
        with_columns = self.tokens_shown and self._level() not in self._token_columns
        if not (by_key or with_columns):
            return
        wanted = (by_key, with_columns and self._level())
        if self._figures_running is not None and self._figures_running[0] == wanted:
            return
        from costtui.core.token_view import FiguresJob

        job = FiguresJob(report, usage[1], usage[2], self.state, self.settings.clock.now(),
                         by_key=self.shows_keys(), with_columns=with_columns,
                         index=self._usage_index, keyed=self._keyed)
        self._figures_running = (wanted, job)
        self.run_worker(self._compute(job, usage), group=FIGURES_GROUP, exclusive=True,
                        exit_on_error=False, description="token figures")

    async def _compute(self, job: FiguresJob, usage: Usage) -> None:
        """Compute a job's figures in a thread; a newer job cancels this one (result dropped)."""
        stopped = get_current_worker().cancelled_event.is_set
        figures = await asyncio.to_thread(compute_figures, job, stopped)
        if figures is not None:
            self.post_message(FiguresComputed(job, usage, figures))

    @on(FiguresComputed)
    def _figures_computed(self, message: FiguresComputed) -> None:
        """Keep figures of the report and usage shown, show them, drop any others."""
        report = self.report
        if report is not message.job.report or self._figures_for(report) is not message.usage:
            return
        figures, job = message.figures, message.job
        self._usage_index = figures.index
        if figures.keyed is not None and self._keyed is None:
            self._keyed = figures.keyed
            self._selection = figures.selection
        if figures.columns is not None:
            level = (job.state.dimension, tuple(job.state.filters.items()))
            self._token_columns[level] = figures.columns
        if self._figures_running is not None and self._figures_running[1] is job:
            self._figures_running = None
        self._show_level(self._table().cursor_key())
        self._tell_unmatched()

    def _tell_unmatched(self) -> None:
        """List, once per usage and in a thread, what the token join could not match."""
        usage, report = self._notes_wanted, self.report
        if usage is None or report is None or not self.tokens_shown:
            return
        self._notes_wanted = None
        work = partial(_unmatched, report, usage, self.settings.clock.now())
        self.run_worker(self._list_unmatched(work, report, usage), group=NOTES_GROUP,
                        exclusive=True, exit_on_error=False, description="unmatched usage")

    async def _list_unmatched(self, work: partial[list[str]], report: LoadedReport,
                              usage: Usage) -> None:
        self.post_message(NotesComputed(report, usage, await asyncio.to_thread(work)))

    @on(NotesComputed)
    def _notes_computed(self, message: NotesComputed) -> None:
        if message.lines and self.tokens_shown and message.report is self.report and (
                message.usage is self.usage):
            self.notify("\n".join(message.lines), title="Not in the token join (total unchanged)",
                        markup=False, timeout=10)

    @on(Worker.StateChanged)
    def _figures_failed(self, event: Worker.StateChanged) -> None:
        """Say that token figures could not be computed; the costs stay."""
        worker = event.worker
        if worker.group not in (FIGURES_GROUP, NOTES_GROUP) or event.state != WorkerState.ERROR:
            return
        if worker.group == FIGURES_GROUP:
            self._figures_running = None
            self._figures_broken = True  # not retried for this report and usage
            self.tokens_shown = False
            self._show_level(self._table().cursor_key())
        self.notify(f"Token figures could not be computed: {safe_line(str(worker.error))}.",
                    title="Tokens", severity="error", markup=False, timeout=10)

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
        self._notes_wanted = self.usage
        self._show_level(self._table().cursor_key())

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
        self._show_level(self._table().cursor_key())


def compute_figures(job: FiguresJob, stopped: Callable[[], bool]) -> Figures | None:
    """Compute a job's token figures (slow: run in a thread; the token join loads here)."""
    from costtui.core.token_view import compute_figures as compute

    return compute(job, stopped)


def _unmatched(report: LoadedReport, usage: Usage, now: datetime) -> list[str]:
    """Return a short notice of what the join could not match (slow: run in a thread)."""
    from costtui.core.token_export import unmatched_summary

    current = [row for row in usage[1] if usage[0].first_day <= row.day]
    return unmatched_summary(report.items, current, now)
