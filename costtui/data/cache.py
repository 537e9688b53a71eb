"""An SQLite cache of fetched cost days, keyed by organisation, API grouping and day."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import repeat
from pathlib import Path
from sys import intern
from time import monotonic, sleep
from typing import TypeVar

from costtui.core.clock import Clock
from costtui.core.dates import DATA_LAG, DateRange, contiguous_ranges, is_day_complete
from costtui.core.models import CostItem, DayBucket, Organization, Workspace
from costtui.data.config import cache_dir

SCHEMA_VERSION = 1
"""Stored in `PRAGMA user_version`; a file with another version is moved aside and rebuilt."""
CACHE_FILE_NAME = "costs.sqlite3"
BUSY_TIMEOUT_SECONDS = 10.0
_CORRUPTION_CODES = frozenset({11, 26})
"""SQLITE_CORRUPT and SQLITE_NOTADB."""
_SIDE_FILES = ("-wal", "-shm", "-journal")

_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE organizations (
    org_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    workspaces_json TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE profiles (
    profile TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
CREATE TABLE days (
    org_id TEXT NOT NULL,
    grouping TEXT NOT NULL,
    day TEXT NOT NULL,
    complete INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    items TEXT NOT NULL, -- JSON from encode_items: amounts as exact decimal strings
    UNIQUE (org_id, grouping, day)
);
"""
_TABLES = frozenset({"organizations", "profiles", "days"})
_DIMENSIONS = tuple(f.name for f in fields(CostItem) if f.name not in ("day", "amount_cents"))
"""CostItem fields stored as dictionary-encoded columns, in constructor order."""


class CacheError(Exception):
    """The cache file cannot be used right now (locked, unwritable, disk full); one line."""


def default_cache_path() -> Path:
    """Return the cache file under the per-user cache directory (honours XDG_CACHE_HOME)."""
    return cache_dir() / CACHE_FILE_NAME


def grouping_key(api_group_by: Iterable[str]) -> str:
    """Return the canonical stored form of an API grouping: sorted names joined by commas."""
    return ",".join(sorted(set(api_group_by)))


@dataclass(frozen=True, slots=True)
class DayState:
    """What the cache knows about one stored day."""

    complete: bool
    """Whether the day had been over for `complete_after` when it was fetched."""
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class GroupingCoverage:
    """Which days of one API grouping the cache holds for an organisation."""

    api_group_by: tuple[str, ...]
    ranges: tuple[DateRange, ...]
    day_count: int
    complete_count: int
    last_fetched_at: datetime


@dataclass(frozen=True, slots=True)
class OrganizationStatus:
    """One cached organisation: its name, the profiles that opened it and its day coverage."""

    id: str
    name: str
    profiles: tuple[str, ...]
    groupings: tuple[GroupingCoverage, ...]


@dataclass(frozen=True, slots=True)
class CacheStatus:
    """The cache file, its size on disk (with WAL files) and what it holds."""

    path: Path
    size_bytes: int
    organizations: tuple[OrganizationStatus, ...]


@dataclass(frozen=True, slots=True)
class ClearedCounts:
    """What `clear` removed."""

    organizations: int
    days: int


class CostCache:
    """Fetched day buckets in SQLite: WAL, busy timeout, 0600, self-healing when corrupt."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Clock,
        complete_after: timedelta = DATA_LAG,
    ) -> None:
        self.path = path or default_cache_path()
        self.complete_after = complete_after
        self.clock = clock
        """The process's one clock: what "now" is for completeness and fetch times."""
        self.warnings: list[str] = []
        """One-line warnings for the user, e.g. that a corrupt file was moved aside."""
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"CostCache({str(self.path)!r})"

    def close(self) -> None:
        """Close the database connection; the next call opens it again."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def is_complete(self, day: date, at: datetime | None = None) -> bool:
        """Tell whether a day ended more than `complete_after` before `at` (default: now)."""
        return is_day_complete(day, at or self.clock.now(), self.complete_after)

    def day_states(
        self, org_id: str, api_group_by: Sequence[str], date_range: DateRange
    ) -> dict[date, DayState]:
        """Return what is stored about each day of the range (absent days are not stored)."""

        def read(db: sqlite3.Connection) -> dict[date, DayState]:
            rows = db.execute(
                "SELECT day, complete, fetched_at FROM days WHERE org_id = ? AND grouping = ? "
                "AND day BETWEEN ? AND ?",
                (org_id, grouping_key(api_group_by), *_bounds(date_range)),
            )
            return {
                date.fromisoformat(day): DayState(bool(complete), datetime.fromisoformat(fetched))
                for day, complete, fetched in rows
            }

        return self._run(read, default={})

    def load_days(
        self,
        org_id: str,
        api_group_by: Sequence[str],
        days: Iterable[date],
        *,
        include_incomplete: bool = False,
    ) -> dict[date, DayBucket]:
        """Return the stored buckets of the given days: complete ones, or all when asked."""
        wanted = set(days)
        if not wanted:
            return {}
        span = DateRange(min(wanted), max(wanted))
        key = grouping_key(api_group_by)

        def read(db: sqlite3.Connection) -> list[tuple[date, str, str]]:
            rows = db.execute(
                "SELECT day, complete, fetched_at, items FROM days "
                "WHERE org_id = ? AND grouping = ? AND day BETWEEN ? AND ?",
                (org_id, key, *_bounds(span)),
            )
            found = ((date.fromisoformat(text), complete, fetched, items)
                     for text, complete, fetched, items in rows)
            return [(day, fetched, items) for day, complete, fetched, items in found
                    if day in wanted and (complete or include_incomplete)]

        # Decode outside the connection lock: it is the slow part, and other calls may proceed.
        none: list[tuple[date, str, str]] = []
        documents = self._run(read, default=none)
        try:
            return {
                day: DayBucket(day, decode_items(day, items), datetime.fromisoformat(fetched))
                for day, fetched, items in documents
            }
        except _UnusableFileError as error:
            with self._lock:
                self._move_aside(str(error))
            return {}

    def store(self, org_id: str, api_group_by: Sequence[str], buckets: Iterable[DayBucket]) -> None:
        """Store fetched buckets, replacing those days, each marked complete or not as of now."""
        fetched_at = self.clock.now()
        stamp = fetched_at.isoformat()
        key = grouping_key(api_group_by)
        rows = [
            (org_id, key, bucket.day.isoformat(), int(self.is_complete(bucket.day, fetched_at)),
             stamp, len(bucket.items), encode_items(bucket.items))
            for bucket in buckets
        ]

        def write(db: sqlite3.Connection) -> None:
            with _writing(db):
                db.executemany("INSERT OR REPLACE INTO days VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

        self._run(write, default=None, retry=True)

    def remember_organization(self, organization: Organization, profile: str | None) -> None:
        """Record an organisation's name and that a profile's key opens it (for offline use)."""
        stamp = self.clock.now().isoformat()

        def write(db: sqlite3.Connection) -> None:
            with _writing(db):
                db.execute(
                    "INSERT INTO organizations (org_id, name, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (org_id) DO UPDATE SET name = excluded.name, "
                    "updated_at = excluded.updated_at",
                    (organization.id, organization.name, stamp),
                )
                if profile is not None:
                    db.execute(
                        "INSERT OR REPLACE INTO profiles VALUES (?, ?, ?)",
                        (profile, organization.id, stamp),
                    )

        self._run(write, default=None, retry=True)

    def organization_for_profile(self, profile: str) -> Organization | None:
        """Return the organisation a profile's key opened last, if the cache knows it."""

        def read(db: sqlite3.Connection) -> Organization | None:
            row = db.execute(
                "SELECT o.org_id, o.name FROM profiles p JOIN organizations o USING (org_id) "
                "WHERE p.profile = ?",
                (profile,),
            ).fetchone()
            return Organization(row[0], row[1]) if row else None

        return self._run(read, default=None, create=False)

    def remember_workspaces(self, org_id: str, workspaces: Sequence[Workspace]) -> None:
        """Record an organisation's workspace names, so offline reports show names."""
        document = json.dumps([[ws.id, ws.name, ws.archived] for ws in workspaces])

        def write(db: sqlite3.Connection) -> None:
            with _writing(db):
                db.execute(
                    "UPDATE organizations SET workspaces_json = ? WHERE org_id = ?",
                    (document, org_id),
                )

        self._run(write, default=None, retry=True)

    def workspaces(self, org_id: str) -> list[Workspace] | None:
        """Return the remembered workspaces of an organisation, or None if never stored."""

        def read(db: sqlite3.Connection) -> list[Workspace] | None:
            row = db.execute(
                "SELECT workspaces_json FROM organizations WHERE org_id = ?", (org_id,)
            ).fetchone()
            if row is None or row[0] is None:
                return None
            return [Workspace(str(id_), str(name), bool(archived))
                    for id_, name, archived in json.loads(row[0])]

        return self._run(read, default=None, create=False)

    def status(self) -> CacheStatus:
        """Return the file, its size and each organisation's coverage per grouping."""

        def read(db: sqlite3.Connection) -> tuple[OrganizationStatus, ...]:
            profiles: dict[str, list[str]] = {}
            for profile, org_id in db.execute("SELECT profile, org_id FROM profiles ORDER BY 1"):
                profiles.setdefault(org_id, []).append(profile)
            coverage: dict[str, dict[str, list[tuple[date, bool, datetime]]]] = {}
            for org_id, key, day, complete, fetched in db.execute(
                "SELECT org_id, grouping, day, complete, fetched_at FROM days"
            ):
                coverage.setdefault(org_id, {}).setdefault(key, []).append(
                    (date.fromisoformat(day), bool(complete), datetime.fromisoformat(fetched))
                )
            names = dict(db.execute("SELECT org_id, name FROM organizations").fetchall())
            return tuple(
                OrganizationStatus(
                    org_id,
                    names.get(org_id, org_id),
                    tuple(profiles.get(org_id, ())),
                    tuple(_coverage(key, days) for key, days in sorted(coverage[org_id].items()))
                    if org_id in coverage
                    else (),
                )
                for org_id in sorted(set(names) | set(coverage), key=lambda o: names.get(o, o))
            )

        empty: tuple[OrganizationStatus, ...] = ()
        organizations = self._run(read, default=empty, create=False)
        return CacheStatus(self.path, self.size_bytes(), organizations)

    def size_bytes(self) -> int:
        """Return the bytes the cache takes on disk, WAL and shared-memory files included."""
        total = 0
        for suffix in ("", *_SIDE_FILES):
            with suppress(OSError):
                total += Path(f"{self.path}{suffix}").stat().st_size
        return total

    def clear(self, org_id: str | None = None) -> ClearedCounts:
        """Remove one organisation (data, names, profiles) or, with no id, everything."""
        where, params = ("WHERE org_id = ?", (org_id,)) if org_id is not None else ("", ())

        def write(db: sqlite3.Connection) -> ClearedCounts:
            with _writing(db):
                orgs = db.execute(
                    f"SELECT count(*) FROM (SELECT org_id FROM organizations {where} "
                    f"UNION SELECT org_id FROM days {where})",
                    params * 2,
                ).fetchone()[0]
                days = db.execute(f"DELETE FROM days {where}", params).rowcount
                for table in ("profiles", "organizations"):
                    db.execute(f"DELETE FROM {table} {where}", params)
            try:
                db.execute("VACUUM")
            except sqlite3.OperationalError:
                pass  # Another instance is reading; the space is reused later anyway.
            return ClearedCounts(orgs, days)

        return self._run(write, default=ClearedCounts(0, 0), create=False)

    def _run(
        self,
        operation: Callable[[sqlite3.Connection], _T],
        *,
        default: _T,
        create: bool = True,
        retry: bool = False,
    ) -> _T:
        """Run an operation on the connection, healing a corrupt file once, else CacheError."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    db = self._connect(create)
                    if db is None:
                        return default
                    return operation(db)
                except (sqlite3.DatabaseError, _UnusableFileError) as error:
                    damaged = isinstance(error, _UnusableFileError) or _is_corruption(error)
                    if not damaged or attempt == 2:
                        raise CacheError(f"cache {self.path} unusable: {error}") from None
                    self._move_aside(str(error))
                    if not retry:
                        return default
            raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        """Return the open connection, opening (and if needed creating) the file first."""
        if self._connection is not None:
            return self._connection
        if not self.path.exists() and not create:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            for suffix in ("", *_SIDE_FILES):  # SQLite gives new WAL files the file's mode.
                with suppress(FileNotFoundError):
                    os.chmod(f"{self.path}{suffix}", 0o600)
        except OSError as error:
            raise CacheError(f"cannot create cache {self.path}: {error.strerror}") from None
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False,
                             isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            _while_locked(lambda: db.execute("PRAGMA journal_mode = WAL"))
            db.execute("PRAGMA synchronous = NORMAL")
            _while_locked(lambda: self._check_schema(db))
        except (sqlite3.DatabaseError, _UnusableFileError):
            db.close()
            raise
        db.isolation_level = "DEFERRED"  # Implicit transactions again, committed by `with db`.
        self._connection = db
        return db

    def _check_schema(self, db: sqlite3.Connection) -> None:
        """Create the schema in an empty file; refuse a foreign or newer-schema file."""
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if version == 0 and not tables:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version > SCHEMA_VERSION:
                raise _UnusableFileError(
                    f"schema version {version} is newer than this costtui's {SCHEMA_VERSION}"
                )
            elif version != SCHEMA_VERSION or not _TABLES <= tables:
                raise _UnusableFileError(f"not a costtui cache of schema {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _move_aside(self, reason: str) -> None:
        """Rename the unusable file (and its WAL files) to `.corrupt-<timestamp>` with a warning."""
        self.close()
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", *_SIDE_FILES):
            source = Path(f"{self.path}{suffix}")
            try:
                source.rename(f"{target}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as error:
                raise CacheError(f"cannot move aside unusable cache {source}: {error}") from None
        self.warnings.append(
            f"cache {self.path} was unusable ({reason}); moved it to {target.name} and started "
            "a new one"
        )


class _UnusableFileError(Exception):
    """The file is a database, but not a costtui cache of this schema version."""


def _is_corruption(error: sqlite3.DatabaseError) -> bool:
    """Tell whether an error means the file is damaged or foreign, not merely busy."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code in _CORRUPTION_CODES
    return type(error) is sqlite3.DatabaseError


def encode_items(items: Sequence[CostItem]) -> str:
    """Encode a day's items as compact JSON: amounts as decimal strings, dimensions by index."""
    values: dict[str | None, int] = {}
    columns = {
        name: [values.setdefault(getattr(item, name), len(values)) for item in items]
        for name in _DIMENSIONS
    }
    document = {"amounts": [str(item.amount_cents) for item in items],
                "values": list(values), "columns": columns}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def decode_items(day: date, text: str) -> tuple[CostItem, ...]:
    """Decode `encode_items` JSON back into exact CostItems; damage raises _UnusableFileError."""
    try:
        document = json.loads(text)
        amounts = document["amounts"]
        # Share one copy of each name across days, as the API client does.
        values = [intern(value) if isinstance(value, str) else value
                  for value in document["values"]]
        indexes = [document["columns"][name] for name in _DIMENSIONS]
        if any(len(column) != len(amounts) for column in indexes):
            raise ValueError("columns of different lengths")
        columns = [map(values.__getitem__, column) for column in indexes]
        return tuple(map(CostItem, repeat(day), map(Decimal, amounts), *columns))
    except (ValueError, KeyError, TypeError, IndexError, InvalidOperation) as error:
        raise _UnusableFileError(f"damaged entry for {day}: {error!r}") from None


def _while_locked(step: Callable[[], object]) -> None:
    """Retry a setup step that SQLite refuses with "locked" without consulting the busy timeout.

    Switching a new file to WAL while another process opens it fails at once, not after waiting.
    """
    deadline = monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or monotonic() > deadline:
                raise
            sleep(0.02)


@contextmanager
def _writing(db: sqlite3.Connection) -> Iterator[None]:
    """Run a write transaction that takes the write lock up front, waiting out other writers.

    A deferred transaction that upgrades from reading to writing gets "database is locked" at
    once under WAL when another process wrote meanwhile; BEGIN IMMEDIATE waits the busy timeout.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _bounds(date_range: DateRange) -> tuple[str, str]:
    return date_range.first_day.isoformat(), date_range.last_day.isoformat()


def _coverage(key: str, days: list[tuple[date, bool, datetime]]) -> GroupingCoverage:
    return GroupingCoverage(
        tuple(key.split(",")) if key else (),
        tuple(contiguous_ranges(day for day, _, _ in days)),
        len(days),
        sum(complete for _, complete, _ in days),
        max(fetched for _, _, fetched in days),
    )
