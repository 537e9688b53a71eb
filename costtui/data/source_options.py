"""What the command line asked about where data comes from, and how a profile's source is built.

Free of httpx: the TUI and the command line name these before any client is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from costtui.core.admin_key import AdminKey
from costtui.data.source import CostSource

SourceFactory = Callable[[AdminKey | None, str], CostSource]
"""Builds the source of a profile from its Admin key (None only when offline: no key is used).

It may raise ValueError or ConfigError (a bad base URL); it never touches the network itself.
"""


@dataclass(frozen=True)
class SourceOptions:
    """What the command line asked for about where data comes from."""

    demo: bool = False
    profile: str = "default"
    offline: bool = False
    no_cache: bool = False

    @property
    def needs_key(self) -> bool:
        """Tell whether the live API (hence a key) is needed: not for --demo or --offline."""
        return not (self.demo or self.offline)
