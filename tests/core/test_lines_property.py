"""Property: columnar sums over CostLines equal straight Decimal sums of the raw amounts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from costtui.core.chart_data import top_series
from costtui.core.dates import DateRange
from costtui.core.formatting import sparkline
from costtui.core.lines import CostLines
from costtui.core.models import CostItem, DayBucket, LoadedReport
from costtui.core.report import (
    DollarSeries,
    daily_costs_by_group,
    daily_totals,
    dollars_of,
    group_costs,
    total_cost,
)
from costtui.core.view_state import ItemSelection, ViewState, compute_level

RANGE = DateRange(date(2026, 3, 1), date(2026, 3, 4))
DAYS = RANGE.days()

amounts = st.builds(
    lambda units, places: Decimal(units).scaleb(-places),
    st.integers(min_value=-10**15, max_value=10**15),
    st.integers(min_value=0, max_value=12),
)
"""Cents with up to 12 decimals, negative ones included (credits)."""

# The description names the model (so by model sums the description's groups) but not always
# the token type (so by token type sums every key): both ways are checked.

items = st.lists(
    st.builds(
        lambda day, amount, workspace, model, token: CostItem(
            day, amount, "USD", workspace, model and f"{model} {token}", "tokens", model, token,
            None, None, None),
        st.sampled_from(DAYS), amounts, st.sampled_from([None, "ws_a", "ws_b", "ws_c"]),
        st.sampled_from([None, "opus", "sonnet"]), st.sampled_from(["input", "output"]),
    ),
    max_size=40,
)


def buckets_of(listed: list[CostItem], padding: int) -> list[DayBucket]:
    """Return a bucket per day; every other day is stored at a larger scale (trailing zeros)."""
    buckets = []
    for index, day in enumerate(DAYS):
        bucket = DayBucket(day, [item for item in listed if item.day == day])
        if index % 2:
            factor = 10**padding
            bucket = DayBucket.from_columns(day, bucket.keys,
                                            tuple(units * factor for units in bucket.amounts),
                                            bucket.scale + padding)
        buckets.append(bucket)
    return buckets


def straight(listed: list[CostItem], *fields: str) -> dict[tuple[object, ...], Decimal]:
    """Return the plain Decimal sum in dollars per combination of item fields."""
    sums: dict[tuple[object, ...], Decimal] = defaultdict(Decimal)
    for item in listed:
        sums[tuple(getattr(item, name) for name in fields)] += item.amount_cents
    return {group: cents / 100 for group, cents in sums.items()}


@settings(max_examples=200, deadline=None)
@given(items, st.integers(min_value=0, max_value=6))
def test_columnar_sums_equal_decimal_sums(listed: list[CostItem], padding: int) -> None:
    lines = CostLines.from_buckets(DAYS, buckets_of(listed, padding))
    assert total_cost(lines) == sum((item.amount_cents for item in listed), Decimal(0)) / 100
    by_workspace_model = straight(listed, "workspace_id", "model")
    assert {row.values: row.cost for row in group_costs(lines, ["workspace", "model"])} == (
        by_workspace_model)
    by_day = straight(listed, "day")
    assert daily_totals(lines, DAYS) == [by_day.get((day,), Decimal(0)) for day in DAYS]
    per_day_model = straight([item for item in listed if item.workspace_id == "ws_a"],
                             "model", "day")
    series = daily_costs_by_group(lines, "model", DAYS, {"workspace": "ws_a"})
    assert series == {
        model: [per_day_model.get((model, day), Decimal(0)) for day in DAYS]
        for model, in {(item.model,) for item in listed if item.workspace_id == "ws_a"}
    }
    for field, dimension in (("model", "model"), ("token_type", "token_type"),
                             ("workspace_id", "workspace")):
        per_day = straight(listed, field, "day")
        assert daily_costs_by_group(lines, dimension, DAYS) == {
            value: [per_day.get((value, day), Decimal(0)) for day in DAYS]
            for value, in {(getattr(item, field),) for item in listed}}
    day_rows = group_costs(lines, ["day", "token_type"], {"model": "opus"})
    assert {row.values: row.cost for row in day_rows} == {
        (day.isoformat(), token): cost for (day, token), cost in straight(
            [item for item in listed if item.model == "opus"], "day", "token_type").items()}


@settings(max_examples=100, deadline=None)
@given(items, items)
def test_level_rows_equal_decimal_sums(listed: list[CostItem], before: list[CostItem]) -> None:
    shift = timedelta(days=RANGE.day_count)
    previous = [CostItem(item.day - shift, item.amount_cents, "USD", item.workspace_id, None,
                         "tokens", item.model, item.token_type, None, None, None)
                for item in before]
    report = LoadedReport(
        date_range=RANGE, api_group_by=("workspace_id", "description"),
        lines=CostLines.from_buckets(DAYS, buckets_of(listed, 3)),
        previous_lines=CostLines.from_items(previous, RANGE.previous().days()),
        organization_name="Org", workspace_names={},
        fetched_at=datetime(2026, 3, 5, tzinfo=timezone.utc))
    level = compute_level(report, ViewState(drill_path=("model", "workspace")))
    now, then = straight(listed, "model"), straight(previous, "model")
    per_day = straight(listed, "model", "day")
    assert {row.value: (row.cost, row.previous_cost) for row in level.rows} == {
        model: (now.get((model,), Decimal(0)), then.get((model,), Decimal(0)))
        for model, in set(now) | set(then)}
    assert {row.value: row.daily for row in level.rows if (row.value,) in now} == {
        model: tuple(per_day.get((model, day), Decimal(0)) for day in DAYS) for model, in now}
    assert level.total == sum(now.values(), Decimal(0))
    assert level.previous_total == sum(then.values(), Decimal(0))
    by_day = compute_level(report, ViewState(drill_path=("day",)))
    days_now, days_then = straight(listed, "day"), straight(previous, "day")
    assert sorted((row.value, row.cost, row.previous_cost) for row in by_day.rows) == [
        (day.isoformat(), days_now.get((day,), Decimal(0)),
         days_then.get((day - shift,), Decimal(0))) for day in DAYS]


@settings(max_examples=100, deadline=None)
@given(items, items)
def test_levels_merged_from_prepared_description_groups_equal_levels_grouped_directly(
    listed: list[CostItem], before: list[CostItem],
) -> None:
    def report() -> LoadedReport:
        return LoadedReport(
            date_range=RANGE, api_group_by=("workspace_id", "description"),
            lines=CostLines.from_buckets(DAYS, buckets_of(listed, 2)),
            previous_lines=CostLines.from_items(
                [CostItem(item.day - timedelta(days=RANGE.day_count), *vars_of(item))
                 for item in before], RANGE.previous().days()),
            organization_name="Org", workspace_names={},
            fetched_at=datetime(2026, 3, 5, tzinfo=timezone.utc))

    direct, prepared = ItemSelection(report()), ItemSelection(report())
    prepared.prepare_pivots()
    for dimension in ("model", "token_type", "cost_type", "description"):
        assert prepared.grouped({}, dimension) == direct.grouped({}, dimension)
        assert [row.value for row in prepared.grouped({}, dimension).rows] == [
            row.value for row in direct.grouped({}, dimension).rows]


def vars_of(item: CostItem) -> tuple[object, ...]:
    """Return an item's fields after its day."""
    return (item.amount_cents, item.currency, item.workspace_id, item.description,
            item.cost_type, item.model, item.token_type, item.service_tier, item.context_window,
            item.inference_geo)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-10**24, max_value=10**24), max_size=60),
       st.integers(min_value=0, max_value=9), st.none() | st.integers(min_value=1, max_value=70))
def test_a_series_kept_as_units_reads_and_draws_as_its_decimal_dollars(
    units: list[int], scale: int, width: int | None,
) -> None:
    dollars = tuple(dollars_of(units, scale))
    series = DollarSeries(units, scale)

    assert series == dollars and dollars == series and hash(series) == hash(dollars)
    assert list(series) == list(dollars) and len(series) == len(dollars)
    assert [str(value) for value in series] == [str(value) for value in dollars]  # exponents too
    if units:
        assert (series[0], series[-1], series[1:3]) == (dollars[0], dollars[-1], dollars[1:3])
    # The trend sparkline drawn from the units is the one drawn from the Decimal dollars.
    assert sparkline(series, width) == sparkline(dollars, width)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=-10**15, max_value=10**15), min_size=4,
                         max_size=4), max_size=9),
       st.integers(min_value=0, max_value=9), st.integers(min_value=0, max_value=7))
def test_a_chart_of_series_kept_as_units_is_the_chart_of_their_decimal_dollars(
    groups: list[list[int]], scale: int, top: int,
) -> None:
    labels = [f"group {index}" for index in range(len(groups))]
    as_units = top_series({label: DollarSeries(units, scale)
                           for label, units in zip(labels, groups, strict=True)}, DAYS, top)
    as_dollars = top_series({label: tuple(dollars_of(units, scale))
                             for label, units in zip(labels, groups, strict=True)}, DAYS, top)

    assert as_units == as_dollars
    assert str(as_units.total) == str(as_dollars.total)
    assert [[str(value) for value in series.values] for series in as_units.series] == [
        [str(value) for value in series.values] for series in as_dollars.series]
