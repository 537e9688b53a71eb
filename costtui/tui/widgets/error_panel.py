"""An inline panel that says what went wrong, what to do next, and the request id."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label


class ErrorPanel(Vertical):
    """A problem with the data, shown above the table; the table keeps what it had."""

    def compose(self) -> ComposeResult:
        """Yield the heading and the details."""
        yield Label(id="error-title", markup=False)
        yield Label(id="error-details", markup=False)

    def show_problem(self, title: str, details: Sequence[str]) -> None:
        """Show a heading and one line per detail (API text is never parsed as markup)."""
        self.query_one("#error-title", Label).update(Text(title))
        self.query_one("#error-details", Label).update(Text("\n".join(details)))
