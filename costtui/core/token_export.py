"""Token figures and API-key rows as text, JSON fields and CSV cells."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from costtui.core.dates import DateRange
from costtui.core.export import csv_cell
from costtui.core.formatting import format_dollars, format_exact
from costtui.core.key_allocation import ALLOCATED_NOTE, KEY_DIMENSION
from costtui.core.models import CostItem
from costtui.core.report import GroupRow, display_value
from costtui.core.token_join import PENDING, TokenFigures
from costtui.core.token_unmatched import (
    TOKENS_WITHOUT_COST,
    Unmatched,
    WebSearch,
    unmatched,
    web_search,
)
from costtui.core.usage import UNATTRIBUTED_LABEL, UsageRow

PER_MTOK_PLACES = Decimal("0.000001")
"""$/MTok is a ratio: exact where it terminates, else cut at a millionth of a dollar."""


def format_tokens(tokens: int | None) -> str:
    """Return a token count with thousands separators, or a dash when unknown."""
    return "—" if tokens is None else f"{tokens:,}"


def per_mtok_exact(figures: TokenFigures | None) -> str | None:
    """Return $/MTok as a plain decimal string, or None when there is no price."""
    price = None if figures is None else figures.usd_per_mtok
    return None if price is None else format_exact(price.quantize(PER_MTOK_PLACES))


def format_per_mtok(figures: TokenFigures | None) -> str:
    """Return $/MTok for display: "$3.00", "$0.0800", "cost pending", or a dash."""
    if figures is not None and figures.cost_pending:
        return PENDING
    price = None if figures is None else figures.usd_per_mtok
    if price is None:
        return "—"
    return f"${price:,.2f}" if price >= 1 else f"${price:,.4f}"


def format_percent(share: Decimal | None) -> str:
    """Return a share as "63.2%", or a dash."""
    return "—" if share is None else f"{share:.1%}"


def format_savings(cents: Decimal | None) -> str:
    """Return estimated savings in dollars with a ~ (an estimate), or a dash."""
    return "—" if cents is None else "~" + format_dollars(cents / 100)


def dimension_text(dimension: str, value: str | None, workspace_names: Mapping[str, str]) -> str:
    """Return how a row value is shown (API keys are already their name and hint)."""
    if dimension == KEY_DIMENSION:
        return UNATTRIBUTED_LABEL if value is None else value
    return display_value(dimension, value, dict(workspace_names))


def row_fields(
    row: GroupRow,
    dimensions: Sequence[str],
    workspace_names: Mapping[str, str],
    key_ids: Mapping[str, str | None],
    figures: Mapping[tuple[Any, ...], TokenFigures] | None,
) -> dict[str, Any]:
    """Return one row's fields: dimensions (ids beside names), cost, then tokens if asked."""
    record: dict[str, Any] = {}
    for dimension, value in zip(dimensions, row.values, strict=True):
        if dimension == "workspace":
            record["workspace"] = display_value("workspace", value, dict(workspace_names))
            record["workspace_id"] = value
        elif dimension == KEY_DIMENSION:
            record["api_key"] = dimension_text(KEY_DIMENSION, value, {})
            record["api_key_id"] = key_ids.get(record["api_key"])
            record["allocation"] = ALLOCATED_NOTE
        else:
            record[dimension] = value
    record["cost_usd"] = format_exact(row.cost)
    if figures is not None:
        found = figures.get(row.values)
        record["tokens"] = None if found is None else found.tokens
        record["usd_per_mtok"] = per_mtok_exact(found)
        if found is not None and found.cost_pending:
            record["usd_per_mtok"] = PENDING
    return record


def unmatched_record(entry: Unmatched, workspace_names: Mapping[str, str]) -> dict[str, Any]:
    """Return an unmatched amount as a JSON object."""
    return {
        "kind": entry.kind, "reason": entry.reason,
        "workspace": display_value("workspace", entry.workspace_id, dict(workspace_names)),
        "workspace_id": entry.workspace_id, "model": entry.model,
        "service_tier": entry.service_tier, "context_window": entry.context_window,
        "type": entry.what, "tokens": entry.tokens, "cost_usd": format_exact(entry.cents / 100),
    }  # fmt: skip


def tokens_json(
    rows: Sequence[GroupRow],
    dimensions: Sequence[str],
    date_range: DateRange,
    workspace_names: Mapping[str, str],
    key_ids: Mapping[str, str | None],
    total: Decimal,
    figures: Mapping[tuple[Any, ...], TokenFigures] | None,
    extra: dict[str, Any],
) -> str:
    """Return the report as JSON with token fields, and `allocated` for the API-key view."""
    document: dict[str, Any] = {
        "from": date_range.first_day.isoformat(),
        "to": date_range.last_day.isoformat(),
        "currency": "USD",
        "group_by": list(dimensions),
    }
    if KEY_DIMENSION in dimensions:
        document["allocated"] = True
        document["allocation"] = ALLOCATED_NOTE
    document["rows"] = [row_fields(row, dimensions, workspace_names, key_ids, figures)
                        for row in rows]
    document["total_usd"] = format_exact(total)
    document.update(extra)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def tokens_csv(
    rows: Sequence[GroupRow],
    dimensions: Sequence[str],
    workspace_names: Mapping[str, str],
    key_ids: Mapping[str, str | None],
    figures: Mapping[tuple[Any, ...], TokenFigures] | None,
) -> str:
    """Return the report as CSV with tokens and usd_per_mtok, or API-key columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    records = [row_fields(row, dimensions, workspace_names, key_ids, figures) for row in rows]
    header = list(row_fields(GroupRow(tuple(None for _ in dimensions), Decimal(0)), dimensions,
                             workspace_names, key_ids, figures))
    writer.writerow(header)
    numbers = {"cost_usd", "tokens", "usd_per_mtok"}
    for record in records:
        writer.writerow([record[name] if name in numbers else csv_cell(record[name])
                         for name in header])
    return buffer.getvalue()


def web_search_record(found: WebSearch) -> dict[str, Any]:
    """Return web search searches, cost and $ per 1,000 searches as JSON fields."""
    price = found.usd_per_1000
    return {"searches": found.searches, "cost_usd": format_exact(found.cents / 100),
            "usd_per_1000_searches": None if price is None else format_exact(
                price.quantize(PER_MTOK_PLACES))}


def unmatched_lines(items: Iterable[CostItem], usage: Iterable[UsageRow], now: datetime,
                    workspace_names: Mapping[str, str]) -> list[str]:
    """Return one line per unmatched amount (token types summed) and one for web search."""
    listed, rows = list(items), list(usage)
    summed: dict[tuple[str, ...], tuple[int, Decimal]] = {}
    for entry in unmatched(listed, rows, now):
        where = display_value("workspace", entry.workspace_id, dict(workspace_names))
        parts = (entry.model, entry.service_tier, entry.context_window)
        what = " ".join(v for v in parts if v) if entry.tokens else entry.what
        key = (entry.kind, where, what, entry.reason)
        tokens, cents = summed.get(key, (0, Decimal(0)))
        summed[key] = (tokens + entry.tokens, cents + entry.cents)
    lines = []
    for (kind, where, what, reason), (tokens, cents) in summed.items():
        amount = f"{format_tokens(tokens)} tokens" if tokens else format_dollars(cents / 100)
        lines.append(f"{kind}: {where} · {what}: {amount} ({reason})")
    searches = web_search(listed, rows, now)
    price = searches.usd_per_1000
    if price is not None:
        lines.append(f"web search: {searches.searches:,} searches, "
                     f"{format_dollars(price)} per 1,000")
    return lines


def unmatched_summary(items: Iterable[CostItem], usage: Iterable[UsageRow],
                      now: datetime) -> list[str]:
    """Return a short notice of what the join left out: a line per kind, one for web search."""
    listed, rows = list(items), list(usage)
    tokens, cents = 0, Decimal(0)
    reasons: dict[str, None] = {}
    cost_types: dict[str, None] = {}
    for entry in unmatched(listed, rows, now):
        if entry.kind == TOKENS_WITHOUT_COST:
            tokens += entry.tokens
            reasons[entry.reason] = None
        else:
            cents += entry.cents
            cost_types[entry.what] = None
    lines = []
    if cost_types:
        lines.append(f"cost without tokens: {format_dollars(cents / 100)} "
                     f"({', '.join(cost_types)})")
    if reasons:
        lines.append(f"tokens without cost: {format_tokens(tokens)} tokens "
                     f"({'; '.join(reasons)})")
    price = web_search(listed, rows, now).usd_per_1000
    if price is not None:
        lines.append(f"web search: {format_dollars(price)} per 1,000 searches")
    if lines:
        lines.append("costtui report --with-tokens lists each line")
    return lines
