"""Stale while revalidate: the cached range is painted at once, then replaced by the fresh one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx

from costtui.core.admin_key import AdminKey
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.insights import insights_window
from costtui.core.models import CostItem, DayBucket
from costtui.data.cache import CostCache
from costtui.data.demo import DemoApi, DemoOrganization, DemoTransport
from costtui.data.open import SourceOptions, open_source
from costtui.data.source import load_report
from costtui.tui.app import FULL_API_GROUPING, CostApp
from costtui.tui.insights import window_from_report
from costtui.tui.settings import AppSettings
from tests.conftest import SENTINEL_KEY
from tests.tui.test_tui_cache import NOW, title
from tests.tui_support import (
    LAST_30_DAYS,
    TODAY,
    GatedTransport,
    notifications,
    rows_table,
    total_line,
    wait_loaded,
    wait_until,
)

STALE_WORKSPACE = "wrkspc_only_in_the_cache"
"""A workspace the cache's copy of today holds and the API does not (today is incomplete)."""


def gated_app(path: Path, api: DemoApi) -> tuple[CostApp, GatedTransport]:
    """Return the app over a held demo API with the cache at `path` in front, and the gate."""
    clock = FixedClock(NOW)
    transport = GatedTransport(api)
    source = open_source(SourceOptions(), AdminKey(SENTINEL_KEY), clock, transport=transport,
                         cache=CostCache(path, clock=clock))
    settings = AppSettings(clock=clock, date_range=LAST_30_DAYS)
    return CostApp(source, settings), transport


async def fill_cache(path: Path, org: DemoOrganization) -> None:
    """Cache the last 30 days (and the 30 before) of an organisation, as a previous run did."""
    clock = FixedClock(NOW)
    source = open_source(SourceOptions(), AdminKey(SENTINEL_KEY), clock,
                         transport=DemoTransport(DemoApi(org, check_key=False)),
                         cache=CostCache(path, clock=clock))
    try:
        await load_report(source, LAST_30_DAYS, FULL_API_GROUPING, clock=clock)
    finally:
        await source.aclose()


def store_stale_today(path: Path, org: DemoOrganization) -> None:
    """Store a made-up copy of today (incomplete, so refetched): $1,000 on one workspace."""
    item = CostItem(TODAY, Decimal(100_000), "USD", STALE_WORKSPACE, "Claude Sonnet 4 Usage",
                    "tokens", "claude-sonnet-4", "output_tokens", "standard", "0-200k", None)
    cache = CostCache(path, clock=FixedClock(NOW))
    cache.store(org.org_id, FULL_API_GROUPING, [DayBucket(TODAY, [item])])
    cache.close()


def row_keys(app: CostApp) -> list[str]:
    """Return the row keys of the level table, top to bottom."""
    return [str(row.key.value) for row in rows_table(app).ordered_rows]


async def test_the_cached_range_is_on_screen_while_the_network_is_held(tmp_path: Path) -> None:
    path = tmp_path / "costs.sqlite3"
    org = DemoOrganization()
    await fill_cache(path, org)
    store_stale_today(path, org)
    app, transport = gated_app(path, DemoApi(org, check_key=False))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: app.report is not None)
        assert app.is_loading and not transport.gate.is_set()
        assert " · from the cache · refreshing…" in title(app)
        assert any(STALE_WORKSPACE in key for key in row_keys(app))
        stale_total = total_line(app)
        # Drill into the second workspace and put the cursor on its second row.
        rows_table(app).move_cursor(row=1)
        drilled_key = app.cost_screen.cursor_row()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.cost_screen.state.depth == 1)
        rows_table(app).move_cursor(row=1)
        cursor_key = app.cost_screen._table().cursor_key()
        state = app.cost_screen.state
        transport.gate.set()
        await wait_loaded(pilot, app)
        assert "refreshing" not in title(app) and " · cache + live · cached " in title(app)
        assert app.cost_screen.state == state and drilled_key is not None
        assert app.cost_screen._table().cursor_key() == cursor_key
        await pilot.press("backspace")
        await wait_until(pilot, lambda: app.cost_screen.state.depth == 0)
        assert not any(STALE_WORKSPACE in key for key in row_keys(app))
        fresh_total = total_line(app)
        assert fresh_total != stale_total
        assert not any("Organisation changed" in text for text in notifications(app))


class WitnessedTransport(GatedTransport):
    """A held demo API noting what the screen showed when the first request went out."""

    def __init__(self, api: DemoApi) -> None:
        super().__init__(api)
        self.witness: Callable[[], object] = lambda: None
        self.seen_at_first_request: object = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.seen_at_first_request is None:
            try:
                self.seen_at_first_request = self.witness()
            except Exception as error:  # noqa: BLE001 - nothing to read yet is what it saw
                self.seen_at_first_request = repr(error)
        return await super().handle_async_request(request)


async def test_the_cached_copy_is_on_screen_before_the_first_request_goes_out(
    tmp_path: Path,
) -> None:
    path = tmp_path / "costs.sqlite3"
    org = DemoOrganization()
    await fill_cache(path, org)
    store_stale_today(path, org)
    clock = FixedClock(NOW)
    transport = WitnessedTransport(DemoApi(org, check_key=False))
    source = open_source(SourceOptions(), AdminKey(SENTINEL_KEY), clock, transport=transport,
                         cache=CostCache(path, clock=clock))
    app = CostApp(source, AppSettings(clock=clock, date_range=LAST_30_DAYS))
    transport.witness = lambda: (title(app), row_keys(app), total_line(app))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: transport.seen_at_first_request is not None)
        seen = transport.seen_at_first_request
        assert isinstance(seen, tuple), f"nothing on screen at the first request: {seen}"
        shown_title, shown_rows, shown_total = seen
        assert " · from the cache · refreshing…" in shown_title
        assert any(STALE_WORKSPACE in key for key in shown_rows)
        assert any(text.startswith("$") for text in shown_total)
        transport.gate.set()
        await wait_loaded(pilot, app)
        assert not any(STALE_WORKSPACE in key for key in row_keys(app))


async def test_another_organisation_behind_the_key_reloads_at_the_top(tmp_path: Path) -> None:
    path = tmp_path / "costs.sqlite3"
    await fill_cache(path, DemoOrganization(seed=8, name="Cached Other Org"))
    app, transport = gated_app(path, DemoApi(DemoOrganization(), check_key=False))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: app.report is not None)
        assert title(app).startswith("Cached Other Org · ")
        assert "refreshing…" in title(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.cost_screen.state.depth == 1)
        transport.gate.set()
        await wait_loaded(pilot, app)
        assert title(app).startswith("Acme Robotics (demo) · ")
        assert app.cost_screen.state.depth == 0
        assert any("opens Acme Robotics (demo), not the organisation cached" in text
                   for text in notifications(app))


async def test_with_nothing_cached_the_first_load_is_simply_awaited(tmp_path: Path) -> None:
    app, transport = gated_app(tmp_path / "costs.sqlite3", DemoApi(check_key=False))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: app.is_loading)
        await pilot.pause()
        assert app.report is None and "refreshing" not in title(app)
        transport.gate.set()
        await wait_loaded(pilot, app)
        assert app.report is not None and " · live · fetched " in title(app)


async def test_a_year_s_insights_window_is_cut_from_the_loaded_report(tmp_path: Path) -> None:
    year = DateRange(TODAY - timedelta(days=364), TODAY)
    api = DemoApi(check_key=False)
    source = open_source(SourceOptions(no_cache=True), AdminKey(SENTINEL_KEY), FixedClock(NOW),
                         transport=DemoTransport(api))
    report = await load_report(source, year, FULL_API_GROUPING, clock=FixedClock(NOW))
    window_range = insights_window(year, TODAY)
    window = await load_report(source, window_range, FULL_API_GROUPING, clock=FixedClock(NOW),
                               with_previous=False)
    await source.aclose()
    cut = window_from_report(report, window_range)
    assert cut is not None and cut.date_range == window_range
    assert sorted(cut.items, key=repr) == sorted(window.items, key=repr)
    assert sum((item.amount_cents for item in cut.items), Decimal(0)) == sum(
        (item.amount_cents for item in window.items), Decimal(0))
    # Older than the period before the range: the window must be fetched.
    assert window_from_report(report, DateRange(TODAY - timedelta(days=800), TODAY)) is None
