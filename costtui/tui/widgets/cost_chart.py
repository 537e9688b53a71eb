"""A reusable plotext chart of daily costs: stacked bars per day, or cumulative lines."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol, cast

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from costtui.core.chart_data import (
    ChartData,
    ChartProjection,
    cumulative,
    day_labels,
    dollar_ticks,
)

if TYPE_CHECKING:
    from textual_plotext.plot import Plot, PlotextThemeName

RGB = tuple[int, int, int]

PALETTE: tuple[RGB, ...] = (
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (213, 94, 0),
    (86, 180, 233),
    (204, 121, 167),
    (136, 136, 136),
)
"""Series colours (Okabe-Ito without yellow, then grey for "Other" at the default top 6).

Mid-luminance colours read both on dark and on light canvases.
"""

TOTAL_COLOR = "default"
"""The total line uses the widget's own foreground colour, so it follows the app theme."""

PLOTEXT_THEME: PlotextThemeName = "clear"
"""plotext's colourless theme: axes, ticks, title and legend take the widget's own CSS colours.

textual-plotext's "auto" theme paints $surface and $foreground as RGB, which comes out black on
black under Textual's ansi-dark and ansi-light themes; "clear" reads on every theme.
"""

EMPTY_MESSAGE = "No cost in this range"
TOTAL_LABEL = "Total"
POINT_MARKER = "●"
PROJECTION_LABEL = "Projected (estimate)"
BAND_LABEL = "80 % band (estimate)"
PROJECTION_MARKER = "-"
BAND_MARKER = "·"
"""The projection is dashed and its band dotted, so both read as estimates without colour."""
LINE_MARKER = "braille"

BAR_PATTERNS = ("█", "▓", "▒", "░", "▚", "▞", "▪")
"""Fill of each stacked series, so series differ without colour (NO_COLOR, 16-colour xterm)."""
LINE_MARKERS = ("•", "x", "+", "o", "*", "=", "#")
"""Marker of each cumulative series line; the total keeps the braille line."""

ZERO_WIDTH_SPACE = "\u200b"
"""Added after each wide character: plotext counts it as a cell, the terminal as none."""

BAR_HALF_WIDTH = 0.4
"""Half of plotext's default bar width (4/5 of the gap between two days)."""

LABEL_STEPS = (1, 2, 3, 7, 14)
"""Show every k-th day label with k from these (then multiples of 28), so labels never overlap."""
LABEL_GAP = 2
"""Blank columns kept between two day labels."""


class _StackedBar(Protocol):
    """plotext 5.3.2's real `stacked_bar`, which the textual-plotext stub misnames (P13)."""

    def __call__(
        self,
        x: Sequence[float],
        ys: Sequence[Sequence[float]],
        /,
        *,
        labels: Sequence[str],
        color: Sequence[RGB],
        marker: list[str],
    ) -> None:
        """Draw one stacked bar per x, one layer per sequence of ys (marker must be a list)."""


def cell_safe(text: str) -> str:
    """Return text that takes as many terminal cells as plotext thinks it takes characters.

    plotext gives each character one cell, so an emoji (two cells) would push the frame and
    wrap the line; a zero-width space after it makes both counts agree.
    """
    safe = []
    for char in unicodedata.normalize("NFC", text):
        width = cell_len(char)
        if width == 0:
            continue
        safe.append(char + ZERO_WIDTH_SPACE * (width - 1))
    return "".join(safe)


def _floats(values: Sequence[Decimal]) -> list[float]:
    """Return the values as floats, for plotext only (it cannot add Decimals)."""
    return [float(value) for value in values]


def label_step(count: int, label_width: int, canvas_width: int) -> int:
    """Return k such that showing every k-th of `count` labels leaves a gap between them."""
    if count <= 1:
        return 1
    fitting = max(1, canvas_width // (label_width + LABEL_GAP))
    needed = math.ceil(count / fitting)
    for step in LABEL_STEPS:
        if step >= needed:
            return step
    return 28 * math.ceil(needed / 28)


class CostChart(Widget):
    """A daily cost chart that keeps its data and rebuilds the plot at every render and size.

    plotext is imported when a chart is first drawn (a shown chart renders), not at start-up.
    """

    DEFAULT_CSS = """
    CostChart {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create an empty chart; call `show_data` to draw."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._plot: Plot | None = None
        self._data: ChartData | None = None
        self._cumulative = False
        self._title = ""
        self._projection: ChartProjection | None = None

    @property
    def data(self) -> ChartData | None:
        """Return the data shown, or None before the first `show_data`."""
        return self._data

    @property
    def is_cumulative(self) -> bool:
        """Return True when the chart shows running totals instead of daily bars."""
        return self._cumulative

    def show_data(
        self, data: ChartData, *, cumulative: bool = False, title: str = "",
        projection: ChartProjection | None = None,
    ) -> None:
        """Show new data, as stacked daily bars or as cumulative lines, under a title.

        A cumulative chart also draws `projection` (the month-end estimate) when given.
        """
        self._data = data
        self._cumulative = cumulative
        self._title = title
        self._projection = projection
        self.refresh()

    @property
    def plt(self) -> Plot:
        """Return the plotext figure, importing plotext the first time a chart is drawn."""
        if self._plot is None:
            from textual_plotext.plot import Plot

            self._plot = Plot()
        return self._plot

    def render(self) -> RenderResult:
        """Rebuild the plot for the current size and theme, then build it as text."""
        self._draw()
        plot = self.plt
        width, height = self.size.width, self.size.height
        plot.plotsize(width, height)
        plot._set_size(width, height)  # textual-plotext does both: resizing needs the second
        plot.theme(PLOTEXT_THEME)
        return Text.from_ansi(plot.build())

    def _draw(self) -> None:
        """Clear the figure and draw the stored data (or the empty state) into it."""
        plt = self.plt
        plt.clf()
        if self._title:
            plt.title(cell_safe(self._title))
        data = self._data
        if data is None or data.is_empty:
            self._draw_empty(message=data is not None)
        elif self._cumulative:
            self._draw_cumulative(data)
        else:
            self._draw_bars(data)

    def _draw_empty(self, *, message: bool) -> None:
        """Draw a bare frame, with the empty-range message when data was given."""
        plt = self.plt
        plt.xlim(0, 1)
        plt.ylim(0, 1)
        plt.xticks([], [])
        plt.yticks([], [])
        if message:
            plt.text(EMPTY_MESSAGE, 0.5, 0.5, color=TOTAL_COLOR, alignment="center")

    def _draw_bars(self, data: ChartData) -> None:
        """Draw one stacked bar per day, one colour per series, with a legend kept clear of bars."""
        daily_totals = data.daily_totals
        top = self._bar_axis_top(data, daily_totals)
        stacked_bar = cast(_StackedBar, self.plt.stacked_bar)
        stacked_bar(
            self._x_positions(data),
            [_floats(series.values) for series in data.series],
            labels=[cell_safe(series.label) for series in data.series],
            color=[PALETTE[index % len(PALETTE)] for index in range(len(data.series))],
            marker=[BAR_PATTERNS[index % len(BAR_PATTERNS)] for index in range(len(data.series))],
        )
        self.plt.xlim(0, len(data.days) + 1)
        self._set_axes(data, top)

    def _draw_cumulative(self, data: ChartData) -> None:
        """Draw the running total (with point markers when there is room) and each series' sum."""
        plt = self.plt
        x = self._x_positions(data)
        if len(data.series) > 1:
            for index, series in enumerate(data.series):
                plt.plot(
                    x,
                    _floats(cumulative(series.values)),
                    marker=LINE_MARKERS[index % len(LINE_MARKERS)],
                    color=PALETTE[index % len(PALETTE)],
                    label=cell_safe(series.label),
                )
        running_total = cumulative(data.daily_totals)
        total_label = TOTAL_LABEL if len(data.series) > 1 else data.series[0].label
        plt.plot(
            x, _floats(running_total), marker=LINE_MARKER, color=TOTAL_COLOR,
            label=cell_safe(total_label),
        )
        top = running_total[-1]
        axis_days = list(data.days)
        projection = self._projection
        if projection is not None:
            axis_days += [day for day in projection.days if day > data.days[-1]]
            self._draw_projection(projection, axis_days)
            top = max(top, projection.high)
        _, y_labels = dollar_ticks(top)
        if self._canvas_width(y_labels) >= 2 * len(axis_days):
            plt.scatter(x, _floats(running_total), marker=POINT_MARKER, color=TOTAL_COLOR)
        self._set_axes(data, top, axis_days)

    def _draw_projection(self, projection: ChartProjection, axis_days: Sequence[date]) -> None:
        """Draw the projected running total (dashed) and its 80 % band (dotted) to month end."""
        plt = self.plt
        x = [float(axis_days.index(day) + 1) for day in projection.days]
        plt.plot(x, _floats(projection.running), marker=PROJECTION_MARKER, color=TOTAL_COLOR,
                 label=PROJECTION_LABEL)
        start = projection.running[0]
        for end, label in ((projection.high, BAND_LABEL), (projection.low, None)):
            plt.plot([x[0], x[-1]], _floats([start, end]), marker=BAND_MARKER,
                     color=TOTAL_COLOR, label=label)

    def _set_axes(
        self, data: ChartData, top: Decimal, axis_days: Sequence[date] | None = None
    ) -> None:
        """Set dollar ticks from $0 to at least `top` and thinned day labels under the plot."""
        plt = self.plt
        positions, labels = dollar_ticks(top)
        plt.ylim(0, positions[-1])
        plt.yticks(positions, labels)
        days = day_labels(axis_days if axis_days is not None else data.days)
        step = label_step(len(days), max(map(cell_len, days)), self._canvas_width(labels))
        shown = range(0, len(days), step)
        plt.xticks([float(index + 1) for index in shown], [days[index] for index in shown])

    def _bar_axis_top(self, data: ChartData, daily_totals: Sequence[Decimal]) -> Decimal:
        """Return the axis top that keeps the legend rows (top left) above the bars beneath it."""
        highest = max(daily_totals)
        canvas_rows = self.size.height - 3 - (1 if self._title else 0)
        legend_rows = len(data.series)
        if canvas_rows - legend_rows < 3:
            return highest
        legend_width = 5 + max(cell_len(series.label) for series in data.series)
        canvas_width = max(1, self._canvas_width(dollar_ticks(highest)[1]))
        days = len(daily_totals)
        covered = min(days, math.ceil(legend_width * (days + 1) / canvas_width + BAR_HALF_WIDTH))
        under_legend = max(daily_totals[:covered])
        needed = under_legend * canvas_rows / (canvas_rows - legend_rows - 1)
        return max(highest, needed)

    def _canvas_width(self, y_labels: Sequence[str]) -> int:
        """Return the columns left for data once the y labels and the frame are drawn."""
        return self.size.width - max(map(cell_len, y_labels), default=0) - 2

    @staticmethod
    def _x_positions(data: ChartData) -> list[float]:
        """Return plotext's x positions: 1 for the first day, 2 for the next, …."""
        return [float(index + 1) for index in range(len(data.days))]
