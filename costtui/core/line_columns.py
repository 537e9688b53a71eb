"""Day buckets gathered into columns: distinct keys once, a dense row of exact amounts a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

from costtui.core.models import DayBucket, LineKey


@dataclass(frozen=True, slots=True)
class Columns:
    """Keys in order of first appearance; per day the amount of each key and the keys it had."""

    keys: list[LineKey]
    rows: list[Sequence[int]]
    """Per day, the amount of each key in cents scaled by 10**scale."""
    scale: int
    day_keys: list[Sequence[int]]
    """Per day, the index of each key that had a line that day, line by line (before
    `key_numbers` renumbers them, if given)."""
    key_numbers: list[int] | None = None
    """The new number of each key index in `day_keys`; None when they need no renumbering."""


def key_indices(index_of: dict[LineKey, int], keys: Sequence[LineKey]) -> list[int]:
    """Return the index of each key, numbering new keys in order (one C-level lookup each)."""
    found = list(map(index_of.get, keys))
    if None in found:
        return [index_of.setdefault(key, len(index_of)) for key in keys]
    return found  # type: ignore[return-value]  # no None in it


def gather_columns(days: Sequence[date], buckets: Sequence[DayBucket]) -> Columns:
    """Gather the buckets of `days` (others left out) at their largest scale.

    Keys are numbered in the order they first appear, line by line, bucket after bucket. A
    bucket read from the cache holds indexes into a shared key table: its lines are placed by
    index and the table's keys hashed once, not once per line; the rows are then reordered.
    """
    day_index = {day: index for index, day in enumerate(days)}
    used = [bucket for bucket in buckets if bucket.day in day_index]
    scale = max((bucket.scale for bucket in used), default=0)
    index_of: dict[LineKey, int] = {}
    numbers_of_table: dict[int, list[int] | None] = {}
    per_bucket: list[Sequence[int]] = []
    for bucket in used:
        table, indexes = bucket.key_table, bucket.key_indexes
        if table is None or indexes is None:
            per_bucket.append(key_indices(index_of, bucket.keys))
            continue
        if id(table) not in numbers_of_table:
            table_numbers = key_indices(index_of, table)
            identity = table_numbers == list(range(len(table_numbers)))
            numbers_of_table[id(table)] = None if identity else table_numbers
        numbers = numbers_of_table[id(table)]
        per_bucket.append(indexes if numbers is None else list(map(numbers.__getitem__, indexes)))
    width = len(index_of)
    rows: list[list[int]] = [[0] * width for _ in days]
    day_keys: list[Sequence[int]] = [() for _ in days]
    order: list[int] = []
    """Keys in order of first appearance (when a table numbered them otherwise)."""
    seen: set[int] = set()
    for bucket, indices in zip(used, per_bucket, strict=True):
        day = day_index[bucket.day]
        distinct = set(indices)
        if numbers_of_table and not distinct <= seen:
            order += [index for index in dict.fromkeys(indices) if index not in seen]
            seen |= distinct
        factor = 10 ** (scale - bucket.scale)
        amounts = bucket.amounts if factor == 1 else [units * factor for units in bucket.amounts]
        first = not day_keys[day]
        _add_to_row(rows[day], indices, amounts, overwrite=first and len(distinct) == len(indices))
        day_keys[day] = indices if first else [*day_keys[day], *indices]
    keys = list(index_of)
    if not numbers_of_table or order == list(range(width)):
        return Columns(keys, list(rows), scale, day_keys)
    return _reordered(keys, rows, scale, day_keys, order)


def _add_to_row(row: list[int], indices: Sequence[int], amounts: Sequence[int],
                *, overwrite: bool) -> None:
    """Add a bucket's amounts to a day's row of key amounts (set them when each key is new)."""
    if overwrite:
        for index, units in zip(indices, amounts, strict=True):
            row[index] = units
    else:
        for index, units in zip(indices, amounts, strict=True):
            row[index] += units


def _reordered(keys: list[LineKey], rows: list[list[int]], scale: int,
               day_keys: list[Sequence[int]], order: list[int]) -> Columns:
    """Return the columns keeping the keys in `order` only, numbered in that order."""
    if not order:
        return Columns([], [() for _ in rows], scale, [() for _ in rows])
    gather = itemgetter(*order)
    picked = [gather(row) for row in rows] if len(order) > 1 else [(row[order[0]],) for row in rows]
    renumber = [0] * len(keys)
    for new, old in enumerate(order):
        renumber[old] = new
    return Columns([keys[old] for old in order], picked, scale, day_keys, renumber)
