"""The token join, allocation per API key and FOCUS export, against the demo's price table."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from costtui.core.allocation import split_amount, split_units
from costtui.core.dates import DateRange
from costtui.core.focus import FOCUS_COLUMNS, focus_csv
from costtui.core.formatting import format_dollars
from costtui.core.key_allocation import allocate, key_display, keyed_items
from costtui.core.models import CostItem, DayBucket
from costtui.core.report import group_costs, total_cost
from costtui.core.token_export import unmatched_summary
from costtui.core.token_join import (
    NO_USAGE_REASON,
    PENDING,
    PRIORITY_REASON,
    token_figures,
)
from costtui.core.token_unmatched import (
    COST_WITHOUT_TOKENS,
    TOKENS_WITHOUT_COST,
    unmatched,
    web_search,
)
from costtui.core.usage import CONSOLE, TOKEN_TYPES, UNATTRIBUTED, UsageRow
from costtui.data.api_parse import parse_cost_page
from costtui.data.demo_org import DemoOrganization, stamp
from costtui.data.demo_prices import cents_per_token, usd_per_mtok
from costtui.data.demo_usage import USAGE_GROUPS, usage_results
from costtui.data.usage_parse import parse_usage_row

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
TEN_DAYS = DateRange(date(2026, 11, 10), date(2026, 11, 19))
ORG = DemoOrganization()


def demo_items(date_range: DateRange) -> list[CostItem]:
    """Return the demo's cost lines by workspace and description, through the real parser."""
    body = {"data": [{"starting_at": stamp(day), "results": ORG.cost_items(day)}
                     for day in date_range.days()]}
    buckets, _ = parse_cost_page(body, "demo")
    return [item for bucket in buckets for item in bucket.items]


def demo_usage(date_range: DateRange, groups: tuple[str, ...] = USAGE_GROUPS) -> list[UsageRow]:
    """Return the demo's usage rows, grouped as asked, through the real parser."""
    return [parse_usage_row(day, raw, "demo") for day in date_range.days()
            for raw in usage_results(ORG, day, groups)]


ITEMS = demo_items(TEN_DAYS)
USAGE = demo_usage(TEN_DAYS)
PRICE_DIMENSIONS = ("model", "token_type", "service_tier", "context_window")


def test_usd_per_mtok_equals_the_price_table_exactly() -> None:
    figures = token_figures(ITEMS, USAGE, PRICE_DIMENSIONS, NOW)
    token_rows = [values for values in figures if values[1] is not None]
    assert len(token_rows) == 33
    for model, token_type, tier, window in token_rows:
        found = figures[(model, token_type, tier, window)]
        assert found.usd_per_mtok == usd_per_mtok(model, token_type, tier, window)  # type: ignore[arg-type]
    sonnet_long_output = figures[("claude-sonnet-4-5", "output_tokens", "standard", "200k-1M")]
    assert sonnet_long_output.usd_per_mtok == Decimal("22.5")
    haiku_batch_input = figures[("claude-haiku-4-5", "uncached_input_tokens", "batch", "0-200k")]
    assert haiku_batch_input.usd_per_mtok == Decimal("0.5")
    web_rows = [values for values in figures if values[1] is None]
    assert all(figures[values].tokens == 0 for values in web_rows)


def test_cache_hit_and_estimated_savings_per_model() -> None:
    figures = token_figures(ITEMS, USAGE, ("model",), NOW)
    haiku35 = figures[("claude-3-5-haiku",)]
    counts = haiku35.counts
    inputs = sum(counts[kind] for kind in TOKEN_TYPES[:4])
    assert haiku35.cache_hit == Decimal(counts["cache_read_input_tokens"]) / inputs
    standard_reads = sum(row.count("cache_read_input_tokens") for row in USAGE
                         if row.model == "claude-3-5-haiku" and row.service_tier == "standard")
    assert haiku35.cache_savings_cents == standard_reads * (
        cents_per_token("claude-3-5-haiku", "uncached_input_tokens", "standard", "0-200k")
        - cents_per_token("claude-3-5-haiku", "cache_read_input_tokens", "standard", "0-200k"))
    assert f"{haiku35.cache_hit:.1%}" == "63.2%"


def test_joined_totals_never_change_the_cost_total() -> None:
    figures = token_figures(ITEMS, USAGE, ("workspace",), NOW)
    rows = group_costs(ITEMS, ("workspace",))
    assert {row.values for row in rows} == set(figures)
    assert sum((row.cost for row in rows), Decimal(0)) == total_cost(ITEMS)


def test_rows_sharing_usage_show_no_tokens() -> None:
    """US and global lines share one join key: per geo the tokens cannot be told apart."""
    figures = token_figures(ITEMS, USAGE, ("inference_geo",), NOW)
    assert figures[("us",)].tokens is None
    assert figures[("global",)].tokens is None
    assert figures[("not_available",)].tokens == sum(
        row.count(kind) for row in USAGE for kind in TOKEN_TYPES if row.model == "claude-3-5-haiku")


def test_unmatched_rows_stay_visible() -> None:
    found = unmatched(ITEMS, USAGE, NOW)
    priority = [u for u in found if u.reason == PRIORITY_REASON]
    assert {(u.kind, u.model, u.service_tier) for u in priority} == {
        (TOKENS_WITHOUT_COST, "claude-sonnet-4-5", "priority")}
    assert sum(u.tokens for u in priority) == sum(
        sum(row.tokens) for row in USAGE if row.service_tier == "priority")
    no_usage = {(u.kind, u.what) for u in found if u.reason == NO_USAGE_REASON}
    assert no_usage == {(COST_WITHOUT_TOKENS, "code_execution"),
                        (COST_WITHOUT_TOKENS, "session_usage")}
    assert sum(u.cents for u in found) == sum(
        i.amount_cents for i in ITEMS if i.cost_type in ("code_execution", "session_usage"))


def test_cost_pending_within_the_lag_instead_of_a_false_price() -> None:
    """The last day has usage but its cost is not in yet: no price, "cost pending"."""
    last = DateRange(date(2026, 11, 24), date(2026, 11, 24))
    usage = demo_usage(last)
    figures = token_figures([], usage, ("model",), NOW)
    assert figures == {}
    lines = demo_items(last)
    pending = token_figures(lines, usage, ("model",), NOW)[("claude-sonnet-4-5",)]
    assert pending.cost_pending
    assert pending.usd_per_mtok is None
    assert {u.reason for u in unmatched([], usage, NOW)} == {PENDING, PRIORITY_REASON}


def test_web_search_costs_ten_dollars_per_thousand() -> None:
    found = web_search(ITEMS, USAGE, NOW)
    assert found.searches > 0
    assert found.usd_per_1000 == Decimal(10)


def test_allocation_reproduces_each_keys_share_exactly() -> None:
    by_key = demo_usage(TEN_DAYS, ("api_key_id", *USAGE_GROUPS[1:]))
    allocated = allocate(ITEMS, by_key)
    assert sum((item.amount_cents for _, item in allocated), Decimal(0)) == sum(
        (item.amount_cents for item in ITEMS), Decimal(0))
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for row in by_key:
        if row.service_tier == "priority":
            continue
        owner = CONSOLE if row.api_key_id is None else row.api_key_id
        for kind, count in zip(TOKEN_TYPES, row.tokens, strict=True):
            if count:
                expected[owner] += count * cents_per_token(
                    row.model, kind, row.service_tier, row.context_window)  # type: ignore[arg-type]
        expected[owner] += row.web_search_requests  # one cent a search
    keyed = keyed_items(ITEMS, by_key, {})
    assert [(item.owner, item.amount_cents) for item in keyed] == [
        (owner, item.amount_cents) for owner, item in allocated]
    got: dict[str, Decimal] = defaultdict(Decimal)
    for item in keyed:
        got[item.owner] += item.amount_cents
    assert got.pop(UNATTRIBUTED) == sum(
        i.amount_cents for i in ITEMS if i.cost_type in ("code_execution", "session_usage"))
    assert dict(got) == dict(expected)
    rows = group_costs(keyed, ("api_key",))
    assert sum(row.cost for row in rows) == total_cost(ITEMS)
    assert {row.values[0] for row in rows} >= {"Console / Workbench", "(unattributed)"}
    assert key_display(CONSOLE, {}) == "Console / Workbench"
    assert key_display(UNATTRIBUTED, {}) == "(unattributed)"


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=9,
                   allow_nan=False, allow_infinity=False),
       st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=12)
       .filter(lambda weights: sum(weights) > 0))
def test_allocated_parts_sum_exactly_to_the_line(amount: Decimal, weights: list[int]) -> None:
    parts = split_amount(amount, weights)
    assert sum(parts, Decimal(0)) == amount
    unit = Decimal("1e-9")
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - amount * weight / sum(weights)) < unit
        assert weight or part == 0


def test_split_units_gives_leftovers_to_the_largest_remainders() -> None:
    assert split_units(10, [1, 1, 1]) == [4, 3, 3]
    assert split_units(-10, [1, 2]) == [-3, -7]
    assert split_units(7, [0, 5]) == [0, 7]


def test_focus_columns_in_order_and_billed_cost_sums_to_the_total() -> None:
    text = focus_csv(ITEMS, USAGE, "org-1", "=Acme", {})
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == FOCUS_COLUMNS
    assert rows[0][:21] == sorted(rows[0][:21])
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(records) == len(ITEMS)
    billed = sum((Decimal(r["BilledCost"]) for r in records), Decimal(0))
    assert billed == total_cost(ITEMS)
    first = records[0]
    assert first["BillingAccountName"] == "'=Acme"
    assert first["ChargePeriodStart"] == "2026-11-10T00:00:00Z"
    assert first["ChargePeriodEnd"] == "2026-11-11T00:00:00Z"
    assert (first["BillingPeriodStart"], first["BillingPeriodEnd"]) == (
        "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
    assert first["SubAccountId"] == "default" and first["SubAccountName"] == "Default"
    assert first["BilledCost"] == first["EffectiveCost"] == first["ListCost"] == first[
        "ContractedCost"]
    assert Decimal(first["BilledCost"]) * 100 == Decimal(first["x_AmountCents"])
    priced = [r for r in records if r["PricingUnit"] == "Tokens"]
    for record in priced:
        price = usd_per_mtok(record["x_Model"], record["x_TokenType"], record["x_ServiceTier"],
                             record["x_ContextWindow"])
        assert Decimal(record["BilledCost"]) == int(record["PricingQuantity"]) * price / 10**6
    us_lines = [r for r in records if r["x_InferenceGeo"] == "us"]
    assert us_lines and all(r["PricingQuantity"] == "" for r in us_lines)
    searches = [r for r in records if r["x_CostType"] == "web_search"]
    assert all(Decimal(r["BilledCost"]) * 100 == int(r["ConsumedQuantity"]) for r in searches)


def test_the_report_from_buckets_gives_the_same_join() -> None:
    """Cost lines from DayBuckets' columns join the same as CostItems."""
    buckets = [DayBucket(day, [i for i in ITEMS if i.day == day]) for day in TEN_DAYS.days()]
    rebuilt = [item for bucket in buckets for item in bucket.items]
    assert token_figures(rebuilt, USAGE, ("model",), NOW) == token_figures(
        ITEMS, USAGE, ("model",), NOW)


def test_the_unmatched_notice_says_each_kind_once_with_its_sum() -> None:
    items, usage = ITEMS, USAGE
    lines = unmatched_summary(items, usage, NOW)
    gaps = unmatched(items, usage, NOW)
    cost_cents = sum((g.cents for g in gaps if g.kind == COST_WITHOUT_TOKENS), Decimal(0))
    tokens = sum(g.tokens for g in gaps if g.kind == TOKENS_WITHOUT_COST)
    assert lines[0].startswith(f"cost without tokens: {format_dollars(cost_cents / 100)} (")
    assert lines[1].startswith(f"tokens without cost: {tokens:,} tokens (")
    assert PRIORITY_REASON in lines[1]
    assert lines[2].startswith("web search: $10.00 per 1,000 searches")
    assert lines[-1] == "costtui report --with-tokens lists each line"
