"""How a day's cost items are stored in the cache, and checked again when read back."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import repeat

from costtui.core.models import CostItem
from costtui.core.text import shared_clean_text
from costtui.core.validation import PLAIN_AMOUNT, amount_problem, currency_problem

_PLAIN_AMOUNTS = re.compile(f"(?:{PLAIN_AMOUNT.pattern}(?:,{PLAIN_AMOUNT.pattern})*)?")
"""A day's amounts joined by commas, all plainly sound (see PLAIN_AMOUNT)."""

_DIMENSIONS = tuple(f.name for f in fields(CostItem) if f.name not in ("day", "amount_cents"))
"""CostItem fields stored as dictionary-encoded columns, in constructor order."""


class UnusableFileError(Exception):
    """The file is a database, but not a costtui cache of this schema version."""


class InvalidDayError(Exception):
    """A stored day holds items that fail the checks fetched data passes; treat it as missing."""




def encode_items(items: Sequence[CostItem]) -> str:
    """Encode a day's items as compact JSON: amounts as decimal strings, dimensions by index."""
    values: dict[str | None, int] = {}
    columns = {
        name: [values.setdefault(getattr(item, name), len(values)) for item in items]
        for name in _DIMENSIONS
    }
    document = {"amounts": [str(item.amount_cents) for item in items],
                "values": list(values), "columns": columns}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def decode_items(day: date, text: str) -> tuple[CostItem, ...]:
    """Decode `encode_items` JSON back into exact CostItems; damage raises UnusableFileError."""
    try:
        document = json.loads(text)
        amounts = document["amounts"]
        # Share one copy of each name across days, as the API client does.
        values = [shared_clean_text(value) if isinstance(value, str) else value
                  for value in document["values"]]
        indexes = [document["columns"][name] for name in _DIMENSIONS]
        if any(len(column) != len(amounts) for column in indexes):
            raise ValueError("columns of different lengths")
        columns = [map(values.__getitem__, column) for column in indexes]
        items = tuple(map(CostItem, repeat(day), map(Decimal, amounts), *columns))
        currencies = {values[index] for index in set(document["columns"]["currency"])}
    except (ValueError, KeyError, TypeError, IndexError, InvalidOperation) as error:
        raise UnusableFileError(f"damaged entry for {day}: {error!r}") from None
    _check_day(day, amounts, items, currencies)
    return items


def _check_day(
    day: date, amounts: list[object], items: tuple[CostItem, ...], currencies: set[object]
) -> None:
    """Raise InvalidDayError if a stored day holds an item fetched data could not have."""
    for currency in currencies:
        problem = currency_problem(currency) if isinstance(currency, str) else "no currency"
        if problem:
            raise InvalidDayError(f"{day}: {problem}")
    try:
        if _PLAIN_AMOUNTS.fullmatch(",".join(amounts)):  # type: ignore[arg-type]
            return  # The common case, checked in one pass.
    except TypeError:
        pass  # An amount that is not text: look at each.
    for item in items:
        problem = amount_problem(item.amount_cents)
        if problem:
            raise InvalidDayError(f"{day}: {problem}")
