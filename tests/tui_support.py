"""Helpers for TUI tests: build the app on the demo API, wait on visible state, read the screen."""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import httpx
from textual import events
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, OptionList

from costtui.core.budgets import Budgets
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.models import DEFAULT_PROFILE
from costtui.core.view_state import DEFAULT_DRILL_PATH
from costtui.data.demo import DemoApi, DemoOrganization, DemoTransport
from costtui.data.open import demo_client
from costtui.tui.app import CostApp
from costtui.tui.settings import AppSettings

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
"""The moment every TUI test runs at, whatever the real date."""
TODAY = NOW.date()
"""The UTC today of every TUI test."""


def frozen_clock() -> FixedClock:
    """Return a clock frozen at NOW (a new one per app, so moving it affects one test)."""
    return FixedClock(NOW)


LAST_30_DAYS = DateRange(TODAY - timedelta(days=29), TODAY)


class GatedTransport(DemoTransport):
    """The demo API holding every answer until the test opens `gate`: slow without timing."""

    def __init__(self, api: DemoApi | None = None) -> None:
        super().__init__(api)
        self.gate = asyncio.Event()
        """Set: requests are answered; clear: they wait (a load stays in flight)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Wait for the gate, then answer from the demo organisation."""
        await self.gate.wait()
        return await super().handle_async_request(request)


def make_app(
    api: DemoApi | None = None,
    *,
    transport: DemoTransport | None = None,
    export_directory: Path | None = None,
    drill_path: tuple[str, ...] | None = None,
    date_range: DateRange | None = None,
    budgets: Budgets | None = None,
    remember_view: bool = False,
) -> CostApp:
    """Return the app over an in-process demo API with today frozen (and the profile's budgets)."""
    transport = transport or DemoTransport(api if api is not None else DemoApi())
    settings = AppSettings(
        clock=frozen_clock(), demo=True, export_directory=export_directory, date_range=date_range,
        drill_path=drill_path or DEFAULT_DRILL_PATH, remember_view=remember_view,
        budgets={DEFAULT_PROFILE: budgets} if budgets is not None else {},
    )
    return CostApp(demo_client(transport), settings)


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], limit: int = 400) -> None:
    """Let the app run until `condition` holds (fails after `limit` pauses, never sleeps blind)."""
    for _ in range(limit):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition not reached")


async def wait_loaded(pilot: Pilot[None], app: CostApp) -> None:
    """Wait until no load is running, a report or an error is shown, and its insights too."""
    await wait_until(pilot, lambda: not app.is_loading and not app.insights_running and (
        app.report is not None or app.last_error is not None))
    await pilot.pause()


async def paste(pilot: Pilot[None], selector: str, text: str) -> None:
    """Paste text over an Input of the current screen, as a terminal paste does (not typed).

    Typing a 40-character key one key press at a time took seconds per test; a paste is one
    event through the same Input code (selection replaced, restrict and max_length applied).
    """
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.select_all()
    field.post_message(events.Paste(text))
    await wait_until(pilot, lambda: field.value == text)
    await pilot.pause()


async def choose_option(pilot: Pilot[None], selector: str, option_id: str) -> None:
    """Highlight an option of a list on the current screen by its id and press Enter."""
    options = pilot.app.screen.query_one(selector, OptionList)
    options.focus()
    options.highlighted = options.get_option_index(option_id)
    await pilot.press("enter")


async def search_palette(pilot: Pilot[None], query: str) -> CommandList:
    """Paste a query into the open command palette and wait until its search has finished."""
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    await paste(pilot, "CommandInput", query)
    await wait_until(pilot, lambda: all(worker.is_finished for worker in pilot.app.workers
                                        if worker.node is palette))
    return palette.query_one(CommandList)


async def run_command(pilot: Pilot[None], query: str, wanted: str) -> None:
    """Search the open command palette and run the highlighted hit once it is `wanted`."""
    hits = await search_palette(pilot, query)
    await wait_until(pilot, lambda: hits.highlighted is not None and wanted in str(
        hits.get_option_at_index(hits.highlighted).prompt))
    await pilot.press("enter")


def shows_range(app: CostApp, wanted: DateRange) -> Callable[[], bool]:
    """Return a condition: the report of `wanted` is loaded and nothing else is loading."""
    return lambda: (app.report is not None and app.report.date_range == wanted
                    and not app.is_loading)


def rows_table(app: App[None]) -> DataTable[object]:
    """Return the table of the current level."""
    return app.screen.query_one("#level-rows", DataTable)


def cell(app: App[None], row_key: str, column: str) -> str:
    """Return the plain text of one cell of the level table."""
    value = rows_table(app).get_cell(row_key, column)
    return str(value.plain) if hasattr(value, "plain") else str(value)


def column_texts(app: App[None], column: str) -> list[str]:
    """Return the plain texts of a column, top to bottom."""
    table = rows_table(app)
    return [cell(app, str(row.key.value), column) for row in table.ordered_rows]


def total_line(app: App[None]) -> list[str]:
    """Return the plain texts of the total line's cells."""
    table = app.screen.query_one("#level-total", DataTable)
    return [getattr(value, "plain", str(value)) for value in table.get_row("total")]


def label_text(app: App[None], selector: str) -> str:
    """Return the plain text of a Label on the current screen."""
    return str(app.screen.query_one(selector, Label).content)


def trail_text(app: App[None]) -> str:
    """Return the breadcrumb without the "· Δ vs …" that follows it (tested on its own)."""
    return label_text(app, "#breadcrumb").split(" · Δ vs ")[0]


def cursor_key(app: App[None]) -> str:
    """Return the row key under the table cursor."""
    table = rows_table(app)
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


def screen_text(app: App[None]) -> str:
    """Return the plain text of the whole screen."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


LEGEND_ENTRY = re.compile(r"(\S)\1 (\S+(?: \S+)*?)(?: {2}|│|$)")
"""A chart legend line: the series marker twice (bar pattern or line marker), a space, a label."""


def legend(text: str, labels: Iterable[str]) -> list[str]:
    """Return the chart legend's labels found in screen text, top to bottom."""
    known = set(labels)
    entries = (LEGEND_ENTRY.search(line) for line in text.splitlines())
    return [entry[2] for entry in entries if entry and entry[2] in known]


def notifications(app: App[None]) -> list[str]:
    """Return the messages of the notifications shown so far."""
    return [notification.message for notification in app._notifications]


# Expected values, computed from the demo organisation's raw API data -------------------------


def raw_items(
    date_range: DateRange, org: DemoOrganization | None = None
) -> list[dict[str, object]]:
    """Return every raw CostItem dict of the range, grouped by workspace and description."""
    organisation = org or DemoOrganization()
    return [item for day in date_range.days() for item in organisation.cost_items(day)]


def workspace_names(org: DemoOrganization | None = None) -> dict[str | None, str]:
    """Return workspace id -> name, with None as "Default"."""
    organisation = org or DemoOrganization()
    names: dict[str | None, str] = {ws["id"]: ws["name"] for ws in organisation.workspaces}
    names[None] = "Default"
    return names


def expected_costs(
    date_range: DateRange, key: str, where: dict[str, object] | None = None
) -> dict[str | None, Decimal]:
    """Return dollars per value of a raw item field over the range, for items matching `where`."""
    sums: dict[str | None, Decimal] = defaultdict(Decimal)
    for item in raw_items(date_range):
        if all(item.get(name) == value for name, value in (where or {}).items()):
            value = item.get(key)
            sums[value if value is None else str(value)] += Decimal(str(item["amount"])) / 100
    return dict(sums)


def dollars(amount: Decimal) -> str:
    """Return an amount as the table should show it: $1,234.57, rounded half-even to cents."""
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return f"-${-rounded:,.2f}" if rounded < 0 else f"${rounded:,.2f}"
