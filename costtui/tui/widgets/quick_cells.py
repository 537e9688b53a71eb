"""One-line text cells drawn with the segments DataTable would draw, minus Rich's generic layers."""

# DataTable draws a cell as console.render_lines(Styled(Padding(cell), pre, post)): three
# nested renders, each splitting, cropping and padding lines again (~0.1 ms a cell, most of a
# first frame with data). For a one-line row and a Text cell without line breaks the result is
# the text wrapped to the inner width, padded with the padding's style, framed by the padding
# and styled before/after: built here directly from the same Rich steps, to the same segments
# (tests/tui/test_quick_cells.py compares both ways cell by cell).

from __future__ import annotations

from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text


def quick_text_lines(
    console: Console, options: ConsoleOptions, cell: Text, width: int, padding: int,
    pre_style: Style, post_style: Style,
) -> list[list[Segment]] | None:
    """Return a one-line cell's lines as DataTable renders them, or None if it is not one."""
    inner = width - 2 * padding
    if inner < 1 or cell.end not in ("\n", "") or "\n" in cell.plain:
        return None
    tab_size = console.tab_size if cell.tab_size is None else cell.tab_size
    wrapped = cell.wrap(
        console, inner,
        justify=cell.justify or options.justify or DEFAULT_JUSTIFY,
        overflow=cell.overflow or options.overflow or DEFAULT_OVERFLOW,
        tab_size=tab_size or 8, no_wrap=True,
    )
    if len(wrapped) != 1:
        return None
    pad_style = console.get_style("none")
    segments: list[Segment] = list(Text("\n").join(wrapped).render(console, end=""))
    if pad_style:
        segments = list(Segment.apply_style(segments, pad_style))
    line = Segment.adjust_line_length(segments, inner, style=pad_style, pad=True)
    if padding:
        side = Segment(" " * padding, pad_style)
        line = [side, *line, side]
    styled = list(Segment.apply_style(line, style=pre_style, post_style=post_style))
    return [Segment.adjust_line_length(styled, width, pad=True)]
