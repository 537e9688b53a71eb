"""Token usage and API-key names beside a cost source: live, cached per day, or offline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from costtui.core.dates import DateRange
from costtui.core.models import Organization
from costtui.core.usage import ApiKeyInfo, UsageDay
from costtui.data.api import CostClient
from costtui.data.cached_source import CachedSource, OfflineError, plan_windows
from costtui.data.demo_source import DemoSource
from costtui.data.source import CostSource
from costtui.data.usage_api import fetch_api_keys, fetch_usage, groupings
from costtui.data.usage_cache import USAGE_CACHE_FILE_NAME, UsageCache


class UsageSource:
    """Fetches usage only when asked (a view needs tokens); complete days come from the cache."""

    def __init__(
        self,
        client: CostClient | None,
        cache: UsageCache | None,
        organization: Callable[[], Awaitable[Organization]],
        *,
        offline: bool = False,
    ) -> None:
        if client is None and not offline:
            raise ValueError("a UsageSource without a client must be offline")
        self._client = client
        self.cache = cache
        self._organization = organization
        self.offline = offline
        """Never call the API: serve what the usage cache holds."""

    def take_warnings(self) -> list[str]:
        """Return the usage cache's one-line warnings not taken yet, and forget them."""
        if self.cache is None:
            return []
        taken = list(self.cache.warnings)
        self.cache.warnings.clear()
        return taken

    def _online(self) -> CostClient:
        if self.offline or self._client is None:
            raise OfflineError("offline: no request may be sent")
        return self._client

    async def usage(self, date_range: DateRange, *, by_api_key: bool = False) -> list[UsageDay]:
        """Return the usage of each day of the range it can provide (absent days are missing)."""
        if self.cache is None:
            return await fetch_usage(self._online(), date_range, by_api_key=by_api_key)
        cache, grouping = self.cache, ",".join(groupings(by_api_key))
        org_id = (await self._organization()).id
        days = date_range.days()
        stored = await asyncio.to_thread(
            cache.load, org_id, grouping, days, include_incomplete=self.offline)
        if not self.offline:
            missing = [day for day in days if day not in stored]
            client = self._online()
            fetched = await asyncio.gather(*(
                fetch_usage(client, window, by_api_key=by_api_key)
                for window in plan_windows(missing)))
            fresh = [usage_day for window_days in fetched for usage_day in window_days]
            await asyncio.to_thread(cache.store, org_id, grouping, fresh)
            stored.update((usage_day.day, usage_day) for usage_day in fresh)
        return [stored[day] for day in days if day in stored]

    async def api_keys(self) -> list[ApiKeyInfo]:
        """Return every API key's name and hint; offline, the remembered ones (or none)."""
        if self.cache is None:
            return await fetch_api_keys(self._online())
        org_id = (await self._organization()).id
        if self.offline:
            return await asyncio.to_thread(self.cache.keys, org_id) or []
        keys = await fetch_api_keys(self._online())
        await asyncio.to_thread(self.cache.remember_keys, org_id, keys)
        return keys

    async def aclose(self) -> None:
        """Close the usage cache (the client belongs to the cost source)."""
        if self.cache is not None:
            self.cache.close()


def usage_source_for(source: CostSource) -> UsageSource | None:
    """Return the usage source that goes with a cost source, or None when it has none."""
    if isinstance(source, DemoSource):
        return UsageSource(source.client, None, source.organization)
    if isinstance(source, CostClient):
        return UsageSource(source, None, source.organization)
    if isinstance(source, CachedSource):
        inner = source.inner if isinstance(source.inner, CostClient) else None
        if inner is None and not source.offline:
            return None
        path = source.cache.path.with_name(USAGE_CACHE_FILE_NAME)
        cache = UsageCache(path, clock=source.cache.clock)
        return UsageSource(inner, cache, source.organization, offline=source.offline)
    return None
