"""Messages the load and export workers post to the app: past-tense facts, never widget calls."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from costtui.api import ApiError, FetchProgress
from costtui.source import LoadedReport


class LoadProgressed(Message):
    """A cost report fetch finished another page or window."""

    def __init__(self, generation: int, progress: FetchProgress) -> None:
        super().__init__()
        self.generation = generation
        """The load this progress belongs to (stale ones are dropped)."""
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        """Let a newer progress message of the same load replace a queued older one."""
        return isinstance(message, LoadProgressed) and message.generation == self.generation


class ReportLoaded(Message):
    """A cost report (range and previous period) arrived."""

    def __init__(self, generation: int, report: LoadedReport) -> None:
        super().__init__()
        self.generation = generation
        self.report = report


class ReportFailed(Message):
    """A cost report fetch failed with an API or network error."""

    def __init__(self, generation: int, error: ApiError) -> None:
        super().__init__()
        self.generation = generation
        self.error = error


class ExportWritten(Message):
    """An export file was written."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class ExportFailed(Message):
    """An export file could not be written."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__()
        self.path = path
        self.reason = reason
