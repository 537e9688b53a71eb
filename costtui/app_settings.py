"""What the TUI starts with: mode, profile, range, drill path, and a frozen day for tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from costtui.admin_key import AdminKey
from costtui.cli_common import DEFAULT_PROFILE
from costtui.dates import DateRange
from costtui.source import CostSource
from costtui.view_state import DEFAULT_DRILL_PATH

DEFAULT_PRESET = "last-30-days"

SourceFactory = Callable[[AdminKey | None, str], CostSource]
"""Builds the source of a profile from its Admin key (None only when offline: no key is used).

It may raise ValueError or ConfigError (a bad base URL); it never touches the network itself.
"""


@dataclass(frozen=True)
class AppSettings:
    """Start-up choices of one TUI session."""

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
    today: date | None = None
    """The UTC day presets are relative to; None means the real UTC today (tests freeze it)."""
    export_directory: Path | None = None
    """Where exports are written; None means the current directory at export time."""
    key_note: str | None = None
    """Why no key was found (e.g. a keyring problem), shown with the no-key panel."""
