"""The token join and the API-key allocation over columns equal the CostItem paths exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costtui.core.key_allocation import COMPUTING_KEYS, keyed_items
from costtui.core.key_lines import allocated_lines, keyed_report, placeholder_lines
from costtui.core.lines import CostLines
from costtui.core.models import CostItem, LoadedReport
from costtui.core.report import DimensionValue
from costtui.core.token_join import token_figures
from costtui.core.token_level import token_columns
from costtui.core.token_lines import lines_token_figures, whole_figures
from costtui.core.usage import CONSOLE, UsageRow
from costtui.core.usage_index import usage_index
from costtui.data.demo_usage import USAGE_GROUPS
from tests.core.test_tokens import ITEMS, NOW, TEN_DAYS, USAGE, demo_usage

BY_KEY = demo_usage(TEN_DAYS, ("api_key_id", *USAGE_GROUPS[1:]))
LINES = CostLines.from_items(ITEMS, TEN_DAYS.days())
KEYED_ITEMS = keyed_items(ITEMS, BY_KEY, {})
LEVELS: list[tuple[str, dict[str, DimensionValue]]] = [
    ("model", {}), ("workspace", {}), ("inference_geo", {}), ("day", {}), ("token_type", {}),
    ("workspace", {"model": "claude-3-5-haiku"}), ("model", {"day": "2026-11-12"}),
    ("day", {"inference_geo": "us"}), ("model", {"workspace": None}),
]


@pytest.mark.parametrize(("dimension", "filters"), LEVELS)
def test_figures_from_columns_equal_those_from_items(
    dimension: str, filters: dict[str, DimensionValue]
) -> None:
    index = usage_index(USAGE)
    per_row = lines_token_figures(LINES, index, (dimension,), NOW, filters)
    assert per_row == token_figures(ITEMS, USAGE, (dimension,), NOW, filters)
    whole = whole_figures(per_row, lambda: lines_token_figures(LINES, index, (), NOW,
                                                               filters).get(()))
    assert whole == token_figures(ITEMS, USAGE, (), NOW, filters).get(())


def test_allocation_over_columns_gives_the_decimal_paths_parts_in_order() -> None:
    allocated = allocated_lines(LINES, usage_index(BY_KEY), {})
    expected = CostLines.from_items(KEYED_ITEMS, TEN_DAYS.days())
    assert allocated.keys == expected.keys
    assert allocated.items() == expected.items()
    assert amount(allocated) == amount(expected) == amount(LINES)


def amount(lines: CostLines) -> Decimal:
    return Decimal(lines.total()) / 10 ** lines.scale


@pytest.mark.parametrize("dimension", ["api_key", "model", "workspace"])
def test_key_level_figures_from_columns_equal_those_from_items(dimension: str) -> None:
    index = usage_index(BY_KEY)
    allocated = allocated_lines(LINES, index, {})
    for filters in ({}, {"api_key": "Console / Workbench"}):
        assert lines_token_figures(allocated, index, (dimension,), NOW, filters) == (
            token_figures(KEYED_ITEMS, BY_KEY, (dimension,), NOW, filters))


def test_placeholder_keeps_every_line_under_one_label() -> None:
    held = placeholder_lines(LINES, COMPUTING_KEYS)
    assert held.totals_by_group(["api_key"]) == {(COMPUTING_KEYS,): LINES.total()}
    assert len(held) == len(LINES)


def test_keyed_report_allocates_both_periods_and_keeps_the_totals() -> None:
    previous = CostLines.from_items([], TEN_DAYS.previous().days())
    report = LoadedReport(TEN_DAYS, ("workspace_id", "description"), LINES, previous, "Org",
                          {}, NOW)
    keyed = keyed_report(report, usage_index(BY_KEY), {})
    assert amount(keyed.lines) == amount(LINES)
    assert CONSOLE in {key[-1] for key in keyed.lines.keys}
    columns = token_columns(keyed.lines, usage_index(BY_KEY), "api_key", {}, NOW)
    assert columns.row("Console / Workbench")[0].replace(",", "").isdigit()


DAY = date(2026, 11, 10)


@given(st.lists(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=9,
                            allow_nan=False, allow_infinity=False), min_size=1, max_size=6),
       st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=5)
       .filter(lambda weights: sum(weights) > 0))
def test_allocated_columns_sum_exactly_to_each_line(
    amounts: list[Decimal], weights: list[int]
) -> None:
    items = [CostItem(DAY, cents, "USD", "wrkspc_1", f"line {number}", "tokens",
                      "claude-haiku-4-5", "output_tokens", "standard", "0-200k", "global")
             for number, cents in enumerate(amounts)]
    usage = [UsageRow(DAY, "wrkspc_1", "claude-haiku-4-5", "standard", "0-200k",
                      f"apikey_{number}", (0, 0, 0, 0, weight))
             for number, weight in enumerate(weights)]
    lines = CostLines.from_items(items, [DAY])
    allocated = allocated_lines(lines, usage_index(usage), {})
    assert allocated.items() == CostLines.from_items(keyed_items(items, usage, {}),
                                                     [DAY]).items()
    for number, cents in enumerate(amounts):
        parts = allocated.totals_by_group(["description"], {"description": f"line {number}"})
        assert Decimal(sum(parts.values())) / 10 ** allocated.scale == cents
