"""Usage Report and API-key list bodies parsed strictly, text cleaned on entry."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from costtui.core.text import clean_text, shared_clean_text
from costtui.core.usage import ApiKeyInfo, UsageDay, UsageRow
from costtui.data.api_errors import InvalidResponseError
from costtui.data.api_parse import page_data, parse_bucket_day

_DIMENSIONS = ("workspace_id", "model", "service_tier", "context_window", "api_key_id")
_FLAT_COUNTERS = ("uncached_input_tokens", "cache_read_input_tokens", "output_tokens")
_CACHE_WRITES = ("ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens")
MAX_TOKENS = 10**18
"""More tokens than this in one result is not a real count."""


def _invalid(message: str) -> InvalidResponseError:
    return InvalidResponseError(f"invalid response: {message}")


def _count(raw: Any, name: str, where: str) -> int:
    """Return a token counter: a whole number from 0 up, or raise naming the field."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < MAX_TOKENS:
        raise _invalid(f"a result in {where} has no valid '{name}'")
    return raw


def _text(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise _invalid(f"'{key}' in {where} is not a string")
    return None if value is None else shared_clean_text(value)


def parse_usage_row(day: date, raw: Any, where: str) -> UsageRow:
    """Parse one usage result; unknown enum values are kept as they come (cleaned)."""
    if not isinstance(raw, dict):
        raise _invalid(f"a result in {where} is not an object")
    flat = {name: _count(raw.get(name), name, where) for name in _FLAT_COUNTERS}
    writes = raw.get("cache_creation")
    if not isinstance(writes, dict):
        raise _invalid(f"a result in {where} has no valid 'cache_creation' object")
    five_min, one_hour = (
        _count(writes.get(name), f"cache_creation.{name}", where) for name in _CACHE_WRITES
    )
    tools = raw.get("server_tool_use")
    if tools is None:
        searches = 0
    elif isinstance(tools, dict):
        found = tools.get("web_search_requests")
        searches = 0 if found is None else _count(
            found, "server_tool_use.web_search_requests", where)
    else:
        raise _invalid(f"a result in {where} has no valid 'server_tool_use' object")
    workspace, model, tier, window, key = (_text(raw, name, where) for name in _DIMENSIONS)
    tokens = (flat["uncached_input_tokens"], five_min, one_hour,
              flat["cache_read_input_tokens"], flat["output_tokens"])
    return UsageRow(day, workspace, model, tier, window, key, tokens, searches)


def _parse_bucket(raw_bucket: Any, where: str) -> UsageDay:
    if not isinstance(raw_bucket, dict) or not isinstance(raw_bucket.get("results"), list):
        raise _invalid(f"a bucket in {where} has no 'results'")
    try:
        day = parse_bucket_day(raw_bucket.get("starting_at"))
        end = raw_bucket.get("ending_at")
        if end is not None and parse_bucket_day(end) - day != timedelta(days=1):
            raise ValueError("not one day")
    except (ValueError, OverflowError):
        raise _invalid(f"a bucket in {where} is not one UTC day") from None
    rows = tuple(parse_usage_row(day, raw, f"{where}, {day}") for raw in raw_bucket["results"])
    return UsageDay(day, rows)


def parse_usage_page(body: Any, where: str) -> tuple[list[UsageDay], str | None]:
    """Parse one usage_report/messages page into days and the next page token."""
    data, next_page = page_data(body, where)
    return [_parse_bucket(raw_bucket, where) for raw_bucket in data], next_page


def parse_api_keys_page(body: Any) -> tuple[list[ApiKeyInfo], str | None]:
    """Parse one api_keys page into keys (no secret is read) and the next after_id, if any."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _invalid("api_keys has no 'data' list")
    keys: list[ApiKeyInfo] = []
    for raw in body["data"]:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise _invalid("an API key in api_keys has no 'id'")
        key_id = clean_text(raw["id"])
        name = raw.get("name")
        hint = raw.get("partial_key_hint")
        workspace = raw.get("workspace_id")
        status = raw.get("status")
        keys.append(ApiKeyInfo(
            key_id,
            clean_text(name) if isinstance(name, str) and name else key_id,
            clean_text(hint) if isinstance(hint, str) and hint else None,
            clean_text(workspace) if isinstance(workspace, str) else None,
            clean_text(status) if isinstance(status, str) else "unknown",
        ))
    last_id = body.get("last_id")
    more = bool(body.get("has_more")) and isinstance(last_id, str) and bool(last_id)
    return keys, last_id if more else None
