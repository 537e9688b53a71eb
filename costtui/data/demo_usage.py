"""The demo organisation's token usage and API keys, consistent with its costs."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from costtui.core.allocation import split_units
from costtui.core.usage import TOKEN_TYPES
from costtui.data.demo_org import DemoOrganization

USAGE_GROUPS = ("api_key_id", "workspace_id", "model", "service_tier", "context_window")
"""The usage groupings the demo answers (the API knows a few more)."""
KEY_NAMES = ("backend", "nightly-jobs", "old-prototype")
KEY_STATUSES = ("active", "active", "archived")
KEY_WEIGHTS = (1, 5, 3, 2)
"""How each workspace's usage splits: Console / Workbench (null key), then its three keys."""
PRIORITY_MODEL = "claude-sonnet-4-5"
"""The model whose priority-tier usage (which has no cost line) the first workspace shows."""
_HINT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
_Group = tuple[str | None, str | None, str | None, str | None]
"""workspace_id, model, service_tier, context_window."""


def _roll(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def _code(key: str, length: int) -> str:
    number, text = _roll(key) << 64 | _roll(key + "|more"), ""
    for _ in range(length):
        number, digit = divmod(number, len(_HINT_ALPHABET))
        text += _HINT_ALPHABET[digit]
    return text


def workspace_ids(org: DemoOrganization) -> list[str | None]:
    """Return the default workspace (None) and every other workspace id, in order."""
    return [None, *(workspace["id"] for workspace in org.workspaces)]


def key_ids(org: DemoOrganization, workspace_id: str | None) -> list[str]:
    """Return the ids of a workspace's three demo API keys."""
    where = workspace_id or "default"
    return [f"apikey_01{_code(f'{org.seed}|{where}|{name}', 22)}" for name in KEY_NAMES]


def demo_api_keys(org: DemoOrganization) -> list[dict[str, Any]]:
    """Return every demo API key in the API's shape: names and hints, never a secret."""
    names = {workspace["id"]: workspace["name"] for workspace in org.workspaces}
    keys: list[dict[str, Any]] = []
    for workspace_id in workspace_ids(org):
        prefix = (names.get(workspace_id) or "default").lower().replace(" ", "-")
        for key_id, name, status in zip(key_ids(org, workspace_id), KEY_NAMES, KEY_STATUSES,
                                        strict=True):
            hint = f"sk-ant-api03-{_code(key_id, 3)}…{_code(key_id + '|end', 4)}"
            keys.append({
                "id": key_id, "type": "api_key", "name": f"{prefix}-{name}", "status": status,
                "workspace_id": workspace_id, "created_at": "2024-05-01T08:00:00Z",
                "expires_at": None, "partial_key_hint": hint,
                "created_by": {"id": "user_01demo", "type": "user"},
            })  # fmt: skip
    return keys


def _workspace_usage(org: DemoOrganization, day: date) -> dict[_Group, list[int]]:
    """Return per (workspace, model, tier, window) the five token counts and the searches."""
    groups: dict[_Group, list[int]] = {}
    searches: dict[str | None, int] = defaultdict(int)
    for workspace, line, _, quantity in org.charges(day):
        if line.cost_type == "web_search":
            searches[workspace] += quantity
        elif line.cost_type == "tokens" and line.token_type in TOKEN_TYPES:
            group = (workspace, line.model, line.service_tier, line.context_window)
            counts = groups.setdefault(group, [0] * (len(TOKEN_TYPES) + 1))
            counts[TOKEN_TYPES.index(line.token_type)] += quantity
    first = org.workspaces[0]["id"] if org.workspaces else None
    if org.workspaces and any(group[0] == first for group in groups):
        base = 2_000_000 + _roll(f"{org.seed}|priority|{day}") % 1_000_000
        groups[(first, PRIORITY_MODEL, "priority", "0-200k")] = [base, 0, 0, 2 * base, base // 5, 0]
    for workspace, count in searches.items():
        home = min((g for g in groups if g[0] == workspace), default=None,
                   key=lambda g: tuple(v or "" for v in g))
        if home is None:
            home = (workspace, None, None, None)
            groups[home] = [0] * (len(TOKEN_TYPES) + 1)
        groups[home][-1] += count
    return groups


def _per_key(org: DemoOrganization, day: date) -> Iterable[tuple[str | None, _Group, list[int]]]:
    """Yield each group's counts split across the Console and the workspace's keys."""
    for group, counts in _workspace_usage(org, day).items():
        owners: list[str | None] = [None, *key_ids(org, group[0])]
        shares = [split_units(count, KEY_WEIGHTS) for count in counts]
        for index, owner in enumerate(owners):
            part = [share[index] for share in shares]
            if any(part):
                yield owner, group, part


def _result(values: dict[str, str | None], counts: list[int]) -> dict[str, Any]:
    """Build one usage result in the API's shape (every dimension key present)."""
    item: dict[str, Any] = {
        "uncached_input_tokens": counts[0],
        "cache_creation": {"ephemeral_5m_input_tokens": counts[1],
                           "ephemeral_1h_input_tokens": counts[2]},
        "cache_read_input_tokens": counts[3],
        "output_tokens": counts[4],
        "server_tool_use": {"web_search_requests": counts[5]},
    }
    for name in (*USAGE_GROUPS, "inference_geo", "account_id", "service_account_id"):
        item[name] = values.get(name)
    return item


def usage_results(org: DemoOrganization, day: date, groups: Iterable[str]) -> list[dict[str, Any]]:
    """Return the day's usage results under a grouping, summed exactly."""
    wanted = [name for name in USAGE_GROUPS if name in set(groups)]
    totals: dict[tuple[str | None, ...], list[int]] = {}
    for owner, group, counts in _per_key(org, day):
        every = dict(zip(USAGE_GROUPS, (owner, *group), strict=True))
        key = tuple(every[name] for name in wanted)
        total = totals.setdefault(key, [0] * len(counts))
        for index, count in enumerate(counts):
            total[index] += count
    return [_result(dict(zip(wanted, key, strict=True)), counts)
            for key, counts in totals.items()]
