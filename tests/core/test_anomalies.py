"""Spike days on synthetic series: what flags, what must not, exact scores and child shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from costtui.core.anomalies import (
    ChildShare,
    DayScore,
    find_spikes,
    modified_z_score,
    rank_children,
    score_days,
)

START = date(2026, 9, 7)  # a Monday
DAYS = [START + timedelta(days=n) for n in range(70)]
SPIKE_DAY = START + timedelta(days=50)  # Tuesday 2026-10-27


def series(cost: Callable[[date], Decimal], days: list[date] = DAYS) -> dict[date, Decimal]:
    return {day: cost(day) for day in days}


def flat(amount: str) -> Callable[[date], Decimal]:
    return lambda day: Decimal(amount)


def with_spike(base: dict[date, Decimal], day: date, amount: str) -> dict[date, Decimal]:
    return {**base, day: Decimal(amount)}


def test_one_spike_on_a_flat_series_flags_with_the_mean_deviation_score() -> None:
    costs = with_spike(series(flat("100")), SPIKE_DAY, "300")
    spikes = find_spikes({"wrkspc_a": costs}, DAYS)
    assert len(spikes) == 1
    spike = spikes[0]
    assert (spike.day, spike.group, spike.actual, spike.expected, spike.impact) == (
        SPIKE_DAY, "wrkspc_a", Decimal(300), Decimal(100), Decimal(200))
    # 27 zero residuals and one of 200: MAD is 0, so (200 − 0) / (1.253314 · 200/28).
    assert spike.score.quantize(Decimal("0.0001")) == Decimal("22.3408")


def test_a_recurring_monday_peak_does_not_flag() -> None:
    costs = series(lambda day: Decimal(300) if day.weekday() == 0 else Decimal(100))
    scored = score_days(costs, DAYS[28:], "wrkspc_a")
    assert len(scored) == 42
    assert all(entry.score == 0 and entry.expected == entry.actual for entry in scored)
    assert find_spikes({"wrkspc_a": costs}, DAYS) == []


def test_mad_zero_everywhere_scores_zero() -> None:
    scored = score_days(series(flat("12.34")), DAYS, "total")
    assert {entry.score for entry in scored} == {Decimal(0)}
    assert modified_z_score(Decimal(5), [Decimal(5)] * 28) == Decimal(0)


def test_modified_z_score_uses_the_mad_when_it_is_not_zero() -> None:
    sample = [Decimal(value) for value in (-2, -1, 0, 1, 2, 30)]
    # median 0.5, absolute deviations 2.5 1.5 0.5 0.5 1.5 29.5 → MAD 1.5
    assert modified_z_score(Decimal(30), sample) == Decimal("0.6745") * Decimal("29.5") / Decimal(
        "1.5")


def test_increases_only_are_flagged() -> None:
    costs = with_spike(series(flat("100")), SPIKE_DAY, "0")
    [entry] = [s for s in score_days(costs, [SPIKE_DAY], "wrkspc_a")]
    assert entry.impact == Decimal(-100) and entry.score < 0 and not entry.is_spike
    assert find_spikes({"wrkspc_a": costs}, DAYS) == []


def test_small_dollar_impact_is_scored_but_not_shown() -> None:
    costs = with_spike(series(flat("1")), SPIKE_DAY, "5.99")
    [entry] = score_days(costs, [SPIKE_DAY], "wrkspc_a")
    assert entry.impact == Decimal("4.99") and entry.score > Decimal("3.5")
    assert not entry.is_spike
    assert find_spikes({"wrkspc_a": with_spike(costs, SPIKE_DAY, "6")}, DAYS)[0].impact == 5


def test_impact_below_twenty_percent_of_expected_is_not_shown() -> None:
    costs = with_spike(series(flat("1000")), SPIKE_DAY, "1199")
    [entry] = score_days(costs, [SPIKE_DAY], "total")
    assert entry.score > Decimal("3.5") and not entry.is_spike
    assert find_spikes({"total": with_spike(costs, SPIKE_DAY, "1200")}, DAYS)[0].day == SPIKE_DAY


def test_a_group_needs_fourteen_days_of_history() -> None:
    young = {day: Decimal(100) for day in DAYS[40:]}
    young[DAYS[53]] = Decimal(900)  # 13 days after its first cost
    assert score_days(young, DAYS, "new")[0].day == DAYS[54]
    assert find_spikes({"new": young}, DAYS) == []
    young[DAYS[53]], young[DAYS[54]] = Decimal(100), Decimal(900)  # its 15th day: flagged
    assert [spike.day for spike in find_spikes({"new": young}, DAYS)] == [DAYS[54]]


def test_missing_days_after_the_first_cost_count_as_zero() -> None:
    sparse = {day: Decimal(50) for day in DAYS if day.weekday() < 5}
    sparse[SPIKE_DAY] = Decimal(400)
    [spike] = find_spikes({"weekdays": sparse}, DAYS)
    assert (spike.day, spike.expected, spike.impact) == (SPIKE_DAY, Decimal(50), Decimal(350))


def test_fallback_to_the_previous_fourteen_days_without_three_same_weekdays() -> None:
    costs = {START + timedelta(days=n): Decimal(10 + n) for n in range(20)}
    [entry] = score_days(costs, [START + timedelta(days=16)], "g")
    # Only two earlier same weekdays (days 2 and 9): the median of days 2..15 is (17 + 18) / 2.
    assert entry.expected == Decimal("18.5")


def test_spikes_of_several_groups_sort_by_impact() -> None:
    base = series(flat("100"))
    groups = {
        "small": with_spike(base, SPIKE_DAY, "150"),
        "large": with_spike(base, SPIKE_DAY - timedelta(days=3), "900"),
        "total": with_spike(series(flat("200")), SPIKE_DAY, "600"),
    }
    spikes = find_spikes(groups, DAYS)
    assert [(s.group, s.impact) for s in spikes] == [
        ("large", Decimal(800)), ("total", Decimal(400)), ("small", Decimal(50))]
    assert all(isinstance(s, DayScore) for s in spikes)


def test_children_are_ranked_by_their_share_of_the_impact() -> None:
    children = {
        "claude-opus-4-1": with_spike(series(flat("60")), SPIKE_DAY, "210"),
        "claude-haiku-4-5": with_spike(series(flat("40")), SPIKE_DAY, "90"),
        "claude-sonnet-4-5": series(flat("5")),
    }
    ranked = rank_children(children, SPIKE_DAY, Decimal(200))
    assert ranked == [
        ChildShare("claude-opus-4-1", Decimal(210), Decimal(60), Decimal(150), Decimal("0.75")),
        ChildShare("claude-haiku-4-5", Decimal(90), Decimal(40), Decimal(50), Decimal("0.25")),
        ChildShare("claude-sonnet-4-5", Decimal(5), Decimal(5), Decimal(0), Decimal(0)),
    ]


def test_a_child_new_on_the_spike_day_carries_its_whole_cost() -> None:
    ranked = rank_children({"new-model": {SPIKE_DAY: Decimal(80)}}, SPIKE_DAY, Decimal(80))
    assert ranked == [ChildShare("new-model", Decimal(80), Decimal(0), Decimal(80), Decimal(1))]


@st.composite
def daily_costs(draw: st.DrawFn) -> dict[date, Decimal]:
    """A group's days: a level with noise from a first day on, some days raised to spikes."""
    first = draw(st.integers(0, 40))
    level = draw(st.decimals(min_value=1, max_value=500, places=2))
    noise = st.decimals(min_value=-5, max_value=5, places=4)
    costs = {day: max(level + draw(noise), Decimal(0)) for day in DAYS[first:]
             if draw(st.integers(0, 9))}
    for day in draw(st.lists(st.sampled_from(DAYS[first:]), max_size=4)):
        costs[day] = level * draw(st.decimals(min_value=1, max_value=4, places=3))
    return costs


@settings(max_examples=200, deadline=None)
@given(groups=st.lists(daily_costs(), min_size=1, max_size=3),
       first_scored=st.integers(0, 69))
def test_spikes_found_skipping_small_impacts_are_the_spikes_among_every_scored_day(
    groups: list[dict[date, Decimal]], first_scored: int,
) -> None:
    """find_spikes leaves days too small to be spikes unscored: it must lose no spike by it."""
    days = DAYS[first_scored:]
    every_score = [scored for number, costs in enumerate(groups)
                   for scored in score_days(costs, days, f"group_{number}")]
    expected = sorted((scored for scored in every_score if scored.is_spike),
                      key=lambda spike: (-spike.impact, spike.day, str(spike.group)))
    assert find_spikes({f"group_{n}": costs for n, costs in enumerate(groups)}, days) == expected
