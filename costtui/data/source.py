"""The data-source interface and the loader that turns one query into a report."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from datetime import date
from typing import Protocol, runtime_checkable

from costtui.core.clock import Clock
from costtui.core.dates import DateRange
from costtui.core.lines import CostLines
from costtui.core.models import (
    DayBucket,
    LoadedReport,
    Organization,
    Workspace,
    origin_of,
)
from costtui.data.api_errors import ApiError, AuthenticationError, PermissionDeniedError
from costtui.data.progress import ProgressCallback


class CostSource(Protocol):
    """Where cost data comes from: the live API, the demo, or a cache in front of either."""

    @property
    def uses_cache(self) -> bool:
        """Tell whether days may be served from the local cache."""
        ...

    @property
    def offline(self) -> bool:
        """Tell whether the source never calls the API (only the cache answers)."""
        ...

    async def organization(self) -> Organization:
        """Return the organisation."""
        ...

    async def workspaces(self) -> list[Workspace]:
        """Return every workspace, archived ones included."""
        ...

    async def cost_buckets(
        self,
        date_range: DateRange,
        api_group_by: tuple[str, ...] = (),
        on_progress: ProgressCallback | None = None,
        *,
        refresh: bool = False,
    ) -> list[DayBucket]:
        """Return a bucket per day of the range it can provide; absent days are missing.

        With `refresh`, cached days are fetched again too.
        """
        ...

    def take_warnings(self) -> list[str]:
        """Return the one-line warnings worked around since the last call (a damaged cache…)."""
        ...

    async def aclose(self) -> None:
        """Release connections and files."""
        ...


@runtime_checkable
class PreparesReport(Protocol):
    """A source that may have started making the app's first report before the app ran."""

    def take_report(self, shown: DateRange,
                    api_group_by: tuple[str, ...]) -> Future[LoadedReport] | None:
        """Return the report being made of `shown` and the period before it, if it is."""
        ...


async def load_names(source: CostSource) -> tuple[str, dict[str, str], list[str]]:
    """Return the organisation name and workspace names, falling back to ids with a note.

    A rejected key (401/403) is raised, never turned into a note: the user must fix the key.
    """
    organization, workspaces = await asyncio.gather(
        source.organization(), source.workspaces(), return_exceptions=True
    )
    for outcome in (organization, workspaces):
        if isinstance(outcome, (AuthenticationError, PermissionDeniedError)):
            raise outcome
    notes: list[str] = []
    if isinstance(organization, ApiError):
        notes.append(f"organisation name unavailable ({organization.hint})")
        organization_name = "Organisation"
    elif isinstance(organization, BaseException):
        raise organization
    else:
        organization_name = organization.name
    if isinstance(workspaces, ApiError):
        notes.append(f"workspace names unavailable, showing ids ({workspaces.hint})")
        workspace_names: dict[str, str] = {}
    elif isinstance(workspaces, BaseException):
        raise workspaces
    else:
        workspace_names = {workspace.id: workspace.name for workspace in workspaces}
    return organization_name, workspace_names, notes


def range_with_previous(date_range: DateRange) -> DateRange:
    """Return the days a report with its previous period fetches: both periods, in one range."""
    return DateRange(date_range.previous().first_day, date_range.last_day)


async def load_report(
    source: CostSource,
    date_range: DateRange,
    api_group_by: tuple[str, ...],
    *,
    clock: Clock,
    with_previous: bool = True,
    on_progress: ProgressCallback | None = None,
    full_refresh: bool = False,
) -> LoadedReport:
    """Fetch names and the range (plus the period before it, in the same fetch) from a source.

    The report says where its days came from; `full_refresh` ignores cached days.
    """
    fetch_range = range_with_previous(date_range) if with_previous else date_range
    names, buckets = await asyncio.gather(
        load_names(source),
        source.cost_buckets(fetch_range, api_group_by, on_progress, refresh=full_refresh),
    )
    previous_days = date_range.previous().days() if with_previous else []
    lines = await asyncio.to_thread(_gather_lines, buckets, date_range.days(), previous_days)
    return assemble_report(source, date_range, api_group_by, names, buckets, lines, clock=clock,
                           with_previous=with_previous)


def report_from(
    source: CostSource,
    date_range: DateRange,
    api_group_by: tuple[str, ...],
    names: tuple[str, dict[str, str], list[str]],
    buckets: list[DayBucket],
    *,
    clock: Clock,
) -> LoadedReport:
    """Return the report (with its previous period) of names and buckets already at hand.

    What `load_report` makes, done in the calling thread (the demo's first report).
    """
    lines = _gather_lines(buckets, date_range.days(), date_range.previous().days())
    return assemble_report(source, date_range, api_group_by, names, buckets, lines, clock=clock,
                           with_previous=True)


def assemble_report(
    source: CostSource,
    date_range: DateRange,
    api_group_by: tuple[str, ...],
    names: tuple[str, dict[str, str], list[str]],
    buckets: list[DayBucket],
    lines: tuple[CostLines, CostLines],
    *,
    clock: Clock,
    with_previous: bool,
) -> LoadedReport:
    """Return the report of a range's names, buckets and gathered lines; it says their origin."""
    organization_name, workspace_names, notes = names
    origin, oldest_cached_at = origin_of(buckets, offline=source.offline)
    days_present = {bucket.day for bucket in buckets}
    return LoadedReport(
        date_range=date_range,
        api_group_by=api_group_by,
        lines=lines[0],
        previous_lines=lines[1],
        organization_name=organization_name,
        workspace_names=workspace_names,
        fetched_at=clock.now(),
        notes=tuple(notes),
        origin=origin if source.uses_cache else None,
        oldest_cached_at=oldest_cached_at,
        offline=source.offline,
        warnings=tuple(source.take_warnings()),
        missing_days=tuple(day for day in date_range.days() if day not in days_present),
        previous_missing_days=tuple(
            day for day in date_range.previous().days() if day not in days_present
        ) if with_previous else (),
    )


def _gather_lines(
    buckets: list[DayBucket], days: list[date], previous_days: list[date]
) -> tuple[CostLines, CostLines]:
    """Return the range's and the previous period's lines as columns (run off the event loop).

    Every level sums the previous period per key over all its days: that is done here too.
    """
    previous = CostLines.from_buckets(previous_days, buckets)
    previous.key_totals()
    return CostLines.from_buckets(days, buckets), previous
