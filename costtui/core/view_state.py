"""The Textual-free view model: drill path, filters, text filter, sort and the rows of a level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from costtui.core.lines import FINEST_FIELD, CostLines
from costtui.core.models import LoadedReport
from costtui.core.names import matches, short_description, token_type_label
from costtui.core.report import (
    DIMENSION_FIELDS,
    DIMENSION_LABELS,
    ZERO,
    DimensionValue,
    DollarSeries,
    check_dimensions,
    display_value,
    dollars_at,
    field_filters,
)

DEFAULT_DRILL_PATH = ("workspace", "model", "token_type")
"""The drill path a new session starts with."""

NULL_ROW_KEY = "\x00null"
"""The row key of the group whose dimension value is null (the API never sends NUL)."""

SORT_COLUMNS = ("name", "cost", "share", "change", "change_pct", "trend")
"""Columns a level can be sorted by, in the order `s` cycles through them."""

SORT_COLUMN_LABELS = {
    "name": "name",
    "cost": "cost",
    "share": "share",
    "change": "Δ $",
    "change_pct": "Δ %",
    "trend": "latest day",
}
"""How each sort column is named in messages."""


class DrillError(ValueError):
    """A drill, pivot or path change that cannot be done; the message says why."""


def level_label(
    dimension: str,
    value: DimensionValue,
    workspace_names: Mapping[str, str],
    filters: Mapping[str, DimensionValue] | None = None,
) -> str:
    """Return a row's name for people: "(no model)" for a null, human token types, and
    descriptions without the model once `filters` (the levels above) name one model."""
    if value is None and dimension != "workspace":
        return f"(no {DIMENSION_LABELS[dimension].lower()})"
    if dimension == "token_type" and value is not None:
        return token_type_label(value)
    if dimension == "description" and value is not None and (filters or {}).get("model"):
        return short_description(value)
    return display_value(dimension, value, workspace_names)


def row_key_for(value: DimensionValue) -> str:
    """Return the stable table row key of a dimension value."""
    return NULL_ROW_KEY if value is None else value


def value_for_row_key(key: str) -> DimensionValue:
    """Return the dimension value a row key stands for."""
    return None if key == NULL_ROW_KEY else key


@dataclass(frozen=True)
class ViewState:
    """Where the user is: the drill path, the values drilled into, the text filter and the sort."""

    drill_path: tuple[str, ...] = DEFAULT_DRILL_PATH
    """Ordered dimensions; Enter goes from one to the next."""
    drilled_values: tuple[DimensionValue, ...] = ()
    """Values chosen at each level above the current one, in path order."""
    text_filter: str = ""
    """Text the shown rows' names must contain, ignoring case and accents."""
    sort_column: str = "cost"
    """The column rows are sorted by."""
    sort_descending: bool = True
    """Whether the sort puts the largest value first."""

    def __post_init__(self) -> None:
        check_dimensions(self.drill_path)
        if not self.drill_path:
            raise DrillError("the drill path is empty: choose at least one dimension")
        if len(self.drilled_values) >= len(self.drill_path):
            raise DrillError("cannot drill below the last dimension of the path")
        if self.sort_column not in SORT_COLUMNS:
            raise DrillError(f"unknown sort column {self.sort_column!r}")

    @property
    def depth(self) -> int:
        """Return how many levels the user has drilled into (0 at the top)."""
        return len(self.drilled_values)

    @property
    def dimension(self) -> str:
        """Return the dimension the current level groups by."""
        return self.drill_path[self.depth]

    @property
    def filters(self) -> dict[str, DimensionValue]:
        """Return the dimension filters of the levels above the current one."""
        return dict(zip(self.drill_path, self.drilled_values, strict=False))

    @property
    def filter_dimensions(self) -> tuple[str, ...]:
        """Return the dimensions filtered by drilling, outermost first."""
        return self.drill_path[: self.depth]

    @property
    def can_drill(self) -> bool:
        """Tell whether there is a dimension below the current level."""
        return self.depth + 1 < len(self.drill_path)

    def drill(self, value: DimensionValue) -> ViewState:
        """Return the state one level down, filtered to `value`, with the text filter cleared."""
        if not self.can_drill:
            raise DrillError(
                f"{DIMENSION_LABELS[self.dimension]} is the last level of the drill path: "
                "press g to group this level differently or G to extend the path"
            )
        return replace(self, drilled_values=(*self.drilled_values, value), text_filter="")

    def up(self) -> tuple[ViewState, DimensionValue]:
        """Return the state one level up and the value the user had drilled into."""
        if not self.drilled_values:
            raise DrillError("already at the top level")
        left = self.drilled_values[-1]
        return replace(self, drilled_values=self.drilled_values[:-1], text_filter=""), left

    def pivot(self, dimension: str) -> ViewState:
        """Return the state with the current level grouped by `dimension`, filters kept."""
        check_dimensions([dimension])
        if dimension in self.filter_dimensions:
            raise DrillError(
                f"{DIMENSION_LABELS[dimension]} is already filtered above this level"
            )
        current = self.dimension
        below = [
            current if name == dimension else name for name in self.drill_path[self.depth + 1 :]
        ]
        path = (*self.filter_dimensions, dimension, *below)
        return replace(self, drill_path=path, text_filter="")

    def with_path(self, drill_path: Sequence[str]) -> ViewState:
        """Return the state at the top of a new drill path."""
        return replace(self, drill_path=check_dimensions(drill_path), drilled_values=(),
                       text_filter="")

    def with_text_filter(self, text: str) -> ViewState:
        """Return the state with a new text filter."""
        return replace(self, text_filter=text)

    def sorted_by(self, column: str, descending: bool | None = None) -> ViewState:
        """Return the state sorted by a column, in its natural direction unless told."""
        if column not in SORT_COLUMNS:
            raise DrillError(f"unknown sort column {column!r}")
        natural = column != "name"
        return replace(
            self, sort_column=column, sort_descending=natural if descending is None else descending
        )

    def next_sort(self) -> ViewState:
        """Return the state sorted by the next column of SORT_COLUMNS."""
        position = SORT_COLUMNS.index(self.sort_column)
        return self.sorted_by(SORT_COLUMNS[(position + 1) % len(SORT_COLUMNS)])

    def reversed_sort(self) -> ViewState:
        """Return the state with the sort direction flipped."""
        return replace(self, sort_descending=not self.sort_descending)


@dataclass(frozen=True)
class LevelRow:
    """One group of the current level with its cost, the period before, and a per-day series."""

    key: str
    """Stable row key (see row_key_for)."""
    value: DimensionValue
    label: str
    """The name shown to the user, never markup."""
    cost: Decimal
    previous_cost: Decimal
    daily: Sequence[Decimal]
    """Cost of each day of the range, oldest first."""

    @property
    def change(self) -> Decimal:
        """Return the cost change against the previous period in dollars."""
        return self.cost - self.previous_cost

    @property
    def change_ratio(self) -> Decimal | None:
        """Return the relative change, or None when there was nothing before."""
        if self.previous_cost == 0:
            return None
        return self.change / self.previous_cost


@dataclass(frozen=True)
class LevelView:
    """What the table and chart show for one state: rows (filtered, sorted) and totals."""

    dimension: str
    rows: tuple[LevelRow, ...]
    """Rows passing the text filter, in sort order."""
    total: Decimal
    """Cost of the whole level (drill filters only), the base of every share."""
    previous_total: Decimal
    daily_total: Sequence[Decimal]
    group_count: int
    """How many groups the level has before the text filter."""
    changes_known: bool = True
    """False when days of the previous period are missing (offline): no Δ can be trusted."""

    @property
    def shown_total(self) -> Decimal:
        """Return the cost of the rows shown (differs from total under a text filter)."""
        return sum((row.cost for row in self.rows), Decimal(0))

    @property
    def shown_previous_total(self) -> Decimal:
        """Return the previous-period cost of the rows shown."""
        return sum((row.previous_cost for row in self.rows), Decimal(0))

    @property
    def is_text_filtered(self) -> bool:
        """Tell whether the text filter hides some groups."""
        return len(self.rows) != self.group_count


def _sort_value(column: str, row: LevelRow) -> Decimal | str:
    """Return the comparable value of a row for a sort column ("new" sorts above any change)."""
    if column == "name":
        return row.label.casefold()
    if column == "change":
        return row.change
    if column == "change_pct":
        ratio = row.change_ratio
        if ratio is None:
            return Decimal("Infinity") if row.cost > 0 else Decimal(0)
        return ratio
    if column == "trend":
        return row.daily[-1] if row.daily else Decimal(0)
    return row.cost


FilterKey = tuple[tuple[str, DimensionValue], ...]


@dataclass(frozen=True)
class _GroupedLevel:
    """A level's rows before the text filter and sort, with its exact totals."""

    rows: tuple[LevelRow, ...]
    total: Decimal
    previous_total: Decimal
    daily_total: Sequence[Decimal]


class ItemSelection:
    """One report's levels, grouped the first time each is shown and remembered while browsing.

    Sorting or a text filter then regroups nothing; the report's lines remember their own sums.
    """

    def __init__(self, report: LoadedReport) -> None:
        self.report = report
        self._levels: dict[tuple[FilterKey, str], _GroupedLevel] = {}

    def prepare_pivots(self) -> None:
        """Sum the top level's description groups (slow only for large reports, so off the UI
        thread): every dimension the description names (model, token type…) is then merged
        from them in an instant when first pivoted to."""
        self.report.lines.on_days(self.report.date_range.days()).series_by_group(FINEST_FIELD)

    def grouped(self, filters: Mapping[str, DimensionValue], dimension: str) -> _GroupedLevel:
        """Return the level of `dimension` under the filters, grouping it the first time only."""
        key = (tuple(filters.items()), dimension)
        if key not in self._levels:
            self._levels[key] = _group_level(self.report, dimension, filters)
        return self._levels[key]


def _group_level(
    report: LoadedReport, dimension: str, filters: Mapping[str, DimensionValue]
) -> _GroupedLevel:
    """Group the lines by one dimension with per-day series and the previous period's costs.

    By day, every day of the range is a row ($0.00 included), so that its previous-period cost
    still counts and the Δ total is the same at every level of a view.
    """
    lines = report.lines.on_days(report.date_range.days())
    scale, where = lines.scale, field_filters(filters)
    if dimension == "day":
        daily_units = lines.daily_totals(where)
        current, daily = _day_rows(daily_units, lines)
        previous = _previous_by_day(report, where)
    else:
        field = DIMENSION_FIELDS[dimension]
        series = lines.series_by_group(field, where)
        current = {value: sum(units) for value, units in series.items()}
        daily = {value: DollarSeries(units, scale) for value, units in series.items()}
        daily_units = lines.daily_totals(where)
        previous = {values[0]: units for values, units
                    in report.previous_lines.totals_by_group([field], where).items()}
    values = list(current) + [value for value in previous if value not in current]
    zeros = DollarSeries((0,) * len(lines.days), scale)
    previous_scale = report.previous_lines.scale
    rows = tuple(
        LevelRow(
            key=row_key_for(value),
            value=value,
            label=level_label(dimension, value, report.workspace_names, filters),
            cost=dollars_at(current.get(value, 0), scale),
            previous_cost=dollars_at(previous.get(value, 0), previous_scale),
            daily=daily.get(value, zeros),
        )
        for value in values
    )
    return _GroupedLevel(
        rows=rows,
        total=dollars_at(sum(current.values()), scale),
        previous_total=dollars_at(sum(previous.values()), previous_scale),
        daily_total=DollarSeries(daily_units, scale),
    )


def _day_rows(
    daily_units: Sequence[int], lines: CostLines
) -> tuple[dict[DimensionValue, int], dict[DimensionValue, Sequence[Decimal]]]:
    """Return each day's amount and its series: that day's dollars, zero on every other day."""
    zeros = (ZERO,) * len(lines.days)
    current: dict[DimensionValue, int] = {}
    daily: dict[DimensionValue, Sequence[Decimal]] = {}
    for index, (day, units) in enumerate(zip(lines.days, daily_units, strict=True)):
        value = day.isoformat()
        current[value] = units
        daily[value] = (*zeros[:index], dollars_at(units, lines.scale), *zeros[index + 1:])
    return current, daily


def _previous_by_day(
    report: LoadedReport, where: Mapping[str, DimensionValue]
) -> dict[DimensionValue, int]:
    """Return the previous period's amount of each day of the range, the same place before it."""
    shift = timedelta(days=report.date_range.day_count)
    previous: dict[DimensionValue, int] = {day.isoformat(): 0 for day in report.date_range.days()}
    lines = report.previous_lines
    for day, units in zip(lines.days, lines.daily_totals(where), strict=True):
        value = (day + shift).isoformat()
        if value in previous:
            previous[value] += units
    return previous


def compute_level(
    report: LoadedReport, state: ViewState, selection: ItemSelection | None = None
) -> LevelView:
    """Group the loaded lines for the current level and compare them with the previous period."""
    if selection is None or selection.report is not report:
        selection = ItemSelection(report)
    grouped = selection.grouped(state.filters, state.dimension)
    shown = [row for row in grouped.rows
             if matches(state.text_filter, row.label, row.value or "")]
    shown.sort(key=lambda row: row.label.casefold())
    shown.sort(key=lambda row: _sort_value(state.sort_column, row), reverse=state.sort_descending)
    return LevelView(
        dimension=state.dimension,
        rows=tuple(shown),
        total=grouped.total,
        previous_total=grouped.previous_total,
        daily_total=grouped.daily_total,
        group_count=len(grouped.rows),
        changes_known=not report.previous_missing_days,
    )


def breadcrumb(state: ViewState, workspace_names: dict[str, str]) -> list[str]:
    """Return the drill trail: "All costs", each drilled value's name, then the level's label."""
    trail = ["All costs"]
    trail += [
        level_label(dimension, value, workspace_names, dict(zip(
            state.drill_path[:index], state.drilled_values[:index], strict=False)))
        for index, (dimension, value) in enumerate(
            zip(state.drill_path, state.drilled_values, strict=False))
    ]
    trail.append(f"by {DIMENSION_LABELS[state.dimension].lower()}")
    return trail
