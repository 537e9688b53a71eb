"""cost_report pages decoded with msgspec straight into columnar day buckets, else refereed.

The fast path takes only what is plainly sound: typed fields, UTC-midnight days, USD, amounts
of PLAIN_AMOUNT's shape. Anything else (a wrong type, an odd amount, broken JSON) returns None,
and the caller parses the page with `api_parse` (the referee), whose checks and messages rule.
A page in the API's compact layout (each line `{"amount":"…",…}`) is split at its lines'
starts instead of decoded field by field (see `compact_lines`), and its buckets hold each
line's key as an id in KEY_TABLE (each distinct key once), so later steps look keys up per key,
not per line; any other layout, or anything that path doubts, is decoded into typed structs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import repeat
from operator import add, attrgetter, itemgetter
from typing import AnyStr

import msgspec

from costtui.core.models import LINE_KEY_FIELDS, DayBucket, LineKey
from costtui.core.validation import MAX_CENT_DECIMALS, PLAIN_AMOUNT, currency_problem
from costtui.data.api_parse import parse_bucket_day
from costtui.data.bucket_columns import normalized, shared_key

MAX_SCALE = MAX_CENT_DECIMALS
"""Decimals of a cent a sound amount may have."""
_PLAIN_AMOUNTS = re.compile(f"{PLAIN_AMOUNT.pattern}(?:,{PLAIN_AMOUNT.pattern})*")
"""A day's amounts joined by commas, all plainly sound (see PLAIN_AMOUNT)."""
_ONE_DAY = timedelta(days=1)


class _Line(msgspec.Struct, gc=False):
    """One cost line as the API sends it; absent dimensions are null."""

    amount: str
    currency: str | None = None
    workspace_id: str | None = None
    description: str | None = None
    cost_type: str | None = None
    model: str | None = None
    token_type: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    inference_geo: str | None = None


class _Bucket(msgspec.Struct, gc=False):
    """One day of lines."""

    starting_at: str
    results: list[_Line]
    ending_at: str | None = None


class _Page(msgspec.Struct, gc=False):
    """One cost_report page."""

    data: list[_Bucket]
    has_more: bool = False
    next_page: str | None = None


class _RawBucket(msgspec.Struct, gc=False):
    """One day with its lines left as JSON text (any value: `compact_lines` checks it)."""

    starting_at: str
    results: msgspec.Raw
    ending_at: str | None = None


class _RawPage(msgspec.Struct, gc=False):
    """One cost_report page whose days keep their lines as JSON text."""

    data: list[_RawBucket]
    has_more: bool = False
    next_page: str | None = None


_DECODER = msgspec.json.Decoder(_Page)
_RAW_DECODER = msgspec.json.Decoder(_RawPage)
_LINE_DECODER = msgspec.json.Decoder(_Line)
_RAW_KEY = attrgetter(*LINE_KEY_FIELDS)
_AMOUNT = attrgetter("amount")
_WHOLE, _FRACTION = itemgetter(0), itemgetter(2)

_FIRST_LINE = b'[{"amount":"'
_LINE_START = re.compile(rb'\{"amount":"(-?[0-9]{1,15})(?:\.|(?="))([0-9]*)"')
"""A line's start and its plain amount (see PLAIN_AMOUNT), split into whole and fraction."""
_Decoded = tuple[list[DayBucket], str | None]

KEY_TABLE: list[LineKey] = []
"""Every distinct key the compact path has decoded, once each: a bucket's lines are ids in it."""
_KEY_IDS: dict[LineKey, int] = {}
"""A key of KEY_TABLE to its id (its index there)."""
_COMPACT_IDS: dict[bytes, int] = {}
"""A line's text after its amount (compact layout, with the comma after it) to its key's id."""
_NEW_KEY = threading.Lock()
"""Held while a new key gets its id: pages may decode in more than one thread."""
_PARSED_KEYS: dict[LineKey, LineKey] = {}
"""Raw keys seen on sound lines (currency as sent) to their checked, cleaned, shared key."""
_MAX_PARSED_KEYS = 200_000


class _Doubt(Exception):
    """Something the fast path does not vouch for: the referee decides."""


def _checked_key(raw: LineKey) -> LineKey:
    """Return the shared key of a raw key with currency defaulted to USD; _Doubt if not USD."""
    key = shared_key(("USD", *raw[1:]) if raw[0] is None else raw)
    if key[0] is None or currency_problem(key[0]):
        raise _Doubt
    if len(_PARSED_KEYS) < _MAX_PARSED_KEYS:
        _PARSED_KEYS[raw] = key
    return key


def _keys(lines: Sequence[_Line]) -> tuple[LineKey, ...]:
    """Return each line's shared key, checking only keys not seen before."""
    raw_keys = list(map(_RAW_KEY, lines))
    keys = list(map(_PARSED_KEYS.get, raw_keys))
    if None in keys:
        keys = [key if key is not None else _checked_key(raw)
                for key, raw in zip(keys, raw_keys, strict=True)]
    return tuple(keys)  # type: ignore[arg-type]


def scaled_amounts(texts: list[str]) -> tuple[tuple[int, ...], int]:
    """Return exact integers for plain decimal amount texts at one shared scale; _Doubt else."""
    if not texts:
        return (), 0
    joined = ",".join(texts)
    if joined.count(",") != len(texts) - 1 or not _PLAIN_AMOUNTS.fullmatch(joined):
        raise _Doubt  # An odd amount, or one with a comma in it.
    parts = list(map(str.partition, texts, repeat(".")))
    return _scaled(list(map(_WHOLE, parts)), list(map(_FRACTION, parts)), "0")


def _scaled(
    wholes: list[AnyStr], fractions: list[AnyStr], zero: AnyStr
) -> tuple[tuple[int, ...], int]:
    """Return plain amounts (checked), given as whole and fraction digits, as integers at the
    largest scale among them; _Doubt if one has a digit other than 0 past the ninth decimal."""
    lengths = list(map(len, fractions))
    scale = max(lengths)
    if min(lengths) != scale:
        fractions = list(map(type(zero).ljust, fractions, repeat(scale), repeat(zero)))
    amounts = tuple(map(int, map(add, wholes, fractions)))  # int() reads str or bytes
    if scale > MAX_SCALE:  # Trailing zeros past the ninth decimal (PLAIN_AMOUNT allows them).
        amounts, scale = normalized(amounts, scale)
        if scale > MAX_SCALE:
            raise _Doubt
    return amounts, scale


def _compact_id(rest: bytes) -> int:
    """Return the id of a line's key given its text after the amount's closing quote, up to
    and with the comma after the line.

    The line is decoded with the amount replaced by "0": a text that is not one whole object
    and a comma, or that names "amount" again, is a _Doubt. The id is remembered under `rest`.
    """
    if b'"amount"' in rest or not rest.endswith(b","):
        raise _Doubt
    try:
        line = _LINE_DECODER.decode(_FIRST_LINE[1:] + b'0"' + rest[:-1])
    except msgspec.MsgspecError:
        raise _Doubt from None
    if line.amount != "0":  # An escaped "amount" field name: another amount in the line.
        raise _Doubt
    key = _checked_key(_RAW_KEY(line))
    with _NEW_KEY:
        found = _KEY_IDS.get(key)
        if found is None:
            if len(KEY_TABLE) >= _MAX_PARSED_KEYS:
                raise _Doubt  # Memory's bound: such pages take the typed path.
            found = _KEY_IDS[key] = len(KEY_TABLE)
            KEY_TABLE.append(key)
        if len(_COMPACT_IDS) < _MAX_PARSED_KEYS:
            _COMPACT_IDS[rest] = found
    return found


def compact_lines(text: bytes | msgspec.Raw) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Return the key ids (in KEY_TABLE), amounts and scale of a day's `results` array in the
    compact layout.

    The array must read `[{"amount":"A",…},{"amount":"A",…}]`. A JSON string cannot hold an
    unescaped quote, so `{"amount":"` only starts an object: splitting there (where a plain
    amount follows) and checking that each piece, put back behind it, is one whole object and
    a comma (the last one a bracket) proves the pieces are the lines; an odd amount leaves its
    line inside the piece before, which then fails that check. Each distinct rest of a line
    (its key fields as text) is decoded once.
    """
    view = memoryview(text)  # not copied: the pieces are
    head, tail = view[:len(_FIRST_LINE)].tobytes(), view[-2:].tobytes()
    if len(view) == 2 and tail == b"[]":
        return (), (), 0
    if not (head == _FIRST_LINE and tail == b"}]"):
        raise _Doubt
    parts = _LINE_START.split(view)
    if parts[0] != b"[":
        raise _Doubt  # The first amount is not plain.
    rests = parts[3::3]
    rests[-1] = rests[-1][:-1] + b","  # The last line's "}]" as the others' "},".
    ids = tuple(map(_COMPACT_IDS.get, rests))  # a tuple: the report keeps it as it is
    if None in ids:
        ids = tuple(found if found is not None else _compact_id(rest)
                    for found, rest in zip(ids, rests, strict=True))
    amounts, scale = _scaled(parts[1::3], parts[2::3], b"0")
    return ids, amounts, scale  # type: ignore[return-value]  # no None in ids


def _day(raw: _Bucket | _RawBucket) -> date:
    """Return a bucket's UTC day; _Doubt unless it starts at midnight and spans one day."""
    try:
        day = parse_bucket_day(raw.starting_at)
        if raw.ending_at is not None and parse_bucket_day(raw.ending_at) - day != _ONE_DAY:
            raise _Doubt
    except (ValueError, OverflowError):
        raise _Doubt from None
    return day


def _bucket(raw: _Bucket) -> DayBucket:
    day = _day(raw)
    amounts, scale = scaled_amounts(list(map(_AMOUNT, raw.results)))
    return DayBucket.from_columns(day, _keys(raw.results), amounts, scale)


def _compact_bucket(raw: _RawBucket) -> DayBucket:
    day = _day(raw)
    ids, amounts, scale = compact_lines(raw.results)
    return DayBucket.from_key_table(day, KEY_TABLE, ids, amounts, scale)


def _decoded(page: _Page | _RawPage, buckets: list[DayBucket]) -> _Decoded | None:
    """Return the page's buckets with its next page token; None if the token is missing."""
    if not page.has_more:
        return buckets, None
    if not page.next_page:
        return None
    return buckets, page.next_page


def decode_cost_page(content: bytes) -> _Decoded | None:
    """Decode a sound cost_report page into buckets and its next page token; None if doubtful.

    The compact layout is split (`compact_lines`); any doubt there, or another layout, is
    decoded into typed structs, whose doubts leave the page to the referee.
    """
    compact = decode_compact_page(content)
    if compact is not None:
        return compact
    try:
        page = _DECODER.decode(content)
        buckets = [_bucket(raw) for raw in page.data]
    except (msgspec.MsgspecError, _Doubt, ValueError, RecursionError):
        return None  # ValueError: a safety net; every expected doubt is _Doubt.
    return _decoded(page, buckets)


def decode_compact_page(content: bytes) -> _Decoded | None:
    """Decode a sound page whose every day is in the compact layout; None otherwise."""
    try:
        page = _RAW_DECODER.decode(content)
        buckets = [_compact_bucket(raw) for raw in page.data]
    except (msgspec.MsgspecError, _Doubt, ValueError, RecursionError):
        return None
    return _decoded(page, buckets)


def shared_bucket(bucket: DayBucket) -> DayBucket:
    """Return the bucket with its keys replaced by their shared copies (referee results)."""
    keys = tuple(map(shared_key, bucket.keys))
    return DayBucket.from_columns(bucket.day, keys, bucket.amounts, bucket.scale, bucket.cached_at)
