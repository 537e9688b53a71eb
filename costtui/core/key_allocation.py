"""Cost per API key: each cost line split across keys by their tokens of that line, exactly."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from costtui.core.allocation import split_amount
from costtui.core.key_names import ALLOCATED_NOTE as ALLOCATED_NOTE
from costtui.core.key_names import COMPUTING_KEYS as COMPUTING_KEYS
from costtui.core.key_names import KEY_DIMENSION as KEY_DIMENSION
from costtui.core.key_names import KEY_DIMENSION_LABEL as KEY_DIMENSION_LABEL
from costtui.core.key_names import LOADING_KEYS as LOADING_KEYS
from costtui.core.key_names import NO_USAGE_KEYS as NO_USAGE_KEYS
from costtui.core.models import CostItem
from costtui.core.report import DimensionValue
from costtui.core.token_join import JoinKey, SearchKey, join_key
from costtui.core.usage import (
    CONSOLE,
    CONSOLE_KEY_LABEL,
    TOKEN_TYPES,
    UNATTRIBUTED,
    UNATTRIBUTED_LABEL,
    ApiKeyInfo,
    UsageRow,
    key_label,
    owner_of,
)

Weights = dict[str, int]


def key_weights(
    rows: Iterable[UsageRow],
) -> tuple[dict[JoinKey, Weights], dict[SearchKey, Weights]]:
    """Return per join key the tokens of each key, and per (day, workspace) its searches."""
    tokens: dict[JoinKey, Weights] = defaultdict(lambda: defaultdict(int))
    searches: dict[SearchKey, Weights] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        owner = owner_of(row.api_key_id)
        for token_type, count in zip(TOKEN_TYPES, row.tokens, strict=True):
            if count:
                tokens[(row.day, row.workspace_id, row.model, row.service_tier,
                        row.context_window, token_type)][owner] += count
        if row.web_search_requests:
            searches[(row.day, row.workspace_id)][owner] += row.web_search_requests
    return tokens, searches


def key_ids(items: Iterable[KeyedCostItem]) -> dict[str, str | None]:
    """Return each shown key's id (None for the Console and the unattributed)."""
    return {item.api_key: None if item.owner in (CONSOLE, UNATTRIBUTED, "") else item.owner
            for item in items}


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


def key_display(value: DimensionValue, keys: Mapping[str, ApiKeyInfo]) -> str:
    """Return how an owner (a key id, CONSOLE or UNATTRIBUTED) is shown."""
    if value == CONSOLE:
        return CONSOLE_KEY_LABEL
    if value == UNATTRIBUTED or value is None:
        return UNATTRIBUTED_LABEL
    return key_label(value, dict(keys))


@dataclass(slots=True)
class KeyedCostItem(CostItem):
    """An allocated part of a cost line, with the API key it is allocated to."""

    api_key: str = UNATTRIBUTED_LABEL
    """The key as shown: name and hint, the Console, or "(unattributed)"."""
    owner: str = UNATTRIBUTED
    """The key's id, CONSOLE or UNATTRIBUTED: whose tokens of the line these are."""


def keyed_items(
    items: Iterable[CostItem], rows: Iterable[UsageRow], keys: Mapping[str, ApiKeyInfo]
) -> tuple[KeyedCostItem, ...]:
    """Return every line split across API keys by tokens, each part labelled with its key."""
    return tuple(
        KeyedCostItem(part.day, part.amount_cents, part.currency, part.workspace_id,
                      part.description, part.cost_type, part.model, part.token_type,
                      part.service_tier, part.context_window, part.inference_geo,
                      key_display(owner, keys), owner)
        for owner, part in allocate(items, rows)
    )


def mark_allocated(text: str, export_format: str) -> str:
    """Return an exported CSV or JSON view saying its cost per API key is allocated by tokens."""
    if export_format == "json":
        document = json.loads(text)
        marked = {"allocated": True, "allocation": ALLOCATED_NOTE, **document}
        return json.dumps(marked, indent=2, ensure_ascii=False) + "\n"
    lines = text.splitlines()
    return "\n".join([f"{lines[0]},allocation", *(f"{line},{ALLOCATED_NOTE}"
                                                   for line in lines[1:])]) + "\n"
