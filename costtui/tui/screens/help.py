"""The help screen: the keys of the view below it first, then those of the other views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

EXTRA_KEYS = (
    ("↑↓ PgUp PgDn", "Move", "Move the cursor"),
    ("click a header", "Sort", "Sort by that column; click again to reverse"),
)
"""Keys that come from Textual itself rather than from costtui's bindings."""

OTHER_VIEWS_HEADING = "Elsewhere (the other view, or while loading)"

KeyRow = tuple[str, str, str]
"""(keys, name, what it does) of one action."""


def binding_rows(app: App[Any], bindings: Iterable[BindingType]) -> list[KeyRow]:
    """Return (keys, name, description) per action, merging keys that do the same thing.

    Keys with the same name and description share a row (1…9: "Preset", one row).
    """
    merged: dict[tuple[str, str], tuple[list[str], str, str]] = {}
    for binding in Binding.make_bindings(bindings):
        if not (binding.tooltip or binding.show) or not binding.description:
            continue
        keys, name, description = merged.setdefault(
            (binding.description, binding.tooltip), ([], binding.description, binding.tooltip)
        )
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    return [(" / ".join(keys), name, description) for keys, name, description in merged.values()]


def merged_keys(first: str, second: str) -> str:
    """Return two " / "-joined key lists as one, without repeats ("q / ^q" + "q / ^c")."""
    keys: list[str] = []
    for key in [*first.split(" / "), *second.split(" / ")]:
        if key and key not in keys:
            keys.append(key)
    return " / ".join(keys)


def active_rows(app: App[Any], screen: Screen[Any]) -> list[KeyRow]:
    """Return the rows of the keys that work on `screen` right now (focus and state included)."""
    return binding_rows(app, [active.binding for active in screen.active_bindings.values()])


def key_table(rows: Iterable[KeyRow]) -> Table:
    """Return a three-column table whose descriptions wrap, so it never scrolls sideways."""
    table = Table(box=None, expand=True, header_style="bold", pad_edge=False)
    table.add_column("Key", no_wrap=True)
    table.add_column("Action", no_wrap=True)
    table.add_column("What it does", ratio=1)
    for keys, name, description in rows:
        table.add_row(Text(keys), Text(name), Text(description))
    return table


def help_text(rows: Iterable[KeyRow], other_rows: Iterable[KeyRow]) -> Group:
    """Return the keys that work here, then, under a heading, the keys of the other views."""
    parts: list[Table | Text] = [key_table(rows)]
    others = list(other_rows)
    if others:
        parts += [Text(), Text(OTHER_VIEWS_HEADING, style="bold"), key_table(others)]
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Lists the keys it is handed, those working on the screen below (table or chart) first;
    Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="close-help"),
    ]

    def __init__(self, rows: list[KeyRow]) -> None:
        super().__init__()
        self.rows = rows
        """(keys, action, what it does) of the screen underneath, from its bindings."""

    def compose(self) -> ComposeResult:
        """Yield the key table in a vertical scroll."""
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            yield Label("Find where the money went: Enter drills, Backspace goes up, "
                        "g regroups, c charts, e exports.", classes="dialog-note")
            with VerticalScroll(id="help-keys"):
                yield Static(id="help-table")
            yield Label("↑↓: scroll · Esc: close", classes="dialog-keys")

    def on_mount(self) -> None:
        """Fill the table from the bindings handed in and the screen below, never stale."""
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        here = active_rows(self.app, below) if below is not None else []
        every = self.rows
        every_keys = {name: keys for keys, name, _ in every}
        here = [(merged_keys(keys, every_keys.get(name, "")), name, description)
                for keys, name, description in here]
        shown_names = {name for _, name, _ in here}
        others = [row for row in every if row[1] not in shown_names]
        if not here:
            here, others = every, []
        self.query_one("#help-table", Static).update(help_text([*here, *EXTRA_KEYS], others))
        self.query_one("#help-keys", VerticalScroll).focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
