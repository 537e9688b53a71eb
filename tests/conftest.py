"""Suite-wide isolation: temporary XDG dirs, an in-memory keyring, a clean environment."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.core
import keyring.errors
import pytest
import time_machine
from keyring.backend import KeyringBackend

from costtui.data.demo_source import DEMO_FIRST_REPORT_THREAD

SENTINEL_KEY = "sk-ant-admin01-SENTINEL-do-not-leak-7f3a9c"
"""A fake Admin key that tests search for in every output, repr and file: it must never leak."""

WALL_CLOCK_ENV = "COSTTUI_TEST_WALL_CLOCK"
"""Set to an ISO moment (e.g. 2028-02-29T23:30:00+00:00) to run the suite with the wall clock
moved there: tests choose their own "now", so the suite must pass on any date (CI proves it)."""
_moved_clock = pytest.StashKey["time_machine.travel"]()


def pytest_configure(config: pytest.Config) -> None:
    """Move the wall clock for the whole run when COSTTUI_TEST_WALL_CLOCK asks for it."""
    moment = os.environ.get(WALL_CLOCK_ENV)
    if moment:
        traveller = time_machine.travel(datetime.fromisoformat(moment), tick=True)
        traveller.start()
        config.stash[_moved_clock] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    """Put the wall clock back."""
    traveller = config.stash.get(_moved_clock, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str:
    """Say which wall clock the run sees."""
    return f"wall clock: {datetime.now().astimezone().isoformat(timespec='seconds')}"


ENV_VARS_TO_CLEAR = ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_ANIMATIONS", "TEXTUAL_FILTERS")
ENV_PREFIXES_TO_CLEAR = ("COSTTUI_", "ANTHROPIC_")


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict, for tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """Return the stored password or None."""
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a password."""
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Delete a password, raising PasswordDeleteError like real backends when absent."""
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("password not found")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point XDG dirs at tmp_path and drop variables that change costtui or Textual."""
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.removeprefix("XDG_").lower()))
    for name in list(os.environ):
        if name in ENV_VARS_TO_CLEAR or name.startswith(ENV_PREFIXES_TO_CLEAR):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def no_demo_thread_left_running(isolated_environment: None) -> Iterator[None]:
    """Wait for the demo's first-report threads a test started (`DemoSource.prepare`).

    Left running, they overlap the next tests' environment changes: harmless in Python, but
    libfaketime reads the environment on every clock call, and setenv beside it can crash.
    """
    yield
    for thread in threading.enumerate():
        if thread.name == DEMO_FIRST_REPORT_THREAD:
            thread.join()


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Install an empty in-memory keyring; the previous backend is restored afterwards."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend


@pytest.fixture
def no_keyring(memory_keyring: MemoryKeyring) -> keyring.backends.fail.Keyring:
    """Replace the in-memory keyring with the backend keyring uses when none is installed."""
    backend = keyring.backends.fail.Keyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def sentinel_key() -> str:
    """Return the fake Admin key that must never appear in output or files."""
    return SENTINEL_KEY


@pytest.fixture
def files_with_secret(tmp_path: Path) -> Callable[[str], list[Path]]:
    """Return a finder of the files under tmp_path (config, cache, …) that contain a secret."""

    def find(secret: str) -> list[Path]:
        needle = secret.encode()
        return [
            path for path in tmp_path.rglob("*") if path.is_file() and needle in path.read_bytes()
        ]

    return find
