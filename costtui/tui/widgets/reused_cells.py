"""A DataTable that draws again only the cells a rebuild changed, reusing the others' lines."""

# A level is shown by clearing its table and adding every row again (simple and always right);
# DataTable then renders every visible cell anew through Rich (~0.1 ms each: a 40-row level with
# a trend column is a 40-70 ms frame). Here a cell's rendered lines are kept under what decides
# them (its content, place, width and styles), for the build on screen and the one before it, so
# a rebuild that changed little (insights added, a refresh of the same data) renders only the
# cells that differ. A style change (theme, focus classes) forgets them all.

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from costtui.tui.widgets.cells import MoneyCell


def content_key(cell: object) -> Hashable | None:
    """Return what decides how a cell renders, or None for a cell of a kind not kept."""
    if isinstance(cell, Text):
        return ("text", cell.plain, cell.style, cell.justify, cell.overflow, cell.no_wrap,
                cell.end, cell.tab_size, tuple(cell.spans))
    if isinstance(cell, MoneyCell):
        return ("money", str(cell))
    return None


class ReusedCells(DataTable[object]):
    """A DataTable whose unchanged cells are not rendered again after `clear` and `add_row`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._rendered: dict[Hashable, Any] = {}
        """Rendered lines of the cells of the current build, by what decides them."""
        self._rendered_before: dict[Hashable, Any] = {}
        """The same for the build before (what a rebuild most often finds again)."""
        self._clearing_rows = False
        super().__init__(*args, **kwargs)

    def clear(self, columns: bool = False) -> ReusedCells:
        """Clear the rows (and columns) but keep the last build's rendered cells to reuse."""
        self._clearing_rows = True
        try:
            super().clear(columns)
        finally:
            self._clearing_rows = False
        return self

    def _clear_caches(self) -> None:
        super()._clear_caches()
        kept = self._rendered if self._clearing_rows else {}
        self._rendered_before, self._rendered = kept, {}

    def notify_style_update(self) -> None:
        """Forget every rendered cell: the styles they were drawn with changed."""
        self._rendered_before, self._rendered = {}, {}
        super().notify_style_update()

    def _render_cell(
        self, row_index: int, column_index: int, base_style: Style, width: int,
        cursor: bool = False, hover: bool = False,
    ) -> Any:
        key = self._cell_key(row_index, column_index, base_style, width, cursor, hover)
        if key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor,
                                        hover)
        lines = self._rendered.get(key)
        if lines is None:
            lines = self._rendered_before.get(key)
            if lines is None:
                lines = super()._render_cell(row_index, column_index, base_style, width,
                                             cursor, hover)
            self._rendered[key] = lines
        return lines

    def _cell_key(
        self, row_index: int, column_index: int, base_style: Style, width: int,
        cursor: bool, hover: bool,
    ) -> Hashable | None:
        """Return everything a cell's lines depend on, or None to render it the usual way."""
        if column_index < 0:
            return None
        if row_index < 0:
            height = self.header_height
        else:
            row_key = self._row_locations.get_key(row_index)
            row = self.rows.get(row_key) if row_key is not None else None
            if row is None or row.auto_height:
                return None
            height = row.height
        cells = self._get_row_renderables(row_index).cells
        if column_index >= len(cells):
            return None
        content = content_key(cells[column_index])
        if content is None:
            return None
        return (content, row_index, column_index, base_style, width, height, cursor, hover,
                self._show_hover_cursor, self._pseudo_class_state, self.show_cursor,
                self.fixed_rows, self.fixed_columns, self.cell_padding,
                self.cursor_foreground_priority, self.cursor_background_priority)
