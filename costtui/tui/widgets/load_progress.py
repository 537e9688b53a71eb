"""A one-line progress bar for a cost report fetch: windows, pages, retries and time taken."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from costtui.data.progress import FetchProgress

ELAPSED_FROM_SECONDS = 3
"""Elapsed time is shown once a load has taken this long (short loads stay uncluttered)."""


@dataclass(frozen=True)
class RetryNotice:
    """Why the fetch is waiting and for how long, e.g. ("429 rate limited", 3.0)."""

    reason: str
    wait_seconds: float


def progress_text(
    progress: FetchProgress | None,
    *,
    retry: RetryNotice | None = None,
    elapsed_seconds: float | None = None,
) -> str:
    """Return the words next to the bar.

    E.g. "Loading window 1/2 · 3 pages · 429 rate limited, retrying in 3 s · 12 s · Esc cancels".
    """
    if progress is None:
        words = ["Loading…"]
    else:
        pages = "1 page" if progress.pages_done == 1 else f"{progress.pages_done} pages"
        words = [f"Loading window {min(progress.windows_done + 1, progress.windows_total)}"
                 f"/{progress.windows_total}", pages]
    if retry is not None:
        words.append(f"{retry.reason}, retrying in {max(0, round(retry.wait_seconds))} s")
    if elapsed_seconds is not None and elapsed_seconds >= ELAPSED_FROM_SECONDS:
        words.append(f"{int(elapsed_seconds)} s")
    words.append("Esc cancels")
    return " · ".join(words)


class LoadProgress(Horizontal):
    """Shows how far the current load has come; hidden while nothing loads.

    Its own `-loading` class shows it: a class on the screen would restyle every widget.

    The screen hands it values (progress, a retry notice, seconds elapsed from its clock);
    it never reads a clock itself.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._progress: FetchProgress | None = None
        self._retry: RetryNotice | None = None
        self._elapsed: float | None = None
        self._starts = 0
        """How many loads started: a stop asked for before the last start is dropped."""

    def compose(self) -> ComposeResult:
        """Yield the label and the bar (no ETA: it is time-based and flickers)."""
        yield Label(progress_text(None), id="load-label", markup=False)
        yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="load-bar")

    @property
    def text(self) -> str:
        """Return the words shown now."""
        return progress_text(self._progress, retry=self._retry, elapsed_seconds=self._elapsed)

    def start(self) -> None:
        """Reset to an indeterminate bar for a new load."""
        self._starts += 1
        self._progress, self._retry, self._elapsed = None, None, None
        self._show()
        self.query_one("#load-bar", ProgressBar).update(total=None, progress=0)
        self.add_class("-loading")

    def stop(self, *, after_next_frame: bool = False) -> None:
        """Hide the bar (the load ended), at once or once the next frame is drawn."""
        if after_next_frame:
            self.call_after_refresh(self._stop_unless_started_again, self._starts)
        else:
            self.remove_class("-loading")

    def _stop_unless_started_again(self, starts: int) -> None:
        """Hide the bar unless a new load started since the stop was asked for."""
        if starts == self._starts:
            self.remove_class("-loading")

    def advance_to(self, progress: FetchProgress) -> None:
        """Show the windows done out of the total and the pages fetched (a retry is over)."""
        self._progress, self._retry = progress, None
        self._show()
        self.query_one("#load-bar", ProgressBar).update(
            total=max(progress.windows_total, 1), progress=progress.windows_done
        )

    def show_retry(self, reason: str, wait_seconds: float) -> None:
        """Say why the fetch waits and when it tries again ("429 rate limited, retrying in 3 s")."""
        self._retry = RetryNotice(reason, wait_seconds)
        self._show()

    def show_elapsed(self, seconds: float) -> None:
        """Show how long the load has taken (from ELAPSED_FROM_SECONDS on)."""
        self._elapsed = seconds
        self._show()

    def _show(self) -> None:
        self.query_one("#load-label", Label).update(self.text)
