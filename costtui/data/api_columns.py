"""cost_report pages decoded with msgspec straight into columnar day buckets, else refereed.

The fast path takes only what is plainly sound: typed fields, UTC-midnight days, USD, amounts
of PLAIN_AMOUNT's shape. Anything else (a wrong type, an odd amount, broken JSON) returns None,
and the caller parses the page with `api_parse` (the referee), whose checks and messages rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from itertools import repeat
from operator import add, attrgetter, itemgetter

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


_DECODER = msgspec.json.Decoder(_Page)
_RAW_KEY = attrgetter(*LINE_KEY_FIELDS)
_AMOUNT = attrgetter("amount")
_WHOLE, _FRACTION = itemgetter(0), itemgetter(2)

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
    fractions = list(map(_FRACTION, parts))
    lengths = list(map(len, fractions))
    scale = max(lengths)
    if min(lengths) != scale:
        fractions = list(map(str.ljust, fractions, repeat(scale), repeat("0")))
    amounts = tuple(map(int, map(add, map(_WHOLE, parts), fractions)))
    if scale > MAX_SCALE:  # Trailing zeros past the ninth decimal (PLAIN_AMOUNT allows them).
        amounts, scale = normalized(amounts, scale)
    return amounts, scale


def _bucket(raw: _Bucket) -> DayBucket:
    try:
        day = parse_bucket_day(raw.starting_at)
        if raw.ending_at is not None and parse_bucket_day(raw.ending_at) - day != _ONE_DAY:
            raise _Doubt
    except (ValueError, OverflowError):
        raise _Doubt from None
    amounts, scale = scaled_amounts(list(map(_AMOUNT, raw.results)))
    return DayBucket.from_columns(day, _keys(raw.results), amounts, scale)


def decode_cost_page(content: bytes) -> tuple[list[DayBucket], str | None] | None:
    """Decode a sound cost_report page into buckets and its next page token; None if doubtful."""
    try:
        page = _DECODER.decode(content)
        buckets = [_bucket(raw) for raw in page.data]
    except (msgspec.MsgspecError, _Doubt, ValueError, RecursionError):
        return None  # ValueError: a safety net; every expected doubt is _Doubt.
    if not page.has_more:
        return buckets, None
    if not page.next_page:
        return None
    return buckets, page.next_page


def shared_bucket(bucket: DayBucket) -> DayBucket:
    """Return the bucket with its keys replaced by their shared copies (referee results)."""
    keys = tuple(map(shared_key, bucket.keys))
    return DayBucket.from_columns(bucket.day, keys, bucket.amounts, bucket.scale, bucket.cached_at)
