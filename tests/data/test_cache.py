"""The SQLite cost cache: exact round trips, the 48-hour rule, isolation, healing and locking."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange, contiguous_ranges
from costtui.core.models import CostItem, DayBucket, Organization, Workspace
from costtui.data.cache import (
    SCHEMA_VERSION,
    CacheError,
    CostCache,
    DayState,
    grouping_key,
)
from costtui.data.cache_status import ClearedCounts

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
GROUPING = ("workspace_id", "description")
AMOUNTS = (
    "123.78912",
    "0.1",
    "1500",
    "0.00001",
    "1.5E+3",
    "98765432109876.123456789",  # near the limits: < 10^15 cents, 9 decimals
    "0",
    "-2.50",
)


def item(day: date, amount: str, workspace_id: str | None = "wrkspc_01A", **dims: str) -> CostItem:
    """Build a cost item with an exact amount and optional dimensions."""
    fields = dict.fromkeys(
        ("description", "cost_type", "model", "token_type", "service_tier", "context_window",
         "inference_geo")
    )
    fields.update(dims)
    return CostItem(day, Decimal(amount), "USD", workspace_id, **fields)


def bucket(day: date, *amounts: str) -> DayBucket:
    """Build a day bucket holding one item per amount."""
    return DayBucket(day, tuple(item(day, amount) for amount in amounts))


def days(first: date, count: int) -> list[date]:
    """Return `count` consecutive days from `first`."""
    return [first + timedelta(days=n) for n in range(count)]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Return the cache file path in a fresh directory that does not exist yet."""
    return tmp_path / "cache-dir" / "costs.sqlite3"


@pytest.fixture
def cache(path: Path) -> CostCache:
    """Return a cache at `path` whose clock is frozen at NOW."""
    return CostCache(path, clock=FixedClock(NOW))


def test_amounts_and_dimensions_round_trip_exactly_through_a_reopened_file(
    cache: CostCache, path: Path
) -> None:
    day = date(2026, 11, 1)
    items = tuple(item(day, amount) for amount in AMOUNTS) + (
        item(day, "7.25", None, description="Claude Sonnet 4.5 Usage - Input Tokens",
             cost_type="tokens", model="claude-sonnet-4-5", token_type="uncached_input_tokens",
             service_tier="batch", context_window="200k-1M", inference_geo="us"),
        item(day, "0.3", "wrkspc_[prod]", description="Café Analytics ✓", cost_type="future_kind"),
    )
    cache.store("org-a", GROUPING, [DayBucket(day, items), DayBucket(day + timedelta(days=1), ())])
    cache.close()

    loaded = CostCache(path, clock=FixedClock(NOW)).load_days("org-a", GROUPING, days(day, 2))

    assert loaded == {day: DayBucket(day, items), day + timedelta(days=1): DayBucket(
        day + timedelta(days=1), ())}
    assert {bucket.cached_at for bucket in loaded.values()} == {NOW}
    # Exact values (Decimal equality), each digit kept; "1.5E+3" comes back as 1500 and
    # "-2.50" as -2.5: days are held as scaled integers, not as the API's spelling.
    stored_amounts = [i.amount_cents for i in loaded[day].items]
    assert stored_amounts == [Decimal(a) for a in (*AMOUNTS, "7.25", "0.3")]
    assert str(stored_amounts[5]) == "98765432109876.123456789"
    with sqlite3.connect(path) as db:
        columns = db.execute(
            "SELECT scale, typeof(key_indexes), typeof(amounts), amounts_text FROM days "
            "WHERE day = ?", (day.isoformat(),)).fetchone()
    # 98765432109876.123456789 cents at 9 decimals is beyond int64: the day is kept as text.
    assert columns == (9, "blob", "null", ",".join(
        str(int(Decimal(a).scaleb(9))) for a in (*AMOUNTS, "7.25", "0.3")))


def test_stored_days_come_back_as_read_back_and_a_day_failing_its_checks_as_it_was(
    cache: CostCache,
) -> None:
    day = date(2026, 11, 1)
    usd = DayBucket(day, (item(day, "1.25"), item(day, "2", "wrkspc_02B")))
    euro = DayBucket(day + timedelta(days=1), (CostItem(
        day + timedelta(days=1), Decimal("3"), "EUR", "wrkspc_01A", *(None,) * 7),))

    returned = cache.store("org-a", GROUPING, [usd, euro])

    assert returned == [usd, euro]
    assert [bucket.cached_at for bucket in returned] == [None, None]
    # 1.25 and 2 cents at scale 2, summed per key index in the cache's key table.
    assert (returned[0].scale, list(returned[0].key_sums or ())) == (2, [125, 200])
    assert returned[1] is euro and euro.key_sums is None  # EUR fails the read-back checks
    assert cache.load_days("org-a", GROUPING, days(day, 2)) == {day: usd}


def test_a_day_is_complete_only_once_it_ended_more_than_48_hours_ago(path: Path) -> None:
    day = date(2026, 11, 10)
    end = datetime(2026, 11, 11, tzinfo=timezone.utc)
    at_48h = CostCache(path, clock=FixedClock(end + timedelta(hours=48)))
    assert not at_48h.is_complete(day)
    at_48h.store("org-a", (), [bucket(day, "1")])
    assert at_48h.load_days("org-a", (), [day]) == {}
    assert at_48h.load_days("org-a", (), [day], include_incomplete=True) == {
        day: bucket(day, "1")
    }
    at_48h.close()

    later = CostCache(path, clock=FixedClock(end + timedelta(hours=48, seconds=1)))
    assert later.is_complete(day)
    assert later.load_days("org-a", (), [day]) == {}, "stored incomplete stays incomplete"
    later.store("org-a", (), [bucket(day, "2")])
    assert later.load_days("org-a", (), [day]) == {day: bucket(day, "2")}
    assert later.day_states("org-a", (), DateRange(day, day)) == {
        day: DayState(True, end + timedelta(hours=48, seconds=1))
    }


def test_complete_after_is_configurable(path: Path) -> None:
    cache = CostCache(path, complete_after=timedelta(hours=6), clock=FixedClock(NOW))
    assert cache.is_complete(date(2026, 11, 19))  # ended 9 h 30 before NOW
    assert not cache.is_complete(date(2026, 11, 20))


def test_keys_separate_organisations_and_groupings_but_not_grouping_order(
    cache: CostCache,
) -> None:
    day = date(2026, 11, 1)
    cache.store("org-a", ("description", "workspace_id"), [bucket(day, "1")])
    cache.store("org-a", ("workspace_id",), [bucket(day, "2")])
    cache.store("org-b", ("description", "workspace_id"), [bucket(day, "3")])

    assert cache.load_days("org-a", GROUPING, [day]) == {day: bucket(day, "1")}
    assert cache.load_days("org-a", ("workspace_id",), [day]) == {day: bucket(day, "2")}
    assert cache.load_days("org-b", GROUPING, [day]) == {day: bucket(day, "3")}
    assert cache.load_days("org-a", (), [day]) == {}
    assert cache.load_days("org-c", GROUPING, [day]) == {}
    assert grouping_key(("workspace_id", "description")) == "description,workspace_id"
    assert grouping_key(()) == ""


def test_load_days_returns_only_the_days_asked_for(cache: CostCache) -> None:
    first = date(2026, 10, 1)
    cache.store("org-a", (), [bucket(day, "1") for day in days(first, 10)])
    wanted = [first, first + timedelta(days=4), first + timedelta(days=20)]
    assert sorted(cache.load_days("org-a", (), wanted)) == wanted[:2]
    assert cache.load_days("org-a", (), []) == {}


def test_store_replaces_a_day(cache: CostCache) -> None:
    day = date(2026, 11, 1)
    cache.store("org-a", (), [bucket(day, "1", "2", "3")])
    cache.store("org-a", (), [bucket(day, "4")])
    assert cache.load_days("org-a", (), [day]) == {day: bucket(day, "4")}


def test_organisations_profiles_and_workspace_names_are_remembered(
    cache: CostCache, path: Path
) -> None:
    cache.remember_organization(Organization("org-a", "Acme"), "default")
    cache.remember_organization(Organization("org-a", "Acme Renamed"), "work")
    cache.remember_workspaces("org-a", [Workspace("w1", "Prod"), Workspace("w2", "Old", True)])
    cache.close()

    reopened = CostCache(path, clock=FixedClock(NOW))
    assert reopened.organization_for_profile("default") == Organization("org-a", "Acme Renamed")
    assert reopened.organization_for_profile("work") == Organization("org-a", "Acme Renamed")
    assert reopened.organization_for_profile("other") is None
    assert reopened.workspaces("org-a") == [Workspace("w1", "Prod"), Workspace("w2", "Old", True)]
    assert reopened.workspaces("org-b") is None


def test_a_profile_follows_its_key_to_another_organisation(cache: CostCache) -> None:
    cache.remember_organization(Organization("org-a", "Acme"), "default")
    cache.remember_organization(Organization("org-b", "Beta"), "default")
    assert cache.organization_for_profile("default") == Organization("org-b", "Beta")


def test_status_reports_size_organisations_profiles_and_day_ranges(cache: CostCache) -> None:
    first = date(2026, 11, 1)
    cache.remember_organization(Organization("org-a", "Acme"), "default")
    cache.remember_organization(Organization("org-a", "Acme"), "work")
    stored = days(first, 5) + days(date(2026, 11, 15), 6)
    cache.store("org-a", GROUPING, [bucket(day, "1") for day in stored])
    cache.store("org-a", (), [bucket(first, "1")])

    status = cache.status()

    assert status.path == cache.path
    assert status.size_bytes > 0
    assert [(o.id, o.name, o.profiles) for o in status.organizations] == [
        ("org-a", "Acme", ("default", "work"))
    ]
    ungrouped, grouped = status.organizations[0].groupings
    assert ungrouped.api_group_by == ()
    assert grouped.api_group_by == ("description", "workspace_id")
    assert grouped.ranges == (DateRange(first, date(2026, 11, 5)),
                              DateRange(date(2026, 11, 15), date(2026, 11, 20)))
    assert (grouped.day_count, grouped.complete_count) == (11, 8)  # 18, 19, 20 incomplete
    assert grouped.last_fetched_at == NOW


def test_status_of_a_missing_file_creates_nothing(path: Path) -> None:
    status = CostCache(path, clock=FixedClock(NOW)).status()
    assert (status.size_bytes, status.organizations) == (0, ())
    assert not path.exists()


def test_clear_one_organisation_or_everything(cache: CostCache) -> None:
    day = date(2026, 11, 1)
    for org in ("org-a", "org-b"):
        cache.remember_organization(Organization(org, org.upper()), f"profile-{org}")
        cache.store(org, GROUPING, [bucket(d, "1") for d in days(day, 3)])
    cache.store("org-a", (), [bucket(day, "1")])

    assert cache.clear("org-a") == ClearedCounts(organizations=1, days=4)
    assert cache.organization_for_profile("profile-org-a") is None
    assert cache.load_days("org-a", GROUPING, [day]) == {}
    assert cache.load_days("org-b", GROUPING, [day]) == {day: bucket(day, "1")}
    assert cache.clear() == ClearedCounts(organizations=1, days=3)
    assert cache.status().organizations == ()


def test_contiguous_ranges() -> None:
    d = date(2026, 1, 30)
    assert contiguous_ranges([]) == []
    assert contiguous_ranges([d + timedelta(days=3), d, d + timedelta(days=1), d]) == [
        DateRange(d, d + timedelta(days=1)), DateRange(d + timedelta(days=3), d + timedelta(days=3))
    ]


def test_file_directory_and_wal_files_are_private_even_with_a_permissive_umask(
    path: Path,
) -> None:
    old_umask = os.umask(0)
    try:
        cache = CostCache(path, clock=FixedClock(NOW))
        cache.store("org-a", (), [bucket(date(2026, 11, 1), "1")])
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    wal = Path(f"{path}-wal")
    assert wal.exists()
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_an_existing_loose_file_is_tightened_to_0600(cache: CostCache, path: Path) -> None:
    cache.store("org-a", (), [bucket(date(2026, 11, 1), "1")])
    cache.close()
    path.chmod(0o644)
    CostCache(path, clock=FixedClock(NOW)).status()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_file_uses_wal_and_the_current_schema_version(cache: CostCache, path: Path) -> None:
    cache.store("org-a", (), [bucket(date(2026, 11, 1), "1")])
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def corrupt_files(path: Path) -> list[str]:
    """Return the names of the moved-aside files next to the cache."""
    return sorted(p.name for p in path.parent.iterdir() if ".corrupt-" in p.name)


def assert_healed(cache: CostCache, path: Path) -> None:
    """Check one warning line, the file moved aside, and a working new cache."""
    assert len(cache.warnings) == 1
    assert "\n" not in cache.warnings[0]
    assert "moved it to costs.sqlite3.corrupt-20261120T093000Z" in cache.warnings[0]
    assert "costs.sqlite3.corrupt-20261120T093000Z" in corrupt_files(path)
    day = date(2026, 11, 1)
    cache.store("org-a", (), [bucket(day, "42")])
    assert cache.load_days("org-a", (), [day]) == {day: bucket(day, "42")}


def test_a_garbage_file_is_moved_aside_and_rebuilt(path: Path) -> None:
    path.parent.mkdir()
    path.write_bytes(b"this is not an sqlite file at all" * 200)
    cache = CostCache(path, clock=FixedClock(NOW))
    assert cache.load_days("org-a", (), [date(2026, 11, 1)]) == {}
    assert "file is not a database" in cache.warnings[0]
    assert_healed(cache, path)


def test_a_truncated_file_is_moved_aside_and_rebuilt(cache: CostCache, path: Path) -> None:
    first = date(2025, 1, 1)
    rich_day = tuple(item(first, f"{n}.{n}", f"wrkspc_{n:04d}") for n in range(300))
    cache.store("org-a", GROUPING, [DayBucket(day, rich_day) for day in days(first, 60)])
    cache.close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size // 3)

    healed = CostCache(path, clock=FixedClock(NOW))
    loaded = healed.load_days("org-a", GROUPING, days(first, 60))
    assert loaded == {}
    assert_healed(healed, path)


def test_a_newer_schema_is_moved_aside_and_rebuilt(cache: CostCache, path: Path) -> None:
    cache.store("org-a", (), [bucket(date(2026, 11, 1), "1")])
    cache.close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    newer = CostCache(path, clock=FixedClock(NOW))
    assert newer.organization_for_profile("default") is None
    assert f"schema version {SCHEMA_VERSION + 1} is newer" in newer.warnings[0]
    assert_healed(newer, path)


def test_a_foreign_database_is_moved_aside(path: Path) -> None:
    path.parent.mkdir()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    cache = CostCache(path, clock=FixedClock(NOW))
    assert cache.status().organizations == ()
    assert "not a costtui cache" in cache.warnings[0]
    assert_healed(cache, path)


def test_a_damaged_day_entry_is_moved_aside(cache: CostCache, path: Path) -> None:
    day = date(2026, 11, 1)
    cache.store("org-a", (), [bucket(day, "1")])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE days SET key_indexes = x'0100'")
    assert cache.load_days("org-a", (), [day]) == {}
    assert "damaged entry for 2026-11-01" in cache.warnings[0]
    assert_healed(cache, path)


def test_the_wal_file_moves_aside_with_the_database_so_old_pages_never_return(
    path: Path,
) -> None:
    day = date(2026, 11, 1)
    CostCache(path, clock=FixedClock(NOW)).store("org-a", (), [bucket(day, "1")])
    other = sqlite3.connect(path)  # Another instance keeps the WAL alive and un-checkpointed.
    other.execute("PRAGMA wal_autocheckpoint = 0")
    other.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    try:
        cache = CostCache(path, clock=FixedClock(NOW))
        assert cache.load_days("org-a", (), [day]) == {}
        cache.store("org-b", (), [bucket(day, "2")])
        assert cache.load_days("org-b", (), [day]) == {day: bucket(day, "2")}
        assert cache.load_days("org-a", (), [day], include_incomplete=True) == {}
    finally:
        other.close()
    assert len(cache.warnings) == 1
    assert "costs.sqlite3.corrupt-20261120T093000Z-wal" in corrupt_files(path)


def test_an_unusable_path_is_a_one_line_cache_error(tmp_path: Path) -> None:
    (tmp_path / "costs.sqlite3").mkdir()
    cache = CostCache(tmp_path / "costs.sqlite3", clock=FixedClock(NOW))
    with pytest.raises(CacheError, match="^cannot create cache .*costs.sqlite3: ") as caught:
        cache.store("org-a", (), [bucket(date(2026, 11, 1), "1")])
    assert "\n" not in str(caught.value)


def test_two_instances_in_threads_write_the_same_file_safely(path: Path) -> None:
    first = date(2025, 1, 1)
    errors: list[BaseException] = []

    def writer(org: str) -> None:
        cache = CostCache(path, clock=FixedClock(NOW))
        try:
            for day in days(first, 40):
                cache.store(org, GROUPING, [bucket(day, "1.1", "2.2")])
                assert cache.load_days(org, GROUPING, [day]) == {day: bucket(day, "1.1", "2.2")}
        except BaseException as error:  # noqa: BLE001 - reported to the test thread
            errors.append(error)
        finally:
            cache.close()

    threads = [threading.Thread(target=writer, args=(org,)) for org in ("org-a", "org-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    reader = CostCache(path, clock=FixedClock(NOW))
    for org in ("org-a", "org-b"):
        assert len(reader.load_days(org, GROUPING, days(first, 40))) == 40


def _process_writer(path: str, org: str, ready: object) -> None:
    """Store 40 days into the cache from another process, after a shared start signal."""
    ready.wait()  # type: ignore[attr-defined]
    cache = CostCache(Path(path), clock=FixedClock(NOW))
    for day in days(date(2025, 1, 1), 40):
        cache.store(org, GROUPING, [bucket(day, "3.3")])
    cache.close()


def test_two_processes_write_the_same_file_safely(path: Path) -> None:
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    processes = [
        context.Process(target=_process_writer, args=(str(path), org, ready))
        for org in ("org-a", "org-b")
    ]
    for process in processes:
        process.start()
    ready.set()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0]
    reader = CostCache(path, clock=FixedClock(NOW))
    assert len(reader.load_days("org-a", GROUPING, days(date(2025, 1, 1), 40))) == 40
    assert len(reader.load_days("org-b", GROUPING, days(date(2025, 1, 1), 40))) == 40
    assert reader.warnings == []
