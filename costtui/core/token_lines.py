"""The token join read straight from a report's columns: no CostItem per line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from costtui.core.lines import DAY, CostLines
from costtui.core.models import amount_at
from costtui.core.report import DIMENSION_FIELDS, DimensionValue, Filters, field_filters
from costtui.core.token_join import TokenFigures, row_figures
from costtui.core.usage_index import OwnedKey, UsageIndex

_OUTSIDE: tuple[DimensionValue, ...] = ("\x00outside",)
"""The row of lines outside the level's filters (a key no real row can have)."""
_JOIN_FIELDS = ("workspace_id", "model", "service_tier", "context_window", "token_type")
Row = tuple[DimensionValue, ...]


def lines_token_figures(
    lines: CostLines,
    usage: UsageIndex,
    dimensions: Sequence[str],
    now: datetime,
    filters: Filters | None = None,
) -> dict[Row, TokenFigures]:
    """Return each report row's token figures, like `token_join.token_figures` of its items.

    Every line counts (a line outside the filters still holds its share of a join key);
    lines allocated to API keys (an `owner` field) count only their key's tokens of the line.
    """
    chosen, only_day = lines.select(field_filters(filters))
    inside = set(chosen)
    fields = [DIMENSION_FIELDS[name] for name in dimensions]
    by_day = [position for position, field in enumerate(fields) if field == DAY]
    getters = [_getter(lines, field) for field in fields]
    join_of, owner_of = _getter(lines, *_JOIN_FIELDS), _getter(lines, "owner")
    joins: list[tuple[Any, ...] | None] = []
    rows: list[Row | None] = []
    for key_index, key in enumerate(lines.keys):
        join = join_of(key)
        joins.append(None if join[4] is None else (*join, owner_of(key)))
        rows.append(tuple(get(key) for get in getters) if key_index in inside else None)
    units: dict[OwnedKey, int] = {}
    row_of_key: dict[OwnedKey, Row] = {}
    shared: set[OwnedKey] = set()
    keys_of_row: dict[Row, dict[OwnedKey, None]] = {}
    for day_index, day in enumerate(lines.days):
        allowed, text = only_day in (None, day_index), day.isoformat()
        amounts = lines.rows[day_index]
        for key_index in dict.fromkeys(lines.day_keys[day_index]):
            row = rows[key_index] if allowed else None
            if row is not None:
                if by_day:
                    row = tuple(text if position in by_day else value
                                for position, value in enumerate(row))
                found = keys_of_row.setdefault(row, {})
            join = joins[key_index]
            if join is None:
                continue
            owned = (day, *join)
            held_by = _OUTSIDE if row is None else row
            if row_of_key.setdefault(owned, held_by) != held_by:
                shared.add(owned)
            units[owned] = units.get(owned, 0) + amounts[key_index]
            if row is not None:
                found[owned] = None
    return row_figures(keys_of_row, shared, usage.counts.get, units.__getitem__, now,
                       lambda cents: amount_at(cents, lines.scale))


def whole_figures(
    per_row: dict[Row, TokenFigures], compute: Any
) -> TokenFigures | None:
    """Return the figures of all rows together: their sums, or `compute()` when rows share keys.

    Rows that share no join key split the lines' keys between them, so the whole is the sum.
    """
    if not per_row:
        return None
    if any(figures.tokens is None for figures in per_row.values()):
        found: TokenFigures | None = compute()
        return found
    return _summed(per_row.values())


def _summed(parts: Iterable[TokenFigures]) -> TokenFigures:
    """Return the field-by-field sum of figures whose keys are disjoint."""
    total = TokenFigures()
    for part in parts:
        total.tokens = (total.tokens or 0) + (part.tokens or 0)
        total.priced_tokens += part.priced_tokens
        total.priced_cents += part.priced_cents
        total.pending_tokens += part.pending_tokens
        for kind, count in part.counts.items():
            total.counts[kind] = total.counts.get(kind, 0) + count
        for price, kinds in part.by_price.items():
            merged = total.by_price.setdefault(price, {})
            for kind, (count, cents) in kinds.items():
                old_count, old_cents = merged.get(kind, (0, Decimal(0)))
                merged[kind] = (old_count + count, old_cents + cents)
    return total


def _getter(lines: CostLines, *names: str) -> Any:
    """Return a getter of key fields (None for DAY or a field the keys lack, read elsewhere)."""
    if len(names) == 1 and (names[0] == DAY or names[0] not in lines.fields):
        return lambda key: None
    return itemgetter(*(lines.fields.index(name) for name in names))
