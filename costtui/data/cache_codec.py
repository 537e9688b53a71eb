"""How a day's columns are stored in the cache, and checked again when read back.

Per (organisation, grouping) the cache holds a table of line keys, each stored once as a JSON
array; per day, the lines' indexes into it as packed little-endian uint32 and the amounts as
packed little-endian int64 at the day's scale (a text of integers for a day with an amount
beyond int64), and the amounts summed per key index, packed the same way, so that a warm load
copies a day's row of sums instead of adding up its lines. Reading a day is a few array
steps, with no object built per line.
"""

from __future__ import annotations

import json
import re
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import compress

from costtui.core.models import LINE_KEY_FIELDS, DayBucket, LineKey, amount_at
from costtui.core.validation import (
    MAX_ABS_CENTS,
    MAX_CENT_DECIMALS,
    amount_problem,
    currency_problem,
)
from costtui.data.bucket_columns import normalized, shared_key

MAX_SCALE = MAX_CENT_DECIMALS
"""Decimals of a cent a stored amount may have."""
_INDEX_TYPE = next(code for code in "IL" if array(code).itemsize == 4)
"""The array typecode of an unsigned 32-bit key index."""
_AMOUNT_TYPE = "q"
"""The array typecode of a signed 64-bit amount."""
_SWAP = sys.byteorder == "big"
"""Stored arrays are little-endian; a big-endian machine swaps them."""
_INTEGERS = re.compile(r"(?:-?[0-9]+(?:,-?[0-9]+)*)?")
"""The text fallback of a day's amounts: integers joined by commas."""
_MAX_CENTS = int(MAX_ABS_CENTS)
_MAX_INT64 = 2**63
_UNKNOWN = (-1).__eq__
"""Whether a key's index in this table is not yet looked up (see `indexes_of_bucket`)."""


class UnusableFileError(Exception):
    """The file is a database, but not a costtui cache of this schema version."""


class InvalidDayError(Exception):
    """A stored day holds lines that fail the checks fetched data passes; treat it as missing."""


def key_text(key: LineKey) -> str:
    """Return a key's stored form: a JSON array of its texts."""
    return json.dumps(list(key), separators=(",", ":"))


_DECODED: dict[str, LineKey] = {}
"""Stored key texts already decoded and cleaned, shared across reads."""
_MAX_DECODED = 200_000


def _decoded_key(text: object) -> LineKey:
    """Decode one stored key text into a shared, cleaned key; damage raises UnusableFileError."""
    if not isinstance(text, str):
        raise UnusableFileError("damaged line key (not text)")
    key = _DECODED.get(text)
    if key is not None:
        return key
    try:
        values = json.loads(text)
    except (ValueError, RecursionError):
        values = None
    if (not isinstance(values, list) or len(values) != len(LINE_KEY_FIELDS)
            or not all(value is None or isinstance(value, str) for value in values)):
        raise UnusableFileError(f"damaged line key {str(text)[:40]!r}")
    key = shared_key(tuple(values))
    if len(_DECODED) < _MAX_DECODED:
        _DECODED[text] = key
    return key


@dataclass(slots=True)
class KeyTable:
    """The line keys of one (organisation, grouping), in stored order."""

    keys: list[LineKey] = field(default_factory=list)
    index: dict[LineKey, int] = field(default_factory=dict)
    problems: dict[int, str] = field(default_factory=dict)
    """Why a key's lines fail the data checks (a currency other than USD), by index."""

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[object, object]]) -> KeyTable:
        """Build the table from (index, key text) rows in index order; gaps mean damage."""
        table = cls()
        for position, (index, text) in enumerate(rows):
            if index != position:
                raise UnusableFileError("damaged line key table (indexes out of order)")
            table.add(_decoded_key(text))
        return table

    def add(self, key: LineKey) -> int:
        """Append a key and return its index."""
        index = len(self.keys)
        self.keys.append(key)
        self.index.setdefault(key, index)
        currency = key[0]
        problem = currency_problem(currency) if isinstance(currency, str) else "no currency"
        if problem:
            self.problems[index] = problem
        return index

    def indexes_of(self, keys: Sequence[LineKey], added: list[tuple[int, str]]) -> list[int]:
        """Return each key's index, first adding those the table lacks (and to `added`)."""
        found = list(map(self.index.get, keys))
        if None not in found:
            return found  # type: ignore[return-value]  # no None in it
        for key in dict.fromkeys(keys):  # first-seen order: the same file each run
            if key not in self.index:
                added.append((self.add(key), key_text(key)))
        return list(map(self.index.__getitem__, keys))

    def indexes_of_bucket(
        self, bucket: DayBucket, added: list[tuple[int, str]], numbers: dict[int, list[int]]
    ) -> list[int]:
        """Return the index of each line's key of a bucket, first adding those the table lacks.

        A bucket whose lines are indexes into a key table (a decoded page's, a cache's) is
        mapped through that table: each of its keys is looked up once, in `numbers` (per table,
        this table's index of each of its keys, -1 where not yet looked up), not once a line.
        """
        table, indexes = bucket.key_table, bucket.key_indexes
        if table is None or indexes is None:
            return self.indexes_of(bucket.keys, added)
        mine = numbers.setdefault(id(table), [])
        if len(mine) < len(table):  # A table only grows: the indexes below its length stay.
            mine += [-1] * (len(table) - len(mine))
        found = list(map(mine.__getitem__, indexes))
        if -1 not in found:
            return found
        new = list(dict.fromkeys(compress(indexes, map(_UNKNOWN, found))))  # at C speed
        for index, number in zip(new, self.indexes_of([table[index] for index in new], added),
                                 strict=True):
            mine[index] = number
        return list(map(mine.__getitem__, indexes))


@dataclass(frozen=True, slots=True)
class StoredDay:
    """One day's columns as stored: line count, scale, packed indexes and amounts."""

    count: int
    scale: int
    indexes: bytes
    amounts: bytes | None
    """Packed int64 amounts; None when `amounts_text` holds them."""
    amounts_text: str | None
    key_sums: bytes | None = None
    """Packed int64 amount per key index up to the last one used; None beyond int64."""


def _packed(values: array[int]) -> bytes:
    if _SWAP:
        values.byteswap()
    return values.tobytes()


def encode_day(
    bucket: DayBucket, table: KeyTable, key_indexes: Sequence[int] | None = None
) -> StoredDay:
    """Encode a day's columns against the key table (which holds every key of the bucket),
    given the index of each line's key if already looked up."""
    amounts, scale = bucket.amounts, bucket.scale
    if scale > MAX_SCALE:
        amounts, scale = normalized(amounts, scale)
    if key_indexes is None:
        key_indexes = list(map(table.index.__getitem__, bucket.keys))
    indexes = _packed(array(_INDEX_TYPE, key_indexes))
    sums = _key_sums(key_indexes, amounts)
    try:
        packed = _packed(array(_AMOUNT_TYPE, amounts))
    except OverflowError:  # An amount beyond int64 at this scale: keep the day as text.
        return StoredDay(len(amounts), scale, indexes, None, ",".join(map(str, amounts)), sums)
    return StoredDay(len(amounts), scale, indexes, packed, None, sums)


def _key_sums(key_indexes: Sequence[int], amounts: Sequence[int]) -> bytes | None:
    """Return the amounts summed per key index up to the last one used, packed; None when a
    sum is beyond int64."""
    sums = [0] * (max(key_indexes, default=-1) + 1)
    for index, units in zip(key_indexes, amounts, strict=True):
        sums[index] += units
    try:
        return _packed(array(_AMOUNT_TYPE, sums))
    except OverflowError:
        return None


def indexes_within(packed_indexes: Iterable[object], width: int) -> bool:
    """Tell whether every packed index is below `width`, a day at a time at C speed.

    A day's indexes are one integer of 32-bit lanes. No lane may have its top bit set; then
    adding 2**31 - width to every lane sets a lane's top bit exactly when its index is `width`
    or more, and no lane carries into the next. (False too when a blob is not one of lanes.)
    """
    blobs: list[bytes] = []
    for blob in packed_indexes:
        if not isinstance(blob, bytes) or len(blob) % 4:
            return False
        blobs.append(blob)
    if not 0 <= width <= 2**31:
        return False
    most = max(map(len, blobs), default=0) // 4
    # The longest day's patterns; a shorter day's are these shifted down (bytes are slow to read).
    top_bits = int.from_bytes(b"\0\0\0\x80" * most, "little")
    offsets = int.from_bytes((2**31 - width).to_bytes(4, "little") * most, "little")
    for blob in blobs:
        shift = 8 * (4 * most - len(blob))
        top = top_bits >> shift
        value = int.from_bytes(blob, "little")
        if value & top or (value + (offsets >> shift)) & top:
            return False
    return True


def _unpacked(typecode: str, data: object, count: int, day: date) -> array[int]:
    values = array(typecode)
    if not isinstance(data, bytes) or len(data) != count * values.itemsize:
        raise UnusableFileError(f"damaged entry for {day}: columns of the wrong size")
    values.frombytes(data)
    if _SWAP:
        values.byteswap()
    return values


def _amounts(day: date, stored: StoredDay) -> Sequence[int]:
    if stored.amounts is not None or stored.amounts_text is None:
        return _unpacked(_AMOUNT_TYPE, stored.amounts, stored.count, day)
    text = stored.amounts_text
    if not isinstance(text, str) or not _INTEGERS.fullmatch(text):
        raise UnusableFileError(f"damaged entry for {day}: amounts are not integers")
    amounts = [int(each) for each in text.split(",")] if text else []
    if len(amounts) != stored.count:
        raise UnusableFileError(f"damaged entry for {day}: columns of different lengths")
    return amounts


def _sums(day: date, data: object, table: KeyTable) -> Sequence[int] | None:
    """Return a stored day's amounts per key index, if stored; damage raises UnusableFileError.

    On a little-endian machine they are a view of the stored bytes: nothing is copied.
    """
    if data is None:
        return None
    if not isinstance(data, bytes) or len(data) % 8 or len(data) // 8 > len(table.keys):
        raise UnusableFileError(f"damaged entry for {day}: key sums of the wrong size")
    if not _SWAP:
        return memoryview(data).cast("q")
    sums = array(_AMOUNT_TYPE)
    sums.frombytes(data)
    sums.byteswap()
    return sums


def decode_day(
    day: date, stored: StoredDay, table: KeyTable, cached_at: datetime | None,
    *, indexes_checked: bool = False,
) -> DayBucket:
    """Decode a stored day into a bucket; damage raises UnusableFileError, bad data InvalidDay.

    `indexes_checked` says that `indexes_within` found every index within the table.
    """
    if not isinstance(stored.count, int) or not isinstance(stored.scale, int) or stored.scale < 0:
        raise UnusableFileError(f"damaged entry for {day}: no valid line count or scale")
    indexes = _unpacked(_INDEX_TYPE, stored.indexes, stored.count, day)
    amounts = _amounts(day, stored)
    if not indexes_checked and indexes and max(indexes) >= len(table.keys):
        raise UnusableFileError(f"damaged entry for {day}: a line key is missing")
    sums = _sums(day, stored.key_sums, table)
    _check_day(day, stored.scale, indexes, amounts, table, packed=stored.amounts is not None)
    # The keys stay indexes into the shared table: no key per line is looked up or hashed.
    return DayBucket.from_key_table(day, table.keys, indexes, amounts, stored.scale, cached_at,
                                    sums)


def _check_day(
    day: date, scale: int, indexes: array[int], amounts: Sequence[int], table: KeyTable,
    *, packed: bool,
) -> None:
    """Raise InvalidDayError if a stored day holds a line fetched data could not have."""
    if table.problems:
        for index in set(indexes).intersection(table.problems):
            raise InvalidDayError(f"{day}: {table.problems[index]}")
    if not amounts:
        return
    if scale > MAX_SCALE:  # Never written (days are stored normalized); only damage has it.
        step = 10 ** (scale - MAX_SCALE)
        for units in amounts:
            if units % step:
                raise InvalidDayError(f"{day}: {amount_problem(amount_at(units, scale))}")
    limit = _MAX_CENTS * 10**scale
    if packed and limit > _MAX_INT64:
        return  # No int64 reaches $10 trillion at this scale.
    for extreme in (max(amounts), min(amounts)):
        if abs(extreme) >= limit:
            raise InvalidDayError(f"{day}: {amount_problem(amount_at(extreme, scale))}")

