"""Small dialogs: choose an export format, and show the `costtui report` command of the view."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from costtui.core.view_export import free_file_name


class ExportScreen(ModalScreen[str]):
    """Choose CSV or JSON; the view is written to a new file in the export directory."""

    HELP = """\
## Export

Writes the rows of the current view (drill filters and name filter applied) with exact,
unrounded amounts, in the same shape as `costtui report --format csv|json`.
FOCUS writes every cost line of the range (one row per day × workspace × description) as a
FOCUS 1.2 CSV, like `costtui report --format focus`.
An existing file is never overwritten: the name shown already has the number added.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "choose('csv')", "CSV", tooltip="Export as CSV", id="export-csv"),
        Binding("j", "choose('json')", "JSON", tooltip="Export as JSON", id="export-json"),
        Binding("f", "choose('focus')", "FOCUS", tooltip="Export every cost line as FOCUS 1.2",
                id="export-focus"),
        Binding("escape", "close", "Cancel", tooltip="Do not export", id="close"),
    ]

    def __init__(self, file_names: dict[str, str], directory: Path | None) -> None:
        super().__init__()
        self.file_names = file_names
        self.directory = directory

    def compose(self) -> ComposeResult:
        """Yield the two formats with the file each would create."""
        where = self.directory or Path.cwd()
        with Vertical(id="export-dialog", classes="dialog"):
            yield Label("Export the view", classes="dialog-title")
            yield Label(f"Into {where}", classes="dialog-note", markup=False)
            labels = {"csv": "CSV  ", "json": "JSON ", "focus": "FOCUS"}
            yield OptionList(
                *(Option(Text(f"{labels[fmt]} {free_file_name(where, name)}"), id=fmt)
                  for fmt, name in self.file_names.items()),
                id="export-formats",
            )
            yield Label("Exact amounts in dollars; an existing file is never overwritten.",
                        classes="dialog-note")
            yield Label("FOCUS 1.2: every cost line of the range, for FinOps tools.",
                        classes="dialog-note")
            yield Label("↑↓ Enter (or c / j / f): export · Esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        """Focus the format list."""
        self.query_one("#export-formats", OptionList).focus()

    @on(OptionList.OptionSelected, "#export-formats")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self, export_format: str) -> None:
        """Export in the given format (one the dialog offers)."""
        if export_format in self.file_names:
            self.dismiss(export_format)

    def action_close(self) -> None:
        """Close without exporting."""
        self.dismiss(None)


class ReportCommandScreen(ModalScreen[None]):
    """The shell command that prints the current view's rows, for scripts."""

    HELP = """\
## Report command

`costtui report` prints the same numbers for scripts. It has no filter option, so for a
drilled view it groups by the drilled dimensions too: read the rows named below.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy", tooltip="Copy the command to the clipboard (OSC 52)",
                id="copy-command"),
        Binding("escape,enter,y", "close", "Close", id="close"),
    ]

    def __init__(self, command: str, rows_to_read: Sequence[str]) -> None:
        super().__init__()
        self.command = command
        self.rows_to_read = rows_to_read

    def compose(self) -> ComposeResult:
        """Yield the command and which of its rows make up the view."""
        with Vertical(id="command-dialog", classes="dialog"):
            yield Label("Reproduce this view", classes="dialog-title")
            yield Static(Text(self.command), id="report-command")
            if self.rows_to_read:
                yield Label("Rows of this view: where", classes="dialog-note")
                yield Static(Text("\n".join(f"  {line}" for line in self.rows_to_read)),
                             id="rows-to-read")
            else:
                yield Label("Every row of its output is in this view.", classes="dialog-note")
            yield Label("c: copy · Esc: close", classes="dialog-keys")

    def action_copy(self) -> None:
        """Copy the command through the terminal (works over SSH where OSC 52 is allowed)."""
        self.app.copy_to_clipboard(self.command)
        self.notify("Command copied to the clipboard (if the terminal allows OSC 52)",
                    markup=False)

    def action_close(self) -> None:
        """Close the dialog."""
        self.dismiss(None)


class RowInfoScreen(ModalScreen[None]):
    """Everything about one row: ids, raw values, exact amounts, where it came from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("Y", "copy", "Copy", tooltip="Copy the row to the clipboard (OSC 52)",
                id="copy-row-info"),
        Binding("escape,enter,i", "close", "Close", id="close"),
    ]

    def __init__(self, title: str, lines: Sequence[str], row_text: str) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.row_text = row_text

    def compose(self) -> ComposeResult:
        """Yield the row's name and its facts, one per line."""
        with Vertical(id="row-info-dialog", classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Static(Text("\n".join(self.lines)), id="row-info-lines")
            yield Label("Y: copy the row · Esc: close", classes="dialog-keys")

    def action_copy(self) -> None:
        """Copy the row (name, tab, exact dollars) through the terminal."""
        self.app.copy_to_clipboard(self.row_text)
        self.notify("Row copied to the clipboard (if the terminal allows OSC 52)", markup=False)

    def action_close(self) -> None:
        """Close the dialog."""
        self.dismiss(None)
