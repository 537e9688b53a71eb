"""UTC day ranges: presets at month, year and leap-day edges, typed dates, windows."""

from __future__ import annotations

from datetime import date

import pytest

from costtui.core.dates import (
    DateRange,
    DateRangeError,
    day_start,
    parse_api_time,
    parse_day,
    parse_range,
    preset_range,
)

PRESET_CASES = [
    # (today, preset, first, last)
    (date(2026, 11, 25), "today", date(2026, 11, 25), date(2026, 11, 25)),
    (date(2026, 11, 25), "yesterday", date(2026, 11, 24), date(2026, 11, 24)),
    (date(2026, 3, 1), "yesterday", date(2026, 2, 28), date(2026, 2, 28)),
    (date(2024, 3, 1), "yesterday", date(2024, 2, 29), date(2024, 2, 29)),
    (date(2026, 1, 1), "yesterday", date(2025, 12, 31), date(2025, 12, 31)),
    (date(2026, 11, 25), "last-7-days", date(2026, 11, 19), date(2026, 11, 25)),
    (date(2026, 1, 3), "last-7-days", date(2025, 12, 28), date(2026, 1, 3)),
    (date(2024, 3, 1), "last-7-days", date(2024, 2, 24), date(2024, 3, 1)),
    (date(2026, 11, 25), "last-30-days", date(2026, 10, 27), date(2026, 11, 25)),
    (date(2024, 3, 30), "last-30-days", date(2024, 3, 1), date(2024, 3, 30)),
    (date(2026, 11, 25), "last-90-days", date(2026, 8, 28), date(2026, 11, 25)),
    (date(2026, 11, 25), "this-month", date(2026, 11, 1), date(2026, 11, 25)),
    (date(2026, 11, 1), "this-month", date(2026, 11, 1), date(2026, 11, 1)),
    (date(2026, 11, 25), "last-month", date(2026, 10, 1), date(2026, 10, 31)),
    (date(2026, 1, 15), "last-month", date(2025, 12, 1), date(2025, 12, 31)),
    (date(2024, 3, 31), "last-month", date(2024, 2, 1), date(2024, 2, 29)),
    (date(2026, 3, 31), "last-month", date(2026, 2, 1), date(2026, 2, 28)),
    (date(2026, 11, 25), "year-to-date", date(2026, 1, 1), date(2026, 11, 25)),
    (date(2026, 1, 1), "year-to-date", date(2026, 1, 1), date(2026, 1, 1)),
    (date(2026, 11, 25), "last-12-months", date(2025, 12, 1), date(2026, 11, 25)),
    (date(2024, 2, 29), "last-12-months", date(2023, 3, 1), date(2024, 2, 29)),
]


@pytest.mark.parametrize(("today", "preset", "first", "last"), PRESET_CASES)
def test_presets_are_whole_utc_days(today: date, preset: str, first: date, last: date) -> None:
    assert preset_range(preset, today) == DateRange(first, last)


def test_last_n_days_counts_today_and_the_days_before() -> None:
    assert preset_range("last-7-days", date(2026, 11, 25)).day_count == 7
    assert preset_range("last-30-days", date(2026, 11, 25)).day_count == 30


def test_typed_dates_are_validated_with_a_fix() -> None:
    assert parse_day(" 2026-03-01 ") == date(2026, 3, 1)
    with pytest.raises(DateRangeError, match="use YYYY-MM-DD"):
        parse_day("2026-02-30")
    with pytest.raises(DateRangeError, match="swap the dates"):
        parse_range("2026-03-31", "2026-03-01", date(2026, 11, 25))


def test_missing_ends_default_to_the_last_30_days() -> None:
    today = date(2026, 11, 25)
    assert parse_range(None, None, today) == DateRange(date(2026, 10, 27), today)
    assert parse_range(None, "2026-03-31", today) == DateRange(date(2026, 3, 2), date(2026, 3, 31))


def test_windows_and_previous_period() -> None:
    march = DateRange(date(2026, 3, 1), date(2026, 3, 31))
    assert march.previous() == DateRange(date(2026, 1, 29), date(2026, 2, 28))
    assert [w.day_count for w in DateRange(date(2025, 1, 1), date(2025, 12, 31)).windows(31)] == [
        31] * 11 + [24]


def test_api_timestamps_are_utc() -> None:
    assert day_start(date(2026, 3, 1)) == "2026-03-01T00:00:00Z"
    assert parse_api_time("2026-03-01T00:00:00Z") == date(2026, 3, 1)
    assert parse_api_time("2026-03-01T01:00:00+02:00") == date(2026, 2, 28)
