"""The cache's copy of a range, grouped off the UI loop and painted before the refresh begins."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual.app import App

from costtui.core.dates import DateRange
from costtui.core.models import LoadedReport
from costtui.core.view_state import ItemSelection, compute_level
from costtui.data.api_errors import ApiError
from costtui.data.source import CostSource, load_report
from costtui.tui.messages import FirstLevel, ReportLoaded, Sparklines
from costtui.tui.screens.cost_view import CostScreen
from costtui.tui.settings import AppSettings
from costtui.tui.widgets.level_insights import NO_INSIGHTS
from costtui.tui.widgets.level_table import LevelTable, level_sparklines, plan_level

FULL_API_GROUPING = ("workspace_id", "description")
"""Loaded up front so that every dimension can be drilled or pivoted without a new request."""


@dataclass(frozen=True, slots=True)
class CachedCopy:
    """What the cache holds for a range: the report, its organisation and its first level."""

    report: LoadedReport
    organization_id: str
    first_level: FirstLevel


class CachedPaint(App[None]):
    """Reads the cache's copy of a range off the UI loop and paints it before the refresh.

    The refresh (`/me`, names, incomplete days) starts once that copy is on screen: no reply
    can come before it, and no thread reading or parsing competes with that paint.
    """

    settings: AppSettings
    cost_screen: CostScreen
    report_painted: asyncio.Event
    """Set once the last report posted (the cache's copy or the fresh one) has been drawn."""

    async def read_cached(self, source: CostSource, date_range: DateRange) -> CachedCopy | None:
        """Return what the cache holds for the range, its level on screen grouped, or None.

        Only a live source behind a cache has a copy; one with no day of the range, or an
        unreadable cache, has none and the fresh load is simply awaited.
        """
        if not source.uses_cache or source.offline:
            return None  # the demo and --no-cache: nothing cached (cached_source not imported)
        from costtui.data.cached_source import CachedSource

        if not isinstance(source, CachedSource):
            return None
        twin = source.offline_twin()
        try:
            cached = await load_report(twin, date_range, FULL_API_GROUPING,
                                       clock=self.settings.clock, with_previous=True)
            organization_id = (await twin.organization()).id
        except ApiError:
            return None
        if len(cached.missing_days) == date_range.day_count:
            return None
        return CachedCopy(cached, organization_id, await self.group_first_level(cached))

    async def group_first_level(self, report: LoadedReport) -> FirstLevel:
        """Group the level on screen in a thread (one the view moves to meanwhile: when shown).

        The same thread draws its trend sparklines at the width the table has now.
        """
        state = self.cost_screen.state
        available = self.cost_screen.query_one(LevelTable).available_width()
        selection = ItemSelection(report)

        def group_and_draw() -> Sparklines:
            view = compute_level(report, state, selection)
            plan, _ = plan_level(view, state, available, None, NO_INSIGHTS)
            return level_sparklines(view, plan.trend)

        return FirstLevel(selection, await asyncio.to_thread(group_and_draw))

    async def paint_cached(
        self, source: CostSource, date_range: DateRange, generation: int
    ) -> str | None:
        """Post the cache's copy of the range (stale) and return its organisation id, if any."""
        copy = await self.read_cached(source, date_range)
        if copy is None:
            return None
        self.report_painted.clear()
        self.post_message(ReportLoaded(generation, copy.report, stale=True,
                                       first_level=copy.first_level))
        return copy.organization_id
