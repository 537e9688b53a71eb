"""An SQLite file of fetched usage days and API-key names, beside (not inside) the cost cache."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from costtui.core.clock import Clock
from costtui.core.dates import is_day_complete
from costtui.core.usage import ApiKeyInfo, UsageDay, UsageRow
from costtui.data.api_errors import InvalidResponseError
from costtui.data.cache_file import (
    BUSY_TIMEOUT_SECONDS,
    UnsafeCacheFileError,
    prepare_cache_file,
)
from costtui.data.config import cache_dir
from costtui.data.usage_parse import parse_api_keys_page, parse_usage_row

USAGE_SCHEMA_VERSION = 1
"""Stored in `PRAGMA user_version`; a file with another version is emptied and rebuilt."""
USAGE_CACHE_FILE_NAME = "usage.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS usage_days (
    org_id TEXT NOT NULL,
    grouping TEXT NOT NULL,
    day TEXT NOT NULL,
    complete INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    rows TEXT NOT NULL, -- JSON: the API's result objects, re-checked on every read
    UNIQUE (org_id, grouping, day)
);
CREATE TABLE IF NOT EXISTS api_keys (
    org_id TEXT PRIMARY KEY,
    keys TEXT NOT NULL -- JSON: the api_keys page shape (names and hints only)
);
"""
_T = TypeVar("_T")


def default_usage_cache_path() -> Path:
    """Return the usage cache file under the per-user cache directory."""
    return cache_dir() / USAGE_CACHE_FILE_NAME


def _encode_row(row: UsageRow) -> dict[str, Any]:
    """Return a row in the API's result shape, so reading it back runs the same checks."""
    return {
        "workspace_id": row.workspace_id, "model": row.model, "service_tier": row.service_tier,
        "context_window": row.context_window, "api_key_id": row.api_key_id,
        "uncached_input_tokens": row.tokens[0],
        "cache_creation": {"ephemeral_5m_input_tokens": row.tokens[1],
                           "ephemeral_1h_input_tokens": row.tokens[2]},
        "cache_read_input_tokens": row.tokens[3], "output_tokens": row.tokens[4],
        "server_tool_use": {"web_search_requests": row.web_search_requests},
    }  # fmt: skip


class UsageCache:
    """Usage days per organisation, grouping and day; a broken file is a warning, not an error."""

    def __init__(self, path: Path | None = None, *, clock: Clock | None = None) -> None:
        self.path = path or default_usage_cache_path()
        self.clock = clock or Clock()
        self.warnings: list[str] = []
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"UsageCache({str(self.path)!r})"

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            prepare_cache_file(self.path)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS,
                                 check_same_thread=False, isolation_level=None)
            if db.execute("PRAGMA user_version").fetchone()[0] != USAGE_SCHEMA_VERSION:
                db.executescript("DROP TABLE IF EXISTS usage_days; DROP TABLE IF EXISTS api_keys;")
                db.execute(f"PRAGMA user_version = {USAGE_SCHEMA_VERSION}")
            db.executescript(_SCHEMA)
            self._connection = db
        return self._connection

    def _run(self, work: Callable[[sqlite3.Connection], _T], default: _T) -> _T:
        """Run `work` on the file; any failure is one warning and the default."""
        try:
            with self._lock:
                return work(self._connect())
        except (sqlite3.Error, OSError, ValueError, UnsafeCacheFileError) as error:
            warning = f"usage cache {self.path} unusable ({error}): tokens are fetched, not cached"
            if warning not in self.warnings:
                self.warnings.append(warning)
            return default

    def load(self, org_id: str, grouping: str, days: Iterable[date], *,
             include_incomplete: bool) -> dict[date, UsageDay]:
        """Return the stored days asked for: complete ones, or every one when asked."""
        wanted = {day.isoformat() for day in days}

        def read(db: sqlite3.Connection) -> list[tuple[str, int, str, str]]:
            found = db.execute("SELECT day, complete, fetched_at, rows FROM usage_days "
                               "WHERE org_id = ? AND grouping = ?", (org_id, grouping))
            return [row for row in found if row[0] in wanted]

        loaded: dict[date, UsageDay] = {}
        nothing: list[tuple[str, int, str, str]] = []
        for text, complete, fetched, rows in self._run(read, nothing):
            if not (complete or include_incomplete):
                continue
            try:
                day = date.fromisoformat(text)
                parsed = tuple(parse_usage_row(day, raw, f"the usage cache, {day}")
                               for raw in json.loads(rows))
                loaded[day] = UsageDay(day, parsed, datetime.fromisoformat(fetched))
            except (ValueError, TypeError, RecursionError, InvalidResponseError):
                continue  # a damaged day is missing: fetched again when online
        return loaded

    def store(self, org_id: str, grouping: str, days: Iterable[UsageDay]) -> None:
        """Store fetched days, each marked complete or not as of now."""
        now = self.clock.now()
        records = [
            (org_id, grouping, usage.day.isoformat(), int(is_day_complete(usage.day, now)),
             now.isoformat(), json.dumps([_encode_row(row) for row in usage.rows]))
            for usage in days
        ]

        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO usage_days VALUES (?, ?, ?, ?, ?, ?)", records)

        self._run(write, None)

    def remember_keys(self, org_id: str, keys: list[ApiKeyInfo]) -> None:
        """Store the organisation's API-key names and hints for offline use."""
        body = {"data": [{"id": key.id, "name": key.name, "partial_key_hint": key.partial_key_hint,
                          "workspace_id": key.workspace_id, "status": key.status}
                         for key in keys]}
        self._run(lambda db: db.execute("INSERT OR REPLACE INTO api_keys VALUES (?, ?)",
                                        (org_id, json.dumps(body))), None)

    def keys(self, org_id: str) -> list[ApiKeyInfo] | None:
        """Return the remembered API keys of an organisation, or None."""
        found = self._run(lambda db: db.execute("SELECT keys FROM api_keys WHERE org_id = ?",
                                                (org_id,)).fetchone(), None)
        if found is None:
            return None
        try:
            return parse_api_keys_page(json.loads(found[0]))[0]
        except (ValueError, TypeError, RecursionError, InvalidResponseError):
            return None
