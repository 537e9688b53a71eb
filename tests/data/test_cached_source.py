"""The cached source over the demo API: hits, misses, partial coverage, offline and failures."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from costtui.core.admin_key import AdminKey
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.models import DayBucket, Organization, origin_of
from costtui.data.api import ApiError, CostClient, FetchProgress, PermissionDeniedError
from costtui.data.cache import CostCache
from costtui.data.cached_source import CachedSource, OfflineError, plan_windows
from costtui.data.demo import DEMO_BASE_URL, DEMO_KEY, DemoApi, DemoOrganization, DemoTransport
from costtui.data.source import load_report
from tests.conftest import SENTINEL_KEY

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
"""The controlled clock: 2026-11-18, -19 and -20 are incomplete, 2026-11-17 is complete."""
GROUPING = ("workspace_id", "description")
CLOCK = FixedClock(NOW)
"""The clock of reports loaded in these tests (never moved)."""
LAST_60 = DateRange(date(2026, 9, 22), date(2026, 11, 20))


def provenance(buckets: list[DayBucket]) -> tuple[int, int, datetime | None, str]:
    """Return (days from the cache, days fetched, oldest cache time, label) of a result."""
    cached = [bucket.cached_at for bucket in buckets if bucket.cached_at is not None]
    label, oldest = origin_of(buckets, offline=False)
    assert oldest == min(cached, default=None)
    return len(cached), len(buckets) - len(cached), oldest, label


def cache_at(path: Path) -> CostCache:
    """Return a new connection to the cache at `path`, its clock at NOW."""
    return CostCache(path, clock=CLOCK)


def source_over(
    api: DemoApi,
    path: Path,
    clock: FixedClock | None = None,
    *,
    key: str = DEMO_KEY,
    transport: httpx.AsyncBaseTransport | None = None,
    **options: object,
) -> CachedSource:
    """Return a cached source over the demo API with a fresh cache connection at `path`."""
    client = CostClient(AdminKey(key), base_url=DEMO_BASE_URL,
                        transport=transport or DemoTransport(api), max_retries=0)
    return CachedSource(client, CostCache(path, clock=clock or FixedClock(NOW)), **options)  # type: ignore[arg-type]


def cost_windows(api: DemoApi) -> list[tuple[str, str]]:
    """Return the (first day, day after last) of every cost_report request the API received."""
    return [
        (request.url.params["starting_at"][:10], request.url.params["ending_at"][:10])
        for request in api.requests
        if request.url.path.endswith("/cost_report")
    ]


async def reference(date_range: DateRange, org: DemoOrganization | None = None) -> list[DayBucket]:
    """Fetch the range straight from a fresh demo API, without any cache."""
    api = DemoApi(org or DemoOrganization())
    async with CostClient(AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL,
                          transport=DemoTransport(api)) as client:
        return await client.cost_buckets(date_range, GROUPING)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Return a cache file path under tmp_path."""
    return tmp_path / "explicit-cache" / "costs.sqlite3"


def test_plan_windows_covers_days_with_as_few_31_day_windows_as_possible() -> None:
    d = date(2026, 1, 1)

    def at(*offsets: int) -> list[date]:
        return [d + timedelta(days=n) for n in offsets]

    assert plan_windows([]) == []
    assert plan_windows(at(*range(31))) == [DateRange(d, at(30)[0])]
    assert plan_windows(at(*range(32))) == [DateRange(d, at(30)[0]), DateRange(*at(31, 31))]
    assert plan_windows(at(0, 30)) == [DateRange(*at(0, 30))]
    assert plan_windows(at(0, 31)) == [DateRange(*at(0, 0)), DateRange(*at(31, 31))]
    assert plan_windows(at(40, 2, 3)) == [DateRange(*at(2, 3)), DateRange(*at(40, 40))]


async def test_cold_fetches_every_day_and_stores_it(path: Path) -> None:
    api = DemoApi()
    source = source_over(api, path)
    buckets = await source.cost_buckets(LAST_60, GROUPING)
    await source.aclose()

    assert buckets == await reference(LAST_60)
    assert cost_windows(api) == [("2026-09-22", "2026-10-23"), ("2026-10-23", "2026-11-21")]
    assert provenance(buckets) == (0, 60, None, "live")
    states = cache_at(path).day_states(DemoOrganization().org_id, GROUPING, LAST_60)
    assert len(states) == 60
    assert [day for day, state in states.items() if not state.complete] == [
        date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)
    ]


async def test_fetched_days_come_back_as_the_cache_holds_them_with_their_sums_per_key(
    path: Path,
) -> None:
    source = source_over(DemoApi(), path)
    buckets = await source.cost_buckets(LAST_60, GROUPING)
    await source.aclose()
    stored = cache_at(path).load_days(DemoOrganization().org_id, GROUPING, LAST_60.days(),
                                      include_incomplete=True)

    assert buckets == await reference(LAST_60)
    assert provenance(buckets) == (0, 60, None, "live")
    for bucket in buckets:  # A report adds each key's stored sum, not each line.
        assert bucket.key_sums is not None and bucket.key_indexes is not None
        assert list(bucket.key_indexes) == list(stored[bucket.day].key_indexes or ())
        assert list(bucket.key_sums) == list(stored[bucket.day].key_sums or ())
        expected = [0] * len(bucket.key_sums)
        for index, units in zip(bucket.key_indexes, bucket.amount_column, strict=True):
            expected[index] += units
        assert list(bucket.key_sums) == expected


async def test_warm_reopen_fetches_only_incomplete_days(path: Path) -> None:
    cold = source_over(DemoApi(), path)
    await cold.cost_buckets(LAST_60, GROUPING)
    await cold.aclose()

    api = DemoApi()
    warm = source_over(api, path, FixedClock(NOW + timedelta(minutes=5)))
    buckets = await warm.cost_buckets(LAST_60, GROUPING)
    await warm.aclose()

    assert buckets == await reference(LAST_60)
    assert cost_windows(api) == [("2026-11-18", "2026-11-21")]
    assert [request.url.path for request in api.requests] == [
        "/v1/organizations/me", "/v1/organizations/cost_report"
    ]
    assert provenance(buckets) == (57, 3, NOW, "cache + live")


async def test_a_range_of_complete_cached_days_makes_no_cost_request(path: Path) -> None:
    past = DateRange(date(2026, 8, 1), date(2026, 8, 31))
    cold = source_over(DemoApi(), path)
    await cold.cost_buckets(past, GROUPING)
    await cold.aclose()

    api = DemoApi()
    warm = source_over(api, path)
    buckets = await warm.cost_buckets(past, GROUPING)
    await warm.aclose()
    assert buckets == await reference(past)
    assert cost_windows(api) == []
    assert provenance(buckets) == (31, 0, NOW, "cache")


async def test_after_a_day_passes_the_new_and_still_incomplete_days_are_fetched(
    path: Path,
) -> None:
    clock = FixedClock(NOW)
    first = source_over(DemoApi(), path, clock)
    await first.cost_buckets(LAST_60, GROUPING)
    await first.aclose()

    clock.advance(timedelta(hours=24))
    moved = DateRange(LAST_60.first_day + timedelta(days=1), LAST_60.last_day + timedelta(days=1))
    api = DemoApi()
    next_day = source_over(api, path, clock)
    assert await next_day.cost_buckets(moved, GROUPING) == await reference(moved)
    await next_day.aclose()
    # 11-18 was stored while incomplete: fetched again, and now stored complete.
    assert cost_windows(api) == [("2026-11-18", "2026-11-22")]

    api = DemoApi()
    again = source_over(api, path, clock)
    await again.cost_buckets(moved, GROUPING)
    await again.aclose()
    assert cost_windows(api) == [("2026-11-19", "2026-11-22")]


async def test_the_48_hour_boundary_with_a_controlled_clock(path: Path) -> None:
    day = DateRange(date(2026, 11, 1), date(2026, 11, 1))
    end = datetime(2026, 11, 2, tzinfo=timezone.utc)
    for now, fetches in ((end + timedelta(hours=48), 1), (end + timedelta(hours=48), 1),
                         (end + timedelta(hours=48, seconds=1), 1),
                         (end + timedelta(hours=49), 0)):
        api = DemoApi()
        source = source_over(api, path, FixedClock(now))
        await source.cost_buckets(day, GROUPING)
        await source.aclose()
        assert len(cost_windows(api)) == fetches, now


async def test_partial_coverage_fetches_the_gaps_in_the_fewest_windows(path: Path) -> None:
    held = DateRange(date(2026, 10, 1), date(2026, 10, 10))
    warmup = source_over(DemoApi(), path)
    await warmup.cost_buckets(held, GROUPING)
    await warmup.aclose()

    wide = DateRange(date(2026, 9, 25), date(2026, 11, 15))
    api = DemoApi()
    source = source_over(api, path)
    progress: list[FetchProgress] = []
    buckets = await source.cost_buckets(wide, GROUPING, progress.append)
    await source.aclose()

    assert buckets == await reference(wide)
    # Missing: 09-25..09-30 and 10-11..11-15: two windows, not three.
    assert cost_windows(api) == [("2026-09-25", "2026-10-26"), ("2026-10-26", "2026-11-16")]
    assert progress[0] == FetchProgress(0, 2, 0)
    assert progress[-1] == FetchProgress(2, 2, 2)


async def test_groupings_are_cached_separately(path: Path) -> None:
    past = DateRange(date(2026, 8, 1), date(2026, 8, 5))
    first = source_over(DemoApi(), path)
    await first.cost_buckets(past, GROUPING)
    await first.aclose()

    api = DemoApi()
    other = source_over(api, path)
    buckets = await other.cost_buckets(past, ("workspace_id",))
    await other.aclose()
    assert cost_windows(api) == [("2026-08-01", "2026-08-06")]
    assert all(item.description is None for bucket in buckets for item in bucket.items)


async def test_a_full_refresh_is_a_parameter_of_the_request_and_fetches_every_day(
    path: Path,
) -> None:
    past = DateRange(date(2026, 8, 1), date(2026, 8, 10))
    first = source_over(DemoApi(), path)
    await first.cost_buckets(past, GROUPING)
    await first.aclose()

    api = DemoApi()
    source = source_over(api, path)
    assert provenance(await source.cost_buckets(past, GROUPING)) == (10, 0, NOW, "cache")
    refreshed = await source.cost_buckets(past, GROUPING, refresh=True)
    assert refreshed == await reference(past)
    assert provenance(refreshed) == (0, 10, None, "live")
    again = await source.cost_buckets(past, GROUPING)
    await source.aclose()
    assert cost_windows(api) == [("2026-08-01", "2026-08-11")]
    assert provenance(again) == (10, 0, NOW, "cache")
    # The refresh asked which organisation the key opens again; the other calls did not.
    assert [request.url.path for request in api.requests].count("/v1/organizations/me") == 2


async def test_organisation_is_asked_once_per_source_even_when_called_concurrently(
    path: Path,
) -> None:
    api = DemoApi()
    source = source_over(api, path)
    report = await load_report(source, LAST_60, GROUPING, clock=CLOCK, with_previous=False)
    await source.cost_buckets(LAST_60, GROUPING)
    await source.aclose()
    paths = [request.url.path for request in api.requests]
    assert paths.count("/v1/organizations/me") == 1
    assert report.organization_name == "Acme Robotics (demo)"


async def test_offline_serves_cached_days_names_and_reports_gaps(path: Path) -> None:
    held = DateRange(date(2026, 11, 1), date(2026, 11, 20))
    online = source_over(DemoApi(), path)
    online_report = await load_report(online, held, GROUPING, clock=CLOCK, with_previous=False)
    await online.aclose()

    api = DemoApi()
    later = FixedClock(NOW + timedelta(days=3))
    offline = source_over(api, path, later, offline=True)
    report = await load_report(offline, DateRange(date(2026, 10, 22), date(2026, 11, 20)),
                               GROUPING, clock=later, with_previous=False)
    await offline.aclose()

    assert api.requests == []
    assert report.missing_days == tuple(
        date(2026, 10, 22) + timedelta(days=n) for n in range(10)
    )
    assert report.items == online_report.items  # incomplete days too, as stored
    assert report.organization_name == "Acme Robotics (demo)"
    assert report.workspace_names == online_report.workspace_names
    assert report.notes == ()
    assert (report.origin, report.oldest_cached_at, report.offline) == ("cache", NOW, True)


async def test_offline_with_an_unknown_profile_says_so(path: Path) -> None:
    online = source_over(DemoApi(), path, profile="default")
    await online.cost_buckets(LAST_60, GROUPING)
    await online.aclose()

    offline = source_over(DemoApi(), path, profile="work", offline=True)
    with pytest.raises(OfflineError) as caught:
        await offline.cost_buckets(LAST_60, GROUPING)
    assert str(caught.value) == (
        "offline, and the cache holds nothing for profile 'work' yet: run once online to fill it"
    )
    assert isinstance(caught.value, ApiError)


async def test_profiles_of_different_organisations_never_mix(path: Path) -> None:
    org_a, org_b = DemoOrganization(seed=1), DemoOrganization(seed=2)
    assert org_a.org_id != org_b.org_id
    past = DateRange(date(2026, 8, 1), date(2026, 8, 20))
    for org, profile in ((org_a, "a"), (org_b, "b")):
        api = DemoApi(org)
        source = source_over(api, path, profile=profile)
        assert await source.cost_buckets(past, GROUPING) == await reference(past, org)
        await source.aclose()
        assert cost_windows(api) == [("2026-08-01", "2026-08-21")]

    for org, profile in ((org_a, "a"), (org_b, "b")):
        offline = source_over(DemoApi(org), path, profile=profile, offline=True)
        assert await offline.cost_buckets(past, GROUPING) == await reference(past, org)
        assert (await offline.organization()).id == org.org_id
        await offline.aclose()


async def test_a_profile_whose_key_now_opens_another_organisation_gets_that_ones_data(
    path: Path,
) -> None:
    past = DateRange(date(2026, 8, 1), date(2026, 8, 20))
    org_a, org_b = DemoOrganization(seed=1), DemoOrganization(seed=2)
    before = source_over(DemoApi(org_a), path)
    await before.cost_buckets(past, GROUPING)
    await before.aclose()

    api = DemoApi(org_b)
    after = source_over(api, path)  # same profile, the cache still maps it to org_a
    assert await after.cost_buckets(past, GROUPING) == await reference(past, org_b)
    await after.aclose()
    assert cost_windows(api) == [("2026-08-01", "2026-08-21")]
    assert cache_at(path).organization_for_profile("default") == Organization(
        org_b.org_id, org_b.name
    )


class FailingTransport(httpx.AsyncBaseTransport):
    """Serves a DemoApi but answers 403 to cost_report windows starting on given days."""

    def __init__(self, api: DemoApi, failing_starts: set[str]) -> None:
        self.inner = DemoTransport(api)
        self.failing_starts = failing_starts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        start = request.url.params.get("starting_at", "")[:10]
        if request.url.path.endswith("/cost_report") and start in self.failing_starts:
            body = {"type": "error", "error": {"type": "permission_error", "message": "no"}}
            return httpx.Response(403, json=body, request=request)
        return await self.inner.handle_async_request(request)


async def test_a_fetch_failing_half_way_keeps_the_windows_it_got(path: Path) -> None:
    quarter = DateRange(date(2026, 6, 1), date(2026, 8, 29))  # windows from 06-01, 07-02, 08-02
    api = DemoApi()
    failing = source_over(api, path, transport=FailingTransport(api, {"2026-07-02"}))
    with pytest.raises(PermissionDeniedError):
        await failing.cost_buckets(quarter, GROUPING)
    await failing.aclose()
    assert len(cost_windows(api)) == 2
    stored = cache_at(path).day_states(DemoOrganization().org_id, GROUPING, quarter)
    assert min(stored) == date(2026, 6, 1) and max(stored) == date(2026, 8, 29)
    assert len(stored) == 31 + 28

    api = DemoApi()
    retry = source_over(api, path)
    assert await retry.cost_buckets(quarter, GROUPING) == await reference(quarter)
    await retry.aclose()
    assert cost_windows(api) == [("2026-07-02", "2026-08-02")]


async def test_a_corrupt_cache_file_is_rebuilt_and_the_query_answered_live(path: Path) -> None:
    path.parent.mkdir()
    path.write_bytes(b"\x00garbage" * 500)
    api = DemoApi()
    source = source_over(api, path)
    assert await source.cost_buckets(LAST_60, GROUPING) == await reference(LAST_60)
    await source.aclose()
    assert len(source.warnings) == 1
    assert "moved it to costs.sqlite3.corrupt-" in source.warnings[0]
    assert len(cache_at(path).day_states(DemoOrganization().org_id, GROUPING, LAST_60)) == 60


async def test_days_the_cache_loses_between_reads_are_fetched(path: Path) -> None:
    past = DateRange(date(2026, 8, 1), date(2026, 8, 10))
    first = source_over(DemoApi(), path)
    await first.cost_buckets(past, GROUPING)
    await first.aclose()

    api = DemoApi()
    source = source_over(api, path)
    source.cache.load_days = lambda *args, **kwargs: {}  # type: ignore[method-assign]
    assert await source.cost_buckets(past, GROUPING) == await reference(past)
    await source.aclose()
    assert cost_windows(api) == [("2026-08-01", "2026-08-11")]


async def test_an_unusable_cache_degrades_to_live_with_a_warning_and_offline_errors(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "costs.sqlite3"
    blocked.mkdir()
    api = DemoApi()
    source = source_over(api, blocked)
    assert await source.cost_buckets(LAST_60, GROUPING) == await reference(LAST_60)
    await source.aclose()
    assert source.warnings and all("working without the cache" in w for w in source.warnings)

    offline = source_over(DemoApi(), blocked, offline=True)
    with pytest.raises(OfflineError, match="^offline, and the cache cannot be read: cannot create"):
        await offline.organization()


async def test_the_key_never_reaches_the_cache_files(
    tmp_path: Path, files_with_secret: Callable[[str], list[Path]]
) -> None:
    path = tmp_path / "cache" / "costs.sqlite3"
    api = DemoApi(check_key=False)
    source = source_over(api, path, key=SENTINEL_KEY)
    report = await load_report(source, LAST_60, GROUPING, clock=CLOCK)
    assert Path(f"{path}-wal").exists()
    assert files_with_secret(SENTINEL_KEY) == []  # while open, WAL included
    await source.aclose()
    assert api.requests[0].headers["x-api-key"] == SENTINEL_KEY
    assert sum(item.amount_cents for item in report.items) > Decimal(0)

    offline = source_over(api, path, key=SENTINEL_KEY, offline=True)
    await load_report(offline, LAST_60, GROUPING, clock=CLOCK)
    offline.cache.status()
    await offline.aclose()
    assert path.exists()
    assert files_with_secret(SENTINEL_KEY) == []
    assert SENTINEL_KEY not in repr(source.cache) + repr(source)


class MeAfterCostTransport(httpx.AsyncBaseTransport):
    """Serves a DemoApi but answers /me only once a cost_report request has arrived."""

    def __init__(self, api: DemoApi) -> None:
        self.inner = DemoTransport(api)
        self.cost_requested = asyncio.Event()
        self.events: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/cost_report"):
            self.events.append("cost_report asked")
            self.cost_requested.set()
        elif request.url.path.endswith("/me"):
            await asyncio.wait_for(self.cost_requested.wait(), timeout=60)  # a hang guard only
            self.events.append("me answered")
        return await self.inner.handle_async_request(request)


async def test_a_remembered_organisation_starts_fetching_before_me_answers(path: Path) -> None:
    past = DateRange(date(2026, 8, 1), date(2026, 8, 20))
    first = source_over(DemoApi(), path)
    await first.cost_buckets(DateRange(past.first_day, date(2026, 8, 10)), GROUPING)
    await first.aclose()

    api = DemoApi()
    transport = MeAfterCostTransport(api)
    source = source_over(api, path, transport=transport)
    buckets = await source.cost_buckets(past, GROUPING)
    await source.aclose()

    assert buckets == await reference(past)
    assert transport.events[:2] == ["cost_report asked", "me answered"]
    assert cost_windows(api) == [("2026-08-11", "2026-08-21")]
    stored = cache_at(path).load_days(DemoOrganization().org_id, GROUPING, past.days())
    assert sorted(stored) == list(past.days())


async def test_when_me_names_another_organisation_its_own_cache_is_read_and_stored(
    path: Path,
) -> None:
    past = DateRange(date(2026, 8, 1), date(2026, 8, 20))
    org_a, org_b = DemoOrganization(seed=1), DemoOrganization(seed=2)
    before = source_over(DemoApi(org_a), path)  # the profile remembers org_a, days 1-10 cached
    await before.cost_buckets(DateRange(past.first_day, date(2026, 8, 10)), GROUPING)
    await before.aclose()

    api = DemoApi(org_b)
    transport = MeAfterCostTransport(api)
    after = source_over(api, path, transport=transport)  # the key now opens org_b
    buckets = await after.cost_buckets(past, GROUPING)
    await after.aclose()

    # Days fetched before /me answered came with the key, so they are org_b's and kept; org_a's
    # cached days are not served: org_b's missing days 1-10 are fetched once /me names it.
    assert buckets == await reference(past, org_b)
    assert transport.events[:2] == ["cost_report asked", "me answered"]
    assert sorted(cost_windows(api)) == [("2026-08-01", "2026-08-11"), ("2026-08-11", "2026-08-21")]
    cache = cache_at(path)
    assert sorted(cache.load_days(org_b.org_id, GROUPING, past.days())) == list(past.days())
    assert sorted(cache.load_days(org_a.org_id, GROUPING, past.days())) == list(
        DateRange(past.first_day, date(2026, 8, 10)).days())
    assert cache.organization_for_profile("default") == Organization(org_b.org_id, org_b.name)


async def test_a_first_run_starts_fetching_before_me_answers(path: Path) -> None:
    past = DateRange(date(2026, 8, 1), date(2026, 8, 20))
    api = DemoApi()
    transport = MeAfterCostTransport(api)
    source = source_over(api, path, transport=transport)  # no cache file yet
    buckets = await source.cost_buckets(past, GROUPING)
    await source.aclose()

    assert buckets == await reference(past)
    assert transport.events[:2] == ["cost_report asked", "me answered"]
    assert cost_windows(api) == [("2026-08-01", "2026-08-21")]
    stored = cache_at(path).load_days(DemoOrganization().org_id, GROUPING, past.days())
    assert sorted(stored) == list(past.days())


async def test_a_new_profile_over_a_filled_cache_waits_for_me_to_name_the_organisation(
    path: Path,
) -> None:
    past = DateRange(date(2026, 8, 1), date(2026, 8, 20))
    first = source_over(DemoApi(), path, profile="a")
    await first.cost_buckets(DateRange(past.first_day, date(2026, 8, 10)), GROUPING)
    await first.aclose()

    api = DemoApi()
    source = source_over(api, path, profile="b")  # same organisation, not remembered for "b"
    assert await source.cost_buckets(past, GROUPING) == await reference(past)
    await source.aclose()
    assert cost_windows(api) == [("2026-08-11", "2026-08-21")]  # the cached days are served


async def test_an_unusable_cache_is_one_warning_however_many_calls_meet_it(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "costs.sqlite3"
    blocked.mkdir()
    source = source_over(DemoApi(), blocked)
    report = await load_report(source, LAST_60, GROUPING, clock=CLOCK)
    await source.aclose()
    assert report.warnings == (
        f"cannot create cache {blocked}: Is a directory; working without the cache",)


async def test_an_offline_load_of_a_damaged_day_moves_the_cache_aside_with_one_warning(
    path: Path,
) -> None:
    held = DateRange(date(2026, 11, 1), date(2026, 11, 20))
    online = source_over(DemoApi(), path)
    await load_report(online, held, GROUPING, clock=CLOCK, with_previous=False)
    await online.aclose()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE days SET key_indexes = x'0100' WHERE day = '2026-11-05'")

    offline = source_over(DemoApi(), path, offline=True)
    report = await load_report(offline, held, GROUPING, clock=CLOCK, with_previous=False)
    await offline.aclose()

    assert report.items == ()
    assert report.missing_days == tuple(held.days())
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith(f"cache {path} was unusable (damaged entry for ")
    assert "moved it to costs.sqlite3.corrupt-20261120T093000Z" in report.warnings[0]
