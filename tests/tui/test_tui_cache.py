"""The cache in the TUI: where data came from and how old it is, offline gaps, refreshes, damage."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from textual.command import CommandPalette

from costtui.core.admin_key import AdminKey
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.freshness import age_text, missing_days_text
from costtui.data.cache import CostCache
from costtui.data.demo import DemoApi, DemoTransport
from costtui.data.open import SourceOptions, open_source
from costtui.data.source import load_report
from costtui.tui.app import FULL_API_GROUPING, CostApp
from costtui.tui.settings import AppSettings
from tests.conftest import SENTINEL_KEY
from tests.tui_support import (
    LAST_30_DAYS,
    TODAY,
    column_texts,
    label_text,
    notifications,
    run_command,
    screen_text,
    search_palette,
    total_line,
    wait_loaded,
    wait_until,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
"""The cache's clock: days up to 2026-11-22 are complete, 23-25 are not."""
FIRST_INCOMPLETE = date(2026, 11, 23)


def cost_days(api: DemoApi) -> set[date]:
    """Return every day the API was asked for in cost_report requests."""
    days: set[date] = set()
    for request in api.requests:
        if request.url.path.endswith("/cost_report"):
            first = date.fromisoformat(request.url.params["starting_at"][:10])
            end = date.fromisoformat(request.url.params["ending_at"][:10])
            days.update(DateRange(first, end - timedelta(days=1)).days())
    return days


def cached_app(
    path: Path, api: DemoApi | None = None, *, offline: bool = False, now: datetime = NOW,
    date_range: DateRange | None = None,
) -> CostApp:
    """Return the app over the demo API with the cache at `path` in front (or alone, offline)."""
    clock = FixedClock(now)
    cache = CostCache(path, clock=clock)
    options = SourceOptions(offline=offline)
    transport = DemoTransport(api or DemoApi(check_key=False))
    admin_key = None if offline else AdminKey(SENTINEL_KEY)
    settings = AppSettings(clock=clock, offline=offline, date_range=date_range)
    source = open_source(options, admin_key, clock, transport=transport, cache=cache)
    return CostApp(source, settings)


async def cache_range(path: Path, date_range: DateRange) -> None:
    """Fill the cache at `path` with a range and the period before it, as the cost view loads."""
    clock = FixedClock(NOW)
    source = open_source(SourceOptions(), AdminKey(SENTINEL_KEY), clock,
                         transport=DemoTransport(DemoApi(check_key=False)),
                         cache=CostCache(path, clock=clock))
    try:
        await load_report(source, date_range, FULL_API_GROUPING, clock=clock, with_previous=True)
    finally:
        await source.aclose()


def title(app: CostApp) -> str:
    """Return the header's first line."""
    return label_text(app, "#header-title")


async def test_reopening_serves_complete_days_from_the_cache_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "costs.sqlite3"
    first_api = DemoApi(check_key=False)
    app = cached_app(path, first_api, now=NOW - timedelta(hours=2))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        assert title(app).endswith(" · live · fetched 10:00 UTC")
        fetched = app.report
    # the range, the period before it and the insights' history (56 days before the range)
    assert len(cost_days(first_api)) == 86
    api = DemoApi(check_key=False)
    app = cached_app(path, api)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        assert title(app).endswith(" · cache + live · cached 2 h ago")
        assert cost_days(api) == set(DateRange(FIRST_INCOMPLETE, TODAY).days())
        assert app.report is not None and fetched is not None
        assert sorted(map(repr, app.report.items)) == sorted(map(repr, fetched.items))


async def test_r_refreshes_recent_days_and_the_palette_refreshes_everything(
    tmp_path: Path,
) -> None:
    path = tmp_path / "costs.sqlite3"
    app = cached_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
    api = DemoApi(check_key=False)
    app = cached_app(path, api)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        api.requests.clear()
        await pilot.press("r")
        await wait_until(pilot, lambda: cost_days(api) != set())
        await wait_loaded(pilot, app)
        assert cost_days(api) == set(DateRange(FIRST_INCOMPLETE, TODAY).days())
        api.requests.clear()
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await run_command(pilot, "full refresh", "Full refresh (ignore cache)")
        await wait_until(pilot, lambda: len(cost_days(api)) == 60)
        await wait_loaded(pilot, app)
        assert title(app).endswith(" · live · fetched 12:00 UTC")


async def test_offline_serves_the_cache_and_names_the_missing_days(tmp_path: Path) -> None:
    path = tmp_path / "costs.sqlite3"
    last_week = DateRange(TODAY - timedelta(days=6), TODAY)
    await cache_range(path, last_week)  # caches 2026-11-12 … 2026-11-25
    app = cached_app(path, offline=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        assert app.report is not None and app.last_error is None
        missing = DateRange(LAST_30_DAYS.first_day, date(2026, 11, 11))
        assert app.report.missing_days == tuple(missing.days())
        assert " · cache (offline) · fetched just now" in title(app)
        freshness = label_text(app, "#freshness")
        assert f"16 day(s) missing from the cache: {missing}" in freshness
        assert f"16 day(s) missing from the cache: {missing}." in notifications(app)
        assert missing_days_text(app.report.missing_days) == str(missing)
        # The period before is not cached at all: changes are unknown, not "new".
        assert len(app.report.previous_missing_days) == 30
        assert "Δ n/a: 30 day(s) of the previous period are missing" in freshness
        assert set(column_texts(app, "change") + column_texts(app, "change_pct")) == {"n/a"}
        assert total_line(app)[3:5] == ["n/a", "n/a"]
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await search_palette(pilot, "refresh")
        assert "Full refresh" not in screen_text(app)  # nothing to refresh from offline


async def test_offline_with_an_empty_cache_explains_inline(tmp_path: Path) -> None:
    app = cached_app(tmp_path / "costs.sqlite3", offline=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        assert "run once online to fill it" in label_text(app, "#error-details")


async def test_a_damaged_cache_file_warns_once_and_the_data_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "costs.sqlite3"
    path.write_bytes(b"this is not a database " * 200)
    app = cached_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        assert app.report is not None and app.last_error is None
        warnings = [text for text in notifications(app) if "moved it to" in text]
        assert len(warnings) == 1 and "started a new one" in warnings[0]
        await pilot.press("r")
        await wait_loaded(pilot, app)
        assert len([text for text in notifications(app) if "moved it to" in text]) == 1
    assert list(tmp_path.glob("costs.sqlite3.corrupt-*"))


def test_missing_days_are_named_as_a_few_compact_ranges() -> None:
    days = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 9),
            date(2026, 11, 12), date(2026, 11, 20), date(2026, 11, 21)]
    assert missing_days_text(days) == "2026-11-01 → 2026-11-03, 2026-11-09, 2026-11-12, …"
    assert missing_days_text(days, limit=9) == (
        "2026-11-01 → 2026-11-03, 2026-11-09, 2026-11-12, 2026-11-20 → 2026-11-21")


def test_ages_are_short_and_never_negative() -> None:
    assert [age_text(NOW - delta, NOW) for delta in (
        timedelta(seconds=-5), timedelta(seconds=59), timedelta(minutes=5), timedelta(hours=47),
        timedelta(days=3))] == ["just now", "just now", "5 min ago", "47 h ago", "3 d ago"]
