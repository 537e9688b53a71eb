"""A one-line progress bar for a cost report fetch, counting windows and pages."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from costtui.data.api import FetchProgress


def progress_text(progress: FetchProgress | None) -> str:
    """Return the words next to the bar, e.g. "Loading window 1/2 · 3 pages · Esc cancels"."""
    if progress is None:
        return "Loading… · Esc cancels"
    pages = "1 page" if progress.pages_done == 1 else f"{progress.pages_done} pages"
    return (f"Loading window {min(progress.windows_done + 1, progress.windows_total)}"
            f"/{progress.windows_total} · {pages} · Esc cancels")


class LoadProgress(Horizontal):
    """Shows how far the current load has come; hidden while nothing loads."""

    def compose(self) -> ComposeResult:
        """Yield the label and the bar (no ETA: it is time-based and flickers)."""
        yield Label(progress_text(None), id="load-label", markup=False)
        yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="load-bar")

    def start(self) -> None:
        """Reset to an indeterminate bar for a new load."""
        self.query_one("#load-label", Label).update(progress_text(None))
        self.query_one("#load-bar", ProgressBar).update(total=None, progress=0)

    def advance_to(self, progress: FetchProgress) -> None:
        """Show the windows done out of the total and the pages fetched."""
        self.query_one("#load-label", Label).update(progress_text(progress))
        self.query_one("#load-bar", ProgressBar).update(
            total=max(progress.windows_total, 1), progress=progress.windows_done
        )
