"""One-line text cells drawn with the segments DataTable would draw, minus Rich's generic layers."""

# DataTable draws a cell as console.render_lines(Styled(Padding(cell), pre, post)): three
# nested renders, each splitting, cropping and padding lines again (~0.1 ms a cell, most of a
# first frame with data). For a one-line row and a Text cell without line breaks the result is
# the text wrapped to the inner width, padded with the padding's style, framed by the padding
# and styled before/after: built here directly from the same Rich steps, to the same segments
# (tests/tui/test_quick_cells.py compares both ways cell by cell).

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text

_NULL = Style.null()


def quick_text_lines(
    console: Console, options: ConsoleOptions, cell: Text, width: int, padding: int,
    pre_style: Style, post_style: Style,
) -> list[list[Segment]] | None:
    """Return a one-line cell's lines as DataTable renders them, or None if it is not one."""
    inner = width - 2 * padding
    if inner < 1 or cell.end not in ("\n", "") or "\n" in cell.plain:
        return None
    plain_line = _plain_line(console, options, cell, inner, padding, pre_style, post_style)
    if plain_line is not None:
        return [plain_line]
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


def _plain_line(
    console: Console, options: ConsoleOptions, cell: Text, inner: int, padding: int,
    pre_style: Style, post_style: Style,
) -> list[Segment] | None:
    """Return the line of a cell with one style that fits, built in one step, or None.

    Most cells (names, money, shares) are one styled run shorter than their column: wrapping
    leaves it whole, justifying pads it with spaces in its own style (left and right) or the
    line is padded after it in no style (default), and the cell padding goes either side.
    """
    plain = cell.plain
    if not plain or cell.spans or "\t" in plain:
        return None
    justify = cell.justify or options.justify or DEFAULT_JUSTIFY
    gap = inner - cell_len(plain)
    if gap < 0 or justify not in ("left", "right", "default") or (
            justify == "right" and plain[-1].isspace()):
        return None
    style = _framed(console.get_style(cell.style) if cell.style else None, pre_style,
                    post_style)
    blank = _framed(_NULL, pre_style, post_style)  # the padding's style, framed alike
    if justify == "left":
        line = [Segment(plain + " " * gap, style)]
    elif justify == "right":
        line = [Segment(" " * gap + plain, style)]
    else:
        line = [Segment(plain, style)]
        if gap:
            line.append(Segment(" " * gap, blank))
    if padding:
        side = Segment(" " * padding, blank)
        line = [side, *line, side]
    return line


def _framed(style: Style | None, pre_style: Style, post_style: Style) -> Style | None:
    """Return a segment's style once Segment.apply_style put `pre_style` and `post_style` on."""
    if pre_style:
        style = pre_style + style
    if post_style:
        style = style + post_style if style else post_style
    return style
