"""The TUI over a hostile API: names shown with visible escapes, an echoed key masked."""

from __future__ import annotations

from costtui.core.admin_key import AdminKey
from costtui.core.text import clean_text
from costtui.data.api import CostClient
from costtui.tui.app import CostApp
from costtui.tui.settings import AppSettings
from tests.conftest import SENTINEL_KEY
from tests.hostile import ESCAPES, HostileTransport, unsafe_bytes
from tests.tui_support import frozen_clock, label_text, notifications, screen_text, wait_loaded


def hostile_app(mode: str) -> CostApp:
    """Return the app over the hostile API in a mode, with the sentinel key."""
    client = CostClient(AdminKey(SENTINEL_KEY), transport=HostileTransport(mode))
    return CostApp(client, AppSettings(clock=frozen_clock()))


async def test_escape_sequences_in_names_are_shown_not_obeyed() -> None:
    app = hostile_app("escape_names")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert app.report is not None
        shown = screen_text(app)
        assert "WS0\\x1b[2J\\x1b]0;pwned" in shown
        assert f"Acme{clean_text(ESCAPES)}"[:30] in shown
        assert unsafe_bytes(shown.encode("utf-8", "surrogatepass")) == []
        assert unsafe_bytes(app.export_screenshot().encode("utf-8", "surrogatepass")) == []


async def test_a_key_echoed_in_an_error_is_masked_on_screen_and_in_notifications() -> None:
    app = hostile_app("echo_key")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause()
        details = label_text(app, "#error-details")
        assert "The API said: invalid x-api-key: sk-ant-admin01-…a9c\\x1b[2J" in details
        everything = "\n".join([screen_text(app), details, *notifications(app)])
        assert SENTINEL_KEY not in everything and SENTINEL_KEY not in app.export_screenshot()
        assert unsafe_bytes(everything.encode()) == []
