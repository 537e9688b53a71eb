"""The main TUI flows against recorded Admin API responses, replayed through the real client.

Every expected figure comes from the recording's JSON with Decimal (tests/recorded.py), never
through costtui's own aggregation, so a wrong sum cannot hide behind a matching wrong sum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from costtui.core.admin_key import AdminKey
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.view_state import NULL_ROW_KEY
from costtui.data.api import DEFAULT_BASE_URL, CostClient
from costtui.data.secrets import KEYRING_SERVICE
from costtui.data.source import CostSource
from costtui.tui.app import CostApp
from costtui.tui.screens.date_range import DateRangeScreen
from costtui.tui.screens.dialogs import ExportScreen
from costtui.tui.screens.grouping import PivotScreen
from costtui.tui.screens.key_entry import KeyEntryScreen
from costtui.tui.settings import AppSettings
from costtui.tui.widgets.cost_chart import CostChart
from tests.conftest import SENTINEL_KEY, MemoryKeyring
from tests.recorded import (
    RECORDED,
    RESLICED,
    failing_with,
    recorded_costs,
    recorded_daily,
    recorded_days,
    recorded_error,
    recorded_organisation,
    recorded_requests,
    recorded_workspace_names,
    recording,
    requests_made,
)
from tests.replay import ReplayTransport
from tests.tui_support import (
    cell,
    choose_option,
    column_texts,
    dollars,
    label_text,
    legend,
    notifications,
    paste,
    screen_text,
    shows_range,
    total_line,
    trail_text,
    wait_loaded,
    wait_until,
)

NOW = datetime(2025, 9, 10, 9, 30, tzinfo=timezone.utc)
"""The moment the app runs at: the morning after the recorded range ends."""
SHOWN = DateRange(date(2025, 8, 21), date(2025, 9, 9))
"""The range opened: with its previous 20 days it is exactly the 40 recorded days."""
PREVIOUS = DateRange(date(2025, 8, 1), date(2025, 8, 20))
NEW_KEY = "sk-ant-admin01-replayed-new-key-2222"
SIZE = (120, 40)


# Expected texts, computed without costtui ---------------------------------------------------


def ranked(costs: dict[str | None, Decimal]) -> list[str | None]:
    """Return the values from the largest cost down."""
    return sorted(costs, key=lambda value: -costs[value])


def share(part: Decimal, whole: Decimal) -> str:
    """Return part/whole as the table's percentage with one decimal, half-even."""
    return f"{(part / whole * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN)}%"


def change(current: Decimal, previous: Decimal) -> tuple[str, str]:
    """Return the Δ $ and Δ % texts of a change against the previous period, ▲ up or ▼ down."""
    delta = current - previous
    sign = "+" if delta > 0 else ""
    mark = " ▲" if delta > 0 else " ▼" if delta < 0 else ""
    return sign + dollars(delta), sign + share(delta, previous) + mark


def row_key(value: str | None) -> str:
    """Return the table row key of a dimension value."""
    return NULL_ROW_KEY if value is None else value


# Building the app over a replay --------------------------------------------------------------


async def no_wait(seconds: float) -> None:
    """Stand in for asyncio.sleep between retries: the replay needs no back-off."""


def replay_client(transport: ReplayTransport) -> CostClient:
    """Return the real client over a replay of recorded responses."""
    return CostClient(AdminKey(SENTINEL_KEY), base_url=DEFAULT_BASE_URL, transport=transport,
                      sleep=no_wait, clock=FixedClock(NOW))


def replay_app(
    transport: ReplayTransport,
    *,
    export_directory: Path | None = None,
    make_source: Callable[[AdminKey | None, str], CostSource] | None = None,
) -> CostApp:
    """Return the app on SHOWN over the real client and a replay, at NOW.

    Without insights: their months of history are not in the recordings (test_tui_insights.py
    covers them on the demo API).
    """
    settings = AppSettings(clock=FixedClock(NOW), date_range=SHOWN,
                           export_directory=export_directory, insights=False)
    return CostApp(replay_client(transport), settings, make_source=make_source)


# The flows -----------------------------------------------------------------------------------


async def test_the_recording_windows_are_exactly_what_the_app_asks_for() -> None:
    transport = ReplayTransport(RECORDED)
    app = replay_app(transport)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.last_error is None
    assert requests_made(transport) == recorded_requests(RECORDED)  # every page once, nothing more


def test_the_resliced_recording_holds_only_recorded_day_buckets() -> None:
    source = recorded_days()
    resliced = recording(RESLICED)
    assert len(resliced) == 2
    for exchange in resliced:
        query = exchange["request"]["query"]
        body = exchange["response"]["body"]
        first = date.fromisoformat(query["starting_at"][:10])
        end = date.fromisoformat(query["ending_at"][:10])
        days = [date.fromisoformat(bucket["starting_at"][:10]) for bucket in body["data"]]
        assert days == DateRange(first, end - timedelta(days=1)).days()
        assert all(bucket["results"] == source[day] for bucket, day in
                   zip(body["data"], days, strict=True))
        assert body["has_more"] is False and len(days) <= int(query["limit"])


async def test_open_shows_the_recorded_workspaces_by_name_with_exact_totals_and_changes(
) -> None:
    app = replay_app(ReplayTransport(RECORDED))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        costs = recorded_costs(SHOWN, "workspace_id")
        before = recorded_costs(PREVIOUS, "workspace_id")
        names = recorded_workspace_names()
        total = sum(costs.values(), Decimal(0))
        order = ranked(costs)
        assert order[0] is None  # the Default workspace (null id) leads this range
        assert column_texts(app, "name") == [names[ws] for ws in order]
        for ws in order:
            key = row_key(ws)
            assert cell(app, key, "cost") == dollars(costs[ws])
            assert cell(app, key, "share") == share(costs[ws], total)
            assert (cell(app, key, "change"), cell(app, key, "change_pct")) == change(
                costs[ws], before[ws])
        previous_total = sum(before.values(), Decimal(0))
        assert total_line(app)[:5] == ["Total · 3 groups", dollars(total), "100.0%",
                                       *change(total, previous_total)]
        assert label_text(app, "#header-title") == (
            f"{recorded_organisation()} · 2025-08-21 → 2025-09-09 UTC (20 d) · fetched 09:30 UTC")
        assert trail_text(app) == "All costs › by workspace"
        assert label_text(app, "#freshness") == (
            "⚠ 2025-09-08 → 2025-09-09 may be incomplete (cost data lags up to 48 h)")
        assert "[staging] Experiments" in screen_text(app)  # a name like markup, as text


async def test_enter_twice_drills_into_the_default_workspace_then_its_top_model() -> None:
    transport = ReplayTransport(RECORDED)
    app = replay_app(transport)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        requests_loaded = len(transport.requests)
        await pilot.press("enter")  # the cursor starts on the top row: Default
        models = recorded_costs(SHOWN, "model", {"workspace_id": None})
        assert trail_text(app) == "All costs › Default › by model"
        assert column_texts(app, "name") == [model or "(no model)" for model in ranked(models)]
        assert column_texts(app, "cost") == [dollars(models[m]) for m in ranked(models)]
        assert total_line(app)[:2] == [f"Total · {len(models)} groups",
                                       dollars(sum(models.values(), Decimal(0)))]
        top_model = ranked(models)[0]
        await pilot.press("enter")
        tokens = recorded_costs(SHOWN, "token_type", {"workspace_id": None, "model": top_model})
        assert trail_text(app) == (
            f"All costs › Default › {top_model or '(no model)'} › by token type")
        assert column_texts(app, "name") == [token or "(no token type)"
                                             for token in ranked(tokens)]
        assert column_texts(app, "cost") == [dollars(tokens[t]) for t in ranked(tokens)]
        assert total_line(app)[1] == dollars(sum(tokens.values(), Decimal(0)))
        assert len(transport.requests) == requests_loaded, "drilling needs no new request"


async def test_g_regroups_the_top_level_by_cost_type_showing_unknown_values_as_they_come(
) -> None:
    app = replay_app(ReplayTransport(RECORDED))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, PivotScreen))
        await choose_option(pilot, "#pivot-choices", "cost_type")
        await wait_until(pilot, lambda: app.screen is app.cost_screen)
        cost_types = recorded_costs(SHOWN, "cost_type")
        assert "session_usage_v2" in cost_types  # not in the documented enum
        assert trail_text(app) == "All costs › by cost type"
        assert column_texts(app, "name") == ranked(cost_types)
        assert column_texts(app, "cost") == [dollars(cost_types[c]) for c in ranked(cost_types)]
        before = recorded_costs(PREVIOUS, "cost_type")
        for cost_type, cost in cost_types.items():
            assert (cell(app, str(cost_type), "change"),
                    cell(app, str(cost_type), "change_pct")) == change(cost, before[cost_type])
        assert total_line(app)[1] == dollars(sum(cost_types.values(), Decimal(0)))


async def test_d_with_typed_dates_loads_that_range_and_its_previous_period() -> None:
    typed = DateRange(date(2025, 8, 26), date(2025, 9, 9))
    transport = ReplayTransport(RECORDED, RESLICED)
    app = replay_app(transport)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DateRangeScreen))
        await paste(pilot, "#first-day", "2025-08-26")
        assert label_text(app, "#range-message") == "15 days: 2025-08-26 → 2025-09-09 (UTC)"
        await pilot.press("enter")
        await wait_until(pilot, shows_range(app, typed))
        await pilot.pause()
        costs = recorded_costs(typed, "workspace_id")
        before = recorded_costs(typed.previous(), "workspace_id")
        names = recorded_workspace_names()
        assert column_texts(app, "name") == [names[ws] for ws in ranked(costs)]
        for ws, cost in costs.items():
            delta, percent = change(cost, before[ws])
            assert cell(app, row_key(ws), "cost") == dollars(cost)
            assert cell(app, row_key(ws), "change") == delta
            # A change under 0.05% shows its size here; its sign is the xfail test's business.
            assert cell(app, row_key(ws), "change_pct").lstrip("+-") == percent.lstrip("+-")
        total = sum(costs.values(), Decimal(0))
        assert total_line(app)[1:5] == [dollars(total), "100.0%", *change(
            total, sum(before.values(), Decimal(0)))]
        assert label_text(app, "#header-title").startswith(
            f"{recorded_organisation()} · 2025-08-26 → 2025-09-09 UTC (15 d) · ")
        windows = [request.url.params["starting_at"] for request in transport.requests
                   if request.url.path.endswith("/cost_report")]
        assert windows[-1:] == ["2025-08-11T00:00:00Z"]  # 15 days and the 15 before: 1 window


async def test_a_change_under_a_twentieth_of_a_percent_keeps_the_sign_of_its_dollars() -> None:
    typed = DateRange(date(2025, 8, 26), date(2025, 9, 9))
    app = replay_app(ReplayTransport(RECORDED, RESLICED))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DateRangeScreen))
        await paste(pilot, "#first-day", "2025-08-26")
        await pilot.press("enter")
        await wait_until(pilot, shows_range(app, typed))
        await pilot.pause()
        staging = next(ws for ws, name in recorded_workspace_names().items()
                       if name == "[staging] Experiments")
        rise = (recorded_costs(typed, "workspace_id")[staging]
                - recorded_costs(typed.previous(), "workspace_id")[staging])
        assert Decimal(0) < rise < Decimal(1)  # +$0.63 on about $10,046
        assert cell(app, staging, "change") == "+$0.63"
        assert cell(app, staging, "change_pct") == "+0.0% ▲"  # as a fall shows "-0.0% ▼"


async def test_d_yesterday_preset_shows_a_recorded_quiet_day_against_the_day_before() -> None:
    yesterday = DateRange(date(2025, 9, 9), date(2025, 9, 9))
    app = replay_app(ReplayTransport(RECORDED, RESLICED))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DateRangeScreen))
        await choose_option(pilot, "#presets", "yesterday")
        await wait_until(pilot, shows_range(app, yesterday))
        await pilot.pause()
        assert recorded_days()[date(2025, 9, 9)] == []  # nothing was spent that day
        before = recorded_costs(yesterday.previous(), "workspace_id")
        for ws, cost in before.items():
            assert [cell(app, row_key(ws), column) for column in
                    ("cost", "share", "change", "change_pct")] == [
                "$0.00", "—", dollars(-cost), "-100.0% ▼"]
        assert total_line(app)[:5] == ["Total · 3 groups", "$0.00", "—",
                                       dollars(-sum(before.values(), Decimal(0))), "-100.0% ▼"]
        assert label_text(app, "#header-title").startswith(
            f"{recorded_organisation()} · 2025-09-09 UTC (1 day) · ")
        assert label_text(app, "#freshness") == (
            "⚠ 2025-09-09 may be incomplete (cost data lags up to 48 h)")


async def test_c_charts_each_workspace_per_day_with_the_exact_total_in_the_caption() -> None:
    app = replay_app(ReplayTransport(RECORDED))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("c")
        chart = app.screen.query_one("#cost-chart", CostChart)
        await wait_until(pilot, lambda: chart.display and chart.data is not None)
        await pilot.pause()
        daily = recorded_daily(SHOWN, "workspace_id")
        costs = recorded_costs(SHOWN, "workspace_id")
        names = recorded_workspace_names()
        total = sum(costs.values(), Decimal(0))
        assert label_text(app, "#chart-caption") == (
            f"3 workspaces · total {dollars(total)} · ⚠ last 2 days may be incomplete")
        assert chart.data is not None and chart.data.total == total
        assert chart.data.days == tuple(SHOWN.days())
        assert [(series.label, list(series.values)) for series in chart.data.series] == [
            (names[ws], daily[ws]) for ws in ranked(costs)]
        text = screen_text(app)
        assert "Cost per day by workspace" in text and "Aug 21" in text
        # The bars' legend lists the stack from its top layer down: the smallest group first.
        assert legend(text, names.values()) == [names[ws] for ws in reversed(ranked(costs))]
        await pilot.press("l")
        await wait_until(pilot, lambda: chart.is_cumulative)
        await pilot.pause()
        assert label_text(app, "#chart-caption") == (
            f"Running total of 3 workspaces · total {dollars(total)} · "
            "⚠ last 2 days may be incomplete")
        assert legend(screen_text(app), [*names.values(), "Total"]) == [
            *(names[ws] for ws in ranked(costs)), "Total"]


async def test_e_exports_the_view_as_csv_with_the_recorded_sums_unrounded(
    tmp_path: Path,
) -> None:
    app = replay_app(ReplayTransport(RECORDED), export_directory=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("c")
        written = tmp_path / "costtui-2025-08-21_2025-09-09-workspace.csv"
        await wait_until(pilot, lambda: any(str(written) in text for text in notifications(app)))
        lines = written.read_text().splitlines()
        costs = recorded_costs(SHOWN, "workspace_id")
        names = recorded_workspace_names()
        assert lines[0] == "workspace,workspace_id,cost_usd"
        rows = [line.split(",") for line in lines[1:]]
        assert [(name, ws_id) for name, ws_id, _ in rows] == [
            (names[ws], ws or "") for ws in ranked(costs)]
        assert {ws_id or None: Decimal(cost) for _, ws_id, cost in rows} == costs
        assert rows[0][2] == str(costs[None]) == "13240.7980013"  # every recorded digit kept


@pytest.mark.parametrize(("status", "what_to_do", "tries"), [
    (403, "The key lacks permission: a normal API key (sk-ant-api…) was probably used where an "
          "Admin key (sk-ant-admin…) is needed.", 1),
    (500, "The API had an internal error: retry later.", 3),
])
async def test_a_recorded_api_error_shows_the_panel_with_its_request_id_then_r_recovers(
    status: int, what_to_do: str, tries: int,
) -> None:
    error = recorded_error(status)
    errors = failing_with(status, ("/cost_report",))
    transport = ReplayTransport(RECORDED)
    transport.exchanges[:0] = errors  # matched before the recorded 200s
    app = replay_app(transport)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.cost_screen.has_class("-error")
        assert label_text(app, "#error-title") == "Could not load costs"
        api = error["body"]["error"]
        assert label_text(app, "#error-details").splitlines() == [
            what_to_do,
            f"The API said: {api['message']}",
            f"HTTP {status} ({api['type']})",
            f"request-id: {error['headers']['request-id']}",
            "Press r to retry.",
        ]
        assert f"{what_to_do[0].lower()}{what_to_do[1:]} Press r to retry." in notifications(app)
        first_pages = Counter(request.url.params["starting_at"] for request in transport.requests
                              if request.url.path.endswith("/cost_report"))
        assert max(first_pages.values()) == tries  # a 5xx is retried twice, a 4xx never
        del transport.exchanges[:len(errors)]
        await pilot.press("r")
        await wait_until(pilot, lambda: not app.is_loading and app.last_error is None)
        await pilot.pause()
        assert not app.cost_screen.has_class("-error")
        total = sum(recorded_costs(SHOWN, "workspace_id").values(), Decimal(0))
        assert total_line(app)[1] == dollars(total)


async def test_a_recorded_401_without_a_key_factory_says_the_key_cannot_be_changed() -> None:
    transport = ReplayTransport()
    transport.exchanges = failing_with(401, ("/cost_report", "/me", "/workspaces"))
    app = replay_app(transport)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause()
        assert app.screen is app.cost_screen  # no dialog: nothing could build a new source
        details = label_text(app, "#error-details").splitlines()
        assert details == [
            "The Admin key is malformed, revoked or expired: enter a new one.",
            "The API said: invalid x-api-key",
            "HTTP 401 (authentication_error)",
            f"request-id: {recorded_error(401)['headers']['request-id']}",
            "Press r to retry, K to enter a new key.",
        ]
        hint, rejected = notifications(app)
        assert hint == ("the Admin key is malformed, revoked or expired: enter a new one. "
                        "Press r to retry.")
        assert rejected.startswith("The Admin key was rejected (401): it may have been revoked "
                                   "or expired. Enter a new one.")
        assert rejected.endswith("cannot switch keys.")


async def test_a_recorded_401_opens_the_key_dialog_and_a_pasted_key_loads_the_recording(
    memory_keyring: MemoryKeyring,
) -> None:
    built: list[str] = []

    def make_source(admin_key: AdminKey | None, profile: str) -> CostSource:
        assert admin_key is not None
        built.append(profile)
        return CostClient(admin_key, base_url=DEFAULT_BASE_URL,
                          transport=ReplayTransport(RECORDED), sleep=no_wait)

    revoked = ReplayTransport()
    revoked.exchanges = failing_with(401, ("/cost_report", "/me", "/workspaces"))
    app = replay_app(revoked, make_source=make_source)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, KeyEntryScreen)
                         and app.screen.keyring_ok is not None)
        assert label_text(app, "#key-reason") == (
            "The Admin key was rejected (401): it may have been revoked or expired. "
            "Enter a new one.")
        await paste(pilot, "#key-input", NEW_KEY)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "✓" in label_text(app, "#key-status"))
        assert label_text(app, "#key-status") == (
            f"✓ The key works: organisation {recorded_organisation()}")
        await pilot.press("enter")  # Save (focused)
        await wait_until(pilot, shows_range(app, SHOWN))
        await pilot.pause()
        assert app.screen is app.cost_screen and built == ["default", "default"]  # check, use
        assert memory_keyring.passwords == {(KEYRING_SERVICE, "default"): NEW_KEY}
        assert app.last_error is None and not app.cost_screen.has_class("-error")
        costs = recorded_costs(SHOWN, "workspace_id")
        assert total_line(app)[1] == dollars(sum(costs.values(), Decimal(0)))
        assert NEW_KEY not in screen_text(app) and SENTINEL_KEY not in screen_text(app)
