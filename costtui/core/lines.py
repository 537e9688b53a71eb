"""A report's cost lines as exact integer columns: distinct keys once, a row of amounts a day."""

from __future__ import annotations

import gc
import threading
from array import array
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields as dataclass_fields
from datetime import date
from itertools import accumulate
from operator import add, itemgetter, sub
from typing import Any

from costtui.core.line_columns import Columns, lane_values
from costtui.core.models import (
    LINE_KEY_FIELDS,
    CostItem,
    DayBucket,
    LineKey,
    amount_at,
)

DAY = "day"
"""The name that selects or groups by a line's day (as ISO text) rather than a key field."""

FINEST_FIELD = "description"
"""The key field that determines most others (the API's description names the model, token
type, tier…): grouping by one of those sums the description's few groups, not every key."""

FieldValue = str | None
FieldFilters = Mapping[str, FieldValue]
"""Required values by key field name (or DAY), all of which a line must have."""


def _sum_vectors(vectors: Iterable[Sequence[int]], length: int) -> list[int]:
    """Return the element-wise sum of equal-length integer vectors, at C speed per vector."""
    total = [0] * length
    for vector in vectors:
        total = list(map(add, total, vector))
    return total


class CostLines:
    """Cost lines of a run of days: distinct keys once, per day the exact amount of each key.

    Key i costs `rows[d][i] / 10**scale` cents on `days[d]` (lines of one key and day are
    summed); `day_keys[d]` lists the keys that had a line on day d, so that "has a line" is not
    confused with "sums to zero". Aggregates are remembered, so levels already seen are instant.
    Rows are per day because a day's amounts were parsed together and sit together in memory:
    summing a group's keys day by day reads them in order, twice as fast as per key. Days the
    cache holds as sums per key need no rows at all for a level: each key's days become one
    integer of 64-bit lanes, and a group's series is its keys' integers added.
    """

    __slots__ = ("days", "keys", "_rows", "_columns", "scale", "_day_keys", "_key_numbers",
                 "fields", "item_type", "_day_index", "_memo")

    days: tuple[date, ...]
    keys: tuple[LineKey, ...]
    scale: int
    fields: tuple[str, ...]
    """The field names of a key, in order (LINE_KEY_FIELDS, plus any a later step adds)."""
    item_type: type[CostItem]
    """What `items()` rebuilds: CostItem, or a subclass whose extra fields are the extra keys."""

    def __init__(
        self,
        days: Sequence[date],
        keys: Sequence[LineKey],
        rows: Sequence[Sequence[int]] | None,
        scale: int,
        day_keys: Sequence[Sequence[int]],
        fields: Sequence[str] = LINE_KEY_FIELDS,
        item_type: type[CostItem] = CostItem,
        key_numbers: Sequence[int] | None = None,
    ) -> None:
        """Hold the columns; `key_numbers` renumbers `day_keys`' indexes when first read.

        `rows` is None only for `from_buckets`, which builds them when first read.
        """
        if len(day_keys) != len(days) or rows is not None and (len(rows) != len(days) or any(
                len(row) != len(keys) for row in rows)):
            raise ValueError("keys, rows and days differ in length")
        self.days, self.keys, self.scale = tuple(days), tuple(keys), scale
        self._rows = None if rows is None else _as_tuples(rows)
        self._columns: Columns | None = None
        self._day_keys = tuple(keys if isinstance(keys, (tuple, array)) else tuple(keys)
                               for keys in day_keys)
        self._key_numbers = key_numbers
        self.fields = tuple(fields)
        self.item_type = item_type
        self._day_index = {day: index for index, day in enumerate(self.days)}
        self._memo: dict[Hashable, Any] = {}

    @classmethod
    def from_buckets(
        cls, days: Sequence[date], buckets: Iterable[DayBucket],
        fields: Sequence[str] = LINE_KEY_FIELDS, item_type: type[CostItem] = CostItem,
    ) -> CostLines:
        """Gather the buckets of `days` (others are left out), rescaled to their largest scale.

        Keys are numbered in the order they first appear, line by line, bucket after bucket.
        """
        columns = Columns(days, list(buckets))
        # Rows are summed when first read (`report` needs none: its keys' totals come straight
        # from the buckets); nor are the daily totals: a level's groups give them for the price
        # of adding a few group series.
        lines = cls(days, columns.keys, None, columns.scale, columns.day_keys, fields, item_type,
                    columns.key_numbers)
        lines._columns = columns
        return lines

    @classmethod
    def from_items(
        cls, items: Iterable[CostItem], days: Sequence[date] | None = None
    ) -> CostLines:
        """Gather CostItems (tests, edges) over `days`, by default the days they fall on.

        Fields a CostItem subclass adds (an allocated part's API key…) become key fields.
        """
        by_day: dict[date, list[CostItem]] = {}
        for item in items:
            by_day.setdefault(item.day, []).append(item)
        item_type = next((type(day_items[0]) for day_items in by_day.values()), CostItem)
        extra = tuple(name for name in (f.name for f in dataclass_fields(item_type))
                      if name not in _ITEM_FIELDS)
        wanted = sorted(by_day) if days is None else list(days)
        buckets = [_bucket(day, by_day[day], extra) for day in wanted if day in by_day]
        return cls.from_buckets(wanted, buckets, (*LINE_KEY_FIELDS, *extra), item_type)

    @classmethod
    def joined(cls, parts: Sequence[CostLines], days: Sequence[date]) -> CostLines:
        """Return the lines of `days`, each day taken from the first part that holds it.

        Keys are those with a line on one of the days; amounts move to the largest scale.
        """
        scale = max((part.scale for part in parts), default=0)
        picked = [next(((part, part._day_index[day]) for part in parts
                        if day in part._day_index), None) for day in days]
        index_of: dict[LineKey, int] = {}
        for part in parts:
            shown = (index for entry in picked if entry and entry[0] is part
                     for index in [entry[1]])
            for key in sorted(set().union(*(part.day_keys[index] for index in shown))):
                index_of.setdefault(part.keys[key], len(index_of))
        gathers, renumbers = {}, {}
        for part in parts:
            own = {key: index for index, key in enumerate(part.keys)}
            # A key the part lacks reads the 0 appended to each of its rows.
            gathers[id(part)] = _gatherer([own.get(key, len(own)) for key in index_of])
            renumbers[id(part)] = [index_of.get(key, -1) for key in part.keys]
        rows: list[Sequence[int]] = []
        day_keys: list[list[int]] = []
        for entry in picked:
            if entry is None or not index_of:
                rows.append((0,) * len(index_of))
                day_keys.append([])
                continue
            part, index = entry
            row = gathers[id(part)]((*part.rows[index], 0))
            factor = 10 ** (scale - part.scale)
            rows.append(row if factor == 1 else tuple(map(factor.__mul__, row)))
            day_keys.append(list(map(renumbers[id(part)].__getitem__, part.day_keys[index])))
        fields = parts[0].fields if parts else LINE_KEY_FIELDS
        item_type = parts[0].item_type if parts else CostItem
        return cls(days, list(index_of), rows, scale, day_keys, fields, item_type)

    def on_days(self, days: Sequence[date]) -> CostLines:
        """Return these lines over other days: days not held are empty, days not named left out."""
        if tuple(days) == self.days:
            return self
        found = [self._day_index.get(day) for day in days]
        day_keys = [() if index is None else self.day_keys[index] for index in found]
        kept = sorted({key for keys in day_keys for key in keys})
        renumber = {old: new for new, old in enumerate(kept)}
        pick = _gatherer(kept) if kept else (lambda row: ())
        rows = [(0,) * len(kept) if index is None else pick(self.rows[index]) for index in found]
        return CostLines(days, [self.keys[key] for key in kept], rows, self.scale,
                         [[renumber[key] for key in keys] for keys in day_keys], self.fields,
                         self.item_type)

    @property
    def day_keys(self) -> tuple[Sequence[int], ...]:
        """Return, per day, the index of each key that had a line that day (treat as read-only)."""
        if self._key_numbers is not None:
            number = self._key_numbers.__getitem__
            self._day_keys = tuple(tuple(map(number, keys)) for keys in self._day_keys)
            self._key_numbers = None
        return self._day_keys

    @property
    def rows(self) -> tuple[tuple[int, ...], ...]:
        """Return per day the amount of each key, in cents scaled by 10**scale (built once)."""
        rows = self._rows
        if rows is None:
            with _BUILDING:
                columns = self._columns
                if self._rows is None and columns is not None:
                    self._rows = _as_tuples(columns.rows())
                    self._columns = None
                    if gc.isenabled():
                        # Collected now, fresh, the rows leave the collector's view: none of
                        # its later passes (on the UI thread) has to walk every amount.
                        gc.collect(0)
            rows = self._rows
            assert rows is not None
        return rows

    def __len__(self) -> int:
        """Return how many lines the days held (one per key and day with a line)."""
        return sum(len(set(keys)) for keys in self.day_keys)

    def __repr__(self) -> str:
        return (f"CostLines({len(self.days)} days, keys={len(self.keys)}, "
                f"scale={self.scale})")

    def items(self) -> tuple[CostItem, ...]:
        """Return one CostItem per key and day with a line, day by day (slow: edges only)."""
        width = len(dataclass_fields(self.item_type)) - 2  # the fields after day and amount
        return tuple(
            self.item_type(day, amount_at(self.rows[index][key], self.scale),
                           *self.keys[key][:width])  # type: ignore[arg-type]
            for index, day in enumerate(self.days)
            for key in dict.fromkeys(self.day_keys[index])
        )

    def _remember(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """Return the remembered value of `key`, computing it with `compute()` the first time."""
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = compute()
        return found

    def _getter(self, field: str) -> Callable[[LineKey], FieldValue]:
        """Return a function reading a key field (None for a field these keys do not have)."""
        if field not in self.fields:
            return lambda key: None
        return itemgetter(self.fields.index(field))

    def _group_getter(self, fields: Sequence[str]) -> Callable[[LineKey], tuple[FieldValue, ...]]:
        """Return a function reading the fields of a key as a tuple (one C call when it can)."""
        if fields and all(field in self.fields for field in fields):
            pick = itemgetter(*(self.fields.index(field) for field in fields))
            return (lambda key: (pick(key),)) if len(fields) == 1 else pick
        getters = [self._getter(field) for field in fields]
        return lambda key: tuple(get(key) for get in getters)

    def select(self, filters: FieldFilters | None = None) -> tuple[tuple[int, ...], int | None]:
        """Return the keys passing the filters and the one day they allow (None: every day).

        A day filter keeps the keys with a line that day; a day not held selects nothing.
        """
        chosen: Sequence[int] = range(len(self.keys))
        day: int | None = None
        for field, value in (filters or {}).items():
            if field == DAY:
                found = self._day_of(value)
                if found is None:
                    return (), None
                day = found
                present = set(self.day_keys[found])
                chosen = [key for key in chosen if key in present]
            else:
                get = self._getter(field)
                chosen = [key for key in chosen if get(self.keys[key]) == value]
        return tuple(chosen), day

    def _day_of(self, text: FieldValue) -> int | None:
        """Return the index of the day written as ISO text, or None when it is not held."""
        try:
            return self._day_index.get(date.fromisoformat(text or ""))
        except ValueError:
            return None

    def key_totals(self) -> tuple[int, ...]:
        """Return each key's amount over all days."""
        def compute() -> tuple[int, ...]:
            columns = self._columns
            if columns is not None:  # no rows yet: from the buckets, without building them
                return tuple(columns.key_totals())
            return tuple(_sum_vectors(self.rows, len(self.keys)))  # row after row, at C speed
        totals: tuple[int, ...] = self._remember("key_totals", compute)
        return totals

    def _key_lanes(self) -> list[int] | None:
        """Return each key's amounts a day as 64-bit lanes (`Columns.key_lanes`), or None.

        Worked out once, before any rows: with them, a level's groups need no rows at all.
        """
        if _LANES not in self._memo:
            columns = self._columns
            self._memo[_LANES] = None if columns is None else columns.key_lanes()
        lanes: list[int] | None = self._memo[_LANES]
        return lanes

    def _amounts(self, filters: FieldFilters | None) -> Iterator[tuple[int, int]]:
        """Yield (key, amount over the allowed days) for each selected key."""
        keys, day = self.select(filters)
        if day is None:
            totals = self.key_totals()
            return ((key, totals[key]) for key in keys)
        return ((key, self.rows[day][key]) for key in keys)

    def total(self, filters: FieldFilters | None = None) -> int:
        """Return the amount of the lines passing the filters."""
        return sum(amount for _, amount in self._amounts(filters))

    def daily_totals(self, filters: FieldFilters | None = None) -> list[int]:
        """Return the amount of the lines passing the filters on each day."""
        def compute() -> list[int]:
            keys, day = self.select(filters)
            if day is None and not keys:
                return [0] * len(self.days)
            lanes = self._key_lanes() if day is None else None
            if lanes is not None:
                return lane_values(sum(map(lanes.__getitem__, keys)), len(self.days))
            if day is None:
                return [sum(map(row.__getitem__, keys)) for row in self.rows]
            return one_day(len(self.days), day, sum(map(self.rows[day].__getitem__, keys)))
        totals: list[int] = self._remember(("daily", _frozen(filters)), compute)
        return totals

    def series_by_group(
        self, field: str, filters: FieldFilters | None = None
    ) -> dict[FieldValue, Sequence[int]]:
        """Return, per value of a key field (or DAY), its amount on each day under the filters.

        Groups are the values of the selected lines, in the order their keys first appear.
        """
        def compute() -> dict[FieldValue, Sequence[int]]:
            if field == DAY:
                return self._series_by_day(filters)
            finest = self._memo.get(("series", FINEST_FIELD, _frozen(filters)))
            finer = None if finest is None else self._finer_values(field, filters)
            if finest is not None and finer is not None:
                return _merged(finest.items(), finer)
            groups = self._sums_by_group(field, filters)
            if ("daily", _frozen(filters)) not in self._memo:  # the level's total, for free
                self._memo["daily", _frozen(filters)] = _sum_vectors(groups.values(),
                                                                    len(self.days))
            return groups
        grouped: dict[FieldValue, Sequence[int]] = self._remember(
            ("series", field, _frozen(filters)), compute)
        return grouped

    def _sums_by_group(
        self, field: str, filters: FieldFilters | None
    ) -> dict[FieldValue, Sequence[int]]:
        """Return each group's amount per day, summing its keys day by day at C speed."""
        keys, day = self.select(filters)
        get = self._getter(field)
        members: dict[FieldValue, list[int]] = {}
        for key in keys:
            members.setdefault(get(self.keys[key]), []).append(key)
        if day is not None:
            row = self.rows[day]
            return {value: one_day(len(self.days), day, sum(map(row.__getitem__, group)))
                    for value, group in members.items()}
        lanes = self._key_lanes() if members else None
        if lanes is not None:  # each group's keys added as whole years of lanes, unpacked once
            return {value: tuple(lane_values(sum(map(lanes.__getitem__, group)),
                                              len(self.days)))
                    for value, group in members.items()}
        if not members or not self.rows:
            return {value: [] for value in members}
        # Each day: gather the keys group after group, then sum each group's slice (all in C).
        # With the level's daily totals known, the largest group is what the others leave.
        groups = list(members.values())
        daily: list[int] | None = self._memo.get(("daily", _frozen(filters)))
        rest = max(range(len(groups)), key=lambda index: len(groups[index]))
        summed = groups if daily is None or len(groups) < 2 else groups[:rest] + groups[rest + 1:]
        ends = list(accumulate(map(len, summed)))
        slices = list(map(slice, [0, *ends[:-1]], ends))
        gather = _gatherer([key for group in summed for key in group])
        per_day = [list(map(sum, map(gather(row).__getitem__, slices))) for row in self.rows]
        series: list[Sequence[int]] = list(zip(*per_day, strict=True))
        if summed is not groups and daily is not None:
            series.insert(rest, list(map(sub, daily, map(sum, per_day))))
        return dict(zip(members, series, strict=True))

    def _finer_values(
        self, field: str, filters: FieldFilters | None
    ) -> dict[FieldValue, FieldValue] | None:
        """Return the field's value per FINEST_FIELD value when that determines it, else None.

        Then the field's groups are sums of the few FINEST_FIELD groups, not of every key.
        """
        if field == FINEST_FIELD or FINEST_FIELD not in self.fields:
            return None
        get, get_finer = self._getter(field), self._getter(FINEST_FIELD)
        value_of: dict[FieldValue, FieldValue] = {}
        for key in self.select(filters)[0]:
            value = get(self.keys[key])
            if value_of.setdefault(get_finer(self.keys[key]), value) != value:
                return None
        return value_of

    def _series_by_day(self, filters: FieldFilters | None) -> dict[FieldValue, Sequence[int]]:
        """Return, per day with a selected line, a series holding that day's amount only."""
        keys, _ = self.select(filters)
        chosen, daily = set(keys), self.daily_totals(filters)
        groups: dict[FieldValue, Sequence[int]] = {}
        for index, day in enumerate(self.days):
            if not chosen.isdisjoint(self.day_keys[index]):
                groups[day.isoformat()] = one_day(len(self.days), index, daily[index])
        return groups

    def totals_by_group(
        self, fields: Sequence[str], filters: FieldFilters | None = None
    ) -> dict[tuple[FieldValue, ...], int]:
        """Return the amount per combination of key field values (DAY among them, if named)."""
        def compute() -> dict[tuple[FieldValue, ...], int]:
            if DAY in fields:
                return self._totals_by_day_and_group(fields, filters)
            group_of = self._group_getter(fields)
            totals: dict[tuple[FieldValue, ...], int] = {}
            for key, amount in self._amounts(filters):
                group = group_of(self.keys[key])
                totals[group] = totals.get(group, 0) + amount
            return totals
        grouped: dict[tuple[FieldValue, ...], int] = self._remember(
            ("totals", tuple(fields), _frozen(filters)), compute)
        return grouped

    def _totals_by_day_and_group(
        self, fields: Sequence[str], filters: FieldFilters | None
    ) -> dict[tuple[FieldValue, ...], int]:
        """Return totals per combination including the day: one pass over the days' lines."""
        keys, only_day = self.select(filters)
        chosen = set(keys)
        getters = [None if field == DAY else self._getter(field) for field in fields]
        totals: dict[tuple[FieldValue, ...], int] = {}
        for index, day in enumerate(self.days):
            if only_day is not None and index != only_day:
                continue
            text = day.isoformat()
            for key in dict.fromkeys(self.day_keys[index]):
                if key in chosen:
                    group = tuple(text if get is None else get(self.keys[key]) for get in getters)
                    totals[group] = totals.get(group, 0) + self.rows[index][key]
        return totals


def _merged(
    vectors: Iterable[tuple[FieldValue, Sequence[int]]],
    value_of: Mapping[FieldValue, FieldValue] | None,
) -> dict[FieldValue, Sequence[int]]:
    """Return the vectors summed per value (renamed through `value_of`), in order of appearance."""
    groups: dict[FieldValue, Sequence[int]] = {}
    for value, vector in vectors:
        group = value if value_of is None else value_of[value]
        found = groups.get(group)
        groups[group] = vector if found is None else list(map(add, found, vector))
    return groups


def _gatherer(indices: list[int]) -> Callable[[Sequence[int]], Sequence[int]]:
    """Return a function taking the items at `indices` of a row, as a tuple, at C speed."""
    if len(indices) == 1:
        index = indices[0]
        return lambda row: (row[index],)
    return itemgetter(*indices)


def one_day(length: int, index: int, units: int) -> list[int]:
    """Return a day series of `length` days holding `units` on day `index` only."""
    vector = [0] * length
    vector[index] = units
    return vector


_ITEM_FIELDS = frozenset(f.name for f in dataclass_fields(CostItem))


def _bucket(day: date, items: Sequence[CostItem], extra: Sequence[str]) -> DayBucket:
    """Return a day's items as a bucket whose keys also hold the `extra` fields."""
    bucket = DayBucket(day, items)
    if not extra:
        return bucket
    keys = tuple((*key, *(getattr(item, name) for name in extra))
                 for key, item in zip(bucket.keys, items, strict=True))
    return DayBucket.from_columns(day, keys, bucket.amounts, bucket.scale)


_LANES = "key lanes"
"""The memo entry of `_key_lanes` (None there when the lines have no lanes)."""


def _as_tuples(rows: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
    """Return rows as tuples.

    Tuples, not lists: the collector stops tracking a tuple of plain numbers, so its full
    passes (tens of ms, a UI freeze each) need not visit every amount of the year.
    """
    return tuple(map(tuple, rows))


_BUILDING = threading.Lock()
"""Held while a report's rows are built, so that threads reading them build them once."""


def _frozen(filters: FieldFilters | None) -> frozenset[tuple[str, FieldValue]]:
    """Return filters as a hashable, order-free memo key."""
    return frozenset((filters or {}).items())
