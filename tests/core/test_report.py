"""Pure grouping: every dimension, filters for drill-down, exact totals, API grouping choice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from costtui.core.dates import DateRange
from costtui.core.export import report_csv, report_json
from costtui.core.formatting import format_change, format_dollars, format_exact, sparkline
from costtui.core.models import CostItem
from costtui.core.report import (
    UnknownDimensionError,
    api_group_by_for,
    check_dimensions,
    daily_costs_by_group,
    daily_totals,
    display_value,
    group_costs,
    total_cost,
)


def item(day: int, cents: str, workspace: str | None, model: str | None, token: str | None,
         cost_type: str = "tokens") -> CostItem:
    """Return a description-grouped cost item of November 2026."""
    return CostItem(
        day=date(2026, 11, day), amount_cents=Decimal(cents), currency="USD",
        workspace_id=workspace, description=f"{model} {token}", cost_type=cost_type, model=model,
        token_type=token, service_tier="standard", context_window="0-200k", inference_geo="global",
    )


ITEMS = [
    item(1, "123.78912", "ws_a", "claude-sonnet-4-5", "output_tokens"),
    item(1, "0.1", "ws_a", "claude-sonnet-4-5", "uncached_input_tokens"),
    item(2, "1500", "ws_a", "claude-opus-4-1", "output_tokens"),
    item(2, "42.00001", None, "claude-sonnet-4-5", "output_tokens"),
    item(3, "7.5", "ws_b", None, None, cost_type="web_search"),
]


def test_groups_sum_exactly_and_sort_by_cost() -> None:
    rows = group_costs(ITEMS, ["workspace"])
    assert [(row.values, row.cost) for row in rows] == [
        (("ws_a",), Decimal("16.2388912")),
        ((None,), Decimal("0.4200001")),
        (("ws_b",), Decimal("0.075")),
    ]
    assert total_cost(ITEMS) == Decimal("16.7338913")
    assert sum((row.cost for row in rows), Decimal(0)) == total_cost(ITEMS)


def test_filters_drill_down_through_the_path() -> None:
    by_model = group_costs(ITEMS, ["model"], {"workspace": "ws_a"})
    assert [(row.values[0], row.cost) for row in by_model] == [
        ("claude-opus-4-1", Decimal("15")),
        ("claude-sonnet-4-5", Decimal("1.2388912")),
    ]
    drilled = {"workspace": "ws_a", "model": "claude-sonnet-4-5"}
    by_token = group_costs(ITEMS, ["token_type"], drilled)
    assert [(row.values[0], row.cost) for row in by_token] == [
        ("output_tokens", Decimal("1.2378912")),
        ("uncached_input_tokens", Decimal("0.001")),
    ]
    assert total_cost(ITEMS, {"workspace": None}) == Decimal("0.4200001")


def test_any_combination_and_order_of_dimensions() -> None:
    rows = group_costs(ITEMS, ["day", "cost_type"])
    assert [(row.values, row.cost) for row in rows] == [
        (("2026-11-02", "tokens"), Decimal("15.4200001")),
        (("2026-11-01", "tokens"), Decimal("1.2388912")),
        (("2026-11-03", "web_search"), Decimal("0.075")),
    ]


def test_daily_series() -> None:
    days = [date(2026, 11, d) for d in (1, 2, 3)]
    assert daily_totals(ITEMS, days) == [Decimal("1.2388912"), Decimal("15.4200001"),
                                          Decimal("0.075")]
    series = daily_costs_by_group(ITEMS, "workspace", days, {"model": "claude-sonnet-4-5"})
    assert series == {"ws_a": [Decimal("1.2388912"), Decimal(0), Decimal(0)],
                      None: [Decimal(0), Decimal("0.4200001"), Decimal(0)]}


def test_api_grouping_is_the_smallest_that_answers() -> None:
    assert api_group_by_for([]) == ()
    assert api_group_by_for(["day"]) == ()
    assert api_group_by_for(["workspace"]) == ("workspace_id",)
    assert api_group_by_for(["model"]) == ("description",)
    assert api_group_by_for(["token_type", "workspace"]) == ("workspace_id", "description")


def test_dimension_names_are_checked() -> None:
    assert check_dimensions(["workspace", "model"]) == ("workspace", "model")
    with pytest.raises(UnknownDimensionError, match="unknown dimension 'api_key_id'"):
        check_dimensions(["api_key_id"])
    with pytest.raises(UnknownDimensionError, match="repeated"):
        check_dimensions(["model", "model"])


def test_display_values_name_workspaces_and_nulls() -> None:
    names = {"ws_a": "[prod] Search"}
    assert display_value("workspace", "ws_a", names) == "[prod] Search"
    assert display_value("workspace", None, names) == "Default"
    assert display_value("workspace", "ws_zz", names) == "ws_zz"
    assert display_value("model", None) == "—"


def test_money_formatting_is_exact_where_it_must_be() -> None:
    assert format_dollars(Decimal("1234.565")) == "$1,234.56"
    assert format_dollars(Decimal("-0.015")) == "-$0.02"
    assert format_exact(Decimal("1500") / 100) == "15"
    assert format_exact(Decimal("0.00001") / 100) == "0.0000001"
    assert format_change(Decimal("12"), Decimal("10")) == ("+$2.00", "+20.0%")
    assert format_change(Decimal("5"), Decimal("0")) == ("+$5.00", "new")
    assert format_change(Decimal("0"), Decimal("4")) == ("-$4.00", "-100.0%")
    assert sparkline([Decimal(0), Decimal(4), Decimal(8)]) == "▁▅█"
    assert sparkline([Decimal(1)] * 60, width=10) == "█" * 10


def test_export_shapes() -> None:
    rows = group_costs(ITEMS, ["workspace", "model"])
    names = {"ws_a": "Prod", "ws_b": "Batch, nightly"}
    text = report_csv(rows, ["workspace", "model"], names)
    assert text.splitlines()[:3] == [
        "workspace,workspace_id,model,cost_usd",
        "Prod,ws_a,claude-opus-4-1,15",
        "Prod,ws_a,claude-sonnet-4-5,1.2388912",
    ]
    assert '"Batch, nightly",ws_b,,0.075' in text.splitlines()
    document = report_json(rows, ["workspace", "model"],
                           DateRange(date(2026, 11, 1), date(2026, 11, 3)), names,
                           total_cost(ITEMS))
    assert '"total_usd": "16.7338913"' in document
    assert '{\n      "workspace": "Default",\n      "workspace_id": null,' in document
