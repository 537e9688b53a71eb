"""How far a cost report fetch has come: told to the UI while pages arrive (no httpx here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FetchProgress:
    """How far a cost report fetch has come."""

    windows_done: int
    windows_total: int
    pages_done: int
    retry_reason: str | None = None
    """Why a request waits to be tried again ("429 rate limited"), or None."""
    retry_in_seconds: float = 0.0
    """How long it waits before that try."""


ProgressCallback = Callable[[FetchProgress], None]
