"""The text of the row info panel (`i`): ids, raw values, exact amounts, source, freshness."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from costtui.core.dates import DateRange
from costtui.core.formatting import format_change, format_exact
from costtui.core.models import LoadedReport
from costtui.core.periods import short_range
from costtui.core.report import DIMENSION_LABELS
from costtui.core.view_state import LevelRow, ViewState, level_label


def _raw(value: str | None) -> str:
    """Return an API value as sent, or "null"."""
    return "null" if value is None else value


def row_info_lines(
    row: LevelRow,
    state: ViewState,
    report: LoadedReport,
    *,
    source_text: str | None,
    recent_days: Sequence[date],
) -> list[str]:
    """Return the lines describing one row: what it is, exactly how much, and how sure."""
    dimension_label = DIMENSION_LABELS[state.dimension]
    lines = [f"{dimension_label}: {row.label}",
             f"API value: {_raw(row.value)}"]
    for dimension, value in state.filters.items():
        shown = level_label(dimension, value, report.workspace_names)
        lines.append(f"Within {DIMENSION_LABELS[dimension]}: {shown} ({_raw(value)})")
    days = report.date_range.days()
    lines.append(f"Cost {report.date_range} UTC: ${format_exact(row.cost)} (exact, unrounded)")
    previous = report.date_range.previous()
    if report.previous_missing_days:
        lines.append(f"Previous period {short_range(previous)}: unknown (days missing)")
    else:
        change, percent = format_change(row.cost, row.previous_cost)
        lines.append(f"Previous period {short_range(previous)}: "
                     f"${format_exact(row.previous_cost)} · Δ {change} ({percent})")
    days_with_cost = sum(1 for value in row.daily if value != 0)
    lines.append(f"Days with cost: {days_with_cost} of {len(days)}")
    recent_with_cost = [day for day, value in zip(days, row.daily, strict=False)
                        if day in set(recent_days) and value != 0]
    if recent_days:
        span = DateRange(recent_days[0], recent_days[-1])
        state_words = "has cost on them" if recent_with_cost else "has no cost on them yet"
        lines.append(f"May be incomplete: {span} (cost data lags up to 48 h); this row "
                     f"{state_words}")
    else:
        lines.append("Every day of the range is complete")
    fetched = f"fetched {report.fetched_at:%Y-%m-%d %H:%M} UTC"
    lines.append(f"Source: {source_text} · {fetched}" if source_text else f"Source: {fetched}")
    return lines
