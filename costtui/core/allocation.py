"""Exact proportional splits: parts that always sum to the whole (largest remainder)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from costtui.core.models import amount_at, scaled_amount
from costtui.core.validation import MAX_CENT_DECIMALS

ALLOCATION_SCALE = MAX_CENT_DECIMALS
"""Parts are cut at no coarser than this many decimals of a cent, the finest an amount may hold."""


def split_units(total: int, weights: Sequence[int]) -> list[int]:
    """Split a whole number in proportion to weights; the parts sum to `total` exactly.

    Each part is its floor share; the units left over go one each to the largest remainders,
    ties to the earlier weight, so the split is deterministic.
    """
    weight_sum = sum(weights)
    if weight_sum <= 0 or any(weight < 0 for weight in weights):
        raise ValueError("weights must be 0 or more with a positive sum")
    if total < 0:
        return [-part for part in split_units(-total, weights)]
    parts, remainders = [], []
    for index, weight in enumerate(weights):
        part, remainder = divmod(total * weight, weight_sum)
        parts.append(part)
        remainders.append((-remainder, index))
    for _, index in sorted(remainders)[: total - sum(parts)]:
        parts[index] += 1
    return parts


def split_amount(amount: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """Split an exact amount in proportion to weights; the parts sum to `amount` exactly."""
    units, scale = scaled_amount(amount)
    if scale < ALLOCATION_SCALE:
        units, scale = units * 10 ** (ALLOCATION_SCALE - scale), ALLOCATION_SCALE
    return [amount_at(part, scale) for part in split_units(units, weights)]
