"""The header lines: organisation, UTC range, fetch time, breadcrumb, freshness and insights."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from costtui.core.budgets import BudgetCheck, Status
from costtui.core.dates import DateRange
from costtui.core.formatting import format_dollars, projection_range_text
from costtui.core.freshness import source_text
from costtui.core.models import DEFAULT_PROFILE, LoadedReport

if TYPE_CHECKING:
    from costtui.core.forecast import Forecast, NoForecast

BREADCRUMB_SEPARATOR = " › "
INSIGHTS_GAP = 3
"""Cells between the projection tile and the budget status (styles.tcss: #projection margin)."""


def title_line(
    organization_name: str | None,
    date_range: DateRange,
    fetched_at: datetime | None,
    *,
    profile: str | None = None,
    source_text: str | None = None,
) -> str:
    """Return the first header line: who (and which profile), which UTC days, and how fresh.

    `source_text` ("cache + live · cached 2 h ago") replaces the fetch time.
    """
    days = "1 day" if date_range.day_count == 1 else f"{date_range.day_count} d"
    who = organization_name or "costtui"
    if profile:
        who += f" (profile {profile})"
    parts = [who, f"{date_range} UTC ({days})"]
    if source_text:
        parts.append(source_text)
    else:
        parts.append(f"fetched {fetched_at:%H:%M} UTC" if fetched_at else "not loaded yet")
    return " · ".join(parts)


def header_title(
    report: LoadedReport | None, shown_range: DateRange, profile: str,
    loading_range: DateRange | None, *, refreshing: bool = False,
) -> str:
    """Return the title line of a report (or of the range before one loaded), with loading.

    `refreshing`: the report is the cache's copy shown while the fresh one is fetched.
    """
    source = source_text(report) if report else None
    if refreshing:
        # Complete days are cached once and stay true; the oldest one's age would mislead.
        source = "from the cache · refreshing…"
    title = title_line(report.organization_name if report else None, shown_range,
                       report.fetched_at if report else None,
                       profile=None if profile == DEFAULT_PROFILE else profile,
                       source_text=source)
    if loading_range is not None and (report is None or loading_range != report.date_range):
        title += f" · loading {loading_range}…"
    return title


def freshness_line(recent_days: Sequence[date], notes: Sequence[str]) -> str:
    """Return the warning line about possibly incomplete recent days and source notes."""
    parts: list[str] = []
    if recent_days:
        span = DateRange(recent_days[0], recent_days[-1])
        parts.append(f"⚠ {span} may be incomplete (cost data lags up to 48 h)")
    parts += [f"note: {note}" for note in notes]
    return " · ".join(parts)


def projection_text(forecast: Forecast | NoForecast) -> str:
    """Return the projection tile: "Nov projected $X (80 %: $L–$H), estimate", or why not."""
    from costtui.core.forecast import NoForecast  # with the insights: not in the first frame

    month = f"{forecast.month:%b}"
    if isinstance(forecast, NoForecast):
        return f"No {month} projection: {forecast.reason}"
    return f"{month} {projection_range_text(forecast)}"


def budget_status_text(check: BudgetCheck | None) -> tuple[str, Status | None]:
    """Return the organisation's budget status line and status (every budget's worst without)."""
    if check is None:
        return "", None
    line = next((line for line in check.lines if line.scope == "organisation"), None)
    if line is None:
        return f"Budgets {check.status.upper()}", check.status
    percent = line.percent.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    pace = " · over pace" if line.over_pace else ""
    return (f"Budget {line.status.upper()}: {format_dollars(line.actual)} of "
            f"{format_dollars(line.budget)} ({percent} %){pace}", line.status)


class ReportHeader(Vertical):
    """Short lines above the table that say what the numbers are, and the month's insights."""

    _insights_width = 0
    _shown: tuple[str, ...] = ()
    """The title, breadcrumb and freshness texts on show (none before the first update)."""
    _insights_shown: tuple[str, str, Status | None] | None = None
    """The projection, budget text and status on show (None before the first update)."""

    def compose(self) -> ComposeResult:
        """Yield the title, breadcrumb and freshness labels."""
        yield Label(id="header-title", markup=False)
        yield Label(id="breadcrumb", markup=False)
        yield Label(id="freshness", markup=False)
        with Horizontal(id="insights-line"):
            yield Label(id="projection", markup=False)
            yield Label(id="budget-status", markup=False)

    def update_header(
        self,
        *,
        title: str,
        trail: Sequence[str],
        freshness: str,
    ) -> None:
        """Show new header texts; the freshness line hides itself when empty."""
        shown = (title, BREADCRUMB_SEPARATOR.join(trail), freshness)
        if shown == self._shown:
            return  # unchanged: no layout of the screen (a pivot, a sort)
        if shown[::2] != self._shown[::2]:  # the title or freshness (either may wrap)
            self.query_one("#header-title", Label).update(Text(title))
            freshness_label = self.query_one("#freshness", Label)
            freshness_label.update(Text(freshness))
            freshness_label.display = bool(freshness)
        # One line whatever its text (cut with an ellipsis): its size never changes.
        self.query_one("#breadcrumb", Label).update(Text(shown[1]), layout=False)
        self._shown = shown

    def update_insights(self, projection: str, budget: str, status: Status | None) -> None:
        """Show the projection tile and the budget status (styled -ok, -warn or -over)."""
        if (projection, budget, status) == self._insights_shown:
            return  # unchanged: no layout
        self._insights_shown = (projection, budget, status)
        self.query_one("#projection", Label).update(Text(projection))
        budget_label = self.query_one("#budget-status", Label)
        budget_label.update(Text(budget))
        budget_label.display = bool(budget)
        for name in ("ok", "warn", "over", "unknown"):
            budget_label.set_class(status == name, f"-{name}")
        self.query_one("#insights-line").display = bool(projection or budget)
        self._insights_width = len(projection) + len(budget) + INSIGHTS_GAP
        self._stack_insights()

    def on_resize(self) -> None:
        """Put the budget status under the projection when both do not fit on one line."""
        self._stack_insights()

    def _stack_insights(self) -> None:
        self.set_class(self._insights_width > self.content_region.width, "-stacked")
