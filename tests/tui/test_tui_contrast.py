"""Every text style of styles.tcss reads at WCAG contrast 4.5:1 or more in every palette theme.

The colours are the ones Textual resolves from each theme's variables for the real widgets
(alpha and the backgrounds beneath included). The ANSI themes are left out: their colours are
the terminal's own, unknown to costtui.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.color import ColorSystem
from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.dom import DOMNode
from textual.widgets import Label, Static

from costtui.tui.screens.date_range import DateRangeScreen
from costtui.tui.screens.dialogs import ExportScreen, ReportCommandScreen
from costtui.tui.screens.grouping import DrillPathScreen
from costtui.tui.screens.key_entry import KeyEntryScreen
from costtui.tui.widgets.level_table import LevelRows
from tests.tui_support import LAST_30_DAYS, TODAY, make_app, wait_loaded, wait_until

MINIMUM_CONTRAST = 4.5
RED_NUMBERS = (1, 9)
"""ANSI red and bright red."""
STATES = {"date": ("-invalid",), "export": (), "command": (), "path": (),
          "key": ("-busy", "-ok", "-refused", "-no-keyring")}
"""Classes that restyle a dialog's texts, set in turn on the screen and on STATE_TARGET."""
STATE_TARGET = "#range-message, #key-status"
COMPUTABLE_THEMES = sorted(
    name for name in make_app().available_themes if not name.startswith("ansi")
)


def relative_luminance(color: Color) -> float:
    """Return the WCAG 2 relative luminance of an opaque colour."""

    def channel(value: int) -> float:
        share = value / 255
        return share / 12.92 if share <= 0.03928 else ((share + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast_ratio(foreground: Color, background: Color) -> float:
    """Return the WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def style_contrast(style: Style) -> float:
    """Return the contrast of a resolved Rich style's text on its background."""
    assert style.color is not None and style.bgcolor is not None, style
    return contrast_ratio(Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor))


def text_widgets(app: App[None]) -> Iterator[tuple[str, DOMNode]]:
    """Yield every label and static of the current screen with a name for messages."""
    for widget in app.screen.query("Label, Static"):
        if isinstance(widget, (Label, Static)) and not widget.has_class("-textual-system"):
            yield f"{widget.css_identifier_styled}", widget


def low_contrast(app: App[None], where: str) -> list[str]:
    """Return "where selector: ratio" for each text widget under the minimum."""
    problems = []
    for name, widget in text_widgets(app):
        ratio = style_contrast(widget.rich_style)
        if ratio < MINIMUM_CONTRAST:
            problems.append(f"{where} {name}: {ratio:.2f}")
    return problems


async def test_main_screen_texts_read_in_every_theme() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        app.cost_screen.add_class("-error", "-filtering")
        app.screen.query_one("#load-progress").add_class("-loading")
        budget_status = app.screen.query_one("#budget-status", Label)
        problems = []
        for theme in COMPUTABLE_THEMES:
            app.theme = theme
            for status in ("-ok", "-warn", "-over"):
                budget_status.set_classes(status)
                await pilot.pause()
                problems += low_contrast(app, f"{theme} main {status}")
        assert problems == [], "\n".join(problems)


async def test_level_table_change_marks_read_in_every_theme() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        table = app.screen.query_one(LevelRows)
        problems = []
        for theme in COMPUTABLE_THEMES:
            app.theme = theme
            await pilot.pause()
            for row_class in ("datatable--odd-row", "datatable--even-row"):
                row = table.rich_style + table.get_component_rich_style(row_class)
                for mark in ("level-rows--increase", "level-rows--decrease",
                             "level-rows--budget-ok", "level-rows--budget-warn",
                             "level-rows--budget-over", "level-rows--spike"):
                    style = row + table.get_component_rich_style(mark, partial=True)
                    ratio = style_contrast(style)
                    if ratio < MINIMUM_CONTRAST:
                        problems.append(f"{theme} {row_class} {mark}: {ratio:.2f}")
        assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("dialog", ["date", "export", "command", "path", "key"])
async def test_dialog_texts_read_in_every_theme(dialog: str) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        if dialog == "date":
            app.push_screen(DateRangeScreen(TODAY, LAST_30_DAYS))
        elif dialog == "export":
            app.push_screen(ExportScreen({"csv": "a.csv", "json": "a.json"}, None))
        elif dialog == "command":
            app.push_screen(ReportCommandScreen("costtui report --demo", ["Workspace = x"]))
        elif dialog == "path":
            app.push_screen(DrillPathScreen(("workspace", "model")))
        else:
            app.push_screen(KeyEntryScreen("default", "No Admin key yet.",
                                           lambda key, profile: None))  # type: ignore[arg-type,return-value]
        await wait_until(pilot, lambda: app.screen is not app.cost_screen)
        await pilot.pause()
        problems = []
        for theme in COMPUTABLE_THEMES:
            app.theme = theme
            await pilot.pause()
            problems += low_contrast(app, f"{theme} {dialog}")
            for state in STATES[dialog]:
                targets = [app.screen, *app.screen.query(STATE_TARGET)]
                for node in targets:
                    node.add_class(state)
                await pilot.pause()
                problems += low_contrast(app, f"{theme} {dialog} {state}")
                for node in targets:
                    node.remove_class(state)
        assert problems == [], "\n".join(problems)


async def test_under_16_colours_the_breadcrumb_is_not_red() -> None:
    """TERM=xterm downgrades every colour to the 16 ANSI ones: the breadcrumb turned bright red."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        downgraded = {}
        for theme in COMPUTABLE_THEMES:
            app.theme = theme
            await pilot.pause()
            style = app.screen.query_one("#breadcrumb", Label).rich_style
            assert style.color is not None and style.bgcolor is not None
            text = style.color.downgrade(ColorSystem.STANDARD).number
            background = style.bgcolor.downgrade(ColorSystem.STANDARD).number
            downgraded[theme] = (text, background)
        assert [theme for theme, (text, _) in downgraded.items() if text in RED_NUMBERS] == []
        assert [theme for theme, (text, back) in downgraded.items() if text == back] == []
