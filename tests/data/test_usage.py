"""Usage Report and API keys through the real client: demo, recordings-shaped bodies, cache."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from costtui.core.admin_key import AdminKey
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.usage import UsageDay
from costtui.data.api import CostClient, InvalidResponseError
from costtui.data.cache import CostCache
from costtui.data.cached_source import CachedSource
from costtui.data.demo import DEMO_BASE_URL, DemoApi, DemoTransport
from costtui.data.open import demo_client
from costtui.data.usage_api import fetch_api_keys, fetch_usage
from costtui.data.usage_source import usage_source_for

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
FORTY_DAYS = DateRange(date(2026, 2, 20), date(2026, 3, 31))


def totals(days: list[UsageDay]) -> dict[tuple[Any, ...], list[int]]:
    """Sum tokens and searches per (day, workspace, model, tier, window), keys merged."""
    summed: dict[tuple[Any, ...], list[int]] = {}
    for usage_day in days:
        for row in usage_day.rows:
            key = (row.day, row.workspace_id, row.model, row.service_tier, row.context_window)
            found = summed.setdefault(key, [0] * 6)
            for index, count in enumerate((*row.tokens, row.web_search_requests)):
                found[index] += count
    return {key: counts for key, counts in summed.items() if any(counts)}


async def test_usage_by_key_sums_to_usage_without_keys_over_two_windows() -> None:
    api = DemoApi()
    async with demo_client(DemoTransport(api)) as client:
        by_key = await fetch_usage(client, FORTY_DAYS, by_api_key=True)
        plain = await fetch_usage(client, FORTY_DAYS, by_api_key=False)
    assert [usage_day.day for usage_day in by_key] == FORTY_DAYS.days()
    assert totals(by_key) == totals(plain)
    keys = {row.api_key_id for usage_day in by_key for row in usage_day.rows}
    assert None in keys and len(keys) == 19  # the Console plus 3 keys in each of 6 workspaces
    assert {row.api_key_id for usage_day in plain for row in usage_day.rows} == {None}
    tiers = {row.service_tier for usage_day in plain for row in usage_day.rows}
    assert tiers == {"standard", "batch", "priority", "flex"}
    usage_requests = [r for r in api.requests if r.url.path.endswith("/usage_report/messages")]
    assert len(usage_requests) == 4  # two windows (31 + 9 days), once per grouping
    assert usage_requests[0].url.params.get_list("group_by[]") == [
        "api_key_id", "workspace_id", "model", "service_tier", "context_window"]


async def test_api_keys_of_every_status_with_hints_and_no_secret() -> None:
    async with demo_client() as client:
        keys = await fetch_api_keys(client)
    assert len(keys) == 18
    assert {key.status for key in keys} == {"active", "archived"}
    first = keys[0]
    assert first.name == "default-backend"
    assert first.label.startswith("default-backend (sk-ant-api03-")
    assert "…" in first.label


def replay(pages: list[dict[str, Any]]) -> httpx.MockTransport:
    """Answer each request with the next page body."""
    bodies = iter(pages)
    return httpx.MockTransport(lambda request: httpx.Response(200, json=next(bodies)))


def client_over(transport: httpx.MockTransport) -> CostClient:
    return CostClient(AdminKey("sk-ant-admin01-test"), base_url=DEMO_BASE_URL,
                      transport=transport, max_retries=0)


async def test_api_keys_follow_after_id_pages() -> None:
    key = {"id": "apikey_1", "name": "one", "status": "inactive", "partial_key_hint": "sk…AA",
           "workspace_id": None, "secret": "never-read"}
    pages = [{"data": [key], "has_more": True, "last_id": "apikey_1"},
             {"data": [{**key, "id": "apikey_2", "name": "tw\x1bo"}], "has_more": False,
              "last_id": "apikey_2"}]
    async with client_over(replay(pages)) as client:
        keys = await fetch_api_keys(client)
    assert [(k.id, k.name, k.status) for k in keys] == [
        ("apikey_1", "one", "inactive"), ("apikey_2", "tw\\x1bo", "inactive")]  # visible
    assert "never-read" not in repr(keys)


def usage_body(result: dict[str, Any]) -> dict[str, Any]:
    return {"data": [{"starting_at": "2026-03-01T00:00:00Z", "ending_at": "2026-03-02T00:00:00Z",
                      "results": [result]}], "has_more": False, "next_page": None}


GOOD = {"uncached_input_tokens": 10, "cache_read_input_tokens": 20, "output_tokens": 5,
        "cache_creation": {"ephemeral_5m_input_tokens": 1, "ephemeral_1h_input_tokens": 2},
        "server_tool_use": {"web_search_requests": 3}, "workspace_id": None,
        "model": "claude-future-9", "service_tier": "turbo\x07", "context_window": "0-200k",
        "api_key_id": "apikey_9"}
MARCH_FIRST = DateRange(date(2026, 3, 1), date(2026, 3, 1))


async def test_unknown_enum_values_are_kept_and_cleaned() -> None:
    async with client_over(replay([usage_body(GOOD)])) as client:
        [usage_day] = await fetch_usage(client, MARCH_FIRST, by_api_key=True)
    [row] = usage_day.rows
    assert (row.model, row.service_tier, row.api_key_id) == ("claude-future-9", "turbo\\x07",
                                                              "apikey_9")
    assert row.tokens == (10, 1, 2, 20, 5)
    assert row.web_search_requests == 3


@pytest.mark.parametrize(("change", "message"), [
    ({"output_tokens": -1}, "API error: invalid response: a result in usage_report page 1 of "
     "2026-03-01, 2026-03-01 has no valid 'output_tokens'"),
    ({"output_tokens": "5"}, "has no valid 'output_tokens'"),
    ({"cache_creation": 3}, "has no valid 'cache_creation' object"),
    ({"cache_creation": {"ephemeral_5m_input_tokens": 1}},
     "has no valid 'cache_creation.ephemeral_1h_input_tokens'"),
    ({"server_tool_use": {"web_search_requests": True}},
     "has no valid 'server_tool_use.web_search_requests'"),
    ({"model": 4}, "'model' in usage_report page 1"),
])
async def test_bad_results_are_one_clear_line(change: dict[str, Any], message: str) -> None:
    async with client_over(replay([usage_body({**GOOD, **change})])) as client:
        with pytest.raises(InvalidResponseError) as caught:
            await fetch_usage(client, MARCH_FIRST, by_api_key=True)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


async def test_the_admin_key_never_appears_in_usage_errors(sentinel_key: str) -> None:
    client = CostClient(AdminKey(sentinel_key), base_url=DEMO_BASE_URL,
                        transport=DemoTransport(), max_retries=0)
    async with client:
        with pytest.raises(Exception) as caught:
            await fetch_usage(client, MARCH_FIRST, by_api_key=True)
        source = usage_source_for(client)
    assert "401" in str(caught.value)
    assert sentinel_key not in str(caught.value) + repr(caught.value) + repr(source)


def cached_source(path: Path, api: DemoApi | None, *, offline: bool = False) -> CachedSource:
    inner = None if offline else demo_client(DemoTransport(api))
    return CachedSource(inner, CostCache(path / "costs.sqlite3", clock=FixedClock(NOW)),
                        offline=offline)


async def test_usage_is_cached_per_complete_day_and_served_offline(tmp_path: Path) -> None:
    week = DateRange(date(2026, 11, 18), date(2026, 11, 24))  # the last two are within 48 h
    api = DemoApi()
    online = cached_source(tmp_path, api)
    usage = usage_source_for(online)
    assert usage is not None
    first = await usage.usage(week, by_api_key=True)
    keys = await usage.api_keys()
    again = await usage.usage(week, by_api_key=True)
    await usage.aclose()
    await online.aclose()
    asked = [r.url.params["starting_at"] for r in api.requests
             if r.url.path.endswith("/usage_report/messages")]
    assert asked == ["2026-11-18T00:00:00Z", "2026-11-23T00:00:00Z"]  # only pending days again
    assert [d.rows for d in again] == [d.rows for d in first]
    assert [d.cached_at for d in again][:5] == [NOW] * 5
    offline = cached_source(tmp_path, None, offline=True)
    served = usage_source_for(offline)
    assert served is not None
    assert [d.rows for d in await served.usage(week, by_api_key=True)] == [d.rows for d in first]
    assert await served.api_keys() == keys
    assert served.take_warnings() == []
    await served.aclose()
    await offline.aclose()
    stored = (tmp_path / "usage.sqlite3").read_bytes()
    assert b"sk-ant-admin" not in stored
