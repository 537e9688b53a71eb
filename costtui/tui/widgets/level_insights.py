"""What a level's table adds from a report's insights: budget bars and spike marks by row key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from costtui.core.view_state import LevelView, ViewState, row_key_for

if TYPE_CHECKING:  # the insights modules load after the first paint, with the first insights
    from costtui.core.budgets import BudgetLine
    from costtui.core.insights import ReportInsights

BUDGET_BAR_CELLS = 8
BUDGET_FULL = "█"
BUDGET_EMPTY = "░"
SPIKE_MARK = "▲"
"""Marks a row with a spike day in range, after its name and on the day in its trend."""
BUDGET_WIDTH = BUDGET_BAR_CELLS + len(" 100 %")


@dataclass(frozen=True)
class LevelInsights:
    """The budget lines and spike days of one level's rows (by row key) and of its total."""

    show_budgets: bool = False
    """Whether the level has a Budget column (budgets exist and the level is not filtered)."""
    budgets: Mapping[str, BudgetLine] = field(default_factory=dict)
    total_budget: BudgetLine | None = None
    spike_days: Mapping[str, frozenset[date]] = field(default_factory=dict)
    total_spike_days: frozenset[date] = frozenset()
    days: tuple[date, ...] = ()
    """The days of the level's trend, to place spike marks."""


NO_INSIGHTS = LevelInsights()


@dataclass(frozen=True)
class KeptLevelInsights:
    """A level's insights worked out off the UI thread, with what they were worked out from."""

    insights: ReportInsights
    state: ViewState
    rows: tuple[tuple[str, object], ...]
    marks: LevelInsights


def keep_level_insights(
    insights: ReportInsights, state: ViewState, view: LevelView
) -> KeptLevelInsights:
    """Work out a level's insights (in a thread) to reuse when that level is shown with them."""
    return KeptLevelInsights(insights, state, _row_values(view),
                             level_insights(insights, state, view))


def _row_values(view: LevelView) -> tuple[tuple[str, object], ...]:
    """Return what level_insights reads from a level's rows: each row's key and value."""
    return tuple((row.key, row.value) for row in view.rows)


def level_insights(
    insights: ReportInsights | None, state: ViewState, view: LevelView,
    kept: KeptLevelInsights | None = None,
) -> LevelInsights:
    """Return what the insights say about a level: budgets on unfiltered levels, spikes by row.

    Taken from `kept` when that was worked out (in a thread) from the same insights and level.
    """
    if insights is None:
        return NO_INSIGHTS
    if (kept is not None and kept.insights is insights and kept.state == state
            and kept.rows == _row_values(view)):
        return kept.marks
    from costtui.core.insights import TOTAL_DIMENSION

    top_level = not state.filters
    budget_lines = insights.budgets.lines if insights.budgets is not None else ()
    budgets = {
        row_key_for(line.workspace_id): line for line in budget_lines
        if line.scope == "workspace" and state.dimension == "workspace"
    } if top_level else {}
    spikes = {
        row.key: frozenset(insights.spike_days_of(state.dimension, row.value))
        for row in view.rows
        if top_level and state.dimension in insights.dimensions
    }
    return LevelInsights(
        show_budgets=top_level and bool(budget_lines),
        budgets=budgets,
        total_budget=insights.organisation_budget() if top_level else None,
        spike_days={key: days for key, days in spikes.items() if days},
        total_spike_days=frozenset(insights.spike_days_of(TOTAL_DIMENSION, None))
        if top_level else frozenset(),
        days=tuple(insights.date_range.days()),
    )


def budget_percent(line: BudgetLine) -> int:
    """Return actual as a whole percentage of the budget, rounded half-even."""
    return int(line.percent.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def budget_text(line: BudgetLine | None, styles: Mapping[str, Style]) -> Text:
    """Return a budget cell: an 8-cell bar and the percentage spent, styled by status."""
    if line is None:
        return Text("", justify="left")
    filled = min(BUDGET_BAR_CELLS, int((line.percent * BUDGET_BAR_CELLS / 100)
                                       .to_integral_value(rounding=ROUND_FLOOR)))
    bar = BUDGET_FULL * filled + BUDGET_EMPTY * (BUDGET_BAR_CELLS - filled)
    return Text(f"{bar} {budget_percent(line):>3} %", style=styles.get(line.status, Style()),
                justify="left", no_wrap=True)


def mark_spikes(trend: Text, days: Sequence[date], spike_days: frozenset[date],
                style: Style) -> Text:
    """Put ▲ (styled) on the cells of a trend that show a spike day."""
    line = trend.plain
    if not spike_days or not line or not days:
        return trend
    marked = list(line)
    for start, end in _day_cells(days, spike_days, len(line)):
        marked[start:end] = SPIKE_MARK * (end - start)
    result = Text("".join(marked), no_wrap=True, overflow="crop")
    for span in trend.spans:
        result.stylize(span.style, span.start, span.end)
    run_start: int | None = None  # a run of new marks gets one span: fewer spans to draw
    for position, character in enumerate([*marked, ""]):
        if character == SPIKE_MARK and line[position] != SPIKE_MARK:
            run_start = position if run_start is None else run_start
        elif run_start is not None:
            result.stylize(style, run_start, position)
            run_start = None
    return result


def _day_cells(days: Sequence[date], wanted: frozenset[date], cells: int) -> list[tuple[int, int]]:
    """Return the [start, end) cells of a sparkline that show any of the wanted days.

    Mirrors core.formatting.sparkline: widened lines give each day `cells // days` cells,
    squeezed ones sum days int(i·size) … int((i+1)·size) into cell i.
    """
    if cells >= len(days):
        width = cells // len(days)
        return [(index * width, (index + 1) * width)
                for index, day in enumerate(days) if day in wanted]
    size = len(days) / cells
    shown = set()
    for day in wanted:  # a few days: find each one's cell, not every cell's days
        try:
            position = days.index(day)
        except ValueError:
            continue
        guess = int(position / size)
        for index in range(max(guess - 2, 0), min(guess + 3, cells)):
            first = int(index * size)
            if first <= position < max(int((index + 1) * size), first + 1):
                shown.add(index)
    return [(index, index + 1) for index in sorted(shown)]
