"""Tests of how the TUI starts: key resolution before run(), demo mode, and the Admin key seam."""

from __future__ import annotations

import argparse
import gc
from datetime import date
from decimal import Decimal

import pytest

from costtui.cli.common import CliError
from costtui.cli.tui import launch
from costtui.core.admin_key import AdminKey
from costtui.data.api import CostClient
from costtui.data.cached_source import CachedSource
from costtui.data.config import config_path
from costtui.data.demo import DEMO_KEY, DemoApi, DemoFaults, DemoTransport
from costtui.data.demo_source import DemoSource
from costtui.data.open import demo_client
from costtui.data.source import CostSource
from costtui.tui.app import CostApp
from costtui.tui.cached_paint import FULL_API_GROUPING
from costtui.tui.screens.key_entry import KeyEntryScreen
from costtui.tui.settings import AppSettings
from tests.tui_support import frozen_clock, label_text, wait_loaded, wait_until


def arguments(**values: object) -> argparse.Namespace:
    """Return the bare command's arguments with defaults."""
    defaults: dict[str, object] = {"demo": False, "profile": None, "first_day": None,
                                   "last_day": None}
    return argparse.Namespace(**{**defaults, **values})


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[CostApp]:
    """Capture the app launch() would run instead of running it."""
    apps: list[CostApp] = []
    monkeypatch.setattr(CostApp, "run", lambda self, *args, **kwargs: apps.append(self))
    monkeypatch.setattr("costtui.cli.main.has_terminal", lambda: True)
    return apps


def test_demo_starts_with_the_demo_source(started: list[CostApp]) -> None:
    arguments_given = arguments(demo=True, first_day="2026-10-01", last_day="2026-10-31")
    assert launch(arguments_given, frozen_clock()) == 0
    app = started[0]
    assert app.source is not None and app.settings.demo
    assert str(app.date_range) == "2026-10-01 → 2026-10-31"


def test_the_collector_is_paused_while_the_app_starts_and_runs_after_the_app_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collecting: list[bool] = []

    def run(self: CostApp, *args: object, **kwargs: object) -> None:
        collecting.append(gc.isenabled())

    monkeypatch.setattr(CostApp, "run", run)
    monkeypatch.setattr("costtui.cli.main.has_terminal", lambda: True)
    launch(arguments(demo=True), frozen_clock())
    assert collecting == [False]  # the app's view resumes it once it is up
    assert gc.isenabled()


@pytest.mark.parametrize("range_given", [{}, {"first_day": "2026-10-01", "last_day": "2026-10-31"}])
def test_the_demo_starts_making_the_apps_first_report_before_it_runs(
    started: list[CostApp], range_given: dict[str, str]
) -> None:
    launch(arguments(demo=True, **range_given), frozen_clock())
    app = started[0]
    assert isinstance(app.source, DemoSource)
    # The view is handed it to show as it mounts: the range shown, the one before, fully grouped.
    made = app.cost_screen.first_report
    assert made is not None
    report = made.result()
    assert (report.date_range, report.api_group_by) == (app.date_range, FULL_API_GROUPING)
    assert report.previous_lines.days == tuple(app.date_range.previous().days())
    assert app.source.prepared is None  # taken: later loads go over the demo API


def test_no_key_starts_without_source_and_says_so(started: list[CostApp]) -> None:
    launch(arguments(), frozen_clock())
    assert started[0].source is None and started[0].make_source is not None


def test_key_from_environment_builds_a_live_source(
    started: list[CostApp], monkeypatch: pytest.MonkeyPatch, sentinel_key: str
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", sentinel_key)
    launch(arguments(profile="work"), frozen_clock())
    assert started[0].source is not None and started[0].settings.profile == "work"


def test_reversed_dates_are_a_command_line_error(started: list[CostApp]) -> None:
    with pytest.raises(CliError, match="reversed"):
        launch(arguments(demo=True, first_day="2026-10-31", last_day="2026-10-01"), frozen_clock())
    assert started == []


async def test_use_admin_key_switches_source_and_reloads() -> None:
    def make_source(admin_key: AdminKey | None, profile: str) -> CostSource:
        assert admin_key is not None and admin_key.reveal() == DEMO_KEY
        assert profile == "default"
        return demo_client(DemoTransport(DemoApi()))

    rejected = demo_client(DemoTransport(DemoApi(faults=DemoFaults(status_always=401))))
    app = CostApp(rejected, AppSettings(clock=frozen_clock()), make_source=make_source)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await wait_until(pilot, lambda: isinstance(app.screen, KeyEntryScreen))
        assert "rejected (401)" in label_text(app, "#key-reason")
        await pilot.press("escape")
        assert "K to enter a new key" in label_text(app, "#error-details")
        app.switch_source(app.settings.profile, AdminKey(DEMO_KEY))
        await wait_loaded(pilot, app)
        assert app.report is not None and app.report.date_range.last_day == date(2026, 11, 25)
        assert not app.cost_screen.has_class("-error")
        await pilot.press("K")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyEntryScreen))


def test_offline_reads_the_cache_alone_and_looks_no_key_up(
    started: list[CostApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_lookup(profile: str) -> None:
        raise AssertionError("offline must not look a key up")

    monkeypatch.setattr("costtui.data.secrets.resolve_key", no_lookup)  # imported when used
    launch(arguments(offline=True, profile="work"), frozen_clock())
    source = started[0].source
    assert isinstance(source, CachedSource) and source.offline and source.inner is None
    assert source.profile == "work" and started[0].settings.offline


def test_a_live_source_is_cached_unless_no_cache(
    started: list[CostApp], monkeypatch: pytest.MonkeyPatch, sentinel_key: str
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", sentinel_key)
    launch(arguments(), frozen_clock())
    cached = started[0].source
    assert isinstance(cached, CachedSource) and not cached.offline
    assert isinstance(cached.inner, CostClient)
    launch(arguments(no_cache=True), frozen_clock())
    assert isinstance(started[1].source, CostClient)


def test_the_demo_is_never_cached(started: list[CostApp]) -> None:
    launch(arguments(demo=True, offline=True), frozen_clock())
    source = started[0].source
    assert isinstance(source, DemoSource) and not source.uses_cache
    assert not started[0].settings.offline
    assert started[0].make_source is None


def test_the_command_line_drill_path_reaches_the_app(started: list[CostApp]) -> None:
    from costtui.cli.main import main

    assert main(["--demo", "--group-by", "model,token-type", "--group-by", "day"],
                clock=frozen_clock()) == 0
    assert started[0].cost_screen.state.drill_path == ("model", "token_type", "day")
    assert main(["--demo"], clock=frozen_clock()) == 0
    assert started[1].cost_screen.state.drill_path == ("workspace", "model", "token_type")


def test_an_unknown_drill_dimension_is_one_line_and_exit_2(
    started: list[CostApp], capsys: pytest.CaptureFixture[str]
) -> None:
    from costtui.cli.main import main

    assert main(["--demo", "--group-by", "api_key_id"], clock=frozen_clock()) == 2
    assert capsys.readouterr().err == (
        "costtui: error: unknown dimension 'api_key_id': use one of workspace, model, "
        "token_type, cost_type, service_tier, context_window, inference_geo, description, "
        "api_key, day\n"
    )
    assert started == []


def test_demo_carries_the_demo_budgets_and_the_seeded_spike(started: list[CostApp]) -> None:
    launch(arguments(demo=True), frozen_clock())
    budgets = started[0].settings.profile_budgets
    assert (budgets.monthly, [rule.ref for rule in budgets.workspaces]) == (
        Decimal("20000"), ["[prod] Search", "Research Sandbox", "Default"])
    source = started[0].source
    assert isinstance(source, DemoSource)
    # The spiked demo of the clock's today (2026-11-25): the last weekday 3+ days before.
    assert source.org.spike_day == date(2026, 11, 20)


def test_a_profile_carries_its_config_budgets(
    started: list[CostApp], monkeypatch: pytest.MonkeyPatch, sentinel_key: str
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", sentinel_key)
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[profiles.work.budgets]\nmonthly = "900.50"\n', encoding="utf-8")
    launch(arguments(profile="work"), frozen_clock())
    assert started[0].settings.profile_budgets.monthly == Decimal("900.50")


def test_a_bad_budget_stops_the_launch_with_the_file_and_line(
    started: list[CostApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[profiles.work.budgets]\nwarn_at = 2\n', encoding="utf-8")
    with pytest.raises(CliError) as raised:
        launch(arguments(profile="work"), frozen_clock())
    assert str(raised.value) == (f"{path}, line 2: warn_at in [profiles.work.budgets] must be a "
                                 "fraction in (0, 1], e.g. 0.8")
    assert started == []
