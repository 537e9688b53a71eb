"""Cost per API key: each cost line split across keys by their tokens of that line, exactly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from costtui.core.allocation import split_amount
from costtui.core.models import CostItem
from costtui.core.report import DimensionValue, GroupRow, dimension_getter, to_dollars
from costtui.core.token_join import JoinKey, SearchKey, join_key
from costtui.core.usage import (
    CONSOLE_KEY_LABEL,
    TOKEN_TYPES,
    UNATTRIBUTED_LABEL,
    ApiKeyInfo,
    UsageRow,
    key_label,
)

KEY_DIMENSION = "api_key"
"""The dimension name of the API-key view (`--group-by api_key`)."""
KEY_DIMENSION_LABEL = "API key"
ALLOCATED_NOTE = "allocated by tokens"
"""What the header and exports say about cost per API key."""
CONSOLE = "\x00console"
UNATTRIBUTED = "\x00unattributed"
"""Key values that cannot be API key ids: the Console (null id) and cost with no usage."""

Weights = dict[str, int]


def _owner(api_key_id: str | None) -> str:
    return CONSOLE if api_key_id is None else api_key_id


def key_weights(
    rows: Iterable[UsageRow],
) -> tuple[dict[JoinKey, Weights], dict[SearchKey, Weights]]:
    """Return per join key the tokens of each key, and per (day, workspace) its searches."""
    tokens: dict[JoinKey, Weights] = defaultdict(lambda: defaultdict(int))
    searches: dict[SearchKey, Weights] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        owner = _owner(row.api_key_id)
        for token_type, count in zip(TOKEN_TYPES, row.tokens, strict=True):
            if count:
                tokens[(row.day, row.workspace_id, row.model, row.service_tier,
                        row.context_window, token_type)][owner] += count
        if row.web_search_requests:
            searches[(row.day, row.workspace_id)][owner] += row.web_search_requests
    return tokens, searches


def allocate(items: Iterable[CostItem], rows: Iterable[UsageRow]) -> list[tuple[str, CostItem]]:
    """Return (key, part) for every line: split by the keys' tokens (web search: searches).

    Parts of a line sum to it exactly; a line with no usage counterpart goes whole to
    UNATTRIBUTED, so the allocated total always equals the report's total.
    """
    tokens, searches = key_weights(rows)
    allocated: list[tuple[str, CostItem]] = []
    for item in items:
        key = join_key(item)
        if key is not None:
            weights = tokens.get(key)
        elif item.cost_type == "web_search":
            weights = searches.get((item.day, item.workspace_id))
        else:
            weights = None
        if not weights:
            allocated.append((UNATTRIBUTED, item))
            continue
        owners = sorted(weights)
        parts = split_amount(item.amount_cents, [weights[owner] for owner in owners])
        allocated.extend((owner, replace(item, amount_cents=part))
                         for owner, part in zip(owners, parts, strict=True) if part)
    return allocated


def group_allocated(
    allocated: Iterable[tuple[str, CostItem]], dimensions: Sequence[str]
) -> list[GroupRow]:
    """Sum allocated parts per combination of dimension values (api_key among them)."""
    getters = [None if name == KEY_DIMENSION else dimension_getter(name) for name in dimensions]
    cents: dict[tuple[DimensionValue, ...], Decimal] = defaultdict(Decimal)
    for owner, item in allocated:
        cents[tuple(owner if get is None else get(item) for get in getters)] += item.amount_cents
    rows = [GroupRow(values, to_dollars(amount)) for values, amount in cents.items()]
    rows.sort(key=lambda row: (-row.cost, tuple("" if v is None else v for v in row.values)))
    return rows


def key_display(value: DimensionValue, keys: Mapping[str, ApiKeyInfo]) -> str:
    """Return how an api_key dimension value is shown."""
    if value == CONSOLE:
        return CONSOLE_KEY_LABEL
    if value == UNATTRIBUTED or value is None:
        return UNATTRIBUTED_LABEL
    return key_label(value, dict(keys))
