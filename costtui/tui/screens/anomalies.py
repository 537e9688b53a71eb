"""The Anomalies screen: spike days by impact, and the children that explain one of them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from costtui.core.anomalies import ChildShare
from costtui.core.dates import DateRange
from costtui.core.formatting import format_dollars
from costtui.core.insights import TOTAL_DIMENSION, SpikeDay
from costtui.core.report import DIMENSION_LABELS, DimensionValue
from costtui.tui.widgets.cells import MoneyCell, name_text, right_text
from costtui.tui.widgets.key_footer import KeyFooter

SPIKE_COLUMNS = ("day", "dimension", "group", "actual", "expected", "impact", "score")
SPIKE_LABELS = {"day": "Day", "dimension": "By", "group": "Group", "actual": "Actual",
                "expected": "Expected", "impact": "Impact", "score": "Score"}
CHILD_COLUMNS = ("child", "actual", "expected", "impact", "share")


def score_text(score: Decimal) -> str:
    """Return a spike score as shown: two decimals, rounded half-even."""
    return f"{score.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN)}"


def dimension_label(dimension: str) -> str:
    """Return the column text of a spike's dimension ("Total" for the organisation)."""
    return DIMENSION_LABELS.get(dimension, "Total") if dimension != TOTAL_DIMENSION else "Total"


class SpikeTable(DataTable[object]):
    """The spike days; Enter explains the one under the cursor (shown in the Footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Explain",
                tooltip="Drill to the spike's group and day and rank what caused it",
                id="explain-spike"),
    ]


class AnomaliesScreen(Screen[SpikeDay | None]):
    """Spike days of the range, largest impact first; Enter explains one."""

    HELP = """\
## Spike days

A day is a spike when its cost is far above the usual for that weekday (modified z-score
over 3.5, at least $5 and 20 % above expected). Complete days only.

- **Enter** drills the cost view to the group and lists what caused the spike.
- **Esc** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,a", "close", "Back", tooltip="Back to the costs", id="close-anomalies"),
    ]

    def __init__(self, spikes: Sequence[SpikeDay], date_range: DateRange) -> None:
        super().__init__()
        self.spikes = tuple(spikes)
        """The spike days shown, largest impact first."""
        self.date_range = date_range

    def compose(self) -> ComposeResult:
        """Yield the title, the table of spike days (or why there is none) and the footer."""
        count = len(self.spikes)
        yield Label(f"Spike days · {self.date_range} UTC · {count} found (complete days only)",
                    id="anomalies-title", markup=False)
        if not self.spikes:
            yield Label("No spike days in this range.", id="anomalies-empty", markup=False)
        yield SpikeTable(id="anomalies-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Fill the table, largest impact first, and focus it."""
        table = self.query_one("#anomalies-table", DataTable)
        for column in SPIKE_COLUMNS:
            label = SPIKE_LABELS[column]
            table.add_column(right_text(label) if column in ("actual", "expected", "impact",
                                                             "score") else label, key=column)
        for index, spike in enumerate(self.spikes):
            table.add_row(
                spike.score.day.isoformat(), dimension_label(spike.dimension),
                name_text(spike.label), MoneyCell(spike.score.actual),
                MoneyCell(spike.score.expected), MoneyCell(spike.score.impact),
                right_text(score_text(spike.score.score)), key=str(index))
        table.focus()

    @on(DataTable.RowSelected, "#anomalies-table")
    def _explain(self, event: DataTable.RowSelected) -> None:
        """Close with the chosen spike (the cost view drills to it)."""
        event.stop()
        self.dismiss(self.spikes[int(str(event.row_key.value))])

    def action_close(self) -> None:
        """Go back to the costs."""
        self.dismiss(None)


class SpikeCausesScreen(ModalScreen[None]):
    """The children of a spiking group ranked by their share of its impact on that day."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", id="close-causes"),
    ]

    def __init__(self, spike: SpikeDay, child_dimension: str,
                 shares: Sequence[ChildShare[DimensionValue]],
                 child_labels: Sequence[str]) -> None:
        super().__init__()
        self.spike = spike
        self.child_dimension = child_dimension
        self.shares = tuple(shares)
        self.child_labels = tuple(child_labels)
        """Display names of the children, in the order of `shares`."""

    def compose(self) -> ComposeResult:
        """Yield what spiked, by how much, and the ranked children."""
        spike = self.spike.score
        with Vertical(id="spike-causes-dialog", classes="dialog"):
            yield Label(Text(f"{self.spike.label} on {spike.day:%a %Y-%m-%d}: "
                             f"{format_dollars(spike.actual)}, expected "
                             f"{format_dollars(spike.expected)} "
                             f"(+{format_dollars(spike.impact)})"), classes="dialog-title")
            yield Label(f"By {DIMENSION_LABELS[self.child_dimension].lower()}, largest part "
                        "of the impact first:", markup=False)
            yield DataTable(id="spike-causes", cursor_type="row", zebra_stripes=True)
            yield Label("Esc: close", classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        """Fill the ranked children and focus them."""
        table = self.query_one("#spike-causes", DataTable)
        table.add_column(DIMENSION_LABELS[self.child_dimension], key="child")
        for column in CHILD_COLUMNS[1:]:
            table.add_column(right_text(column.capitalize()), key=column)
        for index, (share, label) in enumerate(zip(self.shares, self.child_labels,
                                                   strict=True)):
            percent = (share.share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
            table.add_row(name_text(label), MoneyCell(share.actual), MoneyCell(share.expected),
                          MoneyCell(share.impact), right_text(f"{percent}%"), key=str(index))
        table.focus()

    @on(DataTable.RowSelected, "#spike-causes")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        """Close the list."""
        self.dismiss(None)
