"""The token columns of one drill level, as cell texts keyed by row key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from costtui.core.lines import CostLines
from costtui.core.report import DimensionValue
from costtui.core.token_export import (
    format_per_mtok,
    format_percent,
    format_savings,
    format_tokens,
)
from costtui.core.token_join import TokenFigures
from costtui.core.token_lines import lines_token_figures, whole_figures
from costtui.core.usage_index import UsageIndex
from costtui.core.view_state import row_key_for

TOKEN_COLUMNS = (("tokens", "Tokens"), ("usd_per_mtok", "$/MTok"))
CACHE_COLUMNS = (("cache_hit", "Cache hit"), ("cache_savings", "Est. saved"))
"""Cache hit % and estimated cache savings (labelled an estimate), at model and workspace."""
CACHE_LEVELS = frozenset({"model", "workspace"})
LOADING = "…"


@dataclass(frozen=True)
class TokenColumns:
    """Extra columns of a level: (key, label) pairs, each row's cells and the total's."""

    columns: tuple[tuple[str, str], ...]
    cells: dict[str, tuple[str, ...]] = field(default_factory=dict)
    total: tuple[str, ...] = ()
    loading: bool = False

    def row(self, key: str) -> tuple[str, ...]:
        """Return a row's cells (dashes for a row the join knows nothing of)."""
        return self.cells.get(key, (LOADING if self.loading else "—",) * len(self.columns))


def _cells(figures: TokenFigures | None, with_cache: bool) -> tuple[str, ...]:
    """Return one row's token cells."""
    if figures is None:
        return ("—",) * (4 if with_cache else 2)
    cells: tuple[str, ...] = (format_tokens(figures.tokens), format_per_mtok(figures))
    if with_cache:
        cells += (format_percent(figures.cache_hit), format_savings(figures.cache_savings_cents))
    return cells


def loading_columns(dimension: str) -> TokenColumns:
    """Return a level's token columns while its figures are fetched or computed."""
    columns = TOKEN_COLUMNS + (CACHE_COLUMNS if dimension in CACHE_LEVELS else ())
    return TokenColumns(columns, {}, (LOADING,) * len(columns), loading=True)


def token_columns(
    lines: CostLines,
    usage: UsageIndex | None,
    dimension: str,
    filters: Mapping[str, DimensionValue],
    now: datetime,
) -> TokenColumns:
    """Return a level's token columns; `usage` None means it is still loading."""
    if usage is None:
        return loading_columns(dimension)
    with_cache = dimension in CACHE_LEVELS
    columns = TOKEN_COLUMNS + (CACHE_COLUMNS if with_cache else ())
    per_row = lines_token_figures(lines, usage, (dimension,), now, dict(filters))
    whole = whole_figures(per_row, lambda: lines_token_figures(lines, usage, (), now,
                                                               dict(filters)).get(()))
    cells = {row_key_for(values[0]): _cells(found, with_cache) for values, found in per_row.items()}
    return TokenColumns(columns, cells, _cells(whole, with_cache))
