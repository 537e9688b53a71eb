"""The help screen: every key of the cost view and the app, with what it does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

EXTRA_KEYS = (
    ("↑↓ PgUp PgDn Home End", "Move", "Move the cursor"),
    ("click a header", "Sort", "Sort by that column; click again to reverse"),
    ("^p", "Commands", "Every action, preset ranges and themes, by name"),
)
"""Keys that come from Textual itself rather than from costtui's bindings."""


def binding_rows(app: App[Any], bindings: Iterable[BindingType]) -> list[tuple[str, str, str]]:
    """Return (keys, name, description) per action, merging keys bound to the same action."""
    merged: dict[str, tuple[list[str], str, str]] = {}
    for binding in Binding.make_bindings(bindings):
        keys, name, description = merged.setdefault(
            binding.action, ([], binding.description, binding.tooltip)
        )
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    return [(" / ".join(keys), name, description) for keys, name, description in merged.values()]


class HelpScreen(ModalScreen[None]):
    """Lists the keys it is handed; Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="close-help"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows
        """(keys, action, what it does) of the screen underneath, from its bindings."""

    def compose(self) -> ComposeResult:
        """Yield the key table."""
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            yield Label("Find where the money went: Enter drills, Backspace goes up, "
                        "g regroups, c charts, e exports.", classes="dialog-note")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Label("↑↓: scroll · Esc: close", classes="dialog-keys")

    def on_mount(self) -> None:
        """Fill the table from the bindings handed in, so it never goes stale."""
        table = self.query_one("#help-keys", DataTable)
        table.add_column("Key", key="key")
        table.add_column("Action", key="action")
        table.add_column("What it does", key="description")
        for keys, name, description in [*self.rows, *EXTRA_KEYS]:
            table.add_row(Text(keys), Text(name), Text(description))
        table.focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
