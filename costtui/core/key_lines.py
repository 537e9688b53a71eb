"""Cost lines allocated to API keys over columns: each line's integer units split by tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from operator import itemgetter

from costtui.core.allocation import ALLOCATION_SCALE, split_units
from costtui.core.key_allocation import LOADING_KEYS, KeyedCostItem, Weights, key_display
from costtui.core.lines import CostLines
from costtui.core.models import LINE_KEY_FIELDS, LoadedReport
from costtui.core.usage import UNATTRIBUTED, ApiKeyInfo
from costtui.core.usage_index import UsageIndex

KEYED_FIELDS = (*LINE_KEY_FIELDS, "api_key", "owner")
"""The key fields of allocated lines: the line's, then the key as shown and its owner."""
_JOIN_FIELDS = ("workspace_id", "model", "service_tier", "context_window", "token_type")


def placeholder_lines(lines: CostLines, label: str) -> CostLines:
    """Return the lines unsplit, every one under `label` (usage loading or being allocated)."""
    return CostLines(lines.days, [(*key, label, "") for key in lines.keys], lines.rows,
                     lines.scale, lines.day_keys, KEYED_FIELDS, KeyedCostItem)


def allocated_lines(
    lines: CostLines, index: UsageIndex, keys: Mapping[str, ApiKeyInfo]
) -> CostLines:
    """Return every line split across API keys by their tokens of it (web search: searches).

    The same parts as `key_allocation.allocate`, in the same order, cut in integer units: the
    parts of a line sum to it exactly; a line with no usage goes whole to UNATTRIBUTED.
    """
    join_of = itemgetter(*(LINE_KEY_FIELDS.index(name) for name in _JOIN_FIELDS))
    cost_type_of = itemgetter(LINE_KEY_FIELDS.index("cost_type"))
    workspace_of = itemgetter(LINE_KEY_FIELDS.index("workspace_id"))
    joins = [join_of(key) for key in lines.keys]
    searched = [cost_type_of(key) == "web_search" for key in lines.keys]
    scale = max(lines.scale, ALLOCATION_SCALE)
    labels: dict[str, str] = {}
    index_of: dict[tuple[int, str], int] = {}
    new_keys: list[tuple[str | None, ...]] = []
    day_parts: list[list[tuple[int, int]]] = []
    for day_index, day in enumerate(lines.days):
        amounts, parts = lines.rows[day_index], []
        for key in dict.fromkeys(lines.day_keys[day_index]):
            join = joins[key]
            weights: Weights | None
            if join[4] is not None:
                weights = index.owners.get((day, *join))
            elif searched[key]:
                weights = index.searches.get((day, workspace_of(lines.keys[key])))
            else:
                weights = None
            split = _split(amounts[key], lines.scale, scale, weights)
            for owner, units in split:
                found = index_of.get((key, owner))
                if found is None:
                    found = index_of[key, owner] = len(new_keys)
                    if owner not in labels:
                        labels[owner] = key_display(owner, keys)
                    new_keys.append((*lines.keys[key], labels[owner], owner))
                parts.append((found, units))
        day_parts.append(parts)
    rows = []
    for parts in day_parts:
        row = [0] * len(new_keys)
        for found, units in parts:
            row[found] = units
        rows.append(row)
    return CostLines(lines.days, new_keys, rows, scale,
                     [[found for found, _ in parts] for parts in day_parts], KEYED_FIELDS,
                     KeyedCostItem)


def _split(
    units: int, scale: int, to_scale: int, weights: Weights | None
) -> Sequence[tuple[str, int]]:
    """Return (owner, units at `to_scale`) of one line's parts, zero parts left out.

    Cut like `allocation.split_amount`: at the amount's own decimals, no coarser than
    ALLOCATION_SCALE, so the parts are the same as the Decimal path's.
    """
    if not weights:
        return [(UNATTRIBUTED, units * 10 ** (to_scale - scale))]
    cut = scale
    while cut > ALLOCATION_SCALE and units % 10 == 0:
        units, cut = units // 10, cut - 1
    if cut < ALLOCATION_SCALE:
        units, cut = units * 10 ** (ALLOCATION_SCALE - cut), ALLOCATION_SCALE
    owners = sorted(weights)
    factor = 10 ** (to_scale - cut)
    return [(owner, part * factor) for owner, part in
            zip(owners, split_units(units, [weights[owner] for owner in owners]), strict=True)
            if part]


def keyed_report(
    report: LoadedReport, index: UsageIndex | None, keys: Mapping[str, ApiKeyInfo],
    placeholder: str = LOADING_KEYS,
) -> LoadedReport:
    """Return the report with its lines (and the previous period's) allocated to API keys.

    The totals are those of the report exactly; `index` must cover both periods. Without it
    (usage loading, being allocated or unavailable) every line gets `placeholder`, never
    "(unattributed)".
    """
    if index is None:
        return replace(report, lines=placeholder_lines(report.lines, placeholder),
                       previous_lines=placeholder_lines(report.previous_lines, placeholder))
    return replace(report, lines=allocated_lines(report.lines, index, keys),
                   previous_lines=allocated_lines(report.previous_lines, index, keys))
