"""Insights of a report: month-end projection, budget statuses and spike days, from daily series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from costtui.core.anomalies import ChildShare, DayScore, find_spikes, rank_children
from costtui.core.budgets import BudgetCheck, BudgetLine, Budgets, check_budgets
from costtui.core.dates import DateRange, is_day_complete
from costtui.core.forecast import Forecast, NoForecast, project_month
from costtui.core.models import LoadedReport
from costtui.core.report import (
    DimensionValue,
    Filters,
    Lines,
    daily_costs_by_group,
    daily_totals,
    display_value,
)

HISTORY_DAYS = 70
"""Days before today fetched for a projection: 8 weeks of complete days plus the lag."""
ANOMALY_HISTORY_DAYS = 56
"""Days before a range fetched for spike scores: 4 weeks of expectations of 4 weeks' residuals."""
TOTAL_DIMENSION = "total"
"""The dimension name of the organisation's own series."""
ORGANISATION_LABEL = "Organisation"


def daily_series(
    lines: Lines, days: Sequence[date], filters: Filters | None = None
) -> dict[date, Decimal]:
    """Return the total cost in dollars of each day, keyed by day."""
    return dict(zip(days, daily_totals(lines, days, filters), strict=True))


def daily_series_by_group(
    lines: Lines, dimension: str, days: Sequence[date],
    filters: Filters | None = None,
) -> dict[DimensionValue, dict[date, Decimal]]:
    """Return, per value of one dimension, its cost in dollars keyed by day."""
    return {
        value: dict(zip(days, costs, strict=True))
        for value, costs in daily_costs_by_group(lines, dimension, days, filters).items()
    }


def insights_window(date_range: DateRange, today: date) -> DateRange:
    """Return the days a range's insights need: spike history before it, this month's history."""
    first = min(date_range.first_day - timedelta(days=ANOMALY_HISTORY_DAYS),
                today - timedelta(days=HISTORY_DAYS))
    return DateRange(first, max(date_range.last_day, today))


@dataclass(frozen=True, slots=True)
class SpikeDay:
    """A spike day of one group of a dimension (or of the organisation's total)."""

    dimension: str
    """A grouping dimension, or "total" for the organisation."""
    label: str
    """The group's display name."""
    score: DayScore[DimensionValue]

    @property
    def group(self) -> DimensionValue:
        """Return the group's dimension value (None for the organisation or a null value)."""
        return self.score.group


def spike_days(
    report: LoadedReport, dimensions: Sequence[str], date_range: DateRange, now: datetime
) -> list[SpikeDay]:
    """Return the spike days of the range's complete days, in total and by group, by impact."""
    days = report.date_range.days()
    scored_days = [day for day in date_range.days() if is_day_complete(day, now)]
    total: dict[DimensionValue, dict[date, Decimal]] = {None: daily_series(report.lines, days)}
    spikes = [SpikeDay(TOTAL_DIMENSION, ORGANISATION_LABEL, spike)
              for spike in find_spikes(total, scored_days)]
    for dimension in dimensions:
        series = daily_series_by_group(report.lines, dimension, days)
        spikes += [
            SpikeDay(dimension, display_value(dimension, spike.group, report.workspace_names),
                     spike)
            for spike in find_spikes(series, scored_days)
        ]
    spikes.sort(key=lambda spike: (-spike.score.impact, spike.score.day, spike.dimension))
    return spikes


def child_shares(
    report: LoadedReport, spike: SpikeDay, child_dimension: str
) -> list[ChildShare[DimensionValue]]:
    """Rank the children of a spike's group along a dimension by their share of its impact."""
    filters: Filters = {} if spike.dimension == TOTAL_DIMENSION else {
        spike.dimension: spike.group}
    children = daily_series_by_group(report.lines, child_dimension, report.date_range.days(),
                                     filters)
    return rank_children(children, spike.score.day, spike.score.impact)


@dataclass(frozen=True)
class ReportInsights:
    """What a report adds beyond its costs: projection, budgets and spike days."""

    date_range: DateRange
    """The range the spike days are for (the report's range)."""
    dimensions: tuple[str, ...]
    """The dimensions whose groups were scored (besides the total)."""
    window: LoadedReport
    """The report of the insights window (history included), to explain spikes."""
    forecast: Forecast | NoForecast
    budgets: BudgetCheck | None
    """None when the profile has no budget."""
    spikes: tuple[SpikeDay, ...]

    def spiking_groups(self, dimension: str) -> set[DimensionValue]:
        """Return the groups of a dimension with a spike day in range."""
        return {spike.group for spike in self.spikes if spike.dimension == dimension}

    def spike_days_of(self, dimension: str, group: DimensionValue) -> set[date]:
        """Return the spike days of one group (dimension "total" for the organisation)."""
        return {spike.score.day for spike in self.spikes
                if spike.dimension == dimension and spike.group == group}

    def organisation_budget(self) -> BudgetLine | None:
        """Return the organisation's budget line, if it has a budget."""
        if self.budgets is None:
            return None
        return next((line for line in self.budgets.lines if line.scope == "organisation"), None)

    def workspace_budget(self, workspace_id: DimensionValue) -> BudgetLine | None:
        """Return the budget line of a workspace (None: the Default one), if it has one."""
        if self.budgets is None:
            return None
        return next((line for line in self.budgets.lines
                     if line.scope == "workspace" and line.workspace_id == workspace_id), None)


def compute_insights(
    window: LoadedReport, date_range: DateRange, dimensions: Sequence[str], budgets: Budgets,
    now: datetime,
) -> ReportInsights:
    """Compute the projection of the UTC month of `now`, budget statuses and spike days."""
    days = window.date_range.days()
    forecast = project_month(daily_series(window.lines, days), now)
    check = None
    if budgets.configured:
        by_workspace = daily_series_by_group(window.lines, "workspace", days)
        check = check_budgets(budgets, by_workspace, window.workspace_names, now)
    return ReportInsights(date_range, tuple(dimensions), window, forecast, check,
                          tuple(spike_days(window, dimensions, date_range, now)))


def spike_drill_path(spike: SpikeDay, drill_path: Sequence[str]) -> tuple[str, ...]:
    """Return a drill path that goes to the spike's group, then its day, then its children."""
    rest = [name for name in drill_path if name not in (spike.dimension, "day")]
    if not rest:
        rest = ["model" if spike.dimension != "model" else "workspace"]
    head = () if spike.dimension == TOTAL_DIMENSION else (spike.dimension,)
    return (*head, "day", *rest)


def child_dimension(spike: SpikeDay, drill_path: Sequence[str]) -> str:
    """Return the dimension a spike's children are ranked along (the level under its day)."""
    path = spike_drill_path(spike, drill_path)
    return path[path.index("day") + 1]
