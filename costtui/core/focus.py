"""A FOCUS 1.2 CSV of cost lines: one row per day × workspace × description, costs unrounded."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from costtui.core.dates import DateRange, day_start
from costtui.core.export import csv_cell
from costtui.core.formatting import format_exact
from costtui.core.models import CostItem
from costtui.core.report import DEFAULT_WORKSPACE_NAME, to_dollars
from costtui.core.token_join import join_key, usage_by_key
from costtui.core.usage import UsageRow

FOCUS_COLUMNS = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost",
    "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit",
    "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
    "SubAccountId", "SubAccountName", "SkuId", "ConsumedQuantity", "ConsumedUnit",
    "x_Model", "x_TokenType", "x_CostType", "x_ServiceTier", "x_ContextWindow",
    "x_InferenceGeo", "x_AmountCents",
)  # fmt: skip
"""FOCUS 1.2's required columns first, then optional ones, then costtui's x_ extras."""
PROVIDER = "Anthropic"
SERVICE_NAME = "Claude API"
SERVICE_CATEGORY = "AI and Machine Learning"
DEFAULT_SUB_ACCOUNT_ID = "default"

def focus_file_name(date_range: DateRange) -> str:
    """Return the FOCUS export's file name, e.g. costtui-2026-10-01_2026-10-31-focus.csv."""
    return (f"costtui-{date_range.first_day.isoformat()}_{date_range.last_day.isoformat()}"
            "-focus.csv")


_LineId = tuple[date, str | None, str | None]
"""(day, workspace_id, description)."""


def _month(day: date) -> tuple[str, str]:
    """Return the billing period (the UTC calendar month) of a day, as start and end."""
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return day_start(start), day_start(end)


def focus_csv(
    items: Iterable[CostItem],
    usage: Iterable[UsageRow],
    account_id: str,
    account_name: str,
    workspace_names: Mapping[str, str],
) -> str:
    """Return the FOCUS CSV; quantities are the joined tokens where one line holds them alone."""
    lines: dict[_LineId, list[CostItem]] = defaultdict(list)
    for item in items:
        lines[(item.day, item.workspace_id, item.description)].append(item)
    tokens, searches = usage_by_key(usage)
    lines_per_key: dict[object, int] = defaultdict(int)
    for parts in lines.values():
        first = parts[0]
        lines_per_key[join_key(first) or ("web", first.day, first.workspace_id,
                                          first.cost_type)] += 1
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FOCUS_COLUMNS)
    for (day, workspace, description), parts in sorted(
            lines.items(), key=lambda entry: (entry[0][0], entry[0][1] or "", entry[0][2] or "")):
        first = parts[0]
        cents = sum((part.amount_cents for part in parts), Decimal(0))
        dollars = format_exact(to_dollars(cents))
        key = join_key(first)
        quantity: int | None = None
        unit = ""
        if key is not None and lines_per_key[key] == 1 and key in tokens:
            quantity, unit = tokens[key], "Tokens"
        elif (first.cost_type == "web_search" and (day, workspace) in searches
              and lines_per_key[("web", day, workspace, "web_search")] == 1):
            quantity, unit = searches[(day, workspace)], "Searches"
        period_start, period_end = _month(day)
        text = [account_id, account_name]
        writer.writerow([
            dollars, *map(csv_cell, text), first.currency, period_end, period_start, "Usage", "",
            csv_cell(description), day_start(day + timedelta(days=1)), day_start(day),
            dollars, dollars, PROVIDER, dollars, "" if quantity is None else quantity, unit,
            PROVIDER, PROVIDER, SERVICE_CATEGORY, SERVICE_NAME,
            csv_cell(workspace or DEFAULT_SUB_ACCOUNT_ID),
            csv_cell(DEFAULT_WORKSPACE_NAME if workspace is None
                     else workspace_names.get(workspace, workspace)),
            csv_cell(description), "" if quantity is None else quantity, unit,
            *(csv_cell(value) for value in (first.model, first.token_type, first.cost_type,
                                            first.service_tier, first.context_window,
                                            first.inference_geo)),
            format_exact(cents),
        ])
    return buffer.getvalue()
