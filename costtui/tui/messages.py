"""Messages: facts workers post to the app, and requests screens send up to the app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from costtui.core.admin_key import AdminKey
from costtui.core.dates import DateRange
from costtui.core.models import LoadedReport
from costtui.core.view_state import ItemSelection, ViewState
from costtui.data.api_errors import ApiError
from costtui.data.progress import FetchProgress

if TYPE_CHECKING:  # insights and usage modules load after the first paint
    from costtui.core.insights import ReportInsights
    from costtui.core.usage import ApiKeyInfo, UsageRow
    from costtui.data.secrets import KeySource


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


Sparklines = dict[tuple[int, int], tuple[Sequence[Decimal], str]]
"""Trend sparklines by (id of the values, width), kept with their values (an id is reused)."""


@dataclass(frozen=True, slots=True)
class FirstLevel:
    """A report's level on screen, grouped and its trends drawn off the UI thread."""

    selection: ItemSelection
    sparklines: Sparklines


class ReportLoaded(Message):
    """A cost report (range and previous period) arrived."""

    def __init__(
        self, generation: int, report: LoadedReport, *, stale: bool = False,
        organization_changed: bool = False, first_level: FirstLevel | None = None,
    ) -> None:
        super().__init__()
        self.generation = generation
        self.report = report
        """The report; it says where its days came from and what was worked around."""
        self.first_level = first_level
        """The report's level on screen made off the UI thread: its first paint is quicker."""
        self.stale = stale
        """Whether it is the cache's copy, painted at once while the fresh one is fetched."""
        self.organization_changed = organization_changed
        """Whether the key opened another organisation than the cached copy's."""


class ReportFailed(Message):
    """A cost report fetch failed with an API or network error."""

    def __init__(self, generation: int, error: ApiError) -> None:
        super().__init__()
        self.generation = generation
        self.error = error


class ProfilesListed(Message):
    """The profiles of the config file were read (for the profile picker)."""

    def __init__(self, profiles: tuple[str, ...], problem: str | None) -> None:
        super().__init__()
        self.profiles = profiles
        self.problem = problem
        """Why the config file could not be read, or None."""


class ProfileKeyResolved(Message):
    """The key of a profile was looked up (environment, then keyring) off the UI thread."""

    def __init__(
        self, profile: str, key: AdminKey | None, key_source: KeySource | None, note: str | None
    ) -> None:
        super().__init__()
        self.profile = profile
        self.key = key
        self.key_source = key_source
        self.note = note
        """A one-line keyring problem (naming ANTHROPIC_ADMIN_KEY), or None."""


class RangeChosen(Message):
    """The user chose a date range to load (a request from a screen to the app)."""

    def __init__(self, date_range: DateRange) -> None:
        super().__init__()
        self.date_range = date_range


class ExportRequested(Message):
    """The user asked to write a view of a report to a file (a request to the app)."""

    def __init__(self, report: LoadedReport, state: ViewState, export_format: str) -> None:
        super().__init__()
        self.report = report
        self.state = state
        self.export_format = export_format


class CostViewReady(Message):
    """The cost view is composed and can be handed data (the app starts the first load).

    `shown` is the report the view showed as it mounted (the demo's, made while the app
    started) with its grouping: the first load is then already done.
    """

    def __init__(self, shown: FirstLevel | None = None) -> None:
        super().__init__()
        self.shown = shown


class InsightsComputed(Message):
    """The projection, budget statuses and spike days of a loaded report were computed."""

    def __init__(
        self, generation: int, insights: ReportInsights, trends: Sparklines | None = None
    ) -> None:
        super().__init__()
        self.generation = generation
        """The load these insights belong to (stale ones are dropped)."""
        self.insights = insights
        self.trends = trends
        """The trends of the level on screen at the width its spike marks leave them."""


class InsightsFailed(Message):
    """The insights of a loaded report could not be computed (the report itself is shown)."""

    def __init__(self, generation: int, reason: str) -> None:
        super().__init__()
        self.generation = generation
        self.reason = reason
        """One line saying what went wrong and what to do."""


class ViewChanged(Message):
    """The drill path or the sort of the cost view changed (the app remembers it)."""

    def __init__(self, state: ViewState) -> None:
        super().__init__()
        self.state = state


class TokensWanted(Message):
    """The cost view shows token columns and needs the usage of a range."""

    def __init__(self, date_range: DateRange) -> None:
        super().__init__()
        self.date_range = date_range


class TokensLoaded(Message):
    """The usage of a range arrived, per API key, with the keys' names."""

    def __init__(self, date_range: DateRange, rows: tuple[UsageRow, ...],
                 keys: dict[str, ApiKeyInfo], warnings: tuple[str, ...]) -> None:
        super().__init__()
        self.date_range = date_range
        self.rows = rows
        """Usage per API key of the range and the period before it."""
        self.keys = keys
        """API-key names and hints by id (empty when they could not be read)."""
        self.warnings = warnings
        """Usage cache problems worked around, one line each."""


class TokensFailed(Message):
    """The usage of a range could not be loaded; the costs stay."""

    def __init__(self, date_range: DateRange, reason: str) -> None:
        super().__init__()
        self.date_range = date_range
        self.reason = reason


class FocusReady(Message):
    """A FOCUS export's text was built; the app writes it to a new file."""

    def __init__(self, directory: Path, name: str, text: str) -> None:
        super().__init__()
        self.directory = directory
        self.name = name
        self.text = text
