"""A cost source that serves complete days from the SQLite cache and fetches only the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

from costtui.core.dates import DateRange
from costtui.core.models import DayBucket, Organization, Workspace
from costtui.data.api import (
    DEFAULT_CONCURRENCY,
    MAX_BUCKETS_PER_PAGE,
    ApiError,
    FetchProgress,
    ProgressCallback,
)
from costtui.data.cache import CacheError, CostCache, DayState
from costtui.data.source import CostSource

_T = TypeVar("_T")


class OfflineError(ApiError):
    """Offline, and the cache cannot answer (nothing stored yet for this profile)."""

    def one_line(self) -> str:
        """Return the hint alone: there was no API call to describe."""
        return self.hint


@dataclass(frozen=True, slots=True)
class _CacheRead:
    """What the cache holds for one query under one organisation, with the load under way."""

    org_id: str
    wanted: set[date]
    """Days to serve from the cache (offline: every day of the range; it serves those it holds)."""
    missing: list[date]
    """Days to fetch."""
    load: asyncio.Future[dict[date, DayBucket]]


class DayHelper(Protocol):
    """Another process fetching and storing some complete days of the next query meanwhile."""

    @property
    def days(self) -> frozenset[date]:
        """The days it fetches and stores (complete ones the cache lacked)."""
        ...

    async def finished(self) -> None:
        """Wait until it has stored what it could and exited."""
        ...


def _abandon(task: asyncio.Future[Any] | None) -> None:
    """Cancel a task we no longer need, marking a failure already raised elsewhere as seen."""
    if task is None:
        return
    if task.done():
        if not task.cancelled():
            task.exception()
    else:
        task.cancel()


def plan_windows(days: Iterable[date], max_days: int = MAX_BUCKETS_PER_PAGE) -> list[DateRange]:
    """Cover the days with as few windows of at most `max_days` days as possible."""
    windows: list[DateRange] = []
    for day in sorted(set(days)):
        if windows and day < windows[-1].first_day + timedelta(days=max_days):
            windows[-1] = DateRange(windows[-1].first_day, day)
        else:
            windows.append(DateRange(day, day))
    return windows


class CachedSource:
    """Wraps a source: complete days come from the cache, the rest from `inner`, then stored."""

    def __init__(
        self,
        inner: CostSource | None,
        cache: CostCache,
        *,
        profile: str = "default",
        offline: bool = False,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        if inner is None and not offline:
            raise ValueError("a CachedSource without an inner source must be offline")
        self.inner = inner
        """Where missing days come from; None for a purely offline source (no key needed)."""
        self.cache = cache
        self.profile = profile
        """The profile whose organisation is remembered for offline use."""
        self.offline = offline
        """Never call `inner`: serve what the cache holds, omitting missing days."""
        self.concurrency = max(1, concurrency)
        self._organization: Organization | None = None
        self._organization_lock = asyncio.Lock()
        self.cache_was_empty: bool | None = None
        """What the cache said about holding no day at all before a helper was forked: asked
        again, the answer would depend on which process stored first."""
        self.helper: DayHelper | None = None
        """A helper process storing some days of the next online query: this source fetches
        the others, waits for it, then loads its days from the cache (fetching any it lacks)."""

    uses_cache = True
    """Days may come from the local cache (their buckets say when they were stored)."""

    @property
    def warnings(self) -> list[str]:
        """Return the one-line cache warnings so far (a corrupt file moved aside, …)."""
        return self.cache.warnings

    def take_warnings(self) -> list[str]:
        """Return the cache warnings not taken yet, and forget them."""
        taken = list(self.cache.warnings)
        self.cache.warnings.clear()
        return taken

    async def organization(self) -> Organization:
        """Return the organisation: from `inner` (remembered), or offline from the cache."""
        async with self._organization_lock:
            if self._organization is None:
                self._organization = await self._resolve_organization()
            return self._organization

    async def _resolve_organization(self) -> Organization:
        if self.offline:
            remembered = await self._cached(
                partial(self.cache.organization_for_profile, self.profile), None
            )
            if remembered is None:
                raise OfflineError(
                    f"offline, and the cache holds nothing for profile {self.profile!r} yet: "
                    "run once online to fill it"
                )
            return remembered
        organization = await self._online().organization()
        await self._cached(
            partial(self.cache.remember_organization, organization, self.profile), None
        )
        return organization

    async def workspaces(self) -> list[Workspace]:
        """Return the workspaces from `inner` (remembered), or offline from the cache."""
        if self.offline:
            organization = await self.organization()
            remembered = await self._cached(partial(self.cache.workspaces, organization.id), None)
            if remembered is None:
                raise OfflineError("offline, and the cache holds no workspace names yet")
            return remembered
        # Ask for both at once: the names do not depend on the id, only storing them does.
        organization, workspaces = await asyncio.gather(
            self.organization(), self._online().workspaces()
        )
        await self._cached(
            partial(self.cache.remember_workspaces, organization.id, workspaces), None
        )
        return workspaces

    async def cost_buckets(
        self,
        date_range: DateRange,
        api_group_by: tuple[str, ...] = (),
        on_progress: ProgressCallback | None = None,
        *,
        refresh: bool = False,
    ) -> list[DayBucket]:
        """Return cached complete days plus freshly fetched others; offline, only cached days.

        With `refresh`, every day is fetched again (and stored) and the organisation asked anew.
        """
        if refresh and not self.offline:
            self._organization = None
        helper, self.helper = self.helper, None
        deferred: frozenset[date] = frozenset()
        if helper is not None and not (self.offline or refresh):
            deferred = frozenset(day for day in helper.days
                                 if date_range.first_day <= day <= date_range.last_day)
        organization = asyncio.ensure_future(self.organization())
        read: _CacheRead | None = None
        early_fetch: asyncio.Future[dict[date, DayBucket]] | None = None
        asked: set[date] = set()
        """Days the early fetch asks for: a day the API leaves out is not asked again."""
        try:
            # Under the profile's remembered organisation, start reading the cache and fetching
            # the missing days while the API confirms the id: the fetched days are right for
            # whichever organisation the key opens; only storing them waits for the id.
            guess = await self._known_organization_id()
            if guess:
                read = await self._read(guess, date_range, api_group_by, refresh)
                asked = set(read.missing) - deferred
            elif not self.offline and await self._cache_holds_no_days():
                # A first run: no day of any organisation cached.
                asked = set(date_range.days()) - deferred
            if asked:
                early_fetch = asyncio.ensure_future(self._fetch(
                    organization, plan_windows(asked), api_group_by, on_progress))
            org_id = (await organization).id
            fetched: dict[date, DayBucket] = {}
            if read is not None and read.org_id != org_id:
                read.load.cancel()
                read = None
            if read is None:
                read = await self._read(org_id, date_range, api_group_by, refresh)
            if early_fetch is not None:
                fetched = await early_fetch
            still_missing = [day for day in read.missing
                             if day not in asked and day not in deferred]
            fetched.update(await self._fetch(
                organization, plan_windows(still_missing), api_group_by, on_progress))
            if helper is not None and deferred:
                fetched.update(await self._from_helper(
                    helper, organization, sorted(deferred.intersection(read.missing)),
                    api_group_by, on_progress))
            served = await read.load
        finally:
            for task in (organization, early_fetch, read.load if read is not None else None):
                _abandon(task)
        lost = [] if self.offline else sorted(read.wanted - served.keys())
        if lost:
            # The cache lost days between the two reads (moved aside): fetch them as well.
            fetched.update(
                await self._fetch(organization, plan_windows(lost), api_group_by, on_progress)
            )
        served.update(fetched)
        return [served[day] for day in date_range.days() if day in served]

    async def _from_helper(
        self,
        helper: DayHelper,
        organization: asyncio.Future[Organization],
        days: list[date],
        api_group_by: tuple[str, ...],
        on_progress: ProgressCallback | None,
    ) -> dict[date, DayBucket]:
        """Wait for the helper, load its days from the cache, and fetch any it did not store.

        They count as fetched by this query (no cache time), as they would without the helper.
        """
        await helper.finished()
        if not days:
            return {}
        org_id = (await organization).id
        nothing: dict[date, DayBucket] = {}
        stored = await self._cached(
            partial(self.cache.load_days, org_id, api_group_by, days), nothing)
        loaded = {day: bucket.with_cached_at(None) for day, bucket in stored.items()}
        left = [day for day in days if day not in loaded]
        loaded.update(await self._fetch(organization, plan_windows(left), api_group_by,
                                        on_progress))
        return loaded

    async def _cache_holds_no_days(self) -> bool:
        """Tell whether the cache holds no day of any organisation (as before a fork, if any)."""
        was_empty, self.cache_was_empty = self.cache_was_empty, None  # Once: then it stores.
        if was_empty is not None:
            return was_empty
        return await self._cached(self.cache.holds_no_days, False)

    async def _known_organization_id(self) -> str | None:
        """Return the confirmed organisation id, else (online) the profile's remembered one."""
        if self._organization is not None:
            return self._organization.id
        if self.offline:
            return None
        remembered = await self._cached(
            partial(self.cache.organization_for_profile, self.profile), None
        )
        return remembered.id if remembered else None

    async def _read(
        self, org_id: str, date_range: DateRange, api_group_by: tuple[str, ...], refresh: bool
    ) -> _CacheRead:
        """Start loading the days to serve from the cache, after reading day states online.

        Offline every stored day of the range is served, whatever its state: one read, no
        query of the states first.
        """
        no_days: dict[date, DayBucket] = {}
        if self.offline:
            wanted = set(date_range.days())
            load = partial(self.cache.load_days, org_id, api_group_by, wanted,
                           include_incomplete=True)
            return _CacheRead(org_id, wanted, [],
                              asyncio.ensure_future(self._cached(load, no_days)))
        states: dict[date, DayState] = await self._cached(
            partial(self.cache.day_states, org_id, api_group_by, date_range), {}
        )
        wanted = set() if refresh else {day for day, state in states.items() if state.complete}
        load = partial(self.cache.load_days, org_id, api_group_by, wanted)
        missing = sorted(set(date_range.days()) - wanted)
        return _CacheRead(
            org_id, wanted, missing, asyncio.ensure_future(self._cached(load, no_days))
        )

    async def _fetch(
        self,
        organization: asyncio.Future[Organization],
        windows: list[DateRange],
        api_group_by: tuple[str, ...],
        on_progress: ProgressCallback | None,
    ) -> dict[date, DayBucket]:
        """Fetch windows concurrently, storing each under the confirmed organisation as it arrives
        (its days then come back as the cache holds them: see `CostCache.store`).

        A failure half-way keeps (stores) the windows that succeeded, then re-raises the first.
        """
        if not windows:
            return {}
        pages = [0] * len(windows)
        done = 0
        limiter = asyncio.Semaphore(self.concurrency)

        def report(retry_reason: str | None = None, retry_in_seconds: float = 0.0) -> None:
            if on_progress is not None:
                on_progress(FetchProgress(done, len(windows), sum(pages), retry_reason,
                                          retry_in_seconds))

        def window_progress(index: int) -> ProgressCallback:
            def update(progress: FetchProgress) -> None:
                pages[index] = progress.pages_done
                report(progress.retry_reason, progress.retry_in_seconds)

            return update

        async def fetch(index: int, window: DateRange) -> list[DayBucket]:
            nonlocal done
            async with limiter:
                buckets = await self._online().cost_buckets(
                    window, api_group_by, window_progress(index)
                )
            org_id = (await organization).id
            stored = await self._cached(
                partial(self.cache.store, org_id, api_group_by, buckets), buckets)
            done += 1
            report()
            return stored

        report()
        outcomes = await asyncio.gather(
            *(fetch(index, window) for index, window in enumerate(windows)),
            return_exceptions=True,
        )
        fetched: dict[date, DayBucket] = {}
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
            fetched.update((bucket.day, bucket) for bucket in outcome)
        return fetched

    async def _cached(self, call: Callable[[], _T], unavailable: _T) -> _T:
        """Run a cache call in a thread; online, a CacheError is a warning and `unavailable`."""
        try:
            return await asyncio.to_thread(call)
        except CacheError as error:
            if self.offline:
                raise OfflineError(f"offline, and the cache cannot be read: {error}") from None
            warning = f"{error}; working without the cache"
            if warning not in self.cache.warnings:  # Every call meets it: say it once.
                self.cache.warnings.append(warning)
            return unavailable

    async def __aenter__(self) -> CachedSource:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the inner source and the cache file."""
        try:
            if self.inner is not None:
                await self.inner.aclose()
        finally:
            self.cache.close()

    def offline_twin(self) -> CachedSource:
        """Return an offline source over the same cache and profile, to paint before a refresh.

        Never close the twin: the cache file belongs to this source.
        """
        return CachedSource(None, self.cache, profile=self.profile, offline=True)

    def _online(self) -> CostSource:
        """Return the inner source, refusing when offline (a guard: offline paths never ask)."""
        if self.offline or self.inner is None:
            raise OfflineError("offline: no request may be sent")
        return self.inner
