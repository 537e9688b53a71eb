"""Pure aggregation of cost items into grouped, filtered, exact totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter

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


def _day_text(item: CostItem) -> str:
    return item.day.isoformat()


def dimension_getter(dimension: str) -> Callable[[CostItem], DimensionValue]:
    """Return a fast function reading one dimension of an item (workspace is its id)."""
    if dimension == "day":
        return _day_text
    return attrgetter("workspace_id" if dimension == "workspace" else dimension)


def select(items: Iterable[CostItem], filters: Filters | None = None) -> list[CostItem]:
    """Return the items whose filtered dimensions all equal their filter values."""
    selected = list(items)
    for name, value in (filters or {}).items():
        get = dimension_getter(name)
        selected = [item for item in selected if get(item) == value]
    return selected


def display_value(
    dimension: str, value: DimensionValue, workspace_names: Mapping[str, str] | None = None
) -> str:
    """Return how a dimension value is shown: workspace names, "Default", or a dash for null."""
    if dimension == "workspace":
        if value is None:
            return DEFAULT_WORKSPACE_NAME
        return (workspace_names or {}).get(value, value)
    return NONE_LABEL if value is None else value


def to_dollars(cents: Decimal) -> Decimal:
    """Convert cents to dollars exactly."""
    return cents / CENTS_PER_DOLLAR


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group of a report: its dimension values and exact cost in dollars."""

    values: tuple[DimensionValue, ...]
    cost: Decimal


def group_costs(
    items: Iterable[CostItem], dimensions: Sequence[str], filters: Filters | None = None
) -> list[GroupRow]:
    """Sum item costs per combination of dimension values, most expensive first."""
    cents_by_group: dict[tuple[DimensionValue, ...], Decimal] = defaultdict(Decimal)
    getters = [dimension_getter(name) for name in dimensions]
    for item in select(items, filters):
        cents_by_group[tuple(get(item) for get in getters)] += item.amount_cents
    rows = [GroupRow(key, to_dollars(cents)) for key, cents in cents_by_group.items()]
    rows.sort(key=lambda row: (-row.cost, tuple("" if v is None else v for v in row.values)))
    return rows


def total_cost(items: Iterable[CostItem], filters: Filters | None = None) -> Decimal:
    """Return the exact total in dollars of the items passing the filters."""
    return to_dollars(sum((item.amount_cents for item in select(items, filters)), Decimal(0)))


def daily_costs_by_group(
    items: Iterable[CostItem],
    dimension: str,
    days: Sequence[date],
    filters: Filters | None = None,
) -> dict[DimensionValue, list[Decimal]]:
    """Return, per value of one dimension, its cost in dollars on each of the given days."""
    day_index = {day: index for index, day in enumerate(days)}
    get = dimension_getter(dimension)
    series: dict[DimensionValue, list[Decimal]] = {}
    for item in select(items, filters):
        index = day_index.get(item.day)
        if index is None:
            continue
        value = get(item)
        row = series.get(value)
        if row is None:
            row = series[value] = [Decimal(0)] * len(days)
        row[index] += item.amount_cents
    return {value: [to_dollars(c) for c in cents] for value, cents in series.items()}


def daily_totals(
    items: Iterable[CostItem], days: Sequence[date], filters: Filters | None = None
) -> list[Decimal]:
    """Return the total cost in dollars of each given day."""
    day_index = {day: index for index, day in enumerate(days)}
    cents = [Decimal(0)] * len(days)
    for item in select(items, filters):
        index = day_index.get(item.day)
        if index is not None:
            cents[index] += item.amount_cents
    return [to_dollars(c) for c in cents]
