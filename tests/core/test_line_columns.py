"""Property: columns gathered from key-table buckets (a cache read) equal those from keyed ones."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from costtui.core.dates import DateRange
from costtui.core.lines import CostLines
from costtui.core.models import DayBucket, LineKey, LoadedReport
from costtui.core.report import daily_costs_by_group, group_costs, total_cost
from costtui.core.view_state import ItemSelection

DAYS = DateRange(date(2026, 3, 1), date(2026, 3, 5)).days()
KEYS: list[LineKey] = [
    ("USD", workspace, f"{model} input", "tokens", model, "input", None, None, None)
    for workspace in (None, "ws_a", "ws_b") for model in ("opus", "sonnet", "haiku")]

lines_of_day = st.lists(st.tuples(st.integers(0, len(KEYS) - 1),
                                  st.integers(-10**20, 10**20)), max_size=12)
"""A day's lines: (key number, amount); a key may repeat within a day, amounts pass int64."""


def as_columns(lines: CostLines) -> tuple[object, ...]:
    """Return everything the columns hold, in order."""
    return (lines.days, lines.keys, tuple(map(tuple, lines.rows)), lines.scale,
            tuple(map(tuple, lines.day_keys)), len(lines))


@settings(max_examples=200, deadline=None)
@given(st.lists(lines_of_day, min_size=len(DAYS), max_size=len(DAYS)),
       st.permutations(range(len(KEYS))), st.lists(st.integers(0, 3), min_size=len(DAYS),
                                                   max_size=len(DAYS)),
       st.sets(st.sampled_from(DAYS)), st.booleans())
def test_key_table_buckets_gather_like_keyed_buckets(
    days: list[list[tuple[int, int]]], table_order: list[int], scales: list[int],
    fresh_days: set[date], duplicate_key: bool,
) -> None:
    # The table holds the keys in another order (stored order), one of them perhaps twice,
    # and keys no day uses; some days were fetched afresh (keys, no table) among cached ones.
    table = [KEYS[number] for number in table_order]
    if duplicate_key:
        table.append(table[0])
    position = {key: index for index, key in reversed(list(enumerate(table)))}
    keyed, indexed = [], []
    for day, (day_lines, scale) in zip(DAYS, zip(days, scales, strict=True), strict=True):
        keys = tuple(KEYS[number] for number, _ in day_lines)
        amounts = tuple(units for _, units in day_lines)
        keyed.append(DayBucket.from_columns(day, keys, amounts, scale))
        if day in fresh_days:
            indexed.append(keyed[-1])
            continue
        indexes = [len(table) - 1 if duplicate_key and key == table[0] and units % 2 else
                   position[key] for key, units in zip(keys, amounts, strict=True)]
        indexed.append(DayBucket.from_key_table(day, table, indexes, amounts, scale))

    expected = CostLines.from_buckets(DAYS, keyed)
    gathered = CostLines.from_buckets(DAYS, indexed)

    assert as_columns(gathered) == as_columns(expected)
    assert [bucket.keys for bucket in indexed] == [bucket.keys for bucket in keyed]
    later = DAYS[2:]  # a part of the days, as the previous period or a moved range reads
    assert as_columns(CostLines.from_buckets(later, indexed)) == as_columns(
        CostLines.from_buckets(later, keyed))
    straight = sum((Decimal(units).scaleb(-scale) for day_lines, scale in zip(days, scales,
                   strict=True) for _, units in day_lines), Decimal(0)) / 100
    assert total_cost(gathered) == straight
    assert group_costs(gathered, ["workspace", "model"]) == group_costs(
        expected, ["workspace", "model"])
    assert daily_costs_by_group(gathered, "model", DAYS) == daily_costs_by_group(
        expected, "model", DAYS)


def test_a_day_read_from_a_table_is_summed_per_key_and_renumbered_in_order_of_appearance(
) -> None:
    opus, sonnet, haiku = KEYS[0], KEYS[1], KEYS[2]
    table = [haiku, sonnet, opus]  # stored order: not the order the days show them in
    first = DayBucket.from_key_table(DAYS[0], table, [2, 1, 2], (5, 7, 2**70), 0)
    second = DayBucket.from_key_table(DAYS[1], table, [1], (3,), 0)

    lines = CostLines.from_buckets(DAYS[:2], [first, second])

    assert lines.keys == (opus, sonnet)  # haiku has no line on these days
    assert [tuple(row) for row in lines.rows] == [(5 + 2**70, 7), (0, 3)]
    assert [tuple(keys) for keys in lines.day_keys] == [(0, 1, 0), (1,)]
    assert len(lines) == 3
    assert [(item.model, item.amount_cents) for item in lines.items()] == [
        ("opus", Decimal(5 + 2**70)), ("sonnet", Decimal(7)), ("sonnet", Decimal(3))]


def level_rows(buckets: list[DayBucket]) -> list[tuple[object, ...]]:
    """Return the by-model level the TUI shows for these buckets: label, cost, daily costs."""
    report = LoadedReport(
        date_range=DateRange(DAYS[0], DAYS[-1]), api_group_by=("workspace_id", "description"),
        lines=CostLines.from_buckets(DAYS, buckets), previous_lines=CostLines.from_buckets([], []),
        organization_name="Org", workspace_names={},
        fetched_at=datetime(2026, 3, 6, tzinfo=timezone.utc))
    return [(row.label, row.cost, row.daily)
            for row in ItemSelection(report).grouped({}, "model").rows]


def test_a_level_grouped_from_cached_buckets_shows_what_keyed_buckets_show() -> None:
    table = list(reversed(KEYS))
    amounts = (100, 250, 3, 10**19)
    keyed = [DayBucket.from_columns(day, tuple(KEYS[:4]), amounts, 2) for day in DAYS]
    indexed = [DayBucket.from_key_table(day, table, [len(KEYS) - 1 - n for n in range(4)],
                                        amounts, 2) for day in DAYS]

    shown = level_rows(indexed)

    assert shown == level_rows(keyed)
    assert shown[0][:2] == ("opus", Decimal(5 * (100 + 10**19)) / 10**4)


def sums_per_index(indexes: list[int], amounts: tuple[int, ...]) -> list[int]:
    """Return the amounts summed per table index up to the last one used (what the cache stores)."""
    sums = [0] * (max(indexes, default=-1) + 1)
    for index, units in zip(indexes, amounts, strict=True):
        sums[index] += units
    return sums


@settings(max_examples=200, deadline=None)
@given(st.lists(lines_of_day, min_size=len(DAYS), max_size=len(DAYS)),
       st.permutations(range(len(KEYS))), st.lists(st.integers(0, 3), min_size=len(DAYS),
                                                   max_size=len(DAYS)),
       st.sets(st.sampled_from(DAYS)), st.sets(st.sampled_from(DAYS)))
def test_rows_copied_from_stored_key_sums_equal_rows_summed_from_lines(
    days: list[list[tuple[int, int]]], table_order: list[int], scales: list[int],
    fresh_days: set[date], days_without_sums: set[date],
) -> None:
    # Cached days carry their sums per table index (the cache's fast path), some do not (a sum
    # beyond int64), some days were fetched afresh; scales differ, so some rows are rescaled.
    table = [KEYS[number] for number in table_order]
    position = {key: index for index, key in enumerate(table)}
    keyed, indexed = [], []
    for day, day_lines, scale in zip(DAYS, days, scales, strict=True):
        keys = tuple(KEYS[number] for number, _ in day_lines)
        amounts = tuple(units for _, units in day_lines)
        keyed.append(DayBucket.from_columns(day, keys, amounts, scale))
        indexes = [position[key] for key in keys]
        sums = None if day in days_without_sums else sums_per_index(indexes, amounts)
        indexed.append(keyed[-1] if day in fresh_days else DayBucket.from_key_table(
            day, table, indexes, amounts, scale, key_sums=sums))

    for span in (DAYS, DAYS[2:], DAYS[::-1]):
        assert as_columns(CostLines.from_buckets(span, indexed)) == as_columns(
            CostLines.from_buckets(span, keyed))


def test_two_buckets_of_one_day_with_stored_sums_are_added_up() -> None:
    opus, sonnet = KEYS[0], KEYS[1]
    table = [sonnet, opus]
    first = DayBucket.from_key_table(DAYS[0], table, [1, 0], (5, 7), 0, key_sums=[7, 5])
    again = DayBucket.from_key_table(DAYS[0], table, [1], (2,), 1, key_sums=[0, 2])

    lines = CostLines.from_buckets(DAYS[:1], [first, again])

    assert lines.keys == (opus, sonnet)
    assert [tuple(row) for row in lines.rows] == [(52, 70)]
    assert [tuple(keys) for keys in lines.day_keys] == [(0, 1, 0)]


def stored_sums(indexes: list[int], amounts: list[int]) -> memoryview | None:
    """Return a day's amounts summed per key index as the cache reads them back, if in int64."""
    from array import array

    sums = [0] * (max(indexes, default=-1) + 1)
    for index, units in zip(indexes, amounts, strict=True):
        sums[index] += units
    try:
        return memoryview(array("q", sums).tobytes()).cast("q")
    except OverflowError:
        return None


amount = st.one_of(st.integers(0, 2**47 - 1), st.integers(2**46, 2**63 - 1),
                   st.integers(-2**63, 2**63 - 1), st.integers(-10**22, 10**22))
"""Amounts a day's sums may add as 64-bit lanes (in [0, 2**47)) and ones they may not."""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, len(KEYS) - 1), amount), max_size=10),
                min_size=len(DAYS), max_size=len(DAYS)),
       st.lists(st.integers(0, 3), min_size=len(DAYS), max_size=len(DAYS)),
       st.sets(st.sampled_from(DAYS)), st.sets(st.sampled_from(DAYS)))
def test_key_totals_from_stored_sums_equal_the_sums_of_the_rows_and_of_the_amounts(
    days: list[list[tuple[int, int]]], scales: list[int], fresh_days: set[date],
    split_days: set[date],
) -> None:
    # Cached days hold their key sums (read 64 bits at a time when they may be); fresh days
    # and days in two buckets add line by line. The totals must not depend on the way.
    table = list(reversed(KEYS))
    buckets = []
    for day, day_lines, scale in zip(DAYS, days, scales, strict=True):
        indexes = [len(KEYS) - 1 - number for number, _ in day_lines]
        amounts = [units for _, units in day_lines]
        if day in split_days:  # a day from two sources: its sums are not its row
            half = len(indexes) // 2
            buckets.append(DayBucket.from_key_table(day, table, indexes[:half], amounts[:half],
                                                    scale, None, stored_sums(indexes[:half],
                                                                             amounts[:half])))
            indexes, amounts = indexes[half:], amounts[half:]
        sums = None if day in fresh_days else stored_sums(indexes, amounts)
        buckets.append(DayBucket.from_key_table(day, table, indexes, amounts, scale, None, sums))

    straight = CostLines.from_buckets(DAYS, buckets)
    by_rows = CostLines.from_buckets(DAYS, buckets)
    assert len(by_rows.rows) == len(DAYS)  # rows first: totals are then summed from them
    assert straight.key_totals() == by_rows.key_totals()
    expected = sum((Decimal(units).scaleb(-scale) for day_lines, scale in zip(
        days, scales, strict=True) for _, units in day_lines), Decimal(0)) / 100
    assert total_cost(CostLines.from_buckets(DAYS, buckets)) == expected
    assert group_costs(CostLines.from_buckets(DAYS, buckets), ["model"]) == group_costs(
        by_rows, ["model"])


def test_stored_sums_near_the_top_of_int64_add_without_carrying_into_the_next_key() -> None:
    # Four days of one key at the int64 maximum (beyond what adds as lanes) beside a small key.
    table, top = KEYS[:2], 2**63 - 1
    buckets = [DayBucket.from_key_table(day, table, [0, 1], [top, 5], 0, None,
                                        stored_sums([0, 1], [top, 5])) for day in DAYS[:4]]
    assert CostLines.from_buckets(DAYS[:4], buckets).key_totals() == (4 * top, 20)
