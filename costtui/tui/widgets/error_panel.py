"""An inline panel that says what went wrong, what to do next, and the request id."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from costtui.core.text import safe_line
from costtui.data.api_errors import ApiError


def load_error_details(error: ApiError | BaseException, *, data_kept: bool) -> list[str]:
    """Return the lines that say what failed, what to do next, and the request id."""
    if isinstance(error, ApiError):
        details = [error.hint[:1].upper() + error.hint[1:] + "."]
        if error.api_message:
            details.append(f"The API said: {error.api_message}")
        if error.status:
            details.append(f"HTTP {error.status}" + (f" ({error.error_type})"
                                                     if error.error_type else ""))
        if error.request_id:
            details.append(f"request-id: {error.request_id}")
    else:
        details = [f"{type(error).__name__}: {safe_line(str(error))}"]
    if data_kept:
        details.append("The table still shows the data loaded before.")
    key_hint = ", K to enter a new key" if getattr(error, "status", None) == 401 else ""
    details.append(f"Press r to retry{key_hint}.")
    return details


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
