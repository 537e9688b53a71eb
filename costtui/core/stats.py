"""Exact robust statistics on Decimal samples: median, absolute deviations, ranks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

TWO = Decimal(2)


def median(values: Sequence[Decimal]) -> Decimal:
    """Return the median of a non-empty sample; an even count averages the middle pair."""
    if not values:
        raise ValueError("median of an empty sample")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / TWO


def median_absolute_deviation(values: Sequence[Decimal], centre: Decimal) -> Decimal:
    """Return the median of |value − centre| over a non-empty sample."""
    return median([abs(value - centre) for value in values])


def mean_absolute_deviation(values: Sequence[Decimal], centre: Decimal) -> Decimal:
    """Return the mean of |value − centre| over a non-empty sample."""
    if not values:
        raise ValueError("mean absolute deviation of an empty sample")
    return sum((abs(value - centre) for value in values), Decimal(0)) / len(values)


def nearest_rank(ordered: Sequence[Decimal], percent: int) -> Decimal:
    """Return the nearest-rank percentile (0 < percent ≤ 100) of an already sorted sample.

    Integer arithmetic on the rank, so no float ever touches the money.
    """
    if not ordered or not 0 < percent <= 100:
        raise ValueError("nearest_rank needs a sample and 0 < percent <= 100")
    rank = -(-percent * len(ordered) // 100)  # ceil(percent/100 · n), 1-based
    return ordered[rank - 1]
