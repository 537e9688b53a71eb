"""Where the shown data came from (cache or live), how old it is, and which days are missing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from costtui.core.dates import contiguous_ranges
from costtui.data.cached_source import CachedSource
from costtui.data.source import CostSource

MAX_RANGES_SHOWN = 3
"""Missing-day ranges named in the header before the rest are summarised as "…"."""


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A snapshot, taken when a load finished, of where its days came from."""

    label: str
    """"cache", "live" or "cache + live"."""
    oldest_fetched_at: datetime | None
    """When the oldest day served from the cache was fetched; None if none was."""
    checked_at: datetime
    """The cache clock's "now" when the load finished (ages are measured from it)."""
    offline: bool
    """Whether the source never calls the API."""


def source_status(source: CostSource) -> SourceStatus | None:
    """Return the status of a cached source after a load, or None for an uncached one."""
    if not isinstance(source, CachedSource):
        return None
    origin = source.last_origin
    return SourceStatus(
        label=source.source_label,
        oldest_fetched_at=origin.oldest_fetched_at if origin else None,
        checked_at=source.cache.clock.now(),
        offline=source.offline,
    )


def age_text(then: datetime, now: datetime) -> str:
    """Return a short age such as "just now", "5 min ago", "2 h ago" or "3 d ago"."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def status_text(status: SourceStatus) -> str:
    """Return the header's words for the source, e.g. "cache + live · cached 2 h ago"."""
    label = f"{status.label} (offline)" if status.offline else status.label
    if status.label == "live":
        return f"{label} · fetched {status.checked_at:%H:%M} UTC"
    if status.oldest_fetched_at is None:
        return label
    age = age_text(status.oldest_fetched_at, status.checked_at)
    return f"{label} · {'cached' if status.label == 'cache + live' else 'fetched'} {age}"


def missing_days_text(days: Sequence[date], limit: int = MAX_RANGES_SHOWN) -> str:
    """Return missing days as compact ranges: "2026-11-01 → 2026-11-03, 2026-11-09, …"."""
    ranges = [str(each) for each in contiguous_ranges(days)]
    shown = ranges[:limit] + (["…"] if len(ranges) > limit else [])
    return ", ".join(shown)
