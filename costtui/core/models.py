"""Typed records for cost data, organisations and workspaces."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from costtui.core.dates import DateRange

CENTS_PER_DOLLAR = Decimal(100)
DEFAULT_PROFILE = "default"
"""The profile used when none is chosen (--profile, $COSTTUI_PROFILE)."""


@dataclass(slots=True)
class CostItem:
    """One cost line of one UTC day, as the API reported it; treat it as read-only.

    Not frozen on purpose: frozen dataclasses build three times slower, and a year of a large
    organisation is hundreds of thousands of items.
    """

    day: date
    """The UTC day the bucket starts on."""
    amount_cents: Decimal
    """Cost in the currency's lowest unit (cents), exact as the API gave it."""
    currency: str
    workspace_id: str | None
    description: str | None
    cost_type: str | None
    model: str | None
    token_type: str | None
    service_tier: str | None
    context_window: str | None
    inference_geo: str | None


@dataclass(frozen=True, slots=True)
class DayBucket:
    """All cost items of one UTC day; `items` is empty on a quiet day."""

    day: date
    items: tuple[CostItem, ...]
    cached_at: datetime | None = field(default=None, compare=False)
    """When the local cache stored this day, if it was served from there; None: just fetched.

    Where a day came from is not part of its data, so it does not take part in equality.
    """


@dataclass(frozen=True, slots=True)
class Organization:
    """The organisation an Admin key belongs to."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Workspace:
    """A workspace of the organisation; `archived` ones still carry past costs."""

    id: str
    name: str
    archived: bool = False


@dataclass(frozen=True, repr=False)
class LoadedReport:
    """Everything one query fetched: items of the range and of the period before it, and names."""

    date_range: DateRange
    api_group_by: tuple[str, ...]
    items: tuple[CostItem, ...]
    previous_items: tuple[CostItem, ...]
    organization_name: str
    workspace_names: dict[str, str]
    fetched_at: datetime
    notes: tuple[str, ...] = ()
    """One-line remarks for the user, e.g. that workspace names could not be read."""
    origin: str | None = None
    """Where the days came from: "live", "cache" or "cache + live"; None without a cache."""
    oldest_cached_at: datetime | None = None
    """When the oldest day served from the cache was stored; None when none was."""
    offline: bool = False
    """Whether the source never called the API (--offline)."""
    warnings: tuple[str, ...] = ()
    """Problems worked around while loading (a damaged cache moved aside, …), one line each."""
    missing_days: tuple[date, ...] = field(default=())
    """Days the source could not provide (offline with gaps)."""
    previous_missing_days: tuple[date, ...] = field(default=())
    """Days of the previous period the source could not provide: changes are then unknown."""

    def __repr__(self) -> str:
        # Short on purpose: asyncio.run() formats the main task's result on exit (Python 3.11),
        # and a dataclass repr of a year of items took 0.7 s.
        return (
            f"LoadedReport({self.date_range}, {self.api_group_by}, items={len(self.items)}, "
            f"previous_items={len(self.previous_items)}, missing_days={len(self.missing_days)})"
        )


def origin_of(buckets: Iterable[DayBucket], *, offline: bool) -> tuple[str, datetime | None]:
    """Return where days came from ("live", "cache", "cache + live") and the oldest cache time."""
    cached_at = [bucket.cached_at for bucket in buckets if bucket.cached_at is not None]
    fetched = any(bucket.cached_at is None for bucket in buckets)
    if cached_at and fetched:
        label = "cache + live"
    elif cached_at or (offline and not fetched):
        label = "cache"
    else:
        label = "live"
    return label, min(cached_at, default=None)
