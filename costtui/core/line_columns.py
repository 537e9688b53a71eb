"""Day buckets gathered into columns: distinct keys once, a dense row of exact amounts a day."""

from __future__ import annotations

from array import array
from collections import Counter
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
    bucket read from the cache or decoded from a page holds indexes into a shared key table:
    the table's keys are hashed once, not once per line, and its day's row is a copy of the
    sums per key the cache stored (else its lines summed in table order), put in order of
    appearance in one C-level step a day.
    """
    day_index = {day: index for index, day in enumerate(days)}
    used = [bucket for bucket in buckets if bucket.day in day_index]
    scale = max((bucket.scale for bucket in used), default=0)
    index_of: dict[LineKey, int] = {}
    per_bucket = _indices(used, index_of)
    keys = list(index_of)
    width = len(keys)
    number: list[int] | None = None
    in_order: Callable[[Sequence[int]], Sequence[int]] | None = None
    if any(bucket.key_indexes is not None for bucket in used):
        order = _first_appearances(per_bucket, width)
        if order != list(range(width)):
            number = [0] * width
            for new, old in enumerate(order):
                number[old] = new
            keys = [keys[old] for old in order]
            in_order = _gatherer(order)
    rows: list[list[int] | None] = [None] * len(days)
    day_keys: list[Sequence[int]] = [() for _ in days]
    finished: list[Sequence[int] | None] = [None] * len(days)
    """Rows already in order of appearance: a day's stored sums, copied and ordered at once."""
    buckets_of_day = Counter(bucket.day for bucket in used)
    for bucket, indices in zip(used, per_bucket, strict=True):
        day = day_index[bucket.day]
        factor = 10 ** (scale - bucket.scale)
        if (bucket.key_sums is not None and indices is bucket.key_indexes
                and buckets_of_day[bucket.day] == 1):
            summed = _row_of_sums(bucket.key_sums, factor, width)
            # Ordered now, the list is freed at once: no collection ever walks it.
            finished[day] = tuple(summed) if in_order is None else in_order(summed)
            day_keys[day] = indices
            continue
        row = rows[day]
        if row is None:
            row = rows[day] = [0] * width
        column = bucket.amount_column
        amounts = column if factor == 1 else [units * factor for units in column]
        # Numbers read from a packed array are new objects anyway: adding them needs no check.
        # A fetched day's numbers are shared with its bucket (and memory) when each key is new.
        if isinstance(column, tuple) and not day_keys[day] and len(set(indices)) == len(indices):
            _set_row(row, indices, amounts)
        else:
            _add_to_row(row, indices, amounts)
        day_keys[day] = indices if not day_keys[day] else [*day_keys[day], *indices]
    put_in_order = in_order or (lambda row: row)
    return Columns(keys, [
        done if done is not None else put_in_order([0] * width if row is None else row)
        for done, row in zip(finished, rows, strict=True)], scale, day_keys, number)


def _row_of_sums(sums: Sequence[int], factor: int, width: int) -> list[int]:
    """Return a day's row from its amounts summed per key-table index (the cache stores them)."""
    row = sums.tolist() if isinstance(sums, (array, memoryview)) else list(sums)
    if factor != 1:
        row = [units * factor for units in row]
    row += [0] * (width - len(row))
    return row


def _gatherer(order: list[int]) -> Callable[[Sequence[int]], Sequence[int]]:
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


def _first_appearances(per_bucket: list[Sequence[int]], width: int) -> list[int]:
    """Return the key numbers used (all below `width`), in the order they first appear.

    Once every number has appeared (most days repeat the keys of earlier ones), the rest of
    the days cannot add one and are not looked at.
    """
    order: list[int] = []
    seen: set[int] = set()
    for indices in per_bucket:
        if len(seen) == width:
            break
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
