"""Unit tests of stepping through time, number-key presets and the previous period's name."""

from __future__ import annotations

from datetime import date

import pytest

from costtui.core.dates import DateRange, DateRangeError, preset_range
from costtui.core.periods import (
    change_label,
    preset_for_key,
    short_range,
    step_range,
    whole_months,
)

TODAY = date(2026, 11, 25)


def test_last_month_steps_to_the_month_before_and_back() -> None:
    last_month = preset_range("last-month", TODAY)
    assert last_month == DateRange(date(2026, 10, 1), date(2026, 10, 31))
    assert whole_months(last_month) == 1
    assert step_range(last_month, -1, TODAY) == DateRange(date(2026, 9, 1), date(2026, 9, 30))
    assert step_range(last_month, -2, TODAY) == DateRange(date(2026, 8, 1), date(2026, 8, 31))
    february = DateRange(date(2028, 2, 1), date(2028, 2, 29))
    assert step_range(february, 1, date(2028, 12, 1)) == DateRange(
        date(2028, 3, 1), date(2028, 3, 31))
    quarter = DateRange(date(2026, 1, 1), date(2026, 3, 31))
    assert step_range(quarter, 1, TODAY) == DateRange(date(2026, 4, 1), date(2026, 6, 30))


def test_other_ranges_step_by_their_day_count_and_stop_at_today() -> None:
    last_30 = preset_range("last-30-days", TODAY)
    before = step_range(last_30, -1, TODAY)
    assert before == DateRange(date(2026, 9, 27), date(2026, 10, 26))
    assert step_range(before, 1, TODAY) == last_30
    with pytest.raises(DateRangeError, match="nothing after today"):
        step_range(last_30, 1, TODAY)
    this_month = preset_range("this-month", TODAY)
    assert whole_months(this_month) == 0
    partly_future = DateRange(date(2026, 11, 20), date(2026, 11, 24))
    assert step_range(partly_future, 1, TODAY) == DateRange(date(2026, 11, 25), TODAY)


def test_number_keys_pick_presets_in_dialog_order() -> None:
    assert [preset_for_key(str(number)) for number in range(1, 10)] == [
        "today", "yesterday", "last-7-days", "last-30-days", "last-90-days", "this-month",
        "last-month", "year-to-date", "last-12-months"]
    assert preset_for_key("0") is None and preset_for_key("x") is None


def test_the_change_label_names_the_previous_period() -> None:
    november = DateRange(date(2026, 11, 1), date(2026, 11, 30))
    assert change_label(november) == "Δ vs 2–31 Oct"
    assert change_label(preset_range("last-30-days", TODAY)) == "Δ vs 27 Sep–26 Oct"
    assert change_label(DateRange(TODAY, TODAY)) == "Δ vs 24 Nov"
    assert short_range(DateRange(date(2025, 12, 20), date(2026, 1, 3))) == (
        "20 Dec 2025–3 Jan 2026")


def test_row_info_names_ids_exact_amounts_source_and_freshness() -> None:
    from costtui.core.row_info import row_info_lines
    from costtui.core.view_state import ViewState, compute_level
    from tests.core.test_view_state import report

    loaded = report()
    state = ViewState().drill("ws_a")
    row = compute_level(loaded, state).rows[0]
    lines = row_info_lines(row, state, loaded, source_text="cache + live",
                           recent_days=[date(2026, 3, 2)])
    assert lines == [
        "Model: sonnet",
        "API value: sonnet",
        "Within Workspace: [prod] A (ws_a)",
        "Cost 2026-03-01 → 2026-03-02 UTC: $10.005 (exact, unrounded)",
        "Previous period 27–28 Feb: $5 · Δ +$5.00 (+100.1%)",
        "Days with cost: 1 of 2",
        "May be incomplete: 2026-03-02 (cost data lags up to 48 h); this row has no cost on "
        "them yet",
        "Source: cache + live · fetched 2026-03-03 12:00 UTC",
    ]
