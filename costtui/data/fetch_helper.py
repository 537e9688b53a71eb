"""A forked helper process that fetches and stores a report's earlier complete windows.

A cold report is bound by one core (the GIL); the helper parses and stores the earlier windows
on the other core through the normal cache path, while this process fetches the rest. The
helper is an optimisation only: it prints nothing, and any day it did not store is fetched here.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from costtui.core.dates import DateRange
from costtui.data.cache import CacheError, CostCache
from costtui.data.cached_source import plan_windows

HELPER_SHARE = 0.5
"""The share of the windows left to fetch that the helper takes (the earliest ones)."""
_PR_SET_PDEATHSIG = 1
"""prctl(2): the option that sets the signal a Linux process gets when its parent dies."""


def can_fork(min_cpus: int) -> bool:
    """Tell whether a helper may be forked now: on Linux, one thread, enough CPUs.

    Linux only: there a parent's death can end the child, and a fork is safe for what a report
    has loaded (macOS's system frameworks, which keyring may load, are not safe to fork).
    """
    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and len(os.sched_getaffinity(0)) >= min_cpus)


@dataclass(frozen=True, slots=True)
class HelperPlan:
    """What a helper fetches: a range of complete days, and the days of it the cache lacks."""

    date_range: DateRange
    days: frozenset[date]
    cache_was_empty: bool
    """Whether the cache held no day of any organisation, for both processes to go by."""


def plan_helper(
    cache: CostCache,
    profile: str,
    api_group_by: Sequence[str],
    date_range: DateRange,
    *,
    min_windows: int,
    share: float = HELPER_SHARE,
) -> HelperPlan | None:
    """Peek at the cache (closed again after) and return the helper's share, or None (fewer
    than `min_windows` windows left to fetch do not pay a fork).

    Without a remembered organisation (a first run) every day of the range counts as missing.
    """
    try:
        remembered = cache.organization_for_profile(profile)
        states = cache.day_states(remembered.id, api_group_by, date_range) if remembered else {}
        was_empty = cache.holds_no_days()
    except CacheError:
        return None  # The report meets the same error and says so; no helper.
    finally:
        cache.close()
    missing = [day for day in date_range.days()
               if not (day in states and states[day].complete)]
    windows = plan_windows(missing)
    if len(windows) < min_windows:
        return None
    chosen: list[DateRange] = []
    for window in windows[:max(1, round(len(windows) * share))]:
        if not all(cache.is_complete(day) for day in window.days()):
            break  # Only complete days: an incomplete one is always fetched by the report.
        chosen.append(window)
    if not chosen:
        return None
    helper_range = DateRange(chosen[0].first_day, chosen[-1].last_day)
    days = frozenset(
        day for day in missing if helper_range.first_day <= day <= helper_range.last_day)
    return HelperPlan(helper_range, days, was_empty)


class HelperProcess:
    """A forked child running one piece of work silently; `finished` waits, `stop` ends it."""

    def __init__(self, pid: int, exit_fd: int, days: frozenset[date]) -> None:
        self.pid = pid
        self.days = days
        """The days the helper fetches and stores, for the report to load from the cache."""
        self._exit_fd = exit_fd
        """Read end of a pipe whose only writer is the child: end of file once it exits."""
        self._reaped = False

    @classmethod
    def start(cls, days: frozenset[date], work: Callable[[], object]) -> HelperProcess | None:
        """Fork a child that runs `work` with no terminal and exits; None if fork fails.

        Call only where `can_fork` holds and no SQLite connection is open.
        """
        read_fd, write_fd = os.pipe()
        parent_pid = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return None
        if pid == 0:  # pragma: no cover - the child; coverage does not follow a fork
            _run_child(read_fd, parent_pid, work)
        os.close(write_fd)
        return cls(pid, read_fd, days)

    async def finished(self) -> None:
        """Wait without blocking the event loop until the child has exited, then reap it."""
        if self._reaped:
            return
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[None] = loop.create_future()

        def on_exit() -> None:
            if not exited.done():
                exited.set_result(None)

        loop.add_reader(self._exit_fd, on_exit)
        try:
            await exited
        finally:
            loop.remove_reader(self._exit_fd)
        self._reap()

    def stop(self) -> None:
        """Kill the child if it still runs and reap it: no orphan, no zombie. Idempotent."""
        if not self._reaped:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def _reap(self) -> None:
        with suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self._reaped = True
        os.close(self._exit_fd)


def _die_with_parent(parent_pid: int) -> None:  # pragma: no cover - the child
    """Have Linux kill this child when its parent dies (even by SIGKILL), else exit if it has.

    Only Linux forks a helper (see `can_fork`).
    """
    import ctypes

    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # The parent died before the request took effect.
        os._exit(1)


def _run_child(
    read_fd: int, parent_pid: int, work: Callable[[], object]
) -> None:  # pragma: no cover - the child
    """Run the work with stdin, stdout and stderr on /dev/null, then leave at once (os._exit)."""
    code = 1
    try:
        _die_with_parent(parent_pid)
        os.close(read_fd)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        work()
        code = 0
    except BaseException:  # noqa: BLE001, S110 - silent by design: the report fetches anyway
        pass
    finally:
        os._exit(code)
