"""Insights in the TUI on the spiked demo: projection tile, budget column, ▲ marks, spike days."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import httpx
from rich.style import Style
from rich.text import Text
from textual.command import CommandPalette
from textual.widgets import DataTable

from costtui.core.budgets import parse_budgets
from costtui.core.chart_data import ChartData, ChartProjection, ChartSeries, projection_path
from costtui.core.dates import DateRange
from costtui.core.forecast import NoForecast
from costtui.data.demo import (
    DEMO_BUDGETS,
    DemoOrganization,
    DemoTransport,
    demo_spike_day,
    demo_transport,
)
from costtui.tui.app import CostApp
from costtui.tui.screens.anomalies import AnomaliesScreen, SpikeCausesScreen
from costtui.tui.widgets.level_insights import mark_spikes
from costtui.tui.widgets.level_table import LevelTable
from costtui.tui.widgets.report_header import projection_text
from tests.tui_support import (
    TODAY,
    cell,
    label_text,
    make_app,
    notifications,
    raw_items,
    run_command,
    screen_text,
    total_line,
    wait_loaded,
    wait_until,
)

SPIKE_DAY = date(2026, 11, 20)
SEARCH, RESEARCH = "wrkspc_018EYUtuG93NvnrQUNabjtxB", "wrkspc_013hyAABPQwTJJbCZ5Qeb7Z5"
SUPPORT_BOT = "Customer Support Bot"
NOVEMBER_SO_FAR = DateRange(date(2026, 11, 1), TODAY)


def spiked_app(*, with_budgets: bool = True) -> CostApp:
    """Return the app over the demo with its seeded spike (and the demo budgets)."""
    return make_app(transport=demo_transport(TODAY),
                    budgets=parse_budgets(DEMO_BUDGETS, "demo") if with_budgets else None)


def november_cost(workspace_id: str | None) -> Decimal:
    """Return a workspace's exact November cost so far from the raw demo data, in dollars."""
    organisation = DemoOrganization(spike_day=demo_spike_day(TODAY))
    return sum((Decimal(str(item["amount"])) / 100
                for item in raw_items(NOVEMBER_SO_FAR, organisation)
                if item.get("workspace_id") == workspace_id), Decimal(0))


def whole_percent(amount: Decimal, budget: str) -> str:
    """Return amount / budget as the Budget column rounds it."""
    return f"{(amount / Decimal(budget) * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN):>3}"


async def test_header_shows_the_projection_tile_and_the_organisation_budget_status() -> None:
    app = spiked_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert label_text(app, "#projection") == (
            "Nov projected $20,748.09 (80 %: $19,376.14–$21,003.78), estimate")
        assert label_text(app, "#budget-status") == (
            "Budget WARN: $16,240.48 of $20,000.00 (81 %)")
        assert app.screen.query_one("#budget-status").has_class("-warn")
        assert "Budget WARN: $16,240.48 of $20,000.00 (81 %)" in screen_text(app)


async def test_budget_column_shows_bar_and_percent_of_each_budgeted_workspace() -> None:
    app = spiked_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        search = whole_percent(november_cost(SEARCH), "12000")
        assert search == " 74"
        assert cell(app, SEARCH, "budget") == f"█████░░░ {search} %"
        assert cell(app, RESEARCH, "budget") == "████████ 139 %"
        assert total_line(app)[5] == "██████░░  81 %"
        assert [cell(app, key, "budget") for key in rows_without_budget(app)] == [""] * 3


def rows_without_budget(app: CostApp) -> list[str]:
    """Return the row keys of workspaces the demo budgets do not name."""
    table = app.screen.query_one(LevelTable).rows_table
    names = {"[prod] Search", "Research Sandbox", "Default"}
    return [str(row.key.value) for row in table.ordered_rows
            if table.get_row(row.key)[0].plain not in names]


async def test_without_budgets_there_is_no_budget_column_or_status() -> None:
    app = spiked_app(with_budgets=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert not app.screen.query_one(LevelTable).shows_column("budget")
        assert "Budget" not in screen_text(app)
        assert label_text(app, "#projection").startswith("Nov projected $20,748.09")


async def test_spike_marks_rows_and_the_spike_day_in_their_trend() -> None:
    app = spiked_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert cell(app, RESEARCH, "spike") == "▲"
        assert cell(app, SEARCH, "spike") == ""
        assert total_line(app)[6] == "▲"
        trend = cell(app, RESEARCH, "trend")
        assert len(trend) == 27  # 30 days squeezed: cell 22 sums day 24 (2026-11-20) alone
        assert trend.index("▲") == 22 and trend.count("▲") == 1
        assert "▲" not in cell(app, SEARCH, "trend")


async def test_anomalies_screen_lists_spike_days_by_impact() -> None:
    app = spiked_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AnomaliesScreen))
        await pilot.pause()
        table = app.screen.query_one("#anomalies-table", DataTable)
        rows = [[getattr(value, "plain", str(value)) for value in table.get_row_at(index)]
                for index in range(table.row_count)]
        assert rows[0] == ["2026-11-20", "Workspace", "Research Sandbox", "$785.43", "$84.49",
                           "$700.93", "54.26"]
        assert rows[2] == ["2026-11-20", "Total", "Organisation", "$1,619.83", "$1,003.37",
                           "$616.46", "5.69"]
        impacts = [Decimal(row[5].lstrip("$").replace(",", "")) for row in rows]
        assert impacts == sorted(impacts, reverse=True)
        assert "Spike days · 2026-10-27 → 2026-11-25 UTC" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.cost_screen)


async def test_enter_on_a_spike_drills_to_its_group_and_day_and_ranks_its_children() -> None:
    app = spiked_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AnomaliesScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SpikeCausesScreen))
        await pilot.pause()
        text = screen_text(app)
        assert ("Research Sandbox on Fri 2026-11-20: $785.43, expected $84.49 (+$700.93)"
                in text)
        causes = app.screen.query_one("#spike-causes", DataTable)
        first = [getattr(value, "plain", str(value)) for value in causes.get_row_at(0)]
        assert first == ["claude-opus-4-1", "$735.21", "$34.09", "$701.12", "100.0%"]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.cost_screen)
        assert label_text(app, "#breadcrumb") == (
            "All costs › Research Sandbox › 2026-11-20 › by model · Δ vs 27 Sep–26 Oct")
        assert cell(app, "claude-opus-4-1", "cost") == "$735.21"


def test_no_projection_tile_says_why() -> None:
    missing = NoForecast(date(2026, 11, 1), Decimal(0),
                         "only 3 complete days of history; a projection needs at least 7")
    assert projection_text(missing) == (
        "No Nov projection: only 3 complete days of history; a projection needs at least 7")


def test_spike_mark_covers_every_cell_of_a_widened_day() -> None:
    days = [date(2026, 11, day) for day in range(1, 5)]
    trend = Text("▁▁▂▂██▃▃")
    marked = mark_spikes(trend, days, frozenset({date(2026, 11, 3)}), Style(bold=True))
    assert marked.plain == "▁▁▂▂▲▲▃▃"
    assert mark_spikes(trend, days, frozenset(), Style()).plain == "▁▁▂▂██▃▃"


def test_spike_marks_are_styled_by_run_and_keep_the_trends_dim_tail() -> None:
    days = [date(2026, 11, day) for day in range(1, 9)]
    trend = Text("▁▂▃▄▅▆▇█")
    trend.stylize("dim", 6)
    spikes = frozenset({date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 5),
                        date(2026, 11, 8)})
    marked = mark_spikes(trend, days, spikes, Style(bold=True))
    assert marked.plain == "▁▲▲▄▲▆▇▲"
    assert [(span.start, span.end, str(span.style)) for span in marked.spans] == [
        (6, 8, "dim"), (1, 3, "bold"), (4, 5, "bold"), (7, 8, "bold")]


def test_projection_path_continues_the_running_total_and_moves_the_band() -> None:
    days = tuple(date(2026, 11, day) for day in range(27, 31))  # chart: Nov 27 … 30
    data = ChartData(days, (ChartSeries("All", (Decimal(10), Decimal(20), Decimal(5),
                                                 Decimal(1))),), Decimal(36))
    projected_days = [(date(2026, 11, 29), Decimal(7)), (date(2026, 11, 30), Decimal(8))]
    path = projection_path(data, projected_days, Decimal(100), Decimal(90), Decimal(120))
    assert path == ChartProjection(
        days=(date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)),
        running=(Decimal(30), Decimal(37), Decimal(45)),
        low=Decimal(35), high=Decimal(65))  # month end 100 is the chart's 45: offset −55
    before = ChartData(days[:1], (ChartSeries("All", (Decimal(1),)),), Decimal(1))
    assert projection_path(before, projected_days, Decimal(100), Decimal(90), Decimal(120)) \
        is None


async def test_cumulative_chart_draws_the_projection_labelled_as_an_estimate() -> None:
    app = spiked_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("c", "l")
        await wait_until(pilot, lambda: "Projected (estimate)" in screen_text(app))
        text = screen_text(app)
        assert "80 % band (estimate)" in text and "Nov 29" in text
        await pilot.press("l")  # daily bars: no projection
        await wait_until(pilot, lambda: "Projected (estimate)" not in screen_text(app))


class HistoryRefused(DemoTransport):
    """The demo API refusing (403) any request for days before the shown range's previous one."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer 403 to requests that start before 2026-09-27."""
        starting = request.url.params.get("starting_at", "")
        if request.url.path.endswith("/cost_report") and starting < "2026-09-27":
            return httpx.Response(403, json={"type": "error", "error": {
                "type": "permission_error", "message": "no history for you"}}, request=request)
        return await super().handle_async_request(request)


async def test_insights_that_fail_are_one_notice_and_the_costs_stay() -> None:
    app = make_app(transport=HistoryRefused())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert app.last_error is None and cell(app, SEARCH, "cost") == "$11,320.32"
        [notice] = [text for text in notifications(app) if text.startswith("Projection")]
        assert notice.startswith("Projection, budgets and spike days are not available: ")
        assert not app.screen.query_one("#insights-line").display


async def test_the_palette_offers_the_spike_days_row_info_and_copy() -> None:
    app = spiked_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await run_command(pilot, "spike days", "Spike days (anomalies)")
        await wait_until(pilot, lambda: isinstance(app.screen, AnomaliesScreen))


def test_spike_cells_of_a_squeezed_trend_are_those_whose_days_hold_a_spike() -> None:
    from costtui.tui.widgets.level_insights import _day_cells

    def every_cell_scanned(days: list[date], wanted: frozenset[date], cells: int) -> list[
            tuple[int, int]]:
        size = len(days) / cells
        spans = []
        for index in range(cells):
            first = int(index * size)
            last = max(int((index + 1) * size), first + 1)
            if any(day in wanted for day in days[first:last]):
                spans.append((index, index + 1))
        return spans

    start = date(2025, 12, 1)
    for day_count in (2, 7, 30, 31, 90, 365, 366):
        days = [start + timedelta(days=offset) for offset in range(day_count)]
        for cells in range(1, day_count):
            for every in (1, 3, 17, 50):
                wanted = frozenset([*days[::every], days[-1], start - timedelta(days=1)])
                assert _day_cells(days, wanted, cells) == every_cell_scanned(days, wanted, cells)


async def test_the_projection_follows_the_table_and_never_outlives_its_insights() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        screen = app.cost_screen
        insights = screen.insights
        assert insights is not None
        projection = label_text(app, "#projection")
        assert projection.startswith("Nov projected $")
        screen.show_profile(app.settings)  # the header is emptied for another organisation
        screen.show_insights(insights)
        screen.insights = None  # … and these insights are dropped before the next frame
        await pilot.pause()
        await pilot.pause()
        assert label_text(app, "#projection") == ""
        screen.show_insights(insights)
        await wait_until(pilot, lambda: label_text(app, "#projection") == projection)


async def test_marks_worked_out_with_the_insights_are_shown_only_for_the_level_they_fit() -> None:
    from dataclasses import replace

    from costtui.tui.widgets.level_insights import NO_INSIGHTS, keep_level_insights

    app = spiked_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        screen = app.cost_screen
        insights, level = screen.insights, screen.level
        assert insights is not None and level is not None
        kept = app.kept_level_insights
        assert kept is not None and kept.insights is insights
        assert RESEARCH in kept.marks.spike_days and SEARCH not in kept.marks.spike_days
        fitting = replace(keep_level_insights(insights, screen.state, level), marks=NO_INSIGHTS)
        screen.show_insights(insights, None, fitting)  # same insights, state and rows: reused
        assert not screen.query_one(LevelTable).shows_column("spike")
        assert not screen.query_one(LevelTable).shows_column("budget")
        for stale in (replace(fitting, rows=fitting.rows[1:]),
                      replace(fitting, state=replace(screen.state, sort_column="share")),
                      replace(fitting, insights=replace(insights))):
            screen.show_insights(insights, None, None)
            screen.show_insights(insights, None, stale)  # worked out for another level: redone
            assert cell(app, RESEARCH, "spike") == "▲"
            assert cell(app, SEARCH, "budget").endswith(" 74 %")
