"""A rebuilt table reuses unchanged cells' lines, yet always shows the new values and styles."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import App, ComposeResult

from costtui.tui.widgets.cells import MoneyCell
from costtui.tui.widgets.reused_cells import ReusedCells


class TableApp(App[None]):
    """One reused-cells table, filled like a level: clear, columns, rows."""

    def compose(self) -> ComposeResult:
        yield ReusedCells(id="table")

    def fill(self, rows: list[tuple[str, str]]) -> None:
        table = self.query_one(ReusedCells)
        table.clear(columns=True)
        table.add_column(Text("Name"), width=12, key="name")
        table.add_column(Text("Cost", justify="right"), width=10, key="cost")
        for name, amount in rows:
            table.add_row(Text(name, no_wrap=True, overflow="ellipsis"),
                          MoneyCell(Decimal(amount)), key=name)


def screen_lines(table: ReusedCells) -> list[str]:
    """Return the text of the table's first lines as drawn."""
    return [table.render_line(y).text for y in range(3)]


def cell_colors(table: ReusedCells) -> set[str]:
    """Return the background colours the first row is drawn with."""
    return {str(segment.style.bgcolor) for segment in table.render_line(1)
            if segment.style is not None and segment.style.bgcolor is not None}


async def test_a_rebuild_shows_changed_values_and_keeps_the_unchanged_ones() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ReusedCells)
        app.fill([("Search", "12.50"), ("Support", "3.25")])
        await pilot.pause()
        first = screen_lines(table)
        assert "$12.50" in first[1] and "$3.25" in first[2]

        app.fill([("Search", "12.50"), ("Support", "4.75")])
        await pilot.pause()
        second = screen_lines(table)
        assert second[1] == first[1]
        assert "$4.75" in second[2] and "$3.25" not in second[2]

        app.fill([("Support", "4.75"), ("Search", "12.50")])  # rows swap places
        await pilot.pause()
        swapped = screen_lines(table)
        assert "Support" in swapped[1] and "$4.75" in swapped[1]
        assert "Search" in swapped[2] and "$12.50" in swapped[2]


async def test_a_theme_change_draws_every_cell_in_the_new_colours() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ReusedCells)
        app.theme = "textual-dark"
        app.fill([("Search", "12.50"), ("Support", "3.25")])
        await pilot.pause()
        dark = cell_colors(table)

        app.theme = "textual-light"
        await pilot.pause()
        app.fill([("Search", "12.50"), ("Support", "3.25")])
        await pilot.pause()
        light = cell_colors(table)
        assert dark and light and dark.isdisjoint(light)


async def test_fixed_columns_size_the_table_without_measuring_yet_scroll_to_the_last_row() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ReusedCells)
        app.fill([(f"Workspace {number:02}", f"{number}.00") for number in range(30)])
        await pilot.pause()
        assert table.virtual_size.height == 31  # the header and 30 rows
        table.move_cursor(row=29)
        await pilot.pause()
        shown = [table.render_line(y).text for y in range(table.size.height)]
        assert any("Workspace 29" in line and "$29.00" in line for line in shown)


async def test_a_row_label_still_gets_its_column() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ReusedCells)
        app.fill([("Search", "12.50")])
        table.add_row(Text("Support"), MoneyCell(Decimal("3.25")), key="labelled",
                      label=Text("L1"))
        await pilot.pause()
        assert table.render_line(2).text.startswith(" L1  Support")
