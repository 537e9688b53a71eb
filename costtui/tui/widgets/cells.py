"""Table cell renderables: exact money that sorts by amount and right-aligned text."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text

from costtui.core.formatting import format_money


def money_text(amount: Decimal, *, signed: bool = False) -> str:
    """Return an amount as shown ("<$0.01" under a cent), with + on increases if `signed`."""
    text = format_money(amount)
    return f"+{text}" if signed and amount > 0 else text


@dataclass(frozen=True, order=True)
class MoneyCell:
    """A table cell that sorts by exact amount and renders right-aligned."""

    amount: Decimal
    signed: bool = False
    """Whether an increase gets a leading +."""

    def __str__(self) -> str:
        return money_text(self.amount, signed=self.signed)

    def __rich__(self) -> Text:
        return Text(str(self), justify="right", no_wrap=True)


def right_text(text: str) -> Text:
    """Return plain (never markup) text aligned right in its cell."""
    return Text(text, justify="right", no_wrap=True)


def name_text(name: str, *, style: str = "") -> Text:
    """Return a name as plain text that is cut with an ellipsis when its cell is too narrow."""
    return Text(name, style=style, no_wrap=True, overflow="ellipsis")
