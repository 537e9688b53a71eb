"""Spike days: robust scores of daily costs per group, and which children explain a spike.

Expected cost of a day: the median of the same weekday over the previous 4 weeks, or, when the
group has fewer than 3 of those, the median of the previous 14 days. The score is the modified
z-score of the day's residual (actual − expected) among the residuals of the trailing 28 days,
0.6745·(r − median)/MAD (Iglewicz & Hoaglin); when MAD is 0 it falls back to
(r − median)/(1.253314·mean absolute deviation), and to 0 when every residual is equal.
Only increases are flagged: score > 3.5, impact ≥ $5 and impact ≥ 20 % of expected; the
thresholds decide what is shown, never the score itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from costtui.core.stats import mean_absolute_deviation, median, median_absolute_deviation

GroupKey = TypeVar("GroupKey")

MIN_HISTORY_DAYS = 14
"""A group is scored only from its 15th day of data on (its first day with a cost)."""
RESIDUAL_MIN_HISTORY_DAYS = 7
"""Days of history a day needs before its residual joins a trailing window."""
SAME_WEEKDAY_WEEKS = 4
MIN_SAME_WEEKDAY_SAMPLES = 3
FALLBACK_DAYS = 14
WINDOW_DAYS = 28
SCORE_THRESHOLD = Decimal("3.5")
MIN_IMPACT = Decimal(5)
MIN_IMPACT_SHARE = Decimal("0.2")
MAD_SCALE = Decimal("0.6745")
MEAN_AD_SCALE = Decimal("1.253314")
ZERO = Decimal(0)
_WEEKS = [timedelta(weeks=weeks) for weeks in range(1, SAME_WEEKDAY_WEEKS + 1)]
_FALLBACK = timedelta(days=FALLBACK_DAYS)
_STEPS = [timedelta(days=days) for days in range(max(WINDOW_DAYS, FALLBACK_DAYS))]
"""0, 1, 2… days: built once, not per day scored."""


@dataclass(frozen=True, slots=True)
class DayScore(Generic[GroupKey]):
    """One group's day: actual and expected cost, their difference and its robust score."""

    day: date
    group: GroupKey
    actual: Decimal
    expected: Decimal
    impact: Decimal
    """actual − expected; positive when the day cost more than usual."""
    score: Decimal
    """The modified z-score of the residual, exact (round it only to show it)."""

    @property
    def is_spike(self) -> bool:
        """Tell whether the day passes every display threshold (increases only)."""
        return self.score > SCORE_THRESHOLD and large_enough(self.impact, self.expected)


@dataclass(frozen=True, slots=True)
class ChildShare(Generic[GroupKey]):
    """A child of a spiking group (e.g. a model in a workspace) and its part of the impact."""

    child: GroupKey
    actual: Decimal
    expected: Decimal
    impact: Decimal
    share: Decimal
    """impact / the parent's impact; shares need not add up to 1, medians are not additive."""


class _Series:
    """One group's daily costs from its first day with a cost, with expected costs cached."""

    def __init__(self, costs: Mapping[date, Decimal]) -> None:
        active = [day for day, cost in costs.items() if cost != 0]
        self.start = min(active) if active else None
        self.costs = costs
        self._residuals: dict[date, Decimal | None] = {}
        self._expected: dict[date, Decimal | None] = {}

    def cost(self, day: date) -> Decimal:
        """Return the day's cost; a day without lines in the data cost nothing."""
        return self.costs.get(day, ZERO)

    def history_days(self, day: date) -> int:
        """Return how many days of this group's data come before `day`."""
        return 0 if self.start is None else (day - self.start).days

    def expected(self, day: date) -> Decimal | None:
        """Return the expected cost of a day from the days before it, or None without history."""
        if day not in self._expected:
            self._expected[day] = self._expected_from_history(day)
        return self._expected[day]

    def _expected_from_history(self, day: date) -> Decimal | None:
        """Return the median of the same weekdays before `day`, else of the days just before."""
        if self.start is None or day <= self.start:
            return None
        start, costs = self.start, self.costs
        same_weekday = [costs.get(past, ZERO) for week in _WEEKS if (past := day - week) >= start]
        if len(same_weekday) >= MIN_SAME_WEEKDAY_SAMPLES:
            return median(same_weekday)
        first = max(start, day - _FALLBACK)
        return median([costs.get(first + step, ZERO) for step in _STEPS[:(day - first).days]])

    def residual(self, day: date) -> Decimal | None:
        """Return actual − expected for a day with enough history, cached."""
        if day not in self._residuals:
            expected = self.expected(day)
            usable = expected is not None and self.history_days(day) >= RESIDUAL_MIN_HISTORY_DAYS
            self._residuals[day] = (
                self.cost(day) - expected if usable and expected is not None else None
            )
        return self._residuals[day]

    def window(self, day: date) -> list[Decimal]:
        """Return the trailing window's residuals up to `day`, days without one left out."""
        residual = self.residual
        return [past for step in _STEPS[:WINDOW_DAYS] if (past := residual(day - step)) is not None]


def modified_z_score(value: Decimal, sample: Sequence[Decimal]) -> Decimal:
    """Return 0.6745·(value − median)/MAD of `sample`, with the mean-deviation fallback at MAD 0."""
    centre = median(sample)
    mad = median_absolute_deviation(sample, centre)
    if mad > 0:
        return MAD_SCALE * (value - centre) / mad
    mean_ad = mean_absolute_deviation(sample, centre)
    if mean_ad > 0:
        return (value - centre) / (MEAN_AD_SCALE * mean_ad)
    return ZERO


def large_enough(impact: Decimal, expected: Decimal) -> bool:
    """Tell whether an impact passes the display thresholds that do not need the score."""
    return impact >= MIN_IMPACT and impact >= MIN_IMPACT_SHARE * expected


def score_days(
    costs: Mapping[date, Decimal],
    days: Sequence[date],
    group: GroupKey,
    only_large: bool = False,
) -> list[DayScore[GroupKey]]:
    """Score each of `days` for one group; its history starts on its first day with a cost.

    Days after that without an entry in `costs` cost nothing (the API sends no line for them).
    With `only_large`, days whose impact is too small to be a spike are left out unscored.
    """
    series = _Series(costs)
    scores: list[DayScore[GroupKey]] = []
    for day in days:
        if series.history_days(day) < MIN_HISTORY_DAYS:
            continue
        residual, expected = series.residual(day), series.expected(day)
        if residual is None or expected is None:
            continue
        if only_large and not large_enough(residual, expected):
            continue
        score = modified_z_score(residual, series.window(day))
        scores.append(DayScore(day, group, series.cost(day), expected, residual, score))
    return scores


def find_spikes(
    costs_by_group: Mapping[GroupKey, Mapping[date, Decimal]],
    days: Sequence[date],
) -> list[DayScore[GroupKey]]:
    """Return the spike days of every group among `days`, largest impact first."""
    spikes = [
        scored
        for group, costs in costs_by_group.items()
        for scored in score_days(costs, days, group, only_large=True)
        if scored.is_spike
    ]
    spikes.sort(key=lambda spike: (-spike.impact, spike.day, str(spike.group)))
    return spikes


def rank_children(
    children: Mapping[GroupKey, Mapping[date, Decimal]],
    day: date,
    parent_impact: Decimal,
) -> list[ChildShare[GroupKey]]:
    """Rank a spiking group's children by their share of its impact on `day`, largest first."""
    ranked: list[ChildShare[GroupKey]] = []
    for child, costs in children.items():
        series = _Series(costs)
        expected = series.expected(day) or ZERO
        impact = series.cost(day) - expected
        share = impact / parent_impact if parent_impact else ZERO
        ranked.append(ChildShare(child, series.cost(day), expected, impact, share))
    ranked.sort(key=lambda entry: (-entry.impact, str(entry.child)))
    return ranked
