"""What the token join cannot pair: tokens without cost, cost without tokens, web searches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from costtui.core.dates import is_day_complete
from costtui.core.models import CostItem
from costtui.core.token_join import (
    NO_COST_REASON,
    NO_USAGE_REASON,
    PENDING,
    PRIORITY_REASON,
    JoinKey,
    join_key,
    usage_by_key,
)
from costtui.core.usage import UsageRow

TOKENS_WITHOUT_COST = "tokens without cost"
COST_WITHOUT_TOKENS = "cost without tokens"
SEARCHES_PER_PRICE = 1000
"""Web search is priced per 1,000 searches."""


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Tokens or cost the join could not pair, summed over days; shown, never in the total."""

    kind: str
    """TOKENS_WITHOUT_COST or COST_WITHOUT_TOKENS."""
    workspace_id: str | None
    model: str | None
    service_tier: str | None
    context_window: str | None
    what: str
    """The token type, or the cost type of a cost without tokens."""
    reason: str
    tokens: int
    cents: Decimal


@dataclass(frozen=True, slots=True)
class WebSearch:
    """Web search cost paired with the searches counted on the same days and workspaces."""

    searches: int
    cents: Decimal

    @property
    def usd_per_1000(self) -> Decimal | None:
        """Return dollars per 1,000 searches, or None without searches."""
        if not self.searches:
            return None
        return self.cents * SEARCHES_PER_PRICE / 100 / self.searches


_Where = tuple[str | None, str | None, str | None, str | None, str, str]
"""workspace_id, model, service_tier, context_window, what, reason."""


def _reason(key: JoinKey, complete: bool) -> str:
    if key[3] == "priority":
        return PRIORITY_REASON
    return NO_COST_REASON if complete else PENDING


def unmatched(
    items: Iterable[CostItem], usage: Iterable[UsageRow], now: datetime
) -> list[Unmatched]:
    """Return every unpaired amount, summed per workspace, model, tier, window, type and reason."""
    listed = list(items)
    tokens_by_key, _ = usage_by_key(usage)
    cost_keys = {key for key in map(join_key, listed) if key is not None}
    complete: dict[date, bool] = {}

    def is_complete(day: date) -> bool:
        if day not in complete:
            complete[day] = is_day_complete(day, now)
        return complete[day]

    tokens: dict[_Where, int] = defaultdict(int)
    for key, count in tokens_by_key.items():
        if key not in cost_keys:
            tokens[(*key[1:], _reason(key, is_complete(key[0])))] += count
    cents: dict[_Where, Decimal] = defaultdict(Decimal)
    for item in listed:
        line_key = join_key(item)
        if line_key is None and item.cost_type != "web_search":
            what = item.cost_type or item.description or "—"
            cents[(item.workspace_id, None, None, None, what, NO_USAGE_REASON)] += item.amount_cents
        elif (line_key is not None and line_key not in tokens_by_key
              and is_complete(item.day)):
            cents[(*line_key[1:], NO_USAGE_REASON)] += item.amount_cents
    found = [Unmatched(TOKENS_WITHOUT_COST, *key, count, Decimal(0))
             for key, count in tokens.items()]
    found += [Unmatched(COST_WITHOUT_TOKENS, *key, 0, amount) for key, amount in cents.items()]
    return sorted(found, key=lambda u: (u.kind, u.reason, -u.tokens, -u.cents,
                                        tuple(v or "" for v in (u.workspace_id, u.model, u.what))))


def web_search(items: Iterable[CostItem], usage: Iterable[UsageRow], now: datetime) -> WebSearch:
    """Return web search cost and searches of the complete days that have both."""
    _, searches = usage_by_key(usage)
    cents: dict[tuple[date, str | None], Decimal] = defaultdict(Decimal)
    for item in items:
        if item.cost_type == "web_search" and is_day_complete(item.day, now):
            cents[(item.day, item.workspace_id)] += item.amount_cents
    paired = [key for key in cents if searches.get(key)]
    return WebSearch(sum(searches[key] for key in paired),
                     sum((cents[key] for key in paired), Decimal(0)))
