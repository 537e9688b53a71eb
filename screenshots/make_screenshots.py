"""Save SVG screenshots of every costtui screen on the demo organisation into screenshots/.

Run from the repository: `python screenshots/make_screenshots.py` (no key, no network).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from textual.widgets import Input  # noqa: E402

from costtui.core.admin_key import AdminKey  # noqa: E402
from costtui.core.budgets import parse_budgets  # noqa: E402
from costtui.core.clock import FixedClock  # noqa: E402
from costtui.core.models import DEFAULT_PROFILE  # noqa: E402
from costtui.data.demo import (  # noqa: E402
    DEMO_BUDGETS,
    DEMO_KEY,
    DemoApi,
    DemoFaults,
    DemoOrganization,
    DemoTransport,
    demo_spike_day,
)
from costtui.data.open import demo_client, live_client  # noqa: E402
from costtui.data.source import CostSource  # noqa: E402
from costtui.tui.app import CostApp  # noqa: E402
from costtui.tui.screens.key_entry import KeyEntryScreen  # noqa: E402
from costtui.tui.settings import AppSettings  # noqa: E402

OUTPUT = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
"""A fixed moment (today and the fetch time), so the pictures only change when the app does."""


def frozen_clock() -> FixedClock:
    """Return the fixed clock of every picture."""
    return FixedClock(NOW)


SHOTS: list[tuple[str, tuple[int, int], Sequence[str], str | None]] = [
    ("main", (120, 40), (), None),
    ("main-80x24", (80, 24), (), None),
    ("wide-200x60", (200, 60), ("enter",), None),
    ("drilled", (120, 40), ("enter", "enter"), None),
    ("chart", (120, 40), ("c",), None),
    ("chart-cumulative", (120, 40), ("c", "l"), None),
    ("filter", (120, 40), ("slash", "p", "r", "o", "d"), None),
    ("date-range", (120, 40), ("d",), "DateRangeScreen"),
    ("pivot", (120, 40), ("enter", "g"), "PivotScreen"),
    ("drill-path", (120, 40), ("G",), "DrillPathScreen"),
    ("export", (120, 40), ("enter", "e"), "ExportScreen"),
    ("report-command", (120, 40), ("enter", "y"), "ReportCommandScreen"),
    ("help", (120, 40), ("question_mark",), "HelpScreen"),
    ("anomalies", (120, 40), ("a",), "AnomaliesScreen"),
    ("error", (120, 40), (), None),
    ("tokens", (120, 40), ("t",), None),
    ("api-keys", (120, 40), ("enter", "t"), None),
]
"""(file name, terminal size, keys to press after loading, screen to wait for)."""

DRILL_PATHS = {"api-keys": ("workspace", "api_key", "model")}
"""Shots that start from another drill path than the default one."""


async def take(name: str, size: tuple[int, int], keys: Sequence[str], screen: str | None) -> Path:
    """Open the demo app, press the keys and save an SVG of what is shown."""
    faults = DemoFaults(status_always=403) if name == "error" else DemoFaults()
    settings = AppSettings(clock=frozen_clock(), demo=True, export_directory=Path("~/exports"),
                           budgets={DEFAULT_PROFILE: parse_budgets(DEMO_BUDGETS, "demo")})
    if name in DRILL_PATHS:
        settings = replace(settings, drill_path=DRILL_PATHS[name])
    organisation = DemoOrganization(spike_day=demo_spike_day(NOW.date()))  # as `costtui --demo`
    app = CostApp(demo_client(DemoTransport(DemoApi(organisation, faults=faults))), settings)
    async with app.run_test(size=size, notifications=True) as pilot:
        while app.is_loading or app.insights_running or (
                app.report is None and app.last_error is None):
            await pilot.pause(0.05)
        await pilot.press(*keys)
        while screen is not None and type(app.screen).__name__ != screen:
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        while any(worker.is_running for worker in app.workers):  # token figures, usage…
            await pilot.pause(0.05)
        if name in DRILL_PATHS or "t" in keys:
            app.clear_notifications()  # the 10 s "not in the token join" notice covers the table
        await pilot.pause(0.2)
        path = OUTPUT / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(OUTPUT))
    return path


async def take_key_entry() -> Path:
    """Open the app with no key, type the demo's (fake) key and save the checked dialog."""
    def make_source(admin_key: AdminKey | None, profile: str) -> CostSource:
        assert admin_key is not None
        return live_client(admin_key, profile, transport=DemoTransport(DemoApi()))

    app = CostApp(None, AppSettings(clock=frozen_clock()), make_source=make_source)
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, KeyEntryScreen) or app.screen.keyring_ok is None:
            await pilot.pause(0.05)
        app.screen.query_one("#key-input", Input).focus()
        await pilot.press(*DEMO_KEY, "enter")
        while not isinstance(app.screen, KeyEntryScreen) or app.screen.verified_key is None:
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        path = OUTPUT / "key-entry.svg"
        app.save_screenshot(filename=path.name, path=str(OUTPUT))
    return path


async def main() -> None:
    """Take every screenshot, one after the other."""
    for name, size, keys, screen in SHOTS:
        print(await take(name, size, keys, screen))
    print(await take_key_entry())


if __name__ == "__main__":
    asyncio.run(main())
