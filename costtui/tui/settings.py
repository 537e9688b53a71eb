"""What the TUI starts with: the clock, mode, profile, range, drill path and budgets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from costtui.core.budgets import Budgets
from costtui.core.clock import Clock
from costtui.core.dates import DateRange
from costtui.core.models import DEFAULT_PROFILE
from costtui.core.view_state import DEFAULT_DRILL_PATH

DEFAULT_PRESET = "last-30-days"


@dataclass(frozen=True)
class AppSettings:
    """Start-up choices of one TUI session."""

    clock: Clock
    """The process's one clock: presets, ages, the cache and the incomplete-days note ask it."""
    demo: bool = False
    """Whether the data is the embedded demo organisation."""
    offline: bool = False
    """Whether only the local cache is read (--offline): no network and no key."""
    profile: str = DEFAULT_PROFILE
    """The profile (organisation) whose Admin key is used."""
    date_range: DateRange | None = None
    """The range to open on; None means the default preset relative to today."""
    drill_path: tuple[str, ...] = DEFAULT_DRILL_PATH
    """The drill path to open on."""
    sort_column: str = "cost"
    """The column rows are sorted by at start."""
    sort_descending: bool = True
    """Whether that sort puts the largest first."""
    theme: str | None = None
    """The theme to start with (remembered from last time); None: Textual's default."""
    remember_view: bool = False
    """Whether theme, range, drill path and sort are saved for next time (the real app only)."""
    export_directory: Path | None = None
    """Where exports are written; None means the current directory at export time."""
    key_note: str | None = None
    """Why no key was found (e.g. a keyring problem), shown with the no-key panel."""
    insights: bool = True
    """Whether each loaded report gets its projection, budget statuses and spike days (they
    fetch up to 70 days of history through the same source)."""
    budgets: Mapping[str, Budgets] = field(default_factory=dict)
    """Monthly budgets by profile, read once at launch (the demo's under --demo)."""

    @property
    def profile_budgets(self) -> Budgets:
        """Return the budgets of the current profile (none configured: empty)."""
        return self.budgets.get(self.profile, Budgets())
