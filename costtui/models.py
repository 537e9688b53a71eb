"""Typed records for cost data, organisations and workspaces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CENTS_PER_DOLLAR = Decimal(100)


@dataclass(slots=True)
class CostItem:
    """One cost line of one UTC day, as the API reported it; treat it as read-only.

    Not frozen on purpose: frozen dataclasses build three times slower, and a year of a large
    organisation is hundreds of thousands of items.
    """

    day: date
    """The UTC day the bucket starts on."""
    amount_cents: Decimal
    """Cost in the currency's lowest unit (cents), exact as the API gave it."""
    currency: str
    workspace_id: str | None
    description: str | None
    cost_type: str | None
    model: str | None
    token_type: str | None
    service_tier: str | None
    context_window: str | None
    inference_geo: str | None


@dataclass(frozen=True, slots=True)
class DayBucket:
    """All cost items of one UTC day; `items` is empty on a quiet day."""

    day: date
    items: tuple[CostItem, ...]


@dataclass(frozen=True, slots=True)
class Organization:
    """The organisation an Admin key belongs to."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Workspace:
    """A workspace of the organisation; `archived` ones still carry past costs."""

    id: str
    name: str
    archived: bool = False
