"""The cache file's tables and schema version: created in a new file, upgraded in an old one."""

from __future__ import annotations

import sqlite3

from costtui.data.cache_codec import UnusableFileError

SCHEMA_VERSION = 3
"""Stored in `PRAGMA user_version`; an older file's days are dropped, a newer file moved aside."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS organizations (
    org_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    workspaces_json TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS profiles (
    profile TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
CREATE TABLE line_keys (
    org_id TEXT NOT NULL,
    grouping TEXT NOT NULL,
    idx INTEGER NOT NULL,
    key TEXT NOT NULL, -- JSON array of a line key's texts (models.LINE_KEY_FIELDS)
    PRIMARY KEY (org_id, grouping, idx)
) WITHOUT ROWID;
CREATE TABLE days (
    org_id TEXT NOT NULL,
    grouping TEXT NOT NULL,
    day TEXT NOT NULL,
    complete INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    line_count INTEGER NOT NULL,
    scale INTEGER NOT NULL,
    key_indexes BLOB NOT NULL, -- little-endian uint32 per line, into line_keys
    amounts BLOB, -- little-endian int64 per line: cents * 10**scale, or NULL (see amounts_text)
    amounts_text TEXT, -- the amounts as comma-separated integers when one exceeds int64
    key_sums BLOB, -- little-endian int64 per line_keys index up to the last one used: the
                   -- day's amount of that key, or NULL when one exceeds int64
    UNIQUE (org_id, grouping, day)
);
"""
TABLES = frozenset({"organizations", "profiles", "line_keys", "days"})
_OLD_DAY_TABLES = ("days",)
"""Tables of an older schema dropped on upgrade (organisations and profiles are kept)."""


def _create(db: sqlite3.Connection) -> None:
    for statement in filter(str.strip, _SCHEMA.split(";")):
        db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def check_schema(db: sqlite3.Connection) -> int | None:
    """Create the schema in an empty file, upgrade an older one, refuse a foreign or newer one.

    Returns the old version when an older file's days were dropped (names and profiles stay).
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        upgraded_from = None
        if version == 0 and not tables:
            _create(db)
        elif 0 < version < SCHEMA_VERSION and "days" in tables:
            for table in (*_OLD_DAY_TABLES, "line_keys"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            _create(db)
            upgraded_from = version
        elif version > SCHEMA_VERSION:
            raise UnusableFileError(
                f"schema version {version} is newer than this costtui's {SCHEMA_VERSION}"
            )
        elif version != SCHEMA_VERSION or not TABLES <= tables:
            raise UnusableFileError(f"not a costtui cache of schema {SCHEMA_VERSION}")
        db.execute("COMMIT")
        return upgraded_from
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
