"""Checks that a cost item can be summed exactly: USD, finite, of sane magnitude and precision."""

from __future__ import annotations

import re
from decimal import Decimal

from costtui.core.models import CostItem

CURRENCY = "USD"
"""The only currency costtui sums; the API documents no other."""
MAX_ABS_CENTS = Decimal(10) ** 15
"""Amounts must be smaller than this many cents ($10 trillion) in absolute value."""
MAX_CENT_DECIMALS = 9
"""Amounts may have at most this many decimal places of a cent (the API sends five)."""


PLAIN_AMOUNT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{0,9}0*)?")
"""Amount texts that pass `amount_problem` without a closer look (almost all of them)."""


def amount_problem(amount: Decimal) -> str | None:
    """Say why an amount in cents cannot be summed exactly, or return None when it can.

    With |amount| < 10^15 and at most 9 decimals, sums of up to 10^4 items stay exact within
    Decimal's default 28 digits.
    """
    if not amount.is_finite():
        return f"amount {amount} is not a number"
    if abs(amount) >= MAX_ABS_CENTS:
        return "amount is out of range (a cost of $10 trillion or more)"
    if _decimal_places(amount) > MAX_CENT_DECIMALS:
        return f"amount has more than {MAX_CENT_DECIMALS} decimal places of a cent"
    return None


def _decimal_places(amount: Decimal) -> int:
    """Return the decimal places of a finite amount, trailing zeros ignored (without rounding)."""
    _, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return 0
    trailing_zeros = len(digits) - len(bytes(digits).rstrip(b"\0"))
    return max(0, -(exponent + min(trailing_zeros, max(0, -exponent))))


def currency_problem(currency: str) -> str | None:
    """Say why a currency cannot be summed with the rest, or return None for USD."""
    if currency == CURRENCY:
        return None
    return f"currency {currency!r} is not USD: costtui sums USD only and will not mix currencies"


def item_problem(item: CostItem) -> str | None:
    """Say why a stored or fetched item is unusable, or return None when it is sound."""
    return amount_problem(item.amount_cents) or currency_problem(item.currency)
