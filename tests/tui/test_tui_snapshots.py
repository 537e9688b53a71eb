"""Snapshot tests of every screen on the demo organisation (120×40, and the main screen at 80×24).

Each docstring says what to look for when a snapshot changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from costtui.core.budgets import parse_budgets
from costtui.data.demo import DEMO_BUDGETS, DemoApi, DemoFaults, demo_transport
from costtui.tui.app import CostApp
from tests.tui_support import (
    TODAY,
    frozen_clock,
    make_app,
    paste,
    rows_table,
    wait_loaded,
    wait_until,
    workspace_names,
)

WIDE = (120, 40)
NARROW = (80, 24)
EXPORT_DIRECTORY = Path("/srv/exports")
SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def stable_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop the Input cursor from blinking (the clock is frozen by make_app)."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


def app_for_snapshot(api: DemoApi | None = None) -> CostApp:
    """Return the demo app with a fixed export directory."""
    return make_app(api, export_directory=EXPORT_DIRECTORY)


def after(*keys: str, screen: str | None = None) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Return a run_before that waits for the data, presses keys and waits for a screen."""

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, CostApp)
        await wait_loaded(pilot, app)
        for key in keys:
            await pilot.press(key)
        if screen is not None:
            await wait_until(pilot, lambda: type(app.screen).__name__ == screen)
        await pilot.pause()

    return run_before


def test_main_screen_wide(snap_compare: SnapCompare) -> None:
    """Workspaces by cost with Share, Δ $, Δ % (▲ bold or ▼), a trend and the total line; the
    header says organisation, UTC range, fetch time and, on a tinted line, that the last two
    days may be incomplete."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE, run_before=after())


def test_main_screen_narrow(snap_compare: SnapCompare) -> None:
    """At 80×24 every number is whole; the trend narrows and the footer fits."""
    assert snap_compare(app_for_snapshot(), terminal_size=NARROW, run_before=after())


def test_drilled_two_levels(snap_compare: SnapCompare) -> None:
    """Token types of the top model of the top workspace; the breadcrumb shows both values."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE,
                        run_before=after("enter", "enter"))


def test_drilled_narrow_cuts_long_names(snap_compare: SnapCompare) -> None:
    """At 80×24 token types read as words (Input, Cache write 5m…) and are whole, as are the
    numbers; Δ % ends in ▲ or ▼."""
    assert snap_compare(app_for_snapshot(), terminal_size=NARROW,
                        run_before=after("enter", "enter"))


def test_chart_stacked_bars(snap_compare: SnapCompare) -> None:
    """Cost per day of the workspaces as stacked bars, dollar axis, readable dates."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE, run_before=after("c"))


def test_chart_cumulative_line(snap_compare: SnapCompare) -> None:
    """The same level as a running total per workspace and overall."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE, run_before=after("c", "l"))


def test_text_filter(snap_compare: SnapCompare) -> None:
    """The filter bar shows "prod"; one row and a "Shown 1 of 6" total line remain."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE,
                        run_before=after("slash", *"prod"))


def test_date_range_dialog(snap_compare: SnapCompare) -> None:
    """Presets with the UTC days they mean today, the custom From/To fields, "UTC" said."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE,
                        run_before=after("d", screen="DateRangeScreen"))


def test_pivot_dialog(snap_compare: SnapCompare) -> None:
    """Dimensions to group the current level by, the current one marked "(now)"."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE,
                        run_before=after("g", screen="PivotScreen"))


def test_drill_path_dialog(snap_compare: SnapCompare) -> None:
    """The numbered drill path Workspace › Model › Token type and the other dimensions."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE,
                        run_before=after("G", screen="DrillPathScreen"))


def test_export_dialog(snap_compare: SnapCompare) -> None:
    """CSV and JSON with the file names each would create in the export directory."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE,
                        run_before=after("e", screen="ExportScreen"))


def test_report_command_dialog(snap_compare: SnapCompare) -> None:
    """The costtui report command of a drilled view and the rows to read in its output."""
    prod_search = next(key for key, name in workspace_names().items()
                       if name == "[prod] Search" and key)

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, CostApp)
        await wait_loaded(pilot, app)
        table = rows_table(app)
        table.move_cursor(row=table.get_row_index(prod_search))
        await pilot.press("enter", "y")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ReportCommandScreen")

    assert snap_compare(app_for_snapshot(), terminal_size=WIDE, run_before=run_before)


def test_help_screen(snap_compare: SnapCompare) -> None:
    """Every key with its action and what it does."""
    assert snap_compare(app_for_snapshot(), terminal_size=WIDE,
                        run_before=after("question_mark", screen="HelpScreen"))


def test_error_panel(snap_compare: SnapCompare) -> None:
    """A 403 shown inline: what it means, the API's words, the request id and "press r"."""
    api = DemoApi(faults=DemoFaults(status_always=403))
    assert snap_compare(app_for_snapshot(api), terminal_size=WIDE, run_before=after())


def test_key_dialog_after_a_key_was_checked(snap_compare: SnapCompare) -> None:
    """First run, no key: what an Admin key is, the masked input, the organisation it opens."""
    from costtui.core.admin_key import AdminKey
    from costtui.data.demo import DemoTransport
    from costtui.data.open import live_client
    from costtui.tui.screens.key_entry import KeyEntryScreen
    from costtui.tui.settings import AppSettings
    from tests.conftest import SENTINEL_KEY

    def make_source(admin_key: AdminKey | None, profile: str) -> Any:
        assert admin_key is not None
        return live_client(admin_key, profile, transport=DemoTransport(DemoApi(check_key=False)))

    app = CostApp(None, AppSettings(clock=frozen_clock()), make_source=make_source)

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: isinstance(app.screen, KeyEntryScreen)
                         and app.screen.keyring_ok is not None)
        await paste(pilot, "#key-input", SENTINEL_KEY)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyEntryScreen)
                         and app.screen.verified_key is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_wide_names_narrow(snap_compare: SnapCompare) -> None:
    """At 80×24 workspaces named with an emoji, accents and CJK line up and are whole."""
    from costtui.data.demo import DemoOrganization
    from tests.tui.test_tui_readable import WIDE_NAMES

    api = DemoApi(DemoOrganization(workspace_names=WIDE_NAMES))
    assert snap_compare(app_for_snapshot(api), terminal_size=NARROW, run_before=after())


def test_wide_names_chart(snap_compare: SnapCompare) -> None:
    """The chart's legend holds "Ops 🚀 EU" without breaking its frame; dates stay below."""
    from costtui.data.demo import DemoOrganization
    from tests.tui.test_tui_readable import WIDE_NAMES

    api = DemoApi(DemoOrganization(workspace_names=WIDE_NAMES))
    assert snap_compare(app_for_snapshot(api), terminal_size=NARROW, run_before=after("c"))


def insights_app() -> CostApp:
    """Return the demo as `costtui --demo` shows it: its seeded spike and its budgets."""
    return make_app(transport=demo_transport(TODAY), export_directory=EXPORT_DIRECTORY,
                    budgets=parse_budgets(DEMO_BUDGETS, "demo"))


def test_insights_on_the_main_screen(snap_compare: SnapCompare) -> None:
    """The header's projection tile and WARN budget status (tinted, bold); a Budget column with
    bars (Research Sandbox over: 139 %, tinted) and ▲ before the trend of Research Sandbox,
    Customer Support Bot and the total, with ▲ on the spike day in their trends."""
    assert snap_compare(insights_app(), terminal_size=WIDE, run_before=after())


def test_insights_at_80x24(snap_compare: SnapCompare) -> None:
    """At 80×24 the budget status goes under the projection; the trend (and ▲) give way."""
    assert snap_compare(insights_app(), terminal_size=NARROW, run_before=after())


def test_anomalies_screen(snap_compare: SnapCompare) -> None:
    """Spike days by impact: 2026-11-20 Research Sandbox first, its model, the total."""
    assert snap_compare(insights_app(), terminal_size=WIDE,
                        run_before=after("a", screen="AnomaliesScreen"))


def test_spike_causes(snap_compare: SnapCompare) -> None:
    """Enter on the top spike: the view drilled to Research Sandbox › 2026-11-20 by model, and
    the dialog ranking claude-opus-4-1 first with 100.0 % of the impact."""
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, CostApp)
        await after("a", screen="AnomaliesScreen")(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "SpikeCausesScreen")
        await pilot.pause()

    assert snap_compare(insights_app(), terminal_size=WIDE, run_before=run_before)
