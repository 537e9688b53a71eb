"""Typed records for token usage (the Usage Report) and the organisation's API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

TOKEN_TYPES = (
    "uncached_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
)
"""The five usage counters, named like cost_report's `token_type`, in UsageRow.tokens order."""
CACHE_WRITE_TYPES = TOKEN_TYPES[1:3]
CACHE_READ_TYPE = "cache_read_input_tokens"
UNCACHED_INPUT_TYPE = "uncached_input_tokens"
USAGE_GROUPINGS = ("workspace_id", "model", "service_tier", "context_window")
"""How usage is grouped, so that every row meets the cost lines of the same join key."""
KEY_GROUPINGS = ("api_key_id", *USAGE_GROUPINGS)
"""The grouping of the API-key view: the same, split per API key."""
CONSOLE_KEY_LABEL = "Console / Workbench"
"""Who spent usage whose api_key_id is null."""
UNATTRIBUTED_LABEL = "(unattributed)"
"""Where cost with no usage counterpart is allocated."""
CONSOLE = "\x00console"
UNATTRIBUTED = "\x00unattributed"
"""Owners that cannot be API key ids: the Console (null id) and cost with no usage."""


def owner_of(api_key_id: str | None) -> str:
    """Return who owns usage with this api_key_id: the key, or the Console for null."""
    return CONSOLE if api_key_id is None else api_key_id


@dataclass(frozen=True, slots=True)
class UsageRow:
    """One usage result of one UTC day: token counts of one group."""

    day: date
    workspace_id: str | None
    model: str | None
    service_tier: str | None
    context_window: str | None
    api_key_id: str | None
    """Null for Console / Workbench usage, or when usage was not grouped by API key."""
    tokens: tuple[int, int, int, int, int]
    """Counts in TOKEN_TYPES order."""
    web_search_requests: int = 0

    def count(self, token_type: str) -> int:
        """Return the count of one token type (0 for a type that is not a token counter)."""
        try:
            return self.tokens[TOKEN_TYPES.index(token_type)]
        except ValueError:
            return 0


@dataclass(frozen=True, slots=True)
class UsageDay:
    """All usage rows of one UTC day; `cached_at` says when the cache stored it (None: fetched)."""

    day: date
    rows: tuple[UsageRow, ...]
    cached_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """An API key's public facts: never its secret, only the hint the API itself shows."""

    id: str
    name: str
    partial_key_hint: str | None
    workspace_id: str | None
    status: str

    @property
    def label(self) -> str:
        """Return how the key is shown: its name and hint."""
        return f"{self.name} ({self.partial_key_hint})" if self.partial_key_hint else self.name


def key_label(api_key_id: str | None, keys: dict[str, ApiKeyInfo]) -> str:
    """Return how an api_key_id is shown: the key's label, the Console, or the id itself."""
    if api_key_id is None:
        return CONSOLE_KEY_LABEL
    info = keys.get(api_key_id)
    return info.label if info is not None else api_key_id
