"""Pure aggregation of cost lines into grouped, filtered, exact totals in dollars."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import MAX_PREC, Context, Decimal
from itertools import repeat
from operator import attrgetter
from typing import overload

from costtui.core.lines import DAY, CostLines
from costtui.core.models import CENTS_PER_DOLLAR, CostItem

DIMENSION_LABELS: dict[str, str] = {
    "workspace": "Workspace",
    "model": "Model",
    "token_type": "Token type",
    "cost_type": "Cost type",
    "service_tier": "Service tier",
    "context_window": "Context window",
    "inference_geo": "Inference geo",
    "description": "Description",
    "api_key": "API key",
    "day": "Day",
}
"""Every dimension a report can group by, with its display label."""

DIMENSIONS = tuple(DIMENSION_LABELS)
DESCRIPTION_DIMENSIONS = frozenset(
    {"description", "model", "cost_type", "token_type", "service_tier", "context_window",
     "inference_geo", "api_key"}
)
"""Dimensions the API fills only when grouping by description (API keys: allocated by it)."""

DEFAULT_WORKSPACE_NAME = "Default"
NONE_LABEL = "—"
ZERO = Decimal(0)
EXACT = Context(prec=MAX_PREC)
"""A context that never rounds: scaling by a power of ten stays exact."""

DimensionValue = str | None
Filters = Mapping[str, DimensionValue]


class UnknownDimensionError(ValueError):
    """A dimension name that costtui does not know."""


def check_dimensions(dimensions: Iterable[str]) -> tuple[str, ...]:
    """Return the dimensions as a tuple, raising UnknownDimensionError with the valid names."""
    checked = tuple(dimensions)
    for name in checked:
        if name not in DIMENSION_LABELS:
            raise UnknownDimensionError(
                f"unknown dimension {name!r}: use one of {', '.join(DIMENSIONS)}"
            )
    if len(set(checked)) != len(checked):
        raise UnknownDimensionError("a dimension is repeated: name each one once")
    return checked


def api_group_by_for(dimensions: Iterable[str]) -> tuple[str, ...]:
    """Return the smallest API grouping that can answer the given dimensions."""
    wanted = set(dimensions)
    grouping: list[str] = []
    if "workspace" in wanted or "api_key" in wanted:
        grouping.append("workspace_id")
    if wanted & DESCRIPTION_DIMENSIONS:
        grouping.append("description")
    return tuple(grouping)


DIMENSION_FIELDS: dict[str, str] = {
    **{dimension: dimension for dimension in DIMENSION_LABELS},
    "workspace": "workspace_id",
    "day": DAY,
}
"""The key field (or lines.DAY) each dimension reads: a new dimension is a label and a field."""

Lines = CostLines | Iterable[CostItem]
"""What the aggregates read: a report's CostLines, or CostItems (tests and edges) gathered first."""


def as_lines(lines: Lines, days: Sequence[date] | None = None) -> CostLines:
    """Return CostLines (over `days` when given) for columns or for CostItems."""
    if isinstance(lines, CostLines):
        return lines if days is None else lines.on_days(days)
    return CostLines.from_items(lines, days)


def field_filters(filters: Filters | None) -> dict[str, DimensionValue]:
    """Return dimension filters as key field filters."""
    return {DIMENSION_FIELDS[name]: value for name, value in (filters or {}).items()}


def display_value(
    dimension: str, value: DimensionValue, workspace_names: Mapping[str, str] | None = None
) -> str:
    """Return how a dimension value is shown: workspace names, "Default", or a dash for null."""
    if dimension == "workspace":
        if value is None:
            return DEFAULT_WORKSPACE_NAME
        return (workspace_names or {}).get(value, value)
    return NONE_LABEL if value is None else value


def dimension_getter(dimension: str) -> Callable[[CostItem], DimensionValue]:
    """Return a function reading one dimension of a CostItem (edges: the token join)."""
    if dimension == "day":
        return lambda item: item.day.isoformat()
    return attrgetter(DIMENSION_FIELDS[dimension])


def to_dollars(cents: Decimal) -> Decimal:
    """Convert exact cents to dollars (edges working on CostItems)."""
    return cents / CENTS_PER_DOLLAR


def dollars_at(units: int, scale: int) -> Decimal:
    """Return units / 10**scale cents in dollars, exactly, written as `cents / 100` would be.

    Decimal's division keeps the cents' exponent where it can; so does this, with no rounding.
    """
    if not units:
        return ZERO
    exponent = scale + 2
    for _ in range(2):
        if units % 10:
            break
        units //= 10
        exponent -= 1
    return Decimal(f"{units}E-{exponent}") if exponent else Decimal(units)


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group of a report: its dimension values and exact cost in dollars."""

    values: tuple[DimensionValue, ...]
    cost: Decimal


def group_costs(
    lines: Lines, dimensions: Sequence[str], filters: Filters | None = None
) -> list[GroupRow]:
    """Sum costs per combination of dimension values, most expensive first."""
    columns = as_lines(lines)
    totals = columns.totals_by_group([DIMENSION_FIELDS[name] for name in dimensions],
                                     field_filters(filters))
    rows = [GroupRow(values, dollars_at(units, columns.scale)) for values, units in totals.items()]
    rows.sort(key=lambda row: (-row.cost, tuple("" if v is None else v for v in row.values)))
    return rows


def total_cost(lines: Lines, filters: Filters | None = None) -> Decimal:
    """Return the exact total in dollars of the lines passing the filters."""
    columns = as_lines(lines)
    return dollars_at(columns.total(field_filters(filters)), columns.scale)


def daily_costs_by_group(
    lines: Lines,
    dimension: str,
    days: Sequence[date],
    filters: Filters | None = None,
) -> dict[DimensionValue, list[Decimal]]:
    """Return, per value of one dimension, its cost in dollars on each of the given days."""
    columns = as_lines(lines, days)
    series = columns.series_by_group(DIMENSION_FIELDS[dimension], field_filters(filters))
    return {value: dollars_of(units, columns.scale) for value, units in series.items()}


def daily_totals(
    lines: Lines, days: Sequence[date], filters: Filters | None = None
) -> list[Decimal]:
    """Return the total cost in dollars of each given day."""
    columns = as_lines(lines, days)
    return dollars_of(columns.daily_totals(field_filters(filters)), columns.scale)


def dollars_of(amounts: Iterable[int], scale: int) -> list[Decimal]:
    """Return amounts scaled by 10**scale cents as exact dollars, at C speed (for series).

    Each keeps the exponent of the scale (0.0150000, not 0.015): equal in value to dollars_at's.
    """
    return list(_dollars(amounts, scale))


def _dollars(amounts: Iterable[int], scale: int) -> Iterator[Decimal]:
    """Yield `dollars_of`'s values one at a time."""
    return map(EXACT.scaleb, map(Decimal, amounts), repeat(Decimal(-scale - 2)))


class DollarSeries(Sequence[Decimal]):
    """A day series of exact dollars kept as its integer units, made Decimal only when read.

    A level's trend sparklines read the units themselves: a year of groups needs no Decimal.
    Equal to (and hashed as) the tuple of its dollars, as `dollars_of` makes them.
    """

    __slots__ = ("units", "scale")

    def __init__(self, units: Sequence[int], scale: int) -> None:
        self.units, self.scale = tuple(units), scale

    def __len__(self) -> int:
        return len(self.units)

    @overload
    def __getitem__(self, index: int) -> Decimal: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Decimal, ...]: ...

    def __getitem__(self, index: int | slice) -> Decimal | tuple[Decimal, ...]:
        if isinstance(index, slice):
            return tuple(dollars_of(self.units[index], self.scale))
        return next(_dollars((self.units[index],), self.scale))

    def __iter__(self) -> Iterator[Decimal]:
        # One at a time: `any(value != 0 for value in series)` makes only the first few.
        return _dollars(self.units, self.scale)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DollarSeries) and other.scale == self.scale:
            return self.units == other.units
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"DollarSeries({len(self.units)} days, scale={self.scale})"
