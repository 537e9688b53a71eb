"""`costtui report --with-tokens`, `--group-by api_key` and `--format focus`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from costtui.cli.common import dimensions_argument, write_output
from costtui.core.dates import DateRange
from costtui.core.focus import focus_csv
from costtui.core.formatting import format_dollars, format_share
from costtui.core.key_allocation import (
    ALLOCATED_NOTE,
    KEY_DIMENSION,
    KEY_DIMENSION_LABEL,
    key_ids,
    keyed_items,
)
from costtui.core.models import CostItem, LoadedReport
from costtui.core.report import (
    DIMENSION_LABELS,
    GroupRow,
    group_costs,
    total_cost,
)
from costtui.core.token_export import (
    dimension_text,
    format_per_mtok,
    format_tokens,
    tokens_csv,
    tokens_json,
    unmatched_lines,
    unmatched_record,
    web_search_record,
)
from costtui.core.token_join import TokenFigures, token_figures
from costtui.core.token_unmatched import unmatched, web_search
from costtui.core.usage import ApiKeyInfo, UsageRow
from costtui.data.api import ApiError
from costtui.data.source import CostSource
from costtui.data.usage_source import usage_source_for

TOKEN_GROUPING = ("workspace_id", "description")
"""The cost grouping the join needs: every line's workspace, model, tier, window and type."""

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


def add_token_options(parser: argparse.ArgumentParser) -> None:
    """Add --with-tokens to the report command."""
    parser.add_argument("--with-tokens", action="store_true",
                        help="add tokens and $/MTok per row (fetches the usage report)")


def parse_dimensions(values: list[str] | None) -> tuple[str, ...]:
    """Return --group-by's dimensions, where api_key (cost allocated by tokens) is allowed."""
    return dimensions_argument(values, ("workspace",))


def tokens_needed(args: argparse.Namespace, dimensions: tuple[str, ...], output: str) -> bool:
    """Tell whether the report needs the usage report: tokens, API keys or FOCUS quantities."""
    return bool(getattr(args, "with_tokens", False)) or KEY_DIMENSION in dimensions or (
        output == "focus")


@dataclass
class TokenData:
    """Usage rows and API-key names fetched beside a report."""

    usage: list[UsageRow] = field(default_factory=list)
    keys: dict[str, ApiKeyInfo] = field(default_factory=dict)
    account_id: str = ""
    warnings: list[str] = field(default_factory=list)
    with_tokens: bool = False
    """Whether rows get tokens and $/MTok (--with-tokens)."""


async def load_tokens(source: CostSource, date_range: DateRange, *, by_api_key: bool,
                      with_tokens: bool) -> TokenData:
    """Fetch usage (and key names for the key view); a failure is a warning, not the end."""
    data = TokenData(with_tokens=with_tokens)
    usage_source = usage_source_for(source)
    try:
        data.account_id = (await source.organization()).id
        if usage_source is None:
            data.warnings.append("tokens unavailable from this source")
            return data
        days = await usage_source.usage(date_range, by_api_key=by_api_key)
        data.usage = [row for usage_day in days for row in usage_day.rows]
        if by_api_key:
            data.keys = {key.id: key for key in await usage_source.api_keys()}
    except ApiError as error:
        data.warnings.append(f"tokens unavailable: {error}")
    finally:
        if usage_source is not None:
            data.warnings.extend(usage_source.take_warnings())
            await usage_source.aclose()
    return data


def _table(rows: list[GroupRow], dimensions: tuple[str, ...], report: LoadedReport,
           data: TokenData, figures: dict[tuple[Any, ...], TokenFigures] | None) -> Table:
    from rich.table import Table
    from rich.text import Text

    total = total_cost(report.items)
    table = Table(show_footer=True)
    for position, dimension in enumerate(dimensions):
        label = KEY_DIMENSION_LABEL if dimension == KEY_DIMENSION else DIMENSION_LABELS[dimension]
        table.add_column(label, footer="Total" if position == 0 else "", overflow="fold")
    table.add_column("Cost", justify="right", footer=format_dollars(total), no_wrap=True)
    table.add_column("Share", justify="right", no_wrap=True)
    if figures is not None:
        table.add_column("Tokens", justify="right", no_wrap=True)
        table.add_column("$/MTok", justify="right", no_wrap=True)
    for row in rows:
        labels = [Text(dimension_text(dim, value, report.workspace_names))
                  for dim, value in zip(dimensions, row.values, strict=True)]
        cells = [format_dollars(row.cost), format_share(row.cost, total)]
        if figures is not None:
            found = figures.get(row.values)
            cells += [format_tokens(None if found is None else found.tokens),
                      format_per_mtok(found)]
        table.add_row(*labels, *cells)
    return table


def write_token_report(
    report: LoadedReport,
    dimensions: tuple[str, ...],
    output: str,
    data: TokenData,
    now: datetime,
    extra: dict[str, Any] | None,
    console: Console,
) -> None:
    """Print the report with tokens, per API key, or as FOCUS."""
    if output == "focus":
        write_output(focus_csv(report.items, data.usage, data.account_id,
                               report.organization_name, report.workspace_names))
        return
    by_key = KEY_DIMENSION in dimensions
    items: Sequence[CostItem] = report.items
    ids: dict[str, str | None] = {}
    if by_key:
        keyed = keyed_items(report.items, data.usage, data.keys)
        items, ids = keyed, key_ids(keyed)
    rows = group_costs(items, dimensions)
    figures = token_figures(items, data.usage, dimensions, now) if data.with_tokens else None
    if output == "json":
        fields = dict(extra or {})
        if figures is not None:
            fields["unmatched"] = [unmatched_record(u, report.workspace_names)
                                   for u in unmatched(report.items, data.usage, now)]
            fields["web_search"] = web_search_record(web_search(report.items, data.usage, now))
        write_output(tokens_json(rows, dimensions, report.date_range, report.workspace_names,
                                 ids, total_cost(report.items), figures, fields))
    elif output == "csv":
        write_output(tokens_csv(rows, dimensions, report.workspace_names, ids, figures))
    else:
        from rich.text import Text

        title = f"{report.organization_name} · {report.date_range} (UTC)"
        console.print(Text(title + (f" · cost per API key {ALLOCATED_NOTE}" if by_key else ""),
                           style="bold"), soft_wrap=True)
        console.print(_table(rows, dimensions, report, data, figures))
        if figures is not None:
            for line in unmatched_lines(report.items, data.usage, now,
                                        report.workspace_names):
                console.print(Text(line), soft_wrap=True)
