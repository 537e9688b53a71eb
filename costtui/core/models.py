"""Typed records for cost data, organisations and workspaces."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from costtui.core.dates import DateRange

if TYPE_CHECKING:
    from costtui.core.lines import CostLines

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


LINE_KEY_FIELDS = (
    "currency",
    "workspace_id",
    "description",
    "cost_type",
    "model",
    "token_type",
    "service_tier",
    "context_window",
    "inference_geo",
)
"""CostItem's text fields, in the order a LineKey holds them (CostItem's order after the amount)."""

LineKey = tuple[str | None, ...]
"""A cost line's text fields (see LINE_KEY_FIELDS): every line with the same key is one series."""


def scaled_amount(amount: Decimal) -> tuple[int, int]:
    """Return (units, scale) with amount == units / 10**scale exactly, scale >= 0."""
    sign, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"amount {amount} is not finite")
    units = int("".join(map(str, digits)) or "0")
    if exponent >= 0:
        return (-units if sign else units) * 10**exponent, 0
    return (-units if sign else units), -exponent


def amount_at(units: int, scale: int) -> Decimal:
    """Return units / 10**scale as an exact Decimal without trailing fractional zeros."""
    while scale and units % 10 == 0:
        units //= 10
        scale -= 1
    return Decimal(f"{units}E-{scale}") if scale else Decimal(units)


def line_key(item: CostItem) -> LineKey:
    """Return the key of a cost item's line."""
    return (item.currency, item.workspace_id, item.description, item.cost_type, item.model,
            item.token_type, item.service_tier, item.context_window, item.inference_geo)


class DayBucket:
    """All cost lines of one UTC day as columns: per line a key and an exact scaled amount.

    Line i costs `amounts[i] / 10**scale` cents; `keys` are shared across days where the
    parser or cache can. `DayBucket(day, items)` builds one from CostItems (tests, demo);
    `from_columns` is the fast path; `items` gives CostItems back, built on demand.
    """

    __slots__ = ("day", "_keys", "amount_column", "scale", "cached_at", "key_table",
                 "key_indexes", "key_sums")

    day: date
    """The UTC day."""
    _keys: tuple[LineKey, ...] | None
    key_table: Sequence[LineKey] | None
    """The shared keys `key_indexes` point into (a cache read, a decoded page); None when `keys`
    were given."""
    key_indexes: Sequence[int] | None
    """Per line, the index of its key in `key_table`; None when `keys` were given."""
    key_sums: Sequence[int] | None
    """Per `key_table` index (up to the last one used), the day's amount of that key; stored
    by the cache so a warm load copies a row instead of summing lines. None when not known."""
    amount_column: Sequence[int]
    """One amount per line, in cents scaled by 10**scale: exact integers (a tuple, or the
    cache's packed int64 array; `amounts` gives them as a tuple)."""
    scale: int
    """The power of ten the amounts are scaled by."""
    cached_at: datetime | None
    """When the local cache stored this day, if it was served from there; None: just fetched.

    Where a day came from is not part of its data, so it does not take part in equality.
    """

    def __init__(
        self, day: date, items: Iterable[CostItem] = (), cached_at: datetime | None = None
    ) -> None:
        listed = tuple(items)
        scaled = [scaled_amount(item.amount_cents) for item in listed]
        scale = max((each_scale for _, each_scale in scaled), default=0)
        self.day = day
        self._keys = tuple(line_key(item) for item in listed)
        self.key_table = self.key_indexes = self.key_sums = None
        self.amount_column = tuple(units * 10 ** (scale - each) for units, each in scaled)
        self.scale = scale
        self.cached_at = cached_at

    @classmethod
    def from_columns(
        cls,
        day: date,
        keys: tuple[LineKey, ...],
        amounts: tuple[int, ...],
        scale: int,
        cached_at: datetime | None = None,
    ) -> DayBucket:
        """Build a bucket from columns of equal length without touching each line."""
        if len(keys) != len(amounts):
            raise ValueError("keys and amounts differ in length")
        bucket = cls.__new__(cls)
        bucket.day, bucket._keys, bucket.amount_column = day, keys, amounts
        bucket.scale, bucket.cached_at = scale, cached_at
        bucket.key_table = bucket.key_indexes = bucket.key_sums = None
        return bucket

    @classmethod
    def from_key_table(
        cls,
        day: date,
        key_table: Sequence[LineKey],
        key_indexes: Sequence[int],
        amounts: Sequence[int],
        scale: int,
        cached_at: datetime | None = None,
        key_sums: Sequence[int] | None = None,
    ) -> DayBucket:
        """Build a bucket whose line i has key `key_table[key_indexes[i]]`, building no key list.

        The caller vouches that every index is within the table and that `key_sums`, if given,
        are the lines' amounts summed per index (the cache checks what it can).
        """
        if len(key_indexes) != len(amounts):
            raise ValueError("keys and amounts differ in length")
        bucket = cls.__new__(cls)
        bucket.day, bucket._keys, bucket.amount_column = day, None, amounts
        bucket.scale, bucket.cached_at = scale, cached_at
        bucket.key_table, bucket.key_indexes = key_table, key_indexes
        bucket.key_sums = key_sums
        return bucket

    @property
    def amounts(self) -> tuple[int, ...]:
        """Return one amount per line, as a tuple."""
        column = self.amount_column
        return column if isinstance(column, tuple) else tuple(column)

    @property
    def keys(self) -> tuple[LineKey, ...]:
        """Return one key per line (looked up in the key table the first time, if need be)."""
        if self._keys is None:
            self._keys = tuple(map((self.key_table or ()).__getitem__, self.key_indexes or ()))
        return self._keys

    def with_cached_at(self, cached_at: datetime | None) -> DayBucket:
        """Return the same day's lines marked as stored in the cache at `cached_at`."""
        bucket = DayBucket.__new__(DayBucket)
        for name in DayBucket.__slots__:
            setattr(bucket, name, getattr(self, name))
        bucket.cached_at = cached_at
        return bucket

    @property
    def items(self) -> tuple[CostItem, ...]:
        """Return the lines as CostItems (exact Decimal cents); built anew on each call."""
        return tuple(
            CostItem(self.day, amount_at(units, self.scale), *key)  # type: ignore[arg-type]
            for key, units in zip(self.keys, self.amounts, strict=True)
        )

    def _lines(self) -> tuple[tuple[LineKey, Decimal], ...]:
        return tuple((key, amount_at(units, self.scale))
                     for key, units in zip(self.keys, self.amounts, strict=True))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DayBucket):
            return NotImplemented
        if self.day != other.day or self.keys != other.keys:
            return False
        if self.scale == other.scale:
            return self.amounts == other.amounts
        return self._lines() == other._lines()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DayBucket({self.day}, lines={len(self.keys)}, scale={self.scale})"


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
    """Everything one query fetched: lines of the range and of the period before it, and names."""

    date_range: DateRange
    api_group_by: tuple[str, ...]
    lines: CostLines
    """The range's cost lines as columns, over every day of the range."""
    previous_lines: CostLines
    """The previous period's cost lines, over every day of it (empty when not fetched)."""
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

    @property
    def items(self) -> tuple[CostItem, ...]:
        """Return the range's lines as CostItems, one per key and day (slow: edges and tests)."""
        return self.lines.items()

    @property
    def previous_items(self) -> tuple[CostItem, ...]:
        """Return the previous period's lines as CostItems (slow: edges and tests)."""
        return self.previous_lines.items()

    def __repr__(self) -> str:
        # Short on purpose: asyncio.run() formats the main task's result on exit (Python 3.11).
        return (
            f"LoadedReport({self.date_range}, {self.api_group_by}, lines={self.lines!r}, "
            f"previous_lines={self.previous_lines!r}, missing_days={len(self.missing_days)})"
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
