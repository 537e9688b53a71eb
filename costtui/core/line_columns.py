"""Day buckets gathered into columns: distinct keys once, a dense row of exact amounts a day."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
    bucket read from the cache holds indexes into a shared key table: the table's keys are
    hashed once, not once per line, its lines summed into a row in table order, and each
    row put in order of appearance at the end, in one C-level step a day.
    """
    day_index = {day: index for index, day in enumerate(days)}
    used = [bucket for bucket in buckets if bucket.day in day_index]
    scale = max((bucket.scale for bucket in used), default=0)
    index_of: dict[LineKey, int] = {}
    per_bucket = _indices(used, index_of)
    keys = list(index_of)
    width = len(keys)
    number: list[int] | None = None
    in_order: Callable[[list[int]], Sequence[int]] | None = None
    if any(bucket.key_indexes is not None for bucket in used):
        order = _first_appearances(per_bucket)
        if order != list(range(width)):
            number = [0] * width
            for new, old in enumerate(order):
                number[old] = new
            keys = [keys[old] for old in order]
            in_order = _gatherer(order)
    rows: list[list[int]] = [[0] * width for _ in days]
    day_keys: list[Sequence[int]] = [() for _ in days]
    for bucket, indices in zip(used, per_bucket, strict=True):
        day = day_index[bucket.day]
        factor = 10 ** (scale - bucket.scale)
        column = bucket.amount_column
        amounts = column if factor == 1 else [units * factor for units in column]
        # Numbers read from a packed array are new objects anyway: adding them needs no check.
        # A fetched day's numbers are shared with its bucket (and memory) when each key is new.
        if isinstance(column, tuple) and not day_keys[day] and len(set(indices)) == len(indices):
            _set_row(rows[day], indices, amounts)
        else:
            _add_to_row(rows[day], indices, amounts)
        day_keys[day] = indices if not day_keys[day] else [*day_keys[day], *indices]
    if in_order is None:
        return Columns(keys, list(rows), scale, day_keys, number)
    return Columns(keys, list(map(in_order, rows)), scale, day_keys, number)


def _gatherer(order: list[int]) -> Callable[[list[int]], Sequence[int]]:
    """Return a function taking a row's amounts at `order`, as a tuple, at C speed."""
    if len(order) > 1:
        return itemgetter(*order)
    return lambda row: tuple(row[index] for index in order)


def _indices(buckets: Sequence[DayBucket], index_of: dict[LineKey, int]) -> list[Sequence[int]]:
    """Return each bucket's key numbers in `index_of` (a key table's keys numbered in its order)."""
    numbers_of_table: dict[int, list[int] | None] = {}
    found: list[Sequence[int]] = []
    for bucket in buckets:
        table, indexes = bucket.key_table, bucket.key_indexes
        if table is None or indexes is None:
            found.append(key_indices(index_of, bucket.keys))
            continue
        if id(table) not in numbers_of_table:
            table_numbers = key_indices(index_of, table)
            identity = table_numbers == list(range(len(table_numbers)))
            numbers_of_table[id(table)] = None if identity else table_numbers
        numbers = numbers_of_table[id(table)]
        found.append(indexes if numbers is None else list(map(numbers.__getitem__, indexes)))
    return found


def _first_appearances(per_bucket: list[Sequence[int]]) -> list[int]:
    """Return the key numbers used, in the order they first appear."""
    order: list[int] = []
    seen: set[int] = set()
    for indices in per_bucket:
        if not seen.issuperset(indices):
            order += [index for index in dict.fromkeys(indices) if index not in seen]
            seen.update(indices)
    return order


def _set_row(row: list[int], indices: Iterable[int], amounts: Sequence[int]) -> None:
    """Set a day's row of key amounts from a bucket whose keys are all new to the row."""
    for index, units in zip(indices, amounts, strict=True):
        row[index] = units


def _add_to_row(row: list[int], indices: Iterable[int], amounts: Sequence[int]) -> None:
    """Add a bucket's amounts to a day's row of key amounts (a key may repeat)."""
    for index, units in zip(indices, amounts, strict=True):
        row[index] += units
