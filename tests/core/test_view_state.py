"""Unit tests of the Textual-free view model and view export helpers, plus the import wall."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from costtui.core.dates import DateRange, incomplete_days
from costtui.core.lines import CostLines
from costtui.core.models import CostItem, LoadedReport
from costtui.core.view_export import (
    export_file_name,
    export_text,
    report_command,
    rows_to_look_at,
    view_rows,
    write_new_file,
)
from costtui.core.view_state import (
    NULL_ROW_KEY,
    DrillError,
    ItemSelection,
    ViewState,
    breadcrumb,
    compute_level,
    row_key_for,
    value_for_row_key,
)
from costtui.tui.widgets.level_table import plan_columns

RANGE = DateRange(date(2026, 3, 1), date(2026, 3, 2))


def item(day: date, cents: str, workspace: str | None, model: str | None,
         token_type: str | None = "output_tokens") -> CostItem:
    """Return one cost item."""
    return CostItem(day=day, amount_cents=Decimal(cents), currency="USD", workspace_id=workspace,
                    description=None, cost_type="tokens", model=model, token_type=token_type,
                    service_tier=None, context_window=None, inference_geo=None)


def report() -> LoadedReport:
    """Return a small report: two days and the two days before them."""
    march_1, march_2 = date(2026, 3, 1), date(2026, 3, 2)
    feb_27, feb_28 = date(2026, 2, 27), date(2026, 2, 28)
    return LoadedReport(
        date_range=RANGE,
        api_group_by=("workspace_id", "description"),
        lines=CostLines.from_items((
            item(march_1, "1000.5", "ws_a", "sonnet"),
            item(march_2, "0.25", "ws_a", "haiku", "uncached_input_tokens"),
            item(march_2, "300", None, "sonnet"),
            item(march_1, "50", "ws_new", None, None),
        ), RANGE.days()),
        previous_lines=CostLines.from_items((
            item(feb_27, "500", "ws_a", "sonnet"),
            item(feb_28, "400", None, "sonnet"),
            item(feb_28, "70", "ws_gone", "sonnet"),
        ), RANGE.previous().days()),
        organization_name="Org",
        workspace_names={"ws_a": "[prod] A", "ws_new": "New", "ws_gone": "Gone"},
        fetched_at=datetime(2026, 3, 3, 12, 0, tzinfo=timezone.utc),
    )


def test_level_rows_are_exact_with_previous_period_and_series() -> None:
    level = compute_level(report(), ViewState())
    assert [row.label for row in level.rows] == ["[prod] A", "Default", "New", "Gone"]
    first = level.rows[0]
    assert first.cost == Decimal("10.0075") and first.previous_cost == Decimal(5)
    assert first.daily == (Decimal("10.005"), Decimal("0.0025"))
    assert first.change_ratio == Decimal("1.0015")
    assert level.rows[2].change_ratio is None  # new
    assert level.rows[3].cost == 0 and level.rows[3].previous_cost == Decimal("0.7")
    assert level.total == Decimal("13.5075")
    assert level.previous_total == Decimal("9.7")
    assert level.daily_total == (Decimal("10.505"), Decimal("3.0025"))


def test_drill_up_pivot_and_path() -> None:
    state = ViewState()
    drilled = state.drill("ws_a")
    assert drilled.dimension == "model" and drilled.filters == {"workspace": "ws_a"}
    level = compute_level(report(), drilled)
    assert [(row.label, row.cost) for row in level.rows] == [
        ("sonnet", Decimal("10.005")), ("haiku", Decimal("0.0025"))]
    deepest = drilled.drill("sonnet")
    with pytest.raises(DrillError, match="last level"):
        deepest.drill("output_tokens")
    back, left = deepest.up()
    assert back == drilled and left == "sonnet"
    with pytest.raises(DrillError):
        state.up()
    pivoted = drilled.pivot("token_type")
    assert pivoted.drill_path == ("workspace", "token_type", "model")
    assert pivoted.pivot("cost_type").drill_path == ("workspace", "cost_type", "model")
    with pytest.raises(DrillError, match="already filtered"):
        drilled.pivot("workspace")
    assert drilled.with_path(("day",)).drilled_values == ()


def test_day_level_compares_with_the_same_place_in_the_previous_period() -> None:
    level = compute_level(report(), ViewState(drill_path=("day",)))
    by_day = {row.value: row for row in level.rows}
    assert set(by_day) == {"2026-03-01", "2026-03-02"}
    assert by_day["2026-03-01"].previous_cost == Decimal(5)
    assert by_day["2026-03-02"].previous_cost == Decimal("4.7")


def test_sort_and_text_filter() -> None:
    state = ViewState().sorted_by("name")
    assert not state.sort_descending
    assert [row.label for row in compute_level(report(), state).rows] == [
        "[prod] A", "Default", "Gone", "New"]
    by_change = ViewState().sorted_by("change_pct")
    assert [row.label for row in compute_level(report(), by_change).rows][0] == "New"
    filtered = compute_level(report(), ViewState(text_filter="PROD"))
    assert [row.label for row in filtered.rows] == ["[prod] A"]
    assert filtered.is_text_filtered and filtered.shown_total == Decimal("10.0075")
    assert ViewState().next_sort().sort_column == "share"


def test_row_keys_round_trip_including_null() -> None:
    assert row_key_for(None) == NULL_ROW_KEY and value_for_row_key(NULL_ROW_KEY) is None
    assert value_for_row_key(row_key_for("ws_a")) == "ws_a"


def test_breadcrumb_and_incomplete_days() -> None:
    state = ViewState().drill(None).drill("sonnet")
    assert breadcrumb(state, {}) == ["All costs", "Default", "sonnet", "by token type"]
    days = DateRange(date(2026, 11, 20), date(2026, 11, 25)).days()
    morning = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
    # A day is final 48 h after it ended: at 09:30 on the 25th, the 23rd (ended 33.5 h ago) is not.
    assert incomplete_days(days, morning) == [date(2026, 11, 23), date(2026, 11, 24),
                                              date(2026, 11, 25)]
    a_second_after_final = datetime(2026, 11, 26, 0, 0, 1, tzinfo=timezone.utc)
    assert incomplete_days(days, a_second_after_final) == [date(2026, 11, 24), date(2026, 11, 25)]
    assert incomplete_days(days, datetime(2026, 12, 31, tzinfo=timezone.utc)) == []


def test_export_of_a_drilled_view_matches_report_shapes(tmp_path: Path) -> None:
    state = ViewState().drill("ws_a")
    rows = view_rows(report(), state)
    assert rows.dimensions == ("workspace", "model")
    assert rows.total == Decimal("10.0075")
    csv_text = export_text(report(), state, "csv")
    assert csv_text.splitlines() == [
        "workspace,workspace_id,model,cost_usd",
        "[prod] A,ws_a,sonnet,10.005",
        "[prod] A,ws_a,haiku,0.0025",
    ]
    assert '"total_usd": "10.0075"' in export_text(report(), state, "json")
    name = export_file_name(RANGE, state, "csv")
    assert name == "costtui-2026-03-01_2026-03-02-workspace-model.csv"
    first = write_new_file(tmp_path, name, "a")
    second = write_new_file(tmp_path, name, "b")
    assert first.read_text() == "a" and second.name.endswith("-model-2.csv")


def test_report_command_and_rows_to_read() -> None:
    state = ViewState().drill("ws_a").with_text_filter("son")
    assert report_command(state, RANGE, demo=False, profile="work") == (
        "costtui report --profile work --from 2026-03-01 --to 2026-03-02 "
        "--group-by workspace,model --format csv")
    assert rows_to_look_at(state, {"ws_a": "[prod] A"}) == [
        "Workspace = [prod] A (ws_a)", "Model contains 'son'"]


def test_columns_give_numbers_their_width_first() -> None:
    numbers = {"cost": 10, "share": 6, "change": 10, "change_pct": 6}
    narrow = plan_columns(78, numbers, longest_name=40, day_count=30)
    assert narrow.numbers == numbers
    assert narrow.name + 2 + sum(w + 2 for w in numbers.values()) == 78
    assert (narrow.name, narrow.trend) == (36, 0), "names get the width before the trend"
    roomier = plan_columns(100, numbers, longest_name=40, day_count=30)
    assert (roomier.name, roomier.trend) == (40, 16)
    wide = plan_columns(200, numbers, longest_name=20, day_count=30)
    assert wide.name == 20 and wide.trend == 60  # two cells per day when there is room
    tiny = plan_columns(50, numbers, longest_name=40, day_count=30)
    assert tiny.trend == 0


def test_a_remembered_selection_gives_the_same_levels_and_groups_each_level_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import costtui.core.view_state as view_state

    loaded = report()
    selection = ItemSelection(loaded)
    top = ViewState(drill_path=("workspace", "model"))
    drilled = top.drill("ws_a")
    assert compute_level(loaded, top, selection) == compute_level(loaded, top)
    assert compute_level(loaded, drilled, selection) == compute_level(loaded, drilled)
    groupings: list[str] = []
    original = view_state._group_level
    monkeypatch.setattr(view_state, "_group_level",
                        lambda *args: groupings.append(args[1]) or original(*args))
    for state in (top.next_sort(), drilled, drilled.reversed_sort(), drilled.pivot("token_type")):
        compute_level(loaded, state, selection)
    assert groupings == ["token_type"]
    assert [row.label for row in compute_level(loaded, drilled, selection).rows] == [
        "sonnet", "haiku"]
    assert [row.cost for row in compute_level(loaded, drilled, selection).rows] == [
        Decimal("10.005"), Decimal("0.0025")]
