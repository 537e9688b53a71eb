"""A range's usage indexed once for every join: tokens per join key and owner, searches per day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from costtui.core.key_allocation import Weights, key_weights
from costtui.core.token_join import JoinKey, SearchKey
from costtui.core.usage import UsageRow

OwnedKey = tuple[Any, ...]
"""A join key's six fields followed by an owner (None: every owner's tokens summed)."""


@dataclass(frozen=True)
class UsageIndex:
    """Usage rows looked up by join key: built once per usage, shared by every level."""

    owners: dict[JoinKey, Weights]
    """Per join key, the tokens of each owner (an API key's id, or CONSOLE)."""
    searches: dict[SearchKey, Weights]
    """Per (day, workspace), the web searches of each owner."""
    counts: dict[OwnedKey, int]
    """Per join key and owner, its tokens; with owner None, those of every owner."""


def usage_index(rows: Iterable[UsageRow]) -> UsageIndex:
    """Return the rows indexed by join key (API keys kept apart and summed)."""
    owners, searches = key_weights(rows)
    counts: dict[OwnedKey, int] = {}
    for key, found in owners.items():
        counts[(*key, None)] = sum(found.values())
        counts.update(((*key, owner), count) for owner, count in found.items())
    return UsageIndex(owners, searches, counts)
