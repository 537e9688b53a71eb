"""Fetches the Usage Report (tokens per day) and the API-key list through a CostClient."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial
from typing import Any

from costtui.core.dates import DateRange, day_start
from costtui.core.usage import KEY_GROUPINGS, USAGE_GROUPINGS, ApiKeyInfo, UsageDay
from costtui.data.api import MAX_BUCKETS_PER_PAGE, CostClient, InvalidResponseError
from costtui.data.api_parse import check_window, next_page_params, too_many_pages
from costtui.data.usage_parse import parse_api_keys_page, parse_usage_page

USAGE_PATH = "/v1/organizations/usage_report/messages"
API_KEYS_PATH = "/v1/organizations/api_keys"
MAX_KEY_PAGES = 100
"""At 1,000 keys a page: more pages than this is a server that never stops."""


def groupings(by_api_key: bool) -> tuple[str, ...]:
    """Return the usage grouping: per API key for the key view, else without keys."""
    return KEY_GROUPINGS if by_api_key else USAGE_GROUPINGS


async def _fetch_window(
    client: CostClient, window: DateRange, by_api_key: bool
) -> list[UsageDay]:
    """Fetch one window of at most 31 days, following its pages to the end (bounded)."""
    params: dict[str, Any] = {
        "starting_at": day_start(window.first_day),
        "ending_at": day_start(window.last_day + timedelta(days=1)),
        "bucket_width": "1d",
        "limit": MAX_BUCKETS_PER_PAGE,
        "group_by[]": list(groupings(by_api_key)),
    }
    days: list[UsageDay] = []
    seen_tokens: set[str] = set()
    for page_number in range(1, window.day_count + 1):
        where = f"usage_report page {page_number} of {window}"
        page, next_page = await client.get_json(
            USAGE_PATH, params, where, partial(parse_usage_page, where=where)
        )
        days.extend(page)
        if next_page is None:
            return check_window(days, window, f"usage_report of {window}")
        params = next_page_params(params, next_page, seen_tokens, where)
    raise too_many_pages("usage_report", window)


async def fetch_usage(
    client: CostClient, date_range: DateRange, *, by_api_key: bool
) -> list[UsageDay]:
    """Return the usage of every day the API sent, in windows of ≤ 31 days fetched at once."""
    limiter = asyncio.Semaphore(client.concurrency)

    async def fetch(window: DateRange) -> list[UsageDay]:
        async with limiter:
            return await _fetch_window(client, window, by_api_key)

    tasks = [asyncio.ensure_future(fetch(window))
             for window in date_range.windows(MAX_BUCKETS_PER_PAGE)]
    try:
        results = await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return [usage_day for window_days in results for usage_day in window_days]


async def fetch_api_keys(client: CostClient) -> list[ApiKeyInfo]:
    """Return every API key of every status (names and hints only), following after_id pages."""
    found: list[ApiKeyInfo] = []
    params: dict[str, Any] = {"limit": 1000}
    seen_ids: set[str] = set()
    for _ in range(MAX_KEY_PAGES):
        page, after_id = await client.get_json(API_KEYS_PATH, params, "api_keys",
                                               parse_api_keys_page)
        found.extend(page)
        if after_id is None:
            return found
        if after_id in seen_ids:
            raise InvalidResponseError(
                "invalid response: api_keys repeats the after_id of an earlier page"
            )
        seen_ids.add(after_id)
        params = {**params, "after_id": after_id}
    raise InvalidResponseError(f"invalid response: api_keys has more than {MAX_KEY_PAGES} pages")
