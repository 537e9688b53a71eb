"""The chart view of the current level: cost per day of the top groups, or a cumulative line."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from costtui.core.chart_data import ChartData, ChartProjection, projection_path, top_series
from costtui.core.dates import DateRange
from costtui.core.forecast import Forecast, NoForecast
from costtui.core.formatting import format_money
from costtui.core.report import DIMENSION_LABELS
from costtui.core.view_state import LevelView, ViewState
from costtui.tui.widgets.cost_chart import CostChart

TOP_GROUPS = 6
"""Groups drawn on their own; the rest are stacked as "Other"."""
EMPTY_CHART = ChartData((), (), Decimal(0))
"""What a chart draws while other data is on its way."""


_last_chart: list[tuple[tuple[object, ...], DateRange, ChartData]] = []
"""The last chart's rows (held, so compared by identity), range and data: showing the same
level again (insights arriving, a cursor move) sums no series again."""


def chart_data(level: LevelView, date_range: DateRange) -> ChartData:
    """Return the level's rows as chart series, with repeated names told apart."""
    rows = level.rows
    for kept_rows, kept_range, kept_data in _last_chart:
        if (kept_range == date_range and len(kept_rows) == len(rows)
                and all(kept is row for kept, row in zip(kept_rows, rows, strict=True))):
            return kept_data
    per_group: dict[str, Sequence[Decimal]] = {}
    for row in rows:
        label = row.label
        if label in per_group:
            label = f"{label} ({row.value})"
        per_group[label] = row.daily
    data = top_series(per_group, date_range.days(), top=TOP_GROUPS)
    _last_chart[:] = [(rows, date_range, data)]
    return data


def chart_projection(
    data: ChartData, state: ViewState, forecast: Forecast | NoForecast | None
) -> ChartProjection | None:
    """Return the month-end projection to draw: only on unfiltered levels (it is the total's)."""
    if not isinstance(forecast, Forecast) or state.filters or state.text_filter:
        return None
    return projection_path(data, forecast.projected_days, forecast.projected, forecast.low,
                           forecast.high)


def chart_title(level: LevelView, state: ViewState, cumulative: bool = False) -> str:
    """Return the chart's title: what is drawn, split by what, and the name filter if any."""
    shape = "Running total of cost" if cumulative else "Cost per day"
    title = f"{shape} by {DIMENSION_LABELS[level.dimension].lower()}"
    if state.text_filter:
        title += f" (names containing {state.text_filter!r})"
    return title


def groups_drawn(level: LevelView, top: int = TOP_GROUPS) -> str:
    """Return which groups the chart draws: "5 token types" or "top 6 of 14 models + Other"."""
    drawn = sum(1 for row in level.rows if any(value != 0 for value in row.daily))
    noun = DIMENSION_LABELS[level.dimension].lower()
    if drawn > top:
        return f"top {top} of {drawn} {noun}s + Other"
    return f"{drawn} {noun}" + ("" if drawn == 1 else "s")


def chart_caption(level: LevelView, cumulative: bool, recent_days: int) -> str:
    """Return the line under the chart: what is drawn, the exact total and the keys."""
    shown = groups_drawn(level)
    shape = f"Running total of {shown}" if cumulative else shown[:1].upper() + shown[1:]
    words = [shape, f"total {format_money(level.shown_total)}"]
    if recent_days:
        days = "day" if recent_days == 1 else f"{recent_days} days"
        words.append(f"⚠ last {days} may be incomplete")
    return " · ".join(words)


class ChartPanel(Vertical, can_focus=True):
    """The chart of the same level and filters as the table, with a one-line caption."""

    def compose(self) -> ComposeResult:
        """Yield the chart and its caption."""
        yield CostChart(id="cost-chart")
        yield Label(id="chart-caption", markup=False)

    def clear(self) -> None:
        """Draw an empty frame while other data is on its way."""
        self.query_one(CostChart).show_data(EMPTY_CHART, title="Loading…")
        self.query_one("#chart-caption", Label).update("")

    def show_level(
        self, level: LevelView, state: ViewState, data: ChartData, *,
        recent_days: int, cumulative: bool, projection: ChartProjection | None = None,
    ) -> None:
        """Draw the level's daily costs (`data`, from `chart_data`), and the projection if any."""
        self.query_one(CostChart).show_data(
            data, cumulative=cumulative, title=chart_title(level, state, cumulative),
            projection=projection,
        )
        self.query_one("#chart-caption", Label).update(
            chart_caption(level, cumulative, recent_days)
        )
