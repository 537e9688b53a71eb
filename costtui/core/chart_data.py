"""Pure, exact preparation of what the cost chart shows: top series, running sums, labels, ticks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from itertools import accumulate

from costtui.core.dates import MONTH_ABBREVIATIONS
from costtui.core.report import DollarSeries, dollars_of

NICE_STEP_MANTISSAS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
"""Tick steps are one of these times a power of ten."""

THOUSAND = Decimal(1000)
MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class ChartSeries:
    """One stacked group of the chart: its legend label and its dollars on each day."""

    label: str
    """The text shown in the legend, used literally (never parsed as markup)."""
    values: tuple[Decimal, ...]
    """Dollars per day, one value for each of the chart's days."""

    @property
    def total(self) -> Decimal:
        """Return the exact sum of the series over all days."""
        return sum(self.values, Decimal(0))


@dataclass(frozen=True)
class ChartData:
    """Everything one chart draws: its days, its series in legend order and the exact total."""

    days: tuple[date, ...]
    """The days on the x axis, in order."""
    series: tuple[ChartSeries, ...]
    """The series from largest to smallest total, with any "Other" series last."""
    total: Decimal
    """The exact sum of every group's cost, including the groups folded into "Other"."""

    @property
    def daily_totals(self) -> tuple[Decimal, ...]:
        """Return the exact sum of all series on each day."""
        return tuple(
            sum((series.values[index] for series in self.series), Decimal(0))
            for index in range(len(self.days))
        )

    @property
    def is_empty(self) -> bool:
        """Return True when there is nothing to draw: no days, no series or only zeros."""
        return not self.days or all(
            value == 0 for series in self.series for value in series.values
        )


def top_series(
    per_group: Mapping[str, Sequence[Decimal]],
    days: Sequence[date],
    top: int = 6,
    other_label: str = "Other",
) -> ChartData:
    """Keep the `top` groups with the largest totals and fold the rest into one "Other" series.

    Groups are ordered by descending total, ties by label; groups that are zero on every day draw
    nothing and are left out, but every group counts towards the exact `total`.
    """
    if top < 0:
        raise ValueError(f"top must be zero or more, not {top}")
    for label, values in per_group.items():
        if len(values) != len(days):
            raise ValueError(
                f"group {label!r} has {len(values)} daily values for {len(days)} days"
            )
    # Series kept as integer units of one scale are ranked and summed as integers: only the
    # drawn series become Decimal (the same values, exponents included).
    scale = _one_scale(per_group.values())
    values_of: Mapping[str, Sequence[Decimal | int]] = per_group if scale is None else {
        label: values.units for label, values in per_group.items()  # type: ignore[attr-defined]
    }
    zero: Decimal | int = Decimal(0) if scale is None else 0
    totals = {label: sum(values, zero) for label, values in values_of.items()}
    ranked = sorted(
        (label for label, values in values_of.items() if any(value != 0 for value in values)),
        key=lambda label: (-totals[label], label),
    )
    kept = [ChartSeries(label, tuple(per_group[label])) for label in ranked[:top]]
    rest = ranked[top:]
    if rest:
        other = [sum(column, zero)
                 for column in zip(*(values_of[label] for label in rest), strict=True)]
        kept.append(ChartSeries(other_label, _as_dollars(other, scale)))
    total = _as_dollars([sum(totals.values(), zero)], scale)[0]
    return ChartData(days=tuple(days), series=tuple(kept), total=total)


def _as_dollars(values: Sequence[Decimal | int], scale: int | None) -> tuple[Decimal, ...]:
    """Return sums as dollars: Decimal sums as they are, integer units at `scale` made Decimal."""
    if scale is None:
        return tuple(map(Decimal, values))
    return tuple(dollars_of(map(int, values), scale))


def _one_scale(series: Iterable[Sequence[Decimal]]) -> int | None:
    """Return the scale every series keeps its integer units at, or None (any other series)."""
    scales = {values.scale if isinstance(values, DollarSeries) else None for values in series}
    return scales.pop() if len(scales) == 1 else None


def cumulative(values: Sequence[Decimal]) -> list[Decimal]:
    """Return the running sums of the values, exactly."""
    return list(accumulate(values, initial=Decimal(0)))[1:]


def day_labels(days: Sequence[date]) -> list[str]:
    """Return a short label for each day ("Nov 03"), or ISO dates when the days span years."""
    if not days:
        return []
    if len({day.year for day in days}) > 1:
        return [day.isoformat() for day in days]
    return [f"{MONTH_ABBREVIATIONS[day.month - 1]} {day.day:02d}" for day in days]


def dollar_ticks(max_value: Decimal, count: int = 5) -> tuple[list[float], list[str]]:
    """Return at most `count` round tick positions from $0 up to at least `max_value`, labelled.

    The steps are computed in Decimal so that labels are exact ("$0.25", "$1.5k", "$12k"); the
    positions are floats because they only place ticks on the chart.
    """
    if count < 2:
        raise ValueError(f"count must be at least 2, not {count}")
    if max_value <= 0:
        return [0.0, 1.0], ["$0", "$1"]
    step = _nice_step(max_value / (count - 1))
    intervals = int((max_value / step).to_integral_value(rounding=ROUND_CEILING))
    values = [step * index for index in range(intervals + 1)]
    return [float(value) for value in values], [_dollar_label(value, step) for value in values]


def _nice_step(raw_step: Decimal) -> Decimal:
    """Return the smallest 1, 2, 2.5 or 5 times a power of ten that is at least `raw_step`."""
    exponent = raw_step.adjusted()
    mantissa = raw_step.scaleb(-exponent)
    chosen = next(nice for nice in NICE_STEP_MANTISSAS if nice >= mantissa)
    return chosen.scaleb(exponent)


def _dollar_label(value: Decimal, step: Decimal) -> str:
    """Return a compact tick label: "$0", "$250", "$0.25", "$1.5k" or "$2M"."""
    if value == 0:
        return "$0"
    if value >= MILLION:
        return f"${_plain(value / MILLION)}M"
    if value >= THOUSAND:
        return f"${_plain(value / THOUSAND)}k"
    if step == step.to_integral_value():
        return f"${_plain(value)}"
    exponent = step.normalize().as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    return f"${value:.{places}f}"


def _plain(value: Decimal) -> str:
    """Return a Decimal without trailing zeros or exponent ("1.5", "12")."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class ChartProjection:
    """The month-end projection on a cumulative chart: its path and band, in chart dollars."""

    days: tuple[date, ...]
    """The days of the path: the last complete day (its anchor) through the end of the month."""
    running: tuple[Decimal, ...]
    """The chart's running total projected on each of `days`."""
    low: Decimal
    high: Decimal
    """The 80 % band of the running total at the end of the month."""


def projection_path(
    data: ChartData, projected_days: Sequence[tuple[date, Decimal]], projected: Decimal,
    low: Decimal, high: Decimal,
) -> ChartProjection | None:
    """Continue a chart's running total with a month's projected days (None when out of range).

    The chart may start before the month: its running total at the anchor day carries over, and
    the band moves by the same offset (projected − low stays the month's own spread).
    """
    if not projected_days or not data.days:
        return None
    anchor_day = projected_days[0][0] - timedelta(days=1)
    if anchor_day not in data.days or data.days[-1] < anchor_day:
        return None
    running_totals = cumulative(data.daily_totals)
    anchor = running_totals[data.days.index(anchor_day)]
    path = [anchor, *(anchor + total for total in cumulative([cost for _, cost in projected_days]))]
    offset = path[-1] - projected
    return ChartProjection(
        days=(anchor_day, *(day for day, _ in projected_days)),
        running=tuple(path), low=low + offset, high=high + offset)
