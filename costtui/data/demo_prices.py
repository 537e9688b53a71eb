"""The demo organisation's fixed price table: $/MTok per model and token type, exact."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

MILLION = Decimal(1_000_000)
CENTS_PER_DOLLAR = Decimal(100)

# model -> $/MTok for (uncached input, 5m cache write, 1h cache write, cache read, output)
_BASE: dict[str, tuple[str, str, str, str, str]] = {
    "claude-opus-4-1": ("15", "18.75", "30", "1.5", "75"),
    "claude-sonnet-4-5": ("3", "3.75", "6", "0.3", "15"),
    "claude-haiku-4-5": ("1", "1.25", "2", "0.1", "5"),
    "claude-3-5-haiku": ("0.8", "1", "1.6", "0.08", "4"),
}
_TOKEN_ORDER = (
    "uncached_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
)
BATCH_FACTOR = Decimal("0.5")
"""The batch tier costs half of standard."""
LONG_CONTEXT_FACTORS = {"output_tokens": Decimal("1.5")}
"""Above 200k tokens of context, output costs 1.5 times and every input kind twice."""
LONG_CONTEXT_INPUT_FACTOR = Decimal(2)
LONG_CONTEXT = "200k-1M"
WEB_SEARCH_USD_PER_1000 = Decimal(10)
"""Web search costs $10 per 1,000 searches: one cent a search."""


def usd_per_mtok(model: str, token_type: str, service_tier: str, context_window: str) -> Decimal:
    """Return the exact price in dollars per million tokens of one kind of token."""
    price = Decimal(_BASE[model][_TOKEN_ORDER.index(token_type)])
    if service_tier == "batch":
        price *= BATCH_FACTOR
    if context_window == LONG_CONTEXT:
        price *= LONG_CONTEXT_FACTORS.get(token_type, LONG_CONTEXT_INPUT_FACTOR)
    return price


@cache
def cents_per_token(model: str, token_type: str, service_tier: str, context_window: str) -> Decimal:
    """Return the exact price of one token in cents (asked once per line and day: cached)."""
    price = usd_per_mtok(model, token_type, service_tier, context_window)
    return price * CENTS_PER_DOLLAR / MILLION
