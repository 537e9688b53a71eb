"""Property: a level summed from a cached day's key sums as 64-bit lanes equals Decimal sums."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from costtui.core.clock import FixedClock
from costtui.core.lines import DAY, CostLines
from costtui.core.models import CostItem, DayBucket
from costtui.core.validation import MAX_ABS_CENTS, MAX_CENT_DECIMALS
from costtui.data.cache import CostCache
from tests.data.test_cache import GROUPING, NOW, days

DAYS = days(date(2026, 3, 1), 5)
FIELDS = ("workspace_id", "description", "model", "token_type")


def items_of(amounts: st.SearchStrategy[Decimal]) -> st.SearchStrategy[list[CostItem]]:
    """Return lists of cost items over DAYS (one day left empty) with these amounts."""
    return st.lists(st.builds(
        lambda day, amount, workspace, model, token: CostItem(
            day, amount, "USD", workspace, model and f"{model} {token}", "tokens", model, token,
            None, None, None),
        st.sampled_from(DAYS[:-1]), amounts, st.sampled_from([None, "ws_a", "ws_b", "ws_c"]),
        st.sampled_from([None, "opus", "sonnet"]), st.sampled_from(["input", "output"]),
    ), max_size=40)


def cents(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    """Return amounts of whole cents in [low, high] with up to `places` decimals."""
    return st.builds(lambda units, shift: Decimal(units).scaleb(-shift),
                     st.integers(min_value=low, max_value=high),
                     st.integers(min_value=0, max_value=places))


def cached_lines(listed: list[CostItem]) -> CostLines:
    """Store the items' days in a fresh cache (in two writes) and gather them as it reads them."""
    buckets = [DayBucket(day, tuple(item for item in listed if item.day == day)) for day in DAYS]
    with tempfile.TemporaryDirectory() as directory:
        cache = CostCache(Path(directory) / "costs.sqlite3", clock=FixedClock(NOW))
        cache.store("org-a", GROUPING, buckets[2:])  # later days first: keys out of day order
        cache.store("org-a", GROUPING, buckets[:2])
        loaded = list(cache.load_days("org-a", GROUPING, DAYS).values())
        cache.close()
    return CostLines.from_buckets(DAYS, loaded)


def decimal_series(listed: list[CostItem], field: str) -> dict[object, list[Decimal]]:
    """Return per value of the field its plain Decimal sum in cents on each day."""
    series: dict[object, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(DAYS))
    for item in listed:
        series[getattr(item, field)][DAYS.index(item.day)] += item.amount_cents
    return series


def assert_levels_equal_decimal_sums(lines: CostLines, listed: list[CostItem]) -> None:
    """Check every level's per-day groups, in order, and the daily totals against Decimal sums."""
    by_rows = CostLines.from_items(listed, DAYS)  # gathered from the items: summed from rows
    unit = Decimal(1).scaleb(-lines.scale)
    for field in FIELDS:
        summed = {value: list(units) for value, units in lines.series_by_group(field).items()}
        assert summed == {value: list(units)
                          for value, units in by_rows.series_by_group(field).items()}
        assert list(summed) == list(by_rows.series_by_group(field))  # groups in the same order
        assert {value: [units * unit for units in series] for value, series in summed.items()} \
            == decimal_series(listed, field)
    expected_daily = [sum((item.amount_cents for item in listed if item.day == day), Decimal(0))
                      for day in DAYS]
    assert [units * unit for units in lines.daily_totals()] == expected_daily
    assert [units * unit for units in lines.daily_totals({"workspace_id": "ws_b"})] == [
        sum((item.amount_cents for item in listed if item.day == day
             and item.workspace_id == "ws_b"), Decimal(0)) for day in DAYS]


@settings(max_examples=60, deadline=None)
@given(items_of(cents(0, 10**6, 6)))  # a day's key sums stay below 2**47
def test_levels_summed_as_lanes_from_cached_key_sums_equal_decimal_sums(
    listed: list[CostItem],
) -> None:
    lines = cached_lines(listed)
    assert_levels_equal_decimal_sums(lines, listed)
    # Amounts of this size, none negative, are summed as lanes, without building the rows.
    assert lines._key_lanes() is not None
    assert lines._rows is None


@settings(max_examples=60, deadline=None)
@given(items_of(cents(-int(MAX_ABS_CENTS) + 1, int(MAX_ABS_CENTS) - 1, MAX_CENT_DECIMALS)))
def test_levels_of_credits_and_huge_amounts_fall_back_to_rows_and_stay_exact(
    listed: list[CostItem],
) -> None:
    lines = cached_lines(listed)
    assert_levels_equal_decimal_sums(lines, listed)
    day_sums: dict[tuple[object, ...], Decimal] = defaultdict(Decimal)
    for item in listed:
        day_sums[item.day, item.workspace_id, item.description, item.token_type] += \
            item.amount_cents
    if any(units < 0 for units in day_sums.values()):
        assert lines._key_lanes() is None  # a key's credit on a day has no lane: rows serve


def test_a_day_of_whole_cents_is_scaled_into_the_lanes_and_a_day_filter_reads_its_row() -> None:
    listed = [CostItem(DAYS[0], Decimal("0.000125"), "USD", "ws_a", "opus input", "tokens",
                       "opus", "input", None, None, None),
              CostItem(DAYS[1], Decimal("7"), "USD", "ws_b", "opus input", "tokens",
                       "opus", "input", None, None, None),
              CostItem(DAYS[1], Decimal("2"), "USD", "ws_a", None, "tokens",
                       None, None, None, None, None)]
    lines = cached_lines(listed)

    assert lines._key_lanes() is not None  # day 2 is stored at scale 0, the lines at scale 6
    assert {value: list(units) for value, units in lines.series_by_group("workspace_id").items()} \
        == {"ws_a": [125, 2_000_000, 0, 0, 0], "ws_b": [0, 7_000_000, 0, 0, 0]}
    assert lines.daily_totals() == [125, 9_000_000, 0, 0, 0]
    assert lines.series_by_group("workspace_id", {DAY: DAYS[1].isoformat()}) == {
        "ws_b": [0, 7_000_000, 0, 0, 0], "ws_a": [0, 2_000_000, 0, 0, 0]}
