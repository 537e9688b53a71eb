"""Helpers for columnar day buckets: keys cleaned once and shared, amounts at their least scale."""

from __future__ import annotations

from costtui.core.models import LineKey
from costtui.core.text import shared_clean_text

_SHARED_KEYS: dict[LineKey, LineKey] = {}
"""Raw keys (as the network or the cache spelled them) to their cleaned, shared form."""
_MAX_SHARED_KEYS = 200_000
"""A bound on memory: past it, keys are still cleaned, only no longer shared."""


def shared_key(raw: LineKey) -> LineKey:
    """Return the key with every text cleaned (`shared_clean_text`), as one shared tuple."""
    key = _SHARED_KEYS.get(raw)
    if key is None:
        cleaned = tuple(None if text is None else shared_clean_text(text) for text in raw)
        if len(_SHARED_KEYS) >= _MAX_SHARED_KEYS:
            return cleaned
        key = _SHARED_KEYS.setdefault(cleaned, cleaned)
        _SHARED_KEYS[raw] = key
    return key


def normalized(amounts: tuple[int, ...], scale: int) -> tuple[tuple[int, ...], int]:
    """Return the same amounts at the smallest scale that keeps them exact integers."""
    while scale > 0 and all(units % 10 == 0 for units in amounts):
        amounts = tuple(units // 10 for units in amounts)
        scale -= 1
    return amounts, scale
