"""The footer rebuilds its keys only when the keys shown change (a refresh alone keeps them)."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from costtui.tui.widgets.key_footer import KeyFooter
from tests.tui_support import make_app, wait_loaded, wait_until


async def test_refreshed_bindings_keep_the_keys_and_a_changed_key_rebuilds_them() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        footer = app.screen.query_one(KeyFooter)
        shown = list(footer.query(FooterKey))
        assert "show_chart" in [key.action for key in shown]
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert list(footer.query(FooterKey)) == shown
        assert all(key.is_attached for key in shown)

        await pilot.press("c")
        await wait_until(pilot, lambda: "show_table" in [
            key.action for key in footer.query(FooterKey)])
        assert "show_chart" not in [key.action for key in footer.query(FooterKey)]
