"""Month-end projection of daily costs: weekday factors, a robust level and a bootstrap band.

Method (all Decimal): weekday factors f_w = median(cost on weekday w) / median(all days) over
the last 8 weeks of complete days (1 where a weekday has < 2 samples); level b = median(cost_d /
f_wd) over the last 14 complete days; projection = month-to-date actual + Σ remaining days
b·f_wd, where a day still within the data lag counts max(reported, expected). The 80 % band
comes from a seeded bootstrap: each run redraws the level from the 14 level samples and gives
every remaining day a relative residual (cost / expected − 1) drawn from the last 28 days'.
Relative residuals keep a quiet Sunday's miss from being replayed on a busy Tuesday; redrawing
the level adds the uncertainty that every remaining day shares.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from costtui.core.dates import DATA_LAG, is_day_complete
from costtui.core.stats import median, nearest_rank

CONFIDENCE_PERCENT = 80
"""The band covers the central 80 % of bootstrap outcomes (10th to 90th percentile)."""
MIN_HISTORY_DAYS = 7
FACTOR_DAYS = 56
LEVEL_DAYS = 14
RESIDUAL_DAYS = 28
BOOTSTRAP_RUNS = 1000
BOOTSTRAP_SEED = 13
METHOD = "weekday-factors-8w x median-level-14d, bootstrap-28d"
"""A short name of the method, for JSON consumers."""
CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Forecast:
    """A month's projected total with its 80 % band, in the unit of the input (USD)."""

    month: date
    """The first day of the projected UTC month."""
    actual_to_date: Decimal
    """Exact sum of what has been reported for the month so far (partial days included)."""
    projected: Decimal
    low: Decimal
    high: Decimal
    history_days: int
    """How many complete days the weekday factors were fitted on (at most 56)."""
    method: str = METHOD
    confidence_percent: int = CONFIDENCE_PERCENT
    projected_days: tuple[tuple[date, Decimal], ...] = ()
    """Each day after the last complete one with the cost it counts for (for a chart's path)."""


@dataclass(frozen=True, slots=True)
class NoForecast:
    """Why a month cannot be projected yet, with what is known so far."""

    month: date
    actual_to_date: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class _Model:
    """The fitted weekday factors, level samples and residuals."""

    factors: tuple[Decimal, ...]
    level_samples: tuple[Decimal, ...]
    level: Decimal
    residuals: tuple[Decimal, ...]

    def expected(self, day: date, level: Decimal | None = None) -> Decimal:
        """Return the expected cost of a day at the fitted (or a given) level."""
        return (self.level if level is None else level) * self.factors[day.weekday()]


def month_days(month: date) -> list[date]:
    """Return every day of the UTC month that contains `month`."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def last_complete_day(now: datetime, lag: timedelta = DATA_LAG) -> date:
    """Return the latest UTC day whose data is final at `now`."""
    day = now.date()
    while not is_day_complete(day, now, lag):
        day -= timedelta(days=1)
    return day


def project_month(
    daily_totals: Mapping[date, Decimal],
    now: datetime,
    *,
    month: date | None = None,
    lag: timedelta = DATA_LAG,
    seed: int = BOOTSTRAP_SEED,
    runs: int = BOOTSTRAP_RUNS,
    resample_level: bool = True,
    residual_days: int = RESIDUAL_DAYS,
) -> Forecast | NoForecast:
    """Project the total of `month` (default: the UTC month of `now`) from daily totals.

    Days between the first given day and the last complete day that are missing count as zero
    (a day without cost lines); days after it are partial or still to come.
    """
    days = month_days(month or now.date())
    last_complete = last_complete_day(now, lag)
    reported = [daily_totals.get(day, ZERO) for day in days]
    actual = sum(reported, ZERO)
    if days[-1] <= last_complete:
        return Forecast(days[0], actual, actual, actual, actual, _complete_count(
            daily_totals, last_complete, FACTOR_DAYS))
    history = _complete_history(daily_totals, last_complete)
    if len(history) < MIN_HISTORY_DAYS:
        reason = (
            f"only {len(history)} complete day{'s' if len(history) != 1 else ''} of history; "
            f"a projection needs at least {MIN_HISTORY_DAYS}"
        )
        return NoForecast(days[0], actual, reason)
    model = _fit(history, last_complete, residual_days)
    settled = sum((cost for day, cost in zip(days, reported, strict=True)
                   if day <= last_complete), ZERO)
    remaining = [(day, cost) for day, cost in zip(days, reported, strict=True)
                 if day > last_complete]
    path = tuple((day, max(cost, model.expected(day))) for day, cost in remaining)
    projected = settled + sum((cost for _, cost in path), ZERO)
    rng = random.Random(seed)
    outcomes = sorted(
        _simulate(model, settled, remaining, rng, resample_level) for _ in range(runs)
    )
    low = min(nearest_rank(outcomes, (100 - CONFIDENCE_PERCENT) // 2), projected)
    high = max(nearest_rank(outcomes, (100 + CONFIDENCE_PERCENT) // 2), projected)
    return Forecast(
        days[0],
        actual,
        max(_cents(projected), actual),
        max(_cents(low), actual),
        max(_cents(high), actual),
        min(len(history), FACTOR_DAYS),
        projected_days=path,
    )


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _complete_count(daily_totals: Mapping[date, Decimal], last: date, cap: int) -> int:
    if not daily_totals:
        return 0
    return max(0, min(cap, (last - min(daily_totals)).days + 1))


def _complete_history(daily_totals: Mapping[date, Decimal], last: date) -> list[Decimal]:
    """Return the complete days' costs, oldest first, from the first given day to `last`."""
    if not daily_totals:
        return []
    first = min(daily_totals)
    count = (last - first).days + 1
    return [daily_totals.get(first + timedelta(days=n), ZERO) for n in range(max(count, 0))]


def _fit(history: Sequence[Decimal], last_complete: date, residual_days: int) -> _Model:
    """Fit weekday factors, the level and relative residuals on the complete history."""
    dated = [
        (last_complete - timedelta(days=len(history) - 1 - index), cost)
        for index, cost in enumerate(history)
    ]
    factor_window = dated[-FACTOR_DAYS:]
    overall = median([cost for _, cost in factor_window])
    factors = [ONE] * 7
    if overall > 0:
        for weekday in range(7):
            samples = [cost for day, cost in factor_window if day.weekday() == weekday]
            if len(samples) >= 2:
                factors[weekday] = median(samples) / overall
    level_samples = tuple(
        cost / factors[day.weekday()]
        for day, cost in dated[-LEVEL_DAYS:]
        if factors[day.weekday()] > 0
    )
    level = median(level_samples) if level_samples else ZERO
    residuals = tuple(
        cost / (level * factors[day.weekday()]) - ONE
        for day, cost in dated[-residual_days:]
        if level * factors[day.weekday()] > 0
    )
    return _Model(tuple(factors), level_samples, level, residuals or (ZERO,))


def _simulate(
    model: _Model,
    settled: Decimal,
    remaining: Sequence[tuple[date, Decimal]],
    rng: random.Random,
    resample_level: bool,
) -> Decimal:
    """Return one bootstrap outcome of the month's total (integer draws, Decimal money)."""
    level = model.level
    samples = model.level_samples
    if resample_level and samples:
        level = median([samples[rng.randrange(len(samples))] for _ in samples])
    residuals = model.residuals
    total = settled
    for day, reported in remaining:
        draw = model.expected(day, level) * (ONE + residuals[rng.randrange(len(residuals))])
        total += max(reported, draw)
    return total
