"""What the cost view's token columns and API-key levels need, computed in one pure job."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from costtui.core.key_lines import keyed_report
from costtui.core.models import LoadedReport
from costtui.core.token_level import TokenColumns, token_columns
from costtui.core.usage import ApiKeyInfo, UsageRow
from costtui.core.usage_index import UsageIndex, usage_index
from costtui.core.view_state import ItemSelection, ViewState, compute_level


@dataclass(frozen=True)
class FiguresJob:
    """A level's token figures to compute: what is known already is handed in, not redone."""

    report: LoadedReport
    rows: tuple[UsageRow, ...]
    """The usage per API key of the range and the period before it."""
    keys: Mapping[str, ApiKeyInfo]
    state: ViewState
    now: datetime
    by_key: bool
    """Whether the level or one above it is by API key: the lines are allocated first."""
    with_columns: bool
    """Whether the token columns are shown."""
    index: UsageIndex | None = None
    keyed: LoadedReport | None = None


@dataclass(frozen=True)
class Figures:
    """What a job computed: the usage index, the allocated report, the level's token columns."""

    index: UsageIndex
    keyed: LoadedReport | None
    selection: ItemSelection | None
    """The allocated report's levels, the level asked for already grouped."""
    columns: TokenColumns | None


def compute_figures(job: FiguresJob, stopped: Callable[[], bool] = lambda: False) -> Figures | None:
    """Return the job's figures, or None once `stopped()` says nobody waits for them."""
    index = job.index if job.index is not None else usage_index(job.rows)
    keyed, selection = job.keyed, None
    if job.by_key and keyed is None:
        if stopped():
            return None
        keyed = keyed_report(job.report, index, job.keys)
        selection = ItemSelection(keyed)
        compute_level(keyed, job.state, selection)  # grouped here, not on the UI loop
    columns = None
    if job.with_columns:
        if stopped():
            return None
        shown = keyed if job.by_key and keyed is not None else job.report
        columns = token_columns(shown.lines, index, job.state.dimension, job.state.filters,
                                job.now)
    return Figures(index, keyed, selection, columns)
