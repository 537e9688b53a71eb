"""Month-end projection on synthetic series: exact Decimal results, edges and the band."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from costtui.core.dates import is_day_complete
from costtui.core.forecast import (
    Forecast,
    NoForecast,
    last_complete_day,
    month_days,
    project_month,
)


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


def series(first: date, last: date, cost: object) -> dict[date, Decimal]:
    """Return a daily series; `cost` is a Decimal or a function of the day."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return {day: cost(day) if callable(cost) else Decimal(str(cost)) for day in days}


def forecast(*args: object, **kwargs: object) -> Forecast:
    result = project_month(*args, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, Forecast), result
    return result


def test_day_completeness_follows_the_48_hour_lag() -> None:
    assert is_day_complete(date(2026, 11, 20), utc(2026, 11, 23, 0, 1))
    assert not is_day_complete(date(2026, 11, 21), utc(2026, 11, 23, 0, 1))
    assert last_complete_day(utc(2026, 11, 23)) == date(2026, 11, 20)


def test_flat_series_projects_the_same_cost_for_every_remaining_day() -> None:
    data = series(date(2026, 10, 1), date(2026, 11, 20), 100)
    result = forecast(data, utc(2026, 11, 23))
    assert result.month == date(2026, 11, 1)
    assert result.actual_to_date == Decimal(2000)
    assert (result.projected, result.low, result.high) == (Decimal("3000.00"),) * 3
    assert result.history_days == 51
    assert result.confidence_percent == 80


def test_weekly_pattern_projects_weekends_at_their_own_level() -> None:
    def cost(day: date) -> Decimal:
        return Decimal(40) if day.weekday() >= 5 else Decimal(100)

    data = series(date(2026, 9, 1), date(2026, 11, 20), cost)
    result = forecast(data, utc(2026, 11, 23))
    # Nov 21..30 2026: Sat, Sun, 5 weekdays, Sat, Sun, Mon → 6 weekdays and 4 weekend days.
    remaining = 6 * Decimal(100) + 4 * Decimal(40)
    month_to_date = sum((cost(day) for day in month_days(date(2026, 11, 1))[:20]), Decimal(0))
    assert result.actual_to_date == month_to_date
    assert result.projected == month_to_date + remaining
    assert result.low == result.high == result.projected


def test_growth_is_followed_by_the_14_day_median_level() -> None:
    # Eight flat weeks rising by $10 a week: every weekday factor is exactly 1, and the level is
    # the median of the last two weeks, (170 + 180) / 2 = 175: the method lags growth by a week.
    start = date(2026, 9, 28)  # a Monday
    data = series(start, start + timedelta(days=55),
                  lambda day: Decimal(110 + 10 * ((day - start).days // 7)))
    now = datetime.combine(start + timedelta(days=58), datetime.min.time(), timezone.utc)
    result = forecast(data, now + timedelta(hours=1))
    assert last_complete_day(now + timedelta(hours=1)) == date(2026, 11, 22)
    november_so_far = sum((cost for day, cost in data.items() if day.month == 11), Decimal(0))
    assert result.projected == november_so_far + 8 * Decimal(175)


def test_partial_days_count_the_larger_of_reported_and_expected() -> None:
    data = series(date(2026, 10, 1), date(2026, 11, 20), 100)
    data[date(2026, 11, 21)] = Decimal(30)  # still arriving: expected 100 is used
    data[date(2026, 11, 22)] = Decimal(250)  # already above expected: reported is used
    result = forecast(data, utc(2026, 11, 23))
    assert result.actual_to_date == Decimal(2280)
    assert result.projected == Decimal(2000 + 100 + 250 + 8 * 100)
    assert result.projected_days[:3] == (
        (date(2026, 11, 21), Decimal(100)), (date(2026, 11, 22), Decimal(250)),
        (date(2026, 11, 23), Decimal(100)))
    assert len(result.projected_days) == 10
    assert result.low >= result.actual_to_date


def test_fewer_than_seven_complete_days_give_the_reason_instead() -> None:
    data = series(date(2026, 11, 15), date(2026, 11, 20), "12.5")
    result = project_month(data, utc(2026, 11, 23))
    assert result == NoForecast(
        date(2026, 11, 1), Decimal(75),
        "only 6 complete days of history; a projection needs at least 7",
    )
    assert project_month({}, utc(2026, 11, 23)) == NoForecast(
        date(2026, 11, 1), Decimal(0),
        "only 0 complete days of history; a projection needs at least 7",
    )


def test_seven_complete_days_are_enough() -> None:
    data = series(date(2026, 11, 14), date(2026, 11, 20), "12.5")
    assert forecast(data, utc(2026, 11, 23)).projected == Decimal("87.5") + 10 * Decimal("12.5")


def test_once_the_last_day_of_the_month_is_complete_the_projection_is_the_actual() -> None:
    data = series(date(2026, 9, 1), date(2026, 11, 30), "33.333")
    data[date(2026, 11, 30)] = Decimal("1.005")
    result = forecast(data, utc(2026, 12, 3, 0, 1), month=date(2026, 11, 1))
    actual = Decimal("33.333") * 29 + Decimal("1.005")
    assert (result.actual_to_date, result.projected, result.low, result.high) == (actual,) * 4
    # A minute earlier, Nov 30 is still within the lag, so its expected cost counts instead.
    earlier = forecast(data, utc(2026, 12, 2, 23, 59), month=date(2026, 11, 1))
    assert earlier.projected == Decimal("999.99")  # 29 × 33.333 + max(1.005, 33.333), in cents


def test_leap_february_2028_has_29_days() -> None:
    assert len(month_days(date(2028, 2, 10))) == 29
    data = series(date(2027, 12, 1), date(2028, 2, 17), 100)
    result = forecast(data, utc(2028, 2, 20))
    assert result.month == date(2028, 2, 1)
    assert result.actual_to_date == Decimal(1700)
    assert result.projected == Decimal("2900.00")


def test_month_boundary_before_any_complete_day_of_the_new_month() -> None:
    # On Dec 1 the last complete day is Nov 28: all 31 days of December are still to come.
    data = series(date(2026, 10, 1), date(2026, 11, 28), 10)
    result = forecast(data, utc(2026, 12, 1))
    assert result.month == date(2026, 12, 1)
    assert result.actual_to_date == Decimal(0)
    assert result.projected == Decimal("310.00")


def noisy(day: date) -> Decimal:
    """A weekday pattern with deterministic noise, so the band has width."""
    base = Decimal(40) if day.weekday() >= 5 else Decimal(100)
    return base + Decimal((day.toordinal() * 37) % 23 - 11)


def test_band_is_seeded_ordered_and_never_below_the_actual() -> None:
    data = series(date(2026, 9, 1), date(2026, 11, 10), noisy)
    now = utc(2026, 11, 13)
    first, second = forecast(data, now), forecast(data, now)
    assert first == second
    assert first.actual_to_date <= first.low < first.projected < first.high
    other_seed = forecast(data, now, seed=14)
    assert other_seed.projected == first.projected
    assert (other_seed.low, other_seed.high) != (first.low, first.high)


def test_band_is_clamped_to_the_month_to_date_actual() -> None:
    data = series(date(2026, 9, 1), date(2026, 11, 27), noisy)
    data[date(2026, 11, 28)] = Decimal(5000)  # a huge partial day: everything is above it
    result = forecast(data, utc(2026, 11, 29, 1))
    assert result.low >= result.actual_to_date


@pytest.mark.parametrize("now", [utc(2026, 11, 5), utc(2026, 11, 25), utc(2028, 2, 29, 23, 30)])
def test_money_stays_decimal_and_in_cents(now: datetime) -> None:
    data = series(now.date() - timedelta(days=90), now.date() - timedelta(days=3), noisy)
    result = forecast(data, now)
    for amount in (result.projected, result.low, result.high):
        assert isinstance(amount, Decimal)
        assert amount == amount.quantize(Decimal("0.01"))
