"""Remember me: theme, range, drill path and sort survive a restart; --reset-view ignores them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from costtui.cli.tui import settings_from
from costtui.core.dates import DateRange, preset_range
from costtui.data.state import UserState, save_state, state_path
from costtui.tui.app import CostApp
from costtui.tui.settings import AppSettings
from tests.conftest import SENTINEL_KEY
from tests.tui_support import (
    TODAY,
    frozen_clock,
    label_text,
    make_app,
    shows_range,
    wait_loaded,
    wait_until,
)


def arguments(**values: object) -> argparse.Namespace:
    """Return the bare command's arguments (only what the user typed is set)."""
    return argparse.Namespace(**{"demo": True, **values})


def saved_document() -> dict[str, object]:
    """Return the state file as JSON, or {} while it is not written."""
    path = state_path()
    return json.loads(path.read_text()) if path.exists() else {}


def test_a_restart_opens_on_the_remembered_view_unless_reset() -> None:
    save_state(UserState(theme="gruvbox", preset="last-month", drill_path=("model", "day"),
                         sort_column="name", sort_descending=False))
    settings = settings_from(arguments(), frozen_clock())
    assert settings.date_range == preset_range("last-month", TODAY)
    assert (settings.drill_path, settings.sort_column, settings.sort_descending) == (
        ("model", "day"), "name", False)
    assert settings.theme == "gruvbox" and settings.remember_view
    typed = settings_from(arguments(group_by=["workspace"], first_day="2026-11-01"),
                          frozen_clock())
    assert typed.drill_path == ("workspace",)  # what is typed wins
    assert typed.date_range == DateRange(TODAY.replace(day=1), TODAY)
    reset = settings_from(arguments(reset_view=True), frozen_clock())
    assert (reset.date_range, reset.theme, reset.sort_column) == (None, None, "cost")


def test_a_typed_range_is_remembered_as_days_and_a_damaged_file_is_ignored(
    capsys: object,
) -> None:
    custom = DateRange(TODAY.replace(day=3), TODAY.replace(day=9))
    save_state(UserState(custom_range=custom))
    assert settings_from(arguments(), frozen_clock()).date_range == custom
    state_path().write_text("{not json", encoding="utf-8")
    assert settings_from(arguments(), frozen_clock()).date_range is None


async def test_the_view_is_saved_as_it_changes_and_never_holds_a_secret(
    files_with_secret: object,
) -> None:
    app = make_app(remember_view=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("7")
        await wait_until(pilot, shows_range(app, preset_range("last-month", TODAY)))
        await wait_until(pilot, lambda: saved_document().get("preset") == "last-month")
        await pilot.press("s")  # sort by the next column: share
        await wait_until(pilot, lambda: saved_document().get("sort_column") == "share")
        app.theme = "nord"
        await wait_until(pilot, lambda: saved_document().get("theme") == "nord")
        assert saved_document()["drill_path"] == ["workspace", "model", "token_type"]
    assert SENTINEL_KEY not in state_path().read_text()
    restarted = CostApp(None, AppSettings(clock=frozen_clock(), theme="nord"))
    async with restarted.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: restarted.theme == "nord")
        assert "No Admin key" in label_text(restarted, "#error-title")


def test_state_path_is_under_the_isolated_state_dir(tmp_path: Path) -> None:
    assert str(state_path()).startswith(str(tmp_path))
