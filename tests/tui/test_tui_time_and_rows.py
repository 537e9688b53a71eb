"""Stepping through time ([ ] and number keys), row info (i) and copying a row (Y)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from textual.widgets import Static

from costtui.core.admin_key import AdminKey
from costtui.core.dates import DateRange, preset_range
from costtui.core.formatting import format_exact
from costtui.data.api import CostClient
from costtui.data.demo import DEMO_BASE_URL, DEMO_KEY, DemoApi, DemoFaults, DemoTransport
from costtui.tui.app import CostApp
from costtui.tui.screens.dialogs import RowInfoScreen
from costtui.tui.settings import AppSettings
from tests.tui_support import (
    LAST_30_DAYS,
    TODAY,
    GatedTransport,
    cursor_key,
    expected_costs,
    frozen_clock,
    label_text,
    make_app,
    notifications,
    screen_text,
    shows_range,
    wait_loaded,
    wait_until,
    workspace_names,
)


async def test_brackets_step_the_range_by_its_own_length_and_stop_at_today() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        earlier = DateRange(LAST_30_DAYS.first_day - timedelta(days=30),
                            LAST_30_DAYS.first_day - timedelta(days=1))
        await pilot.press("left_square_bracket")
        await wait_until(pilot, shows_range(app, earlier))
        await pilot.press("right_square_bracket")
        await wait_until(pilot, shows_range(app, LAST_30_DAYS))
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: any("nothing after today" in text
                                            for text in notifications(app)))
        assert app.report is not None and app.report.date_range == LAST_30_DAYS


async def test_a_month_steps_to_the_month_before_and_number_keys_pick_presets() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("7")  # last month: October 2026
        last_month = preset_range("last-month", TODAY)
        await wait_until(pilot, shows_range(app, last_month))
        await pilot.press("left_square_bracket")
        september = DateRange(last_month.first_day.replace(month=9),
                              last_month.first_day - timedelta(days=1))
        await wait_until(pilot, shows_range(app, september))
        assert september.day_count == 30
        await pilot.press("1")
        await wait_until(pilot, shows_range(app, DateRange(TODAY, TODAY)))


async def test_i_shows_the_row_exactly_and_y_copies_it() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        top = cursor_key(app)
        exact = expected_costs(LAST_30_DAYS, "workspace_id")[top]
        name = workspace_names()[top]
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, RowInfoScreen))
        text = str(app.screen.query_one("#row-info-lines", Static).content)
        assert f"API value: {top}" in text
        assert f"${format_exact(exact)} (exact, unrounded)" in text
        await pilot.press("Y")
        assert app.clipboard == f"{name}\t{format_exact(exact)}"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RowInfoScreen))
        app.copy_to_clipboard("")
        await pilot.press("Y")
        assert app.clipboard == f"{name}\t{format_exact(exact)}"
        assert exact > Decimal(0)
        assert any(text.startswith(f"Copied {name} · $") for text in notifications(app))


async def test_the_progress_line_says_why_it_waits_while_a_request_is_retried() -> None:
    released = asyncio.Event()
    waits: list[float] = []

    async def held_sleep(seconds: float) -> None:
        waits.append(seconds)
        await released.wait()

    api = DemoApi(faults=DemoFaults(rate_limit_first=1))
    client = CostClient(AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL, transport=DemoTransport(api),
                        sleep=held_sleep)
    app = CostApp(client, AppSettings(clock=frozen_clock(), demo=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: "429 rate limited, retrying in 0 s" in label_text(
            app, "#load-label"))
        assert "Esc cancels" in label_text(app, "#load-label") and waits == [0.0]
        released.set()
        await wait_loaded(pilot, app)
        assert app.report is not None and app.last_error is None


async def test_the_header_names_the_period_that_delta_compares_with() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert label_text(app, "#breadcrumb") == "All costs › by workspace · Δ vs 27 Sep–26 Oct"
        await pilot.press("7")  # last month: October
        await wait_until(pilot, shows_range(app, preset_range("last-month", TODAY)))
        # The same length before: 31 days, so it starts on 31 August.
        assert label_text(app, "#breadcrumb").endswith(" · Δ vs 31 Aug–30 Sep")


async def test_cancelling_the_first_load_says_so_where_the_table_would_be() -> None:
    transport = GatedTransport()  # never opened: the first load never ends by itself
    app = make_app(transport=transport)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.is_loading)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.is_loading)
        app.clear_notifications()  # the toast fades; the panel stays
        await pilot.pause()
        assert label_text(app, "#error-title") == "Nothing loaded"
        assert "press r to load it" in label_text(app, "#error-details")
        assert "Nothing loaded" in screen_text(app)
