"""The app's usage worker: token counts for the cost view's token columns, fetched on demand.

The usage source (and the cache under it) and the FOCUS export are imported on first use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App

from costtui.core.dates import DateRange
from costtui.core.models import LoadedReport
from costtui.core.text import safe_line
from costtui.data.api_errors import ApiError
from costtui.data.source import CostSource
from costtui.tui.messages import FocusReady, TokensFailed, TokensLoaded, TokensWanted
from costtui.tui.screens.cost_view import CostScreen

if TYPE_CHECKING:
    from costtui.core.usage import UsageRow

TOKENS_GROUP = "tokens"
FOCUS_GROUP = "focus-export"


class TokenLoader(App[None]):
    """Fetches the usage report only when the cost view needs tokens or API keys."""

    source: CostSource | None
    cost_screen: CostScreen
    warnings_shown: set[str]
    write_export: Callable[[Path, str, str], object]

    @on(TokensWanted)
    def _tokens_wanted(self, message: TokensWanted) -> None:
        if self.source is None:
            return
        self.fetch_tokens(self.source, message.date_range)

    @work(exclusive=True, group=TOKENS_GROUP, exit_on_error=False, description="usage report")
    async def fetch_tokens(self, source: CostSource, date_range: DateRange) -> None:
        """Fetch usage per key of the range and the period before it; touch no widget."""
        from costtui.data.usage_source import usage_source_for

        usage = usage_source_for(source)
        if usage is None:
            self.post_message(TokensFailed(date_range, "this source has no usage report"))
            return
        fetch_range = DateRange(date_range.previous().first_day, date_range.last_day)
        try:
            days = await usage.usage(fetch_range, by_api_key=True)
            try:
                keys = {key.id: key for key in await usage.api_keys()}
            except ApiError:
                keys = {}  # the allocation stands; keys are shown by id
            warnings = tuple(usage.take_warnings())
        except ApiError as error:
            self.post_message(TokensFailed(date_range, error.hint))
            return
        except Exception as error:  # noqa: BLE001 - any failure is a notice; the costs stay
            self.post_message(TokensFailed(date_range, safe_line(str(error))))
            return
        finally:
            await usage.aclose()
        rows = tuple(row for usage_day in days for row in usage_day.rows)
        self.post_message(TokensLoaded(date_range, rows, keys, warnings))

    @work(group=FOCUS_GROUP, exit_on_error=False, description="FOCUS export")
    async def export_focus(self, report: LoadedReport, directory: Path) -> None:
        """Build the FOCUS CSV with the range's tokens (empty quantities when unavailable)."""
        from costtui.core.focus import focus_file_name
        from costtui.data.usage_source import usage_source_for

        rows: tuple[UsageRow, ...] = ()
        account_id = ""
        source = self.source
        usage = usage_source_for(source) if source is not None else None
        try:
            if source is not None:
                account_id = (await source.organization()).id
            if usage is not None:
                days = await usage.usage(report.date_range)
                rows = tuple(row for usage_day in days for row in usage_day.rows)
        except ApiError as error:
            self.post_message(TokensFailed(report.date_range, error.hint))
        finally:
            if usage is not None:
                await usage.aclose()
        text = await asyncio.to_thread(_focus_text, report, rows, account_id)
        self.post_message(FocusReady(directory, focus_file_name(report.date_range), text))

    @on(FocusReady)
    def _focus_ready(self, message: FocusReady) -> None:
        self.write_export(message.directory, message.name, message.text)

    @on(TokensLoaded)
    def _tokens_loaded(self, message: TokensLoaded) -> None:
        for warning in message.warnings:
            if warning not in self.warnings_shown:
                self.warnings_shown.add(warning)
                self.notify(warning, title="Cache", severity="warning", markup=False)
        self.cost_screen.show_tokens(message.date_range, message.rows, message.keys)

    @on(TokensFailed)
    def _tokens_failed(self, message: TokensFailed) -> None:
        self.cost_screen.show_tokens_failed(message.date_range)
        self.notify(f"Tokens are not available: {message.reason}.", title="Tokens",
                    severity="warning", markup=False, timeout=10)


def _focus_text(report: LoadedReport, rows: tuple[UsageRow, ...], account_id: str) -> str:
    """Return the FOCUS CSV of every cost line of the report (slow: run in a thread)."""
    from costtui.core.focus import focus_csv

    return focus_csv(report.items, rows, account_id, report.organization_name,
                     report.workspace_names)
