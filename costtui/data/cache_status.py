"""What the cache holds, as reported by `costtui cache status` and `clear`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from costtui.core.dates import DateRange, contiguous_ranges


@dataclass(frozen=True, slots=True)
class GroupingCoverage:
    """Which days of one API grouping the cache holds for an organisation."""

    api_group_by: tuple[str, ...]
    ranges: tuple[DateRange, ...]
    day_count: int
    complete_count: int
    last_fetched_at: datetime


@dataclass(frozen=True, slots=True)
class OrganizationStatus:
    """One cached organisation: its name, the profiles that opened it and its day coverage."""

    id: str
    name: str
    profiles: tuple[str, ...]
    groupings: tuple[GroupingCoverage, ...]


@dataclass(frozen=True, slots=True)
class CacheStatus:
    """The cache file, its size on disk (with WAL files) and what it holds."""

    path: Path
    size_bytes: int
    organizations: tuple[OrganizationStatus, ...]


@dataclass(frozen=True, slots=True)
class ClearedCounts:
    """What `clear` removed."""

    organizations: int
    days: int


def coverage_of(key: str, days: list[tuple[date, bool, datetime]]) -> GroupingCoverage:
    """Summarise the stored days of one grouping as ranges and counts."""
    return GroupingCoverage(
        tuple(key.split(",")) if key else (),
        tuple(contiguous_ranges(day for day, _, _ in days)),
        len(days),
        sum(complete for _, complete, _ in days),
        max(fetched for _, _, fetched in days),
    )
