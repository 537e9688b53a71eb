"""A DataTable that draws again only the cells a rebuild changed, reusing the others' lines."""

# A level is shown by clearing its table and adding every row again (simple and always right);
# DataTable then renders every visible cell anew through Rich (~0.1 ms each: a 40-row level with
# a trend column is a 40-70 ms frame). Here a cell's rendered lines are kept under what decides
# them (its content, place, width and styles), for the build on screen and the one before it, so
# a rebuild that changed little (insights added, a refresh of the same data) renders only the
# cells that differ. A style change (theme, focus classes) forgets them all.

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.console import ConsoleOptions
from rich.protocol import rich_cast
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.css.styles import RenderStyles
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import Column, RowKey

from costtui.tui.widgets.cells import MoneyCell
from costtui.tui.widgets.quick_cells import quick_text_lines

_T = TypeVar("_T")


def content_key(cell: object) -> Hashable | None:
    """Return what decides how a cell renders, or None for a cell of a kind not kept."""
    if isinstance(cell, Text):
        return ("text", cell.plain, cell.style, cell.justify, cell.overflow, cell.no_wrap,
                cell.end, cell.tab_size, tuple(cell.spans))
    if isinstance(cell, MoneyCell):
        return ("money", str(cell))
    return None


class _StylesOfOneRender(RenderStyles):
    """Component styles whose Rich style is worked out once (styles hold still in a render)."""

    def __init__(self, styles: RenderStyles) -> None:
        assert styles.node is not None
        super().__init__(styles.node, styles.base, styles.inline)
        self._kept_rich_style = styles.rich_style

    @property
    def rich_style(self) -> Style:
        """Return the Rich style worked out when these styles were made."""
        return self._kept_rich_style


class ReusedCells(DataTable[object]):
    """A DataTable whose unchanged cells are not rendered again after `clear` and `add_row`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._rendered: dict[Hashable, Any] = {}
        """Rendered lines of the cells of the current build, by what decides them."""
        self._rendered_before: dict[Hashable, Any] = {}
        """The same for the build before (what a rebuild most often finds again)."""
        self._clearing_rows = False
        self._columns_while_adding: list[Column] | None = None
        self._styles_this_render: dict[Hashable, Any] | None = None
        """Styles worked out once per render_lines (None outside one): each walks the DOM."""
        super().__init__(*args, **kwargs)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render the lines with the widget's and rows' styles worked out once, not per line."""
        self._styles_this_render = {}
        try:
            return super().render_lines(crop)
        finally:
            self._styles_this_render = None

    def _once_per_render(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """Return `compute()`, remembered under `key` for the rest of this render_lines."""
        styles = self._styles_this_render
        if styles is None:
            return compute()
        if key not in styles:
            styles[key] = compute()
        return styles[key]  # type: ignore[no-any-return]

    @property
    def rich_style(self) -> Style:
        """Return the widget's style (computed once per render: it walks every ancestor)."""
        return self._once_per_render("widget", lambda: super(ReusedCells, self).rich_style)

    def get_component_styles(self, *names: str) -> RenderStyles:
        """Return component styles; in a render, made once with their Rich style worked out.

        DataTable asks for the header's Rich style on every line it draws, and each time it
        walks every ancestor of the table (a few ms a frame)."""
        if self._styles_this_render is None:
            return super().get_component_styles(*names)
        return self._once_per_render(("component", names), lambda: _StylesOfOneRender(
            super(ReusedCells, self).get_component_styles(*names)))

    @property
    def background_colors(self) -> tuple[Color, Color]:
        """Return the background colours (once per render: they walk every ancestor too)."""
        return self._once_per_render(
            "background", lambda: super(ReusedCells, self).background_colors)

    @property
    def ordered_columns(self) -> list[Column]:
        """Return the columns in screen order (listed once per render, not per row and cell)."""
        if self._columns_while_adding is not None:
            return self._columns_while_adding
        return self._once_per_render("columns", lambda: super(ReusedCells, self).ordered_columns)

    @contextmanager
    def adding_rows(self) -> Iterator[None]:
        """Add rows with the columns listed once (DataTable lists them twice for every row)."""
        self._columns_while_adding = super().ordered_columns
        try:
            yield
        finally:
            self._columns_while_adding = None

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        kind = (-1 if row_index == -1 else 0 if row_index < self.fixed_rows
                else 1 + row_index % 2)
        return self._once_per_render(
            ("row", kind, base_style),
            lambda: super(ReusedCells, self)._get_row_style(row_index, base_style))

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Size the table without measuring every new cell when no column sizes to its cells."""
        if not any(column.auto_width for column in self.columns.values()):
            rows = self.rows
            new_rows = [key for key in new_rows if key in rows
                        and (rows[key].label is not None or rows[key].auto_height)]
        super()._update_dimensions(new_rows)

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
                lines = self._quick_cell(row_index, column_index, base_style, width, cursor,
                                         hover)
            if lines is None:
                lines = super()._render_cell(row_index, column_index, base_style, width,
                                             cursor, hover)
            self._rendered[key] = lines
        return lines

    def _quick_cell(
        self, row_index: int, column_index: int, base_style: Style, width: int,
        cursor: bool, hover: bool,
    ) -> list[list[Segment]] | None:
        """Return a kept kind of cell's lines drawn the quick way (its row is one line high)."""
        cell = rich_cast(self._get_row_renderables(row_index).cells[column_index])
        if not isinstance(cell, Text):
            return None
        is_header = row_index == -1
        if is_header:
            height = self.header_height
        else:
            row_key = self._row_locations.get_key(row_index)
            row = self.rows.get(row_key) if row_key is not None else None
            height = 0 if row is None or row.auto_height else row.height
        if height != 1:
            return None
        (show_hover_cursor, _, show_cursor, fixed_rows, fixed_columns, cell_padding,
         foreground_priority, background_priority) = self._table_state()
        is_fixed_style = not is_header and (row_index < fixed_rows
                                            or column_index < fixed_columns)
        component_style, post_style = self._get_styles_to_render_cell(
            is_header, False, is_fixed_style, hover, cursor, show_cursor, show_hover_cursor,
            foreground_priority == "css", background_priority == "css")
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index})
        return quick_text_lines(self.app.console, self._console_options(), cell, width,
                                cell_padding, pre_style + component_style, post_style)

    def _console_options(self) -> ConsoleOptions:
        """Return the app's console options (built once per render, not per cell)."""
        return self._once_per_render("options", lambda: self.app.console_options)

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
                self._table_state())

    def _table_state(self) -> tuple[Any, ...]:
        """Return the table-wide settings a cell's lines depend on (read once per render)."""
        return self._once_per_render("state", lambda: (
            self._show_hover_cursor, self._pseudo_class_state, self.show_cursor,
            self.fixed_rows, self.fixed_columns, self.cell_padding,
            self.cursor_foreground_priority, self.cursor_background_priority))
