"""The footer rebuilds its keys only when the keys shown change (a refresh alone keeps them)."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from costtui.tui.widgets.key_footer import KeyFooter
from tests.tui_support import GatedTransport, make_app, wait_loaded, wait_until


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


async def test_a_load_ending_drops_cancel_and_ungreys_drill_in_place() -> None:
    transport = GatedTransport()
    app = make_app(transport=transport)
    async with app.run_test(size=(120, 40)) as pilot:
        footer = app.screen.query_one(KeyFooter)

        def keys() -> dict[str, FooterKey]:
            return {key.action: key for key in footer.query(FooterKey)}

        await wait_until(pilot, lambda: "app.cancel_load" in keys())
        loading = keys()
        assert loading["select_cursor"].has_class("-disabled")  # no rows yet: Drill greyed
        transport.gate.set()
        await wait_loaded(pilot, app)
        await wait_until(pilot, lambda: "app.cancel_load" not in keys())
        loaded = keys()
        assert not loaded["select_cursor"].has_class("-disabled")
        assert set(loaded) == set(loading) - {"app.cancel_load"}
        assert all(loaded[action] is loading[action] for action in loaded)  # kept, not remade
        assert footer.styles.grid_size_columns == len(
            [key for key in loaded.values() if not key.has_class("-command-palette")])
