"""An SQLite cache of fetched cost days, keyed by organisation, API grouping and day."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from costtui.core.clock import Clock
from costtui.core.dates import DATA_LAG, DateRange, is_day_complete
from costtui.core.models import DayBucket, Organization, Workspace
from costtui.core.text import clean_text
from costtui.data.cache_codec import (
    InvalidDayError,
    KeyTable,
    StoredDay,
    UnusableFileError,
    decode_day,
    encode_day,
    indexes_within,
)
from costtui.data.cache_file import (
    BUSY_TIMEOUT_SECONDS,
    SIDE_FILES,
    UnsafeCacheFileError,
    is_corruption,
    prepare_cache_file,
    while_locked,
    writing,
)
from costtui.data.cache_schema import SCHEMA_VERSION, check_schema
from costtui.data.cache_status import (
    CacheStatus,
    ClearedCounts,
    OrganizationStatus,
    coverage_of,
)
from costtui.data.config import cache_dir

__all__ = ["SCHEMA_VERSION", "CacheError", "CostCache", "DayState", "default_cache_path"]
CACHE_FILE_NAME = "costs.sqlite3"

_T = TypeVar("_T")



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
        self._written_tables: dict[tuple[str, str], tuple[int, KeyTable]] = {}
        """Key tables as this connection last wrote them, with the file's data_version then:
        while no other connection has written since, a store need not read its table again."""

    def __repr__(self) -> str:
        return f"CostCache({str(self.path)!r})"

    def _warn(self, warning: str) -> None:
        """Add a one-line warning for the user, once."""
        with self._lock:
            if warning not in self.warnings:
                self.warnings.append(warning)

    def close(self) -> None:
        """Close the database connection; the next call opens it again."""
        with self._lock:
            self._written_tables.clear()
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

    def holds_no_days(self) -> bool:
        """Tell whether the cache stores no cost day at all, for any organisation."""

        def read(db: sqlite3.Connection) -> bool:
            return db.execute("SELECT 1 FROM days LIMIT 1").fetchone() is None

        return self._run(read, default=True, create=False)

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

        def read(db: sqlite3.Connection) -> tuple[KeyTable, list[tuple[date, str, StoredDay]]]:
            table = _key_table(db, org_id, key)
            rows = db.execute(
                "SELECT day, complete, fetched_at, line_count, scale, key_indexes, amounts, "
                "amounts_text, key_sums FROM days "
                "WHERE org_id = ? AND grouping = ? AND day BETWEEN ? AND ?",
                (org_id, key, *_bounds(span)),
            )
            found = ((date.fromisoformat(text), complete, fetched, StoredDay(*columns))
                     for text, complete, fetched, *columns in rows)
            return table, [(day, fetched, stored) for day, complete, fetched, stored in found
                           if day in wanted and (complete or include_incomplete)]

        # Decode outside the connection lock: other calls may proceed meanwhile.
        nothing: tuple[KeyTable, list[tuple[date, str, StoredDay]]] = (KeyTable(), [])
        table, stored_days = self._run(read, default=nothing)
        buckets: dict[date, DayBucket] = {}
        invalid: list[str] = []
        # One check of every index at C speed; if it fails, each day is checked to name it.
        checked = indexes_within((stored.indexes for _, _, stored in stored_days),
                                 len(table.keys))
        try:
            for day, fetched, stored in stored_days:
                try:
                    buckets[day] = decode_day(day, stored, table, datetime.fromisoformat(fetched),
                                              indexes_checked=checked)
                except InvalidDayError as error:
                    invalid.append(str(error))
        except UnusableFileError as error:
            with self._lock:
                self._move_aside(str(error))
            return {}
        if invalid:
            self._warn(
                f"the cache held {len(invalid)} day(s) that fail the data checks (first: "
                f"{invalid[0]}); they are treated as missing and fetched again when online"
            )
        return buckets

    def store(
        self, org_id: str, api_group_by: Sequence[str], buckets: Iterable[DayBucket]
    ) -> list[DayBucket]:
        """Store fetched buckets, replacing those days, each marked complete or not as of now.

        Return the same days as the cache now holds them (still marked just fetched): lines
        as indexes into its key table, with their sums per key, so a report adds up each key
        as it does for a day read back, not line by line.
        """
        fetched_at = self.clock.now()
        stamp = fetched_at.isoformat()
        key = grouping_key(api_group_by)
        listed = list(buckets)

        def write(db: sqlite3.Connection) -> tuple[KeyTable, list[StoredDay]]:
            with writing(db):
                # Read in the write lock (the file's truth) unless only this connection wrote it.
                version = db.execute("PRAGMA data_version").fetchone()[0]
                known = self._written_tables.pop((org_id, key), None)
                table = known[1] if known and known[0] == version else _key_table(db, org_id, key)
                added: list[tuple[int, str]] = []
                numbers: dict[int, list[int]] = {}
                encoded = [encode_day(each, table, table.indexes_of_bucket(each, added, numbers))
                           for each in listed]
                rows = [(org_id, key, bucket.day.isoformat(),
                         int(self.is_complete(bucket.day, fetched_at)), stamp, stored.count,
                         stored.scale, stored.indexes, stored.amounts, stored.amounts_text,
                         stored.key_sums)
                        for bucket, stored in zip(listed, encoded, strict=True)]
                db.executemany("INSERT INTO line_keys VALUES (?, ?, ?, ?)",
                               [(org_id, key, index, text) for index, text in added])
                db.executemany(
                    "INSERT OR REPLACE INTO days VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._written_tables[org_id, key] = (version, table)  # Committed: the file's now.
            return table, encoded

        # Creating and retrying, `_run` returns what `write` returns, or raises CacheError.
        nothing: tuple[KeyTable, list[StoredDay]] = (KeyTable(), [])
        table, encoded = self._run(write, default=nothing, retry=True)
        return [_as_stored(bucket, stored, table)
                for bucket, stored in zip(listed, encoded, strict=True)]

    def remember_organization(self, organization: Organization, profile: str | None) -> None:
        """Record an organisation's name and that a profile's key opens it (for offline use)."""
        stamp = self.clock.now().isoformat()

        def write(db: sqlite3.Connection) -> None:
            with writing(db):
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
            return Organization(clean_text(row[0]), clean_text(row[1])) if row else None

        return self._run(read, default=None, create=False)

    def remember_workspaces(self, org_id: str, workspaces: Sequence[Workspace]) -> None:
        """Record an organisation's workspace names, so offline reports show names."""
        document = json.dumps([[ws.id, ws.name, ws.archived] for ws in workspaces])

        def write(db: sqlite3.Connection) -> None:
            with writing(db):
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
            return [Workspace(clean_text(str(id_)), clean_text(str(name)), bool(archived))
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
            names = {org_id: clean_text(name) for org_id, name
                     in db.execute("SELECT org_id, name FROM organizations")}
            return tuple(
                OrganizationStatus(
                    org_id,
                    names.get(org_id, org_id),
                    tuple(profiles.get(org_id, ())),
                    tuple(coverage_of(key, days) for key, days in sorted(coverage[org_id].items()))
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
        for suffix in ("", *SIDE_FILES):
            with suppress(OSError):
                total += Path(f"{self.path}{suffix}").stat().st_size
        return total

    def clear(self, org_id: str | None = None) -> ClearedCounts:
        """Remove one organisation (data, names, profiles) or, with no id, everything."""
        where, params = ("WHERE org_id = ?", (org_id,)) if org_id is not None else ("", ())

        def write(db: sqlite3.Connection) -> ClearedCounts:
            self._written_tables.clear()
            with writing(db):
                orgs = db.execute(
                    f"SELECT count(*) FROM (SELECT org_id FROM organizations {where} "
                    f"UNION SELECT org_id FROM days {where})",
                    params * 2,
                ).fetchone()[0]
                days = db.execute(f"DELETE FROM days {where}", params).rowcount
                for table in ("line_keys", "profiles", "organizations"):
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
                except (sqlite3.DatabaseError, UnusableFileError) as error:
                    damaged = isinstance(error, UnusableFileError) or is_corruption(error)
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
        if not self.path.exists() and not self.path.is_symlink() and not create:
            return None
        try:
            for warning in prepare_cache_file(self.path):
                self._warn(warning)
        except UnsafeCacheFileError as error:
            raise CacheError(str(error)) from None
        except OSError as error:
            reason = error.strerror or str(error)
            raise CacheError(f"cannot create cache {self.path}: {reason}") from None
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False,
                             isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            while_locked(lambda: db.execute("PRAGMA journal_mode = WAL"))
            db.execute("PRAGMA synchronous = NORMAL")
            while_locked(lambda: self._check_schema(db))
        except (sqlite3.DatabaseError, UnusableFileError):
            db.close()
            raise
        db.isolation_level = "DEFERRED"  # Implicit transactions again, committed by `with db`.
        self._connection = db
        return db

    def _check_schema(self, db: sqlite3.Connection) -> None:
        """Create or upgrade the schema, with a note when an older file's days were dropped."""
        upgraded_from = check_schema(db)
        if upgraded_from is not None:
            self._warn(
                f"the cache {self.path} was written by an older costtui (schema "
                f"{upgraded_from}); its cost days were dropped and are fetched again as needed"
            )

    def _move_aside(self, reason: str) -> None:
        """Rename the unusable file (and its WAL files) to `.corrupt-<timestamp>` with a warning."""
        self.close()
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", *SIDE_FILES):
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


def _as_stored(bucket: DayBucket, stored: StoredDay, table: KeyTable) -> DayBucket:
    """Return a just-stored day as read back from the cache would give it, still fetched."""
    try:
        return decode_day(bucket.day, stored, table, None, indexes_checked=True)
    except (InvalidDayError, UnusableFileError):  # Not expected of checked data: keep it.
        return bucket


def _key_table(db: sqlite3.Connection, org_id: str, key: str) -> KeyTable:
    """Read the line keys of an organisation and grouping, in index order."""
    return KeyTable.from_rows(db.execute(
        "SELECT idx, key FROM line_keys WHERE org_id = ? AND grouping = ? ORDER BY idx",
        (org_id, key),
    ))


def _bounds(date_range: DateRange) -> tuple[str, str]:
    return date_range.first_day.isoformat(), date_range.last_day.isoformat()
