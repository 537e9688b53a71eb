"""Exact chart data (top series, running sums, labels, ticks) and the CostChart widget on screen."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from rich.color import ColorType
from textual.app import App, ComposeResult

from costtui.core.chart_data import (
    ChartData,
    ChartSeries,
    cumulative,
    day_labels,
    dollar_ticks,
    top_series,
)
from costtui.tui.widgets.cost_chart import EMPTY_MESSAGE, CostChart, label_step

D = Decimal
NOVEMBER = [date(2026, 11, 1) + timedelta(days=offset) for offset in range(30)]


def days_from(start: date, count: int) -> list[date]:
    """Return `count` consecutive days from `start`."""
    return [start + timedelta(days=offset) for offset in range(count)]


# top_series -----------------------------------------------------------------------------------


def test_top_series_keeps_the_largest_and_sums_the_rest_into_other_exactly() -> None:
    """Six groups stay in descending order; the other two become one exact "Other" series."""
    days = days_from(date(2026, 11, 1), 3)
    per_group = {
        "a": [D("0.1"), D("0.2"), D("0.3")],
        "b": [D("10"), D("0"), D("0")],
        "c": [D("3.33333"), D("3.33333"), D("3.33334")],
        "d": [D("5"), D("5"), D("5")],
        "e": [D("0.00001"), D("0"), D("0")],
        "f": [D("1"), D("1"), D("1")],
        "g": [D("2"), D("2"), D("2")],
        "h": [D("0.7"), D("0.1"), D("0")],
    }
    data = top_series(per_group, days)
    # b (10) and c (10.00000) tie: b comes first by label.
    assert [series.label for series in data.series] == ["d", "b", "c", "g", "f", "h", "Other"]
    other = data.series[-1]
    assert other.values == (D("0.10001"), D("0.2"), D("0.3"))
    assert data.total == D("45.40001")
    assert sum((series.total for series in data.series), D(0)) == data.total
    assert data.daily_totals == (D("22.13334"), D("11.63333"), D("11.63334"))
    assert data.days == tuple(days)


def test_top_series_breaks_ties_by_label_at_the_cut() -> None:
    """Equal totals are ordered by label, so the later label is the one folded into Other."""
    days = days_from(date(2026, 11, 1), 2)
    per_group = {
        "zeta": [D("1.50"), D("0")],
        "alpha": [D("0"), D("1.5")],
        "mid": [D("1"), D("0.5")],
        "big": [D("2"), D("2")],
    }
    data = top_series(per_group, days, top=2, other_label="Everything else")
    assert [series.label for series in data.series] == ["big", "alpha", "Everything else"]
    assert data.series[-1].values == (D("2.50"), D("0.5"))
    assert data.total == D("8.5")


def test_top_series_has_no_other_without_a_rest_and_leaves_out_all_zero_groups() -> None:
    """No "Other" when every group fits; groups that are zero every day draw nothing."""
    days = days_from(date(2026, 11, 1), 2)
    data = top_series({"b": [D("1"), D("2")], "idle": [D("0"), D("0.00")], "a": [D(3), D(0)]}, days)
    assert [series.label for series in data.series] == ["a", "b"]
    assert data.total == D("6")
    assert not data.is_empty


def test_top_series_with_top_zero_folds_everything_into_other() -> None:
    """top=0 gives a single "Other" series carrying the whole total."""
    days = days_from(date(2026, 11, 1), 1)
    data = top_series({"a": [D("1.25")], "b": [D("2.5")]}, days, top=0)
    assert data.series == (ChartSeries("Other", (D("3.75"),)),)


def test_top_series_empty_inputs_are_empty() -> None:
    """No groups, no days or only zeros all give an empty chart with a zero total."""
    assert top_series({}, NOVEMBER).is_empty
    assert top_series({}, []).is_empty
    all_zero = top_series({"a": [D(0)] * 30}, NOVEMBER)
    assert all_zero.is_empty
    assert all_zero.series == ()
    assert all_zero.total == D(0)
    assert ChartData(days=(), series=(), total=D(0)).daily_totals == ()


def test_top_series_rejects_mismatched_lengths_and_negative_top() -> None:
    """A series of the wrong length or a negative top is a programming error."""
    with pytest.raises(ValueError, match="'a' has 1 daily values for 2 days"):
        top_series({"a": [D(1)]}, days_from(date(2026, 11, 1), 2))
    with pytest.raises(ValueError, match="top must be zero or more"):
        top_series({}, [], top=-1)


# cumulative and day labels ---------------------------------------------------------------------


def test_cumulative_is_exact() -> None:
    """Running sums stay exact where floats would drift (0.1 + 0.2)."""
    assert cumulative([D("0.1"), D("0.2"), D("0.3"), D("0")]) == [
        D("0.1"),
        D("0.3"),
        D("0.6"),
        D("0.6"),
    ]
    assert cumulative([]) == []


def test_day_labels_within_one_year_use_month_and_day() -> None:
    """Month edges and a leap day read as "Nov 30", "Dec 01", "Feb 29"."""
    assert day_labels([date(2026, 11, 30), date(2026, 12, 1)]) == ["Nov 30", "Dec 01"]
    assert day_labels([date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1)]) == [
        "Feb 28",
        "Feb 29",
        "Mar 01",
    ]
    assert day_labels([]) == []


def test_day_labels_across_a_year_edge_use_iso_dates() -> None:
    """A range that spans two years labels every day with its year."""
    assert day_labels([date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 1)]) == [
        "2025-12-30",
        "2025-12-31",
        "2026-01-01",
    ]


# dollar ticks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_value", "positions", "labels"),
    [
        ("0", [0.0, 1.0], ["$0", "$1"]),
        ("-5", [0.0, 1.0], ["$0", "$1"]),
        (
            "0.004",
            [0.0, 0.001, 0.002, 0.003, 0.004],
            ["$0", "$0.001", "$0.002", "$0.003", "$0.004"],
        ),
        ("0.3", [0.0, 0.1, 0.2, 0.3], ["$0", "$0.10", "$0.20", "$0.30"]),
        ("1", [0.0, 0.25, 0.5, 0.75, 1.0], ["$0", "$0.25", "$0.50", "$0.75", "$1.00"]),
        ("7.5", [0.0, 2.0, 4.0, 6.0, 8.0], ["$0", "$2", "$4", "$6", "$8"]),
        ("1000", [0.0, 250.0, 500.0, 750.0, 1000.0], ["$0", "$250", "$500", "$750", "$1k"]),
        ("1234.56", [0.0, 500.0, 1000.0, 1500.0], ["$0", "$500", "$1k", "$1.5k"]),
        ("9600", [0.0, 2500.0, 5000.0, 7500.0, 10000.0], ["$0", "$2.5k", "$5k", "$7.5k", "$10k"]),
        ("2500000", [0.0, 1e6, 2e6, 3e6], ["$0", "$1M", "$2M", "$3M"]),
    ],
)
def test_dollar_ticks_are_round_and_reach_the_maximum(
    max_value: str, positions: list[float], labels: list[str]
) -> None:
    """Ticks start at $0, step by 1, 2, 2.5 or 5 times a power of ten and cover the maximum."""
    assert dollar_ticks(D(max_value)) == (positions, labels)


def test_dollar_ticks_count_controls_the_step() -> None:
    """Seven ticks over $11,000 step by $2k up to "$12k"; fewer than two ticks is refused."""
    positions, labels = dollar_ticks(D("11000"), count=7)
    assert labels == ["$0", "$2k", "$4k", "$6k", "$8k", "$10k", "$12k"]
    assert positions[-1] == 12000.0
    with pytest.raises(ValueError, match="at least 2"):
        dollar_ticks(D(1), count=1)


@pytest.mark.parametrize(
    ("count", "label_width", "canvas_width", "step"),
    [(30, 6, 73, 7), (30, 6, 113, 3), (30, 6, 300, 1), (1, 6, 10, 1), (365, 10, 73, 84)],
)
def test_label_step_leaves_a_gap_between_labels(
    count: int, label_width: int, canvas_width: int, step: int
) -> None:
    """Every k-th label is shown, k from 1, 2, 3, 7, 14 or a multiple of 28."""
    assert label_step(count, label_width, canvas_width) == step


# the widget -----------------------------------------------------------------------------------


class ChartApp(App[None]):
    """A bare app holding one CostChart."""

    def compose(self) -> ComposeResult:
        """Yield the chart."""
        yield CostChart(id="chart")


def screen_text(app: App[None]) -> str:
    """Return the plain text of the whole screen."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def spend() -> ChartData:
    """Return 30 November days: nothing for 20 days, then $600 + $400 + $200 a day in 3 groups."""
    quiet = [D(0)] * 20
    return top_series(
        {
            "[prod] Search": quiet + [D("600.004")] * 10,
            "batch": quiet + [D("399.996")] * 10,
            "dev": quiet + [D("200")] * 10,
        },
        NOVEMBER,
        top=2,
    )


async def test_bars_show_title_literal_legend_dollar_ticks_and_thinned_days() -> None:
    """At 120x40: the title, "[prod] Search" literally, "$1.5k" on top and every third day."""
    app = ChartApp()
    async with app.run_test(size=(120, 40)) as pilot:
        chart = app.query_one(CostChart)
        data = spend()
        chart.show_data(data, title="Daily cost by workspace")
        await pilot.pause()
        text = screen_text(app)
        assert chart.data is data and not chart.is_cumulative
        assert "Daily cost by workspace" in text
        assert "██ [prod] Search" in text
        assert "▓▓ batch" in text
        assert "▒▒ Other" in text
        assert "dev" not in text
        # The busiest day is $1,200: ticks $0, $500, $1k, $1.5k.
        for tick in ("$1.5k┤", "$1k┤", "$500┤", "$0┤"):
            assert tick in text
        # 30 labels of 6 columns on 113 columns: every third day.
        assert "Nov 01" in text and "Nov 04" in text and "Nov 28" in text
        assert "Nov 02" not in text and "Nov 29" not in text


async def test_cumulative_shows_the_larger_final_tick() -> None:
    """The running total reaches $12,000, so the axis tops out at "$15k" instead of "$1.5k"."""
    app = ChartApp()
    async with app.run_test(size=(120, 40)) as pilot:
        chart = app.query_one(CostChart)
        chart.show_data(spend(), cumulative=True, title="Cumulative cost")
        await pilot.pause()
        text = screen_text(app)
        assert chart.is_cumulative
        assert "Cumulative cost" in text
        assert "$15k┤" in text and "$10k┤" in text and "$5k┤" in text
        assert "$1.5k" not in text
        assert "Total" in text and "[prod] Search" in text


async def test_empty_data_shows_the_empty_message_without_ticks() -> None:
    """A range with no cost draws the message, the title and no dollar ticks."""
    app = ChartApp()
    async with app.run_test(size=(120, 40)) as pilot:
        chart = app.query_one(CostChart)
        chart.show_data(top_series({}, NOVEMBER), title="Daily cost")
        await pilot.pause()
        text = screen_text(app)
        assert EMPTY_MESSAGE == "No cost in this range"
        assert "No cost in this range" in text and "Daily cost" in text
        assert "$" not in text
        chart.show_data(top_series({"a": [D(0)] * 30}, NOVEMBER), cumulative=True)
        await pilot.pause()
        assert "No cost in this range" in screen_text(app)


async def test_resize_redraws_with_new_label_thinning() -> None:
    """At 80x24 the same data still renders, now with a label every seventh day."""
    app = ChartApp()
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(CostChart).show_data(spend(), title="Daily cost by workspace")
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        text = screen_text(app)
        assert len(text.splitlines()) == 24
        assert "Daily cost by workspace" in text and "[prod] Search" in text
        assert "$1.5k┤" in text
        # 30 labels of 6 columns on 73 columns: every seventh day.
        assert "Nov 08" in text and "Nov 15" in text and "Nov 29" in text
        assert "Nov 04" not in text
        await pilot.resize_terminal(20, 6)
        await pilot.pause()
        assert len(screen_text(app).splitlines()) == 6


async def test_legend_sits_above_bars_that_would_hide_it() -> None:
    """When the first days are the busiest, the axis grows so no bar runs through the legend."""
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(CostChart)
        chart.show_data(top_series({"first": [D(100)] * 30, "second": [D(50)] * 30}, NOVEMBER))
        await pilot.pause()
        legend_lines = [line for line in screen_text(app).splitlines() if "██ first" in line]
        legend_lines += [line for line in screen_text(app).splitlines() if "▓▓ second" in line]
        assert len(legend_lines) == 2
        assert all(line.count("█") + line.count("▓") == 2 for line in legend_lines)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark"])
async def test_chart_text_takes_the_widget_colours_in_every_theme(theme: str) -> None:
    """The title is drawn in the chart's own foreground and background, so it reads on any theme."""
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = theme
        chart = app.query_one(CostChart)
        chart.show_data(spend(), title="Readable title")
        await pilot.pause()
        title_styles = [
            segment.style
            for strip in app.screen._compositor.render_strips()
            for segment in strip
            if "Readable title" in segment.text
        ]
        assert len(title_styles) == 1
        style = title_styles[0]
        assert style is not None
        assert style.color == chart.rich_style.color
        assert style.bgcolor == chart.rich_style.bgcolor
        assert style.color != style.bgcolor or (
            style.color is not None and style.color.type == ColorType.DEFAULT
        )


def test_chart_data_of_the_same_rows_is_reused_and_of_equal_rows_made_again() -> None:
    from costtui.core.dates import DateRange
    from costtui.core.view_state import LevelRow, LevelView
    from costtui.tui.screens.chart import chart_data

    days = DateRange(date(2026, 11, 1), date(2026, 11, 2))

    def level(*rows: LevelRow) -> LevelView:
        return LevelView("workspace", rows, Decimal(0), Decimal(0), (), len(rows))

    def row(label: str, first: str, second: str) -> LevelRow:
        daily = (Decimal(first), Decimal(second))
        return LevelRow(label, label, label, sum(daily, Decimal(0)), Decimal(0), daily)

    search, research = row("Search", "1.25", "2"), row("Research", "0.5", "0.01")
    shown = chart_data(level(search, research), days)
    assert [(series.label, series.values) for series in shown.series] == [
        ("Search", (Decimal("1.25"), Decimal(2))), ("Research", (Decimal("0.5"), Decimal("0.01")))]
    assert chart_data(level(search, research), days) is shown  # same rows: nothing summed again
    changed = chart_data(level(row("Search", "1.25", "3"), research), days)  # a refreshed row
    assert changed.series[0].values == (Decimal("1.25"), Decimal(3))
    assert changed.total == Decimal("4.76")
    assert chart_data(level(search), days).total == Decimal("3.25")
    assert chart_data(level(research, search), days).series[0].label == "Search"
