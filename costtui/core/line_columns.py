"""Day buckets gathered into columns: distinct keys once, a dense row of exact amounts a day."""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from operator import add, itemgetter

from costtui.core.models import DayBucket, LineKey


def key_indices(index_of: dict[LineKey, int], keys: Sequence[LineKey]) -> list[int]:
    """Return the index of each key, numbering new keys in order (one C-level lookup each)."""
    found = list(map(index_of.get, keys))
    if None in found:
        return [index_of.setdefault(key, len(index_of)) for key in keys]
    return found  # type: ignore[return-value]  # no None in it


class Columns:
    """Buckets of some days as columns: keys in order of first appearance, each day's keys, and,
    when first asked, a dense row of each key's amount a day or each key's amount in all.

    Keys are numbered in the order they first appear, line by line, bucket after bucket. A
    bucket read from the cache or decoded from a page holds indexes into a shared key table:
    the table's keys are hashed once, not once per line. A day the cache stored also holds its
    amounts summed per key: its row is a copy of them, put in order of appearance in one C-level
    step, and the keys' amounts in all add those sums 64 bits at a time.
    """

    __slots__ = ("keys", "scale", "day_keys", "key_numbers", "_days", "_used", "_width",
                 "_in_order", "_order")

    keys: list[LineKey]
    scale: int
    """Amounts are in cents scaled by 10**scale (the buckets' largest)."""
    day_keys: list[Sequence[int]]
    """Per day, the index of each key that had a line that day, line by line (before
    `key_numbers` renumbers them, if given)."""
    key_numbers: list[int] | None
    """The new number of each key index in `day_keys`; None when they need no renumbering."""

    def __init__(self, days: Sequence[date], buckets: Sequence[DayBucket]) -> None:
        """Number the keys of the buckets of `days` (others are left out); sum nothing yet."""
        day_index = {day: index for index, day in enumerate(days)}
        used = [bucket for bucket in buckets if bucket.day in day_index]
        self.scale = max((bucket.scale for bucket in used), default=0)
        index_of: dict[LineKey, int] = {}
        per_bucket = _indices(used, index_of)
        keys = list(index_of)
        width = len(keys)
        number: list[int] | None = None
        in_order: Callable[[Sequence[int]], Sequence[int]] | None = None
        order: list[int] | None = None
        if any(bucket.key_indexes is not None for bucket in used):
            order = _first_appearances(per_bucket, width)
            if order != list(range(width)):
                number = [0] * width
                for new, old in enumerate(order):
                    number[old] = new
                keys = [keys[old] for old in order]
                in_order = _gatherer(order)
        day_keys: list[Sequence[int]] = [() for _ in days]
        at: list[int] = []
        for bucket, indices in zip(used, per_bucket, strict=True):
            day = day_index[bucket.day]
            at.append(day)
            day_keys[day] = indices if not day_keys[day] else [*day_keys[day], *indices]
        self.keys, self.day_keys, self.key_numbers = keys, day_keys, number
        self._days, self._used = len(days), list(zip(used, at, per_bucket, strict=True))
        self._width, self._in_order, self._order = width, in_order, order

    def _stored_sums(self) -> list[tuple[DayBucket, int, Sequence[int], bool]]:
        """Return each bucket, its day, its key indexes, and whether its row is its stored sums."""
        buckets_of_day = Counter(day for _, day, _ in self._used)
        return [(bucket, day, indices, bucket.key_sums is not None
                 and indices is bucket.key_indexes and buckets_of_day[day] == 1)
                for bucket, day, indices in self._used]

    def rows(self) -> list[Sequence[int]]:
        """Return per day the amount of each key (in key order), summing lines where needed."""
        width, in_order = self._width, self._in_order
        rows: list[list[int] | None] = [None] * self._days
        finished: list[Sequence[int] | None] = [None] * self._days
        """Rows already in order of appearance: a day's stored sums, copied and ordered at once."""
        for bucket, day, indices, stored in self._stored_sums():
            factor = 10 ** (self.scale - bucket.scale)
            if stored:
                summed = _row_of_sums(bucket.key_sums, factor, width)  # type: ignore[arg-type]
                # Ordered now, the list is freed at once: no collection ever walks it.
                finished[day] = tuple(summed) if in_order is None else in_order(summed)
                continue
            row = rows[day]
            first = row is None
            if row is None:
                row = rows[day] = [0] * width
            column = bucket.amount_column
            amounts = column if factor == 1 else [units * factor for units in column]
            # Numbers read from a packed array are new objects anyway: adding them needs no
            # check. A fetched day's numbers are shared with its bucket (and memory) when each
            # key is new.
            if isinstance(column, tuple) and first and len(set(indices)) == len(indices):
                _set_row(row, indices, amounts)
            else:
                _add_to_row(row, indices, amounts)
        put_in_order = in_order or (lambda row: row)
        return [done if done is not None else put_in_order([0] * width if row is None else row)
                for done, row in zip(finished, rows, strict=True)]

    def key_lanes(self) -> list[int] | None:
        """Return each key's amounts a day as one integer of 64-bit lanes (day d in lane d).

        Only where every day with lines is one day of stored sums, each in [0, 2**47) at the
        lines' scale, and keys are at most 2**16: then adding any keys' lanes carries nowhere.
        None otherwise (the rows serve then).
        """
        width, days = self._width, self._days
        stored = self._stored_sums()
        if sys.byteorder != "little" or width > 2**16 or days > 2**16 or not all(
                is_stored for _, _, _, is_stored in stored):
            return None
        nothing = bytes(8 * width)
        parts: list[Sequence[int] | bytes] = [nothing] * days
        for bucket, day, _, _ in stored:
            sums: Sequence[int] = bucket.key_sums  # type: ignore[assignment]  # stored: not None
            if not isinstance(sums, (memoryview, array)) or sums.itemsize != 8:
                return None
            if bucket.scale != self.scale:  # rare (a day of whole cents): scaled one by one
                factor = 10 ** (self.scale - bucket.scale)
                try:
                    sums = array("q", [units * factor for units in sums])
                except OverflowError:
                    return None
            parts[day] = sums if len(sums) == width else bytes(sums) + nothing[8 * len(sums):]
        # Day-major amounts; a key's days are every `width`-th of them (one strided C copy).
        amounts = memoryview(b"".join(parts)).cast("q")  # type: ignore[arg-type]
        from_bytes = int.from_bytes
        lanes = [from_bytes(amounts[key::width], "little")
                 for key in (self._order if self._order is not None else range(width))]
        # A lane with any of its top 17 bits set is negative or 2**47 or more.
        high = int.from_bytes(b"\0\0\0\0\0\x80\xff\xff" * days, "little")
        return None if any(map(high.__and__, lanes)) else lanes

    def key_totals(self) -> Sequence[int]:
        """Return each key's amount over all the days (in key order), building no rows.

        Stored sums that are all below 2**47 and not negative add as one big integer of 64-bit
        lanes per scale (2**16 days of them stay below 2**63: no lane carries); others add one
        by one.
        """
        width = self._width
        totals = [0] * width
        lanes: dict[int, list[int]] = {}
        """Per scale factor: the sum of the stored sums taken as lanes, and how many were."""
        for bucket, _, indices, stored in self._stored_sums():
            factor = 10 ** (self.scale - bucket.scale)
            sums = bucket.key_sums
            if stored and sums is not None:
                packed = _small_lanes(sums)
                summing = lanes.setdefault(factor, [0, 0])
                if packed is not None and summing[1] < 2**16:
                    summing[0] += packed
                    summing[1] += 1
                else:
                    _add_to_row(totals, range(len(sums)), [units * factor for units in sums])
                continue
            column = bucket.amount_column
            _add_to_row(totals, indices,
                        column if factor == 1 else [units * factor for units in column])
        for factor, (packed, _) in lanes.items():
            unpacked = lane_values(packed, width)
            totals = list(map(add, totals, unpacked if factor == 1 else
                              [units * factor for units in unpacked]))
        return totals if self._in_order is None else self._in_order(totals)


def lane_values(lanes: int, count: int) -> list[int]:
    """Return the `count` 64-bit lanes of an integer (none negative) as numbers, lowest first."""
    values = array("Q")
    values.frombytes(lanes.to_bytes(8 * count, "little"))
    return values.tolist()


def _small_lanes(sums: Sequence[int]) -> int | None:
    """Return a day's stored key sums as one integer of 64-bit lanes, if each is in [0, 2**47).

    None for a sum outside that range, or where the sums are not little-endian int64 in memory.
    """
    if sys.byteorder != "little" or not isinstance(sums, (memoryview, array)) or \
            getattr(sums, "itemsize", 0) != 8:
        return None
    value = int.from_bytes(sums, "little")
    lanes = len(sums)
    if lanes not in _HIGH_BITS:
        if len(_HIGH_BITS) > 4096:
            _HIGH_BITS.clear()
        _HIGH_BITS[lanes] = int.from_bytes(b"\0\0\0\0\0\x80\xff\xff" * lanes, "little")
    return None if value & _HIGH_BITS[lanes] else value


_HIGH_BITS: dict[int, int] = {}
"""By lane count, the pattern of each 64-bit lane's top 17 bits."""


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
