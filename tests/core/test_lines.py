"""CostLines: keys once, day series, lines that sum to zero, extra key fields, remembered sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from costtui.core.lines import DAY, CostLines
from costtui.core.models import LINE_KEY_FIELDS, CostItem, DayBucket
from costtui.core.report import group_costs, total_cost

MARCH_1, MARCH_2, MARCH_3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


def item(day: date, cents: str, workspace: str | None, model: str | None) -> CostItem:
    """Return one cost item."""
    return CostItem(day, Decimal(cents), "USD", workspace, None, "tokens", model,
                    "output_tokens", None, None, None)


ITEMS = [
    item(MARCH_1, "150.5", "ws_a", "opus"),
    item(MARCH_1, "-150.5", "ws_a", "opus"),  # a credit cancelling the charge
    item(MARCH_1, "0", "ws_b", "haiku"),
    item(MARCH_3, "0.000000000001", "ws_a", "sonnet"),
    item(MARCH_3, "2", "ws_a", "sonnet"),
]


def test_each_key_is_stored_once_with_a_series_over_the_days() -> None:
    lines = CostLines.from_items(ITEMS, [MARCH_1, MARCH_2, MARCH_3])
    assert len(lines.keys) == 3 and lines.scale == 12
    sonnet = lines.keys.index(("USD", "ws_a", None, "tokens", "sonnet", "output_tokens", None,
                               None, None))
    assert [row[sonnet] for row in lines.rows] == [0, 0, 2_000_000_000_001]
    assert len(lines) == 3  # lines of one key and day are summed
    assert [(each.day, each.amount_cents) for each in lines.items()] == [
        (MARCH_1, Decimal(0)), (MARCH_1, Decimal(0)), (MARCH_3, Decimal("2.000000000001"))]


def test_a_line_that_sums_to_zero_is_still_a_group_and_empty_days_are_not() -> None:
    lines = CostLines.from_items(ITEMS, [MARCH_1, MARCH_2, MARCH_3])
    by_model = {row.values: row.cost for row in group_costs(lines, ["model"])}
    assert by_model == {("sonnet",): Decimal("0.02000000000001"), ("opus",): 0, ("haiku",): 0}
    by_day = {row.values: row.cost for row in group_costs(lines, ["day"])}
    assert by_day == {("2026-03-01",): 0, ("2026-03-03",): Decimal("0.02000000000001")}
    assert total_cost(lines, {"day": "2026-03-02"}) == 0
    assert total_cost(lines, {"day": "not a day"}) == 0
    assert group_costs(lines, ["model"], {"day": "2026-03-01"}) == group_costs(
        [each for each in ITEMS if each.day == MARCH_1], ["model"])


def test_a_trailing_key_field_groups_without_changes_to_the_engine() -> None:
    fields = (*LINE_KEY_FIELDS, "api_key_id")
    base = ("USD", "ws_a", None, "tokens", "opus", "output_tokens", None, None, None)
    bucket = DayBucket.from_columns(MARCH_1, ((*base, "key_1"), (*base, "key_2"), (*base, None)),
                                    (100, 250, 5), 1)
    lines = CostLines.from_buckets([MARCH_1], [bucket], fields)
    assert lines.totals_by_group(["api_key_id"]) == {("key_1",): 100, ("key_2",): 250,
                                                     (None,): 5}
    assert lines.total({"api_key_id": "key_2", DAY: "2026-03-01"}) == 250
    assert [each.amount_cents for each in lines.items()] == [Decimal(10), Decimal(25),
                                                             Decimal("0.5")]
    assert CostLines.from_items(ITEMS).totals_by_group(["api_key_id"]) == {
        (None,): 2_000_000_000_001}


def test_sums_already_made_are_remembered() -> None:
    lines = CostLines.from_items(ITEMS)
    assert lines.series_by_group("model", {"workspace_id": "ws_a"}) is lines.series_by_group(
        "model", {"workspace_id": "ws_a"})
    assert lines.daily_totals({"workspace_id": "ws_a"}) == [0, 2_000_000_000_001]


def test_other_days_keep_only_the_lines_of_those_days() -> None:
    lines = CostLines.from_items(ITEMS)
    assert lines.days == (MARCH_1, MARCH_3)
    moved = lines.on_days([MARCH_2, MARCH_3])
    assert moved.days == (MARCH_2, MARCH_3) and moved.rows == ((0,), (2_000_000_000_001,))
    assert lines.on_days(lines.days) is lines


def test_a_window_joins_the_days_of_two_periods_at_one_scale() -> None:
    before = CostLines.from_items([item(MARCH_1, "1.5", "ws_gone", "opus"),
                                   item(MARCH_2, "2", "ws_a", "opus")], [MARCH_1, MARCH_2])
    after = CostLines.from_items(ITEMS[3:], [MARCH_3])
    window = CostLines.joined((before, after), [MARCH_2, MARCH_3, date(2026, 3, 9)])
    assert window.days == (MARCH_2, MARCH_3, date(2026, 3, 9)) and window.scale == 12
    assert {row.values: row.cost for row in group_costs(window, ["workspace", "day"])} == {
        ("ws_a", "2026-03-02"): Decimal("0.02"),
        ("ws_a", "2026-03-03"): Decimal("0.02000000000001")}
    assert [each.amount_cents for each in window.items()] == [Decimal(2),
                                                              Decimal("2.000000000001")]


def test_a_level_whose_daily_totals_are_known_sums_every_group_exactly_in_order() -> None:
    # The largest group (ws_b, three keys) is what the level's daily totals leave after the
    # others: it must still come out exact, in its place, and with a total past int64.
    listed = [item(MARCH_1, "1.25", "ws_a", "opus"), item(MARCH_1, "3", "ws_b", "opus"),
              item(MARCH_1, "-7", "ws_b", "haiku"), item(MARCH_2, "99999999999999999999", "ws_b",
                                                         "sonnet"),
              item(MARCH_3, "0.5", "ws_c", "opus"), item(MARCH_3, "0.000001", "ws_b", "opus")]
    lines = CostLines.from_items(listed, [MARCH_1, MARCH_2, MARCH_3])
    assert lines.daily_totals() == [-2_750000, 99999999999999999999_000000, 500001]  # known
    series = lines.series_by_group("workspace_id")
    assert list(series) == ["ws_a", "ws_b", "ws_c"]
    assert [list(units) for units in series.values()] == [
        [1_250000, 0, 0], [-4_000000, 99999999999999999999_000000, 1], [0, 0, 500000]]
    assert {model: list(units) for model, units in lines.series_by_group("model").items()} == {
        "opus": [4_250000, 0, 500001], "haiku": [-7_000000, 0, 0],
        "sonnet": [0, 99999999999999999999_000000, 0]}
