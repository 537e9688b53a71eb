"""Cost lines joined with token usage on (day, workspace, model, tier, window, token type).

Dollars and tokens are summed separately and divided only at the end; what does not match
stays visible beside the report and never changes its total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from costtui.core.dates import is_day_complete
from costtui.core.models import CostItem
from costtui.core.report import DimensionValue, Filters, dimension_getter
from costtui.core.usage import (
    CACHE_READ_TYPE,
    CACHE_WRITE_TYPES,
    TOKEN_TYPES,
    UNCACHED_INPUT_TYPE,
    UsageRow,
    owner_of,
)

JoinKey = tuple[date, str | None, str | None, str | None, str | None, str]
"""(day, workspace_id, model, service_tier, context_window, token_type)."""
SearchKey = tuple[date, str | None]
"""(day, workspace_id): where web searches and their cost meet."""
PriceKey = tuple[str | None, str | None, str | None]
"""(model, service_tier, context_window): lines that share one price per token type."""
CENTS_PER_MTOK_PER_DOLLAR = Decimal(10_000)
"""cents per token × 10,000 = dollars per million tokens."""
PENDING = "cost pending"
PRIORITY_REASON = "priority tier: not in the cost report"
NO_COST_REASON = "no cost line"
NO_USAGE_REASON = "no usage counterpart"
_OUTSIDE: tuple[DimensionValue, ...] = ("\x00outside",)
"""The row of lines outside the level's filters (a key no real row can have)."""


def join_key(item: CostItem) -> JoinKey | None:
    """Return the join key of a token cost line, or None for other costs."""
    if item.token_type is None:
        return None
    return (item.day, item.workspace_id, item.model, item.service_tier, item.context_window,
            item.token_type)


def usage_by_key(rows: Iterable[UsageRow]) -> tuple[dict[JoinKey, int], dict[SearchKey, int]]:
    """Return tokens per join key and web searches per (day, workspace), API keys summed."""
    tokens: dict[JoinKey, int] = defaultdict(int)
    searches: dict[SearchKey, int] = defaultdict(int)
    for row in rows:
        for token_type, count in zip(TOKEN_TYPES, row.tokens, strict=True):
            if count:
                tokens[(row.day, row.workspace_id, row.model, row.service_tier,
                        row.context_window, token_type)] += count
        if row.web_search_requests:
            searches[(row.day, row.workspace_id)] += row.web_search_requests
    return dict(tokens), dict(searches)


def usage_by_owner(rows: Iterable[UsageRow]) -> dict[tuple[JoinKey, str], int]:
    """Return tokens per (join key, owner): an API key's id, or CONSOLE for null."""
    tokens: dict[tuple[JoinKey, str], int] = defaultdict(int)
    for row in rows:
        owner = owner_of(row.api_key_id)
        for token_type, count in zip(TOKEN_TYPES, row.tokens, strict=True):
            if count:
                tokens[((row.day, row.workspace_id, row.model, row.service_tier,
                         row.context_window, token_type), owner)] += count
    return dict(tokens)


def usd_per_mtok(cents: Decimal, tokens: int) -> Decimal | None:
    """Return dollars per million tokens, or None without tokens."""
    return cents * CENTS_PER_MTOK_PER_DOLLAR / tokens if tokens else None


@dataclass
class TokenFigures:
    """A report row's tokens beside its cost; None tokens: its lines share usage with others."""

    tokens: int | None = 0
    priced_tokens: int = 0
    """Tokens of complete days whose cost line exists."""
    priced_cents: Decimal = Decimal(0)
    """The cost of those tokens' lines."""
    pending_tokens: int = 0
    """Tokens of days within the data lag: their cost may not be in yet."""
    by_price: dict[PriceKey, dict[str, tuple[int, Decimal]]] = field(default_factory=dict)
    """Per model, tier and window, per token type: (tokens, cents) of priced lines."""
    counts: dict[str, int] = field(default_factory=dict)
    """Tokens per token type, every day."""

    @property
    def usd_per_mtok(self) -> Decimal | None:
        """Return the effective price in dollars per million tokens (priced tokens only)."""
        return usd_per_mtok(self.priced_cents, self.priced_tokens)

    @property
    def cost_pending(self) -> bool:
        """Tell whether every token of the row is on a day whose cost may not be in yet."""
        return bool(self.pending_tokens) and not self.priced_tokens

    @property
    def cache_hit(self) -> Decimal | None:
        """Return cache reads / (uncached input + cache reads + cache writes), or None."""
        reads = self.counts.get(CACHE_READ_TYPE, 0)
        inputs = reads + self.counts.get(UNCACHED_INPUT_TYPE, 0)
        inputs += sum(self.counts.get(kind, 0) for kind in CACHE_WRITE_TYPES)
        return Decimal(reads) / inputs if inputs else None

    @property
    def cache_savings_cents(self) -> Decimal | None:
        """Estimate what cache reads saved: reads × (uncached price − read price), per price."""
        total, found = Decimal(0), False
        for kinds in self.by_price.values():
            if CACHE_READ_TYPE in kinds and UNCACHED_INPUT_TYPE in kinds:
                read_tokens, read_cents = kinds[CACHE_READ_TYPE]
                input_tokens, input_cents = kinds[UNCACHED_INPUT_TYPE]
                total += read_tokens * input_cents / input_tokens - read_cents
                found = True
        return total if found else None


def token_figures(
    items: Iterable[CostItem],
    usage: Iterable[UsageRow],
    dimensions: Sequence[str],
    now: datetime,
    filters: Filters | None = None,
) -> dict[tuple[DimensionValue, ...], TokenFigures]:
    """Return each report row's token figures, rows keyed like group_costs' values.

    Give every line of the report and the level's filters: a line outside them still holds
    its share of a join key, so a row never claims tokens that other lines share. Lines
    allocated to API keys (with an `owner`) count only their key's tokens of the line.
    """
    rows = list(usage)
    tokens_by_key: dict[Any, int] = {(*key, None): count
                                     for key, count in usage_by_key(rows)[0].items()}
    tokens_by_key.update({(*key, owner): count
                          for (key, owner), count in usage_by_owner(rows).items()})
    getters = [dimension_getter(name) for name in dimensions]
    checks = [(dimension_getter(name), value) for name, value in (filters or {}).items()]
    cents_by_key: dict[Any, Decimal] = defaultdict(Decimal)
    rows_of_key: dict[Any, set[tuple[DimensionValue, ...]]] = defaultdict(set)
    keys_of_row: dict[tuple[DimensionValue, ...], dict[Any, None]] = defaultdict(dict)
    for item in items:
        inside = all(get(item) == value for get, value in checks)
        row = tuple(get(item) for get in getters) if inside else _OUTSIDE
        if inside:
            keys_of_row.setdefault(row, {})
        line_key = join_key(item)
        if line_key is not None:
            key = (*line_key, getattr(item, "owner", None))
            cents_by_key[key] += item.amount_cents
            rows_of_key[key].add(row)
            if inside:
                keys_of_row[row][key] = None
    shared = {key for key, held_by in rows_of_key.items() if len(held_by) > 1}
    return row_figures(keys_of_row, shared, tokens_by_key.get, cents_by_key.__getitem__, now)


Cents = TypeVar("Cents", int, Decimal)


def row_figures(
    keys_of_row: Mapping[tuple[DimensionValue, ...], Iterable[Any]],
    shared: Container[Any],
    tokens_of: Callable[[Any], int | None],
    cents_of: Callable[[Any], Cents],
    now: datetime,
    to_cents: Callable[[Cents], Decimal] = Decimal,
) -> dict[tuple[DimensionValue, ...], TokenFigures]:
    """Return each row's figures from its keys (a key `shared` with another row: no tokens).

    A key is a join key, or one whose first six fields are one (an owner may follow); cents
    are summed as they come (exact integers or Decimals) and turned into Decimal at the end.
    """
    complete: dict[date, bool] = {}
    figures: dict[tuple[DimensionValue, ...], TokenFigures] = {}
    for row, keys in keys_of_row.items():
        if any(key in shared for key in keys):
            figures[row] = TokenFigures(tokens=None)
            continue
        tokens = priced_tokens = pending_tokens = 0
        priced_cents: Any = 0
        counts: dict[str, int] = {}
        by_price: dict[PriceKey, dict[str, tuple[int, Any]]] = {}
        for key in keys:
            count = tokens_of(key) or 0
            day, token_type = key[0], key[5]
            tokens += count
            counts[token_type] = counts.get(token_type, 0) + count
            if day not in complete:
                complete[day] = is_day_complete(day, now)
            if not complete[day]:
                pending_tokens += count
            elif count:
                cents = cents_of(key)
                priced_tokens += count
                priced_cents += cents
                kinds = by_price.setdefault(key[2:5], {})
                old_tokens, old_cents = kinds.get(token_type, (0, 0))
                kinds[token_type] = (old_tokens + count, old_cents + cents)
        figures[row] = TokenFigures(
            tokens, priced_tokens, to_cents(priced_cents), pending_tokens,
            {price: {kind: (count, to_cents(cents)) for kind, (count, cents) in kinds.items()}
             for price, kinds in by_price.items()}, counts)
    return figures
