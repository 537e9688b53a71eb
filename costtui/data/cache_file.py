"""The cache file on disk: opened only where it is private and no symlink; SQLite lock helpers."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from time import monotonic, sleep

BUSY_TIMEOUT_SECONDS = 10.0
_CORRUPTION_CODES = frozenset({11, 26})
"""SQLITE_CORRUPT and SQLITE_NOTADB."""
SIDE_FILES = ("-wal", "-shm", "-journal")
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


class UnsafeCacheFileError(Exception):
    """The cache path is a symlink or cannot be made private; the message is one line."""


def _refuse_symlink(path: Path, what: str) -> None:
    if path.is_symlink():
        raise UnsafeCacheFileError(
            f"the cache {what} {path} is a symbolic link; costtui does not follow links there: "
            "remove the link (or set XDG_CACHE_HOME elsewhere)"
        )


def prepare_cache_file(path: Path) -> list[str]:
    """Create the cache directory (0700) and file (0600), refusing symlinks; return warnings.

    An existing directory open to others is tightened to 0700, or a warning says why not.
    """
    warnings: list[str] = []
    directory = path.parent
    _refuse_symlink(directory, "directory")
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        try:
            os.chmod(directory, PRIVATE_DIR_MODE)
        except OSError as error:
            warnings.append(
                f"the cache directory {directory} is open to other users (mode {mode:o}) and "
                f"could not be made private: {error.strerror}"
            )
    for suffix in ("", *SIDE_FILES):
        _refuse_symlink(Path(f"{path}{suffix}"), "file")
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    os.close(os.open(path, flags, PRIVATE_FILE_MODE))
    for suffix in ("", *SIDE_FILES):  # SQLite gives new WAL files the file's mode.
        with suppress(FileNotFoundError):
            os.chmod(f"{path}{suffix}", PRIVATE_FILE_MODE)
    return warnings


def is_corruption(error: sqlite3.DatabaseError) -> bool:
    """Tell whether an error means the file is damaged or foreign, not merely busy."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code in _CORRUPTION_CODES
    return type(error) is sqlite3.DatabaseError


def while_locked(step: Callable[[], object]) -> None:
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
def writing(db: sqlite3.Connection) -> Iterator[None]:
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
