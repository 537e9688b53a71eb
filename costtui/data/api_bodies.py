"""Cost page bodies in flight: read in large steps, a few at a time, under a deadline that
waiting for a turn does not use.

A year is a dozen pages asked at once; reading every body as it comes would hold them all in
memory while they wait to be decoded one by one. A page takes its turn once its response
headers say success and gives it back when decoded; a page waiting for its turn leaves its
body in the socket (the kernel's buffer, then the server, wait). The request's deadline is
about the server, so it is paused while a page waits for its turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

import httpcore

BODY_READ_BYTES = 256 * 1024
"""Bytes httpcore asks the socket for at once: its 64 KiB costs four times the calls, and
anyio splits each 256 KiB that asyncio receives into four copies; a year is up to 230 MiB."""
if getattr(httpcore.AsyncHTTP11Connection, "READ_NUM_BYTES", BODY_READ_BYTES) < BODY_READ_BYTES:
    httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = BODY_READ_BYTES  # a class-wide read size

PAGE_BODIES_AT_ONCE = 2
"""Cost page bodies read and not yet decoded, at most: one decoding, the next arriving."""

_T = TypeVar("_T")
Pause = Callable[[], AbstractAsyncContextManager[None]]
"""Enter it to stop a request's deadline clock for a while (waiting for a turn)."""


class BodyTurn:
    """One page's turn to read its body: taken at most once, given back exactly once."""

    def __init__(self, turns: asyncio.Semaphore) -> None:
        self._turns = turns
        self._held = False

    async def take(self) -> None:
        """Wait for a turn, unless this page holds one already (a retried request)."""
        if not self._held:
            await self._turns.acquire()
            self._held = True

    def give_back(self) -> None:
        """Let the next page read its body (nothing if no turn was taken)."""
        if self._held:
            self._held = False
            self._turns.release()


class _Deadline:
    """Cancels a task when its time is up, with the clock stopped while paused."""

    def __init__(self, task: asyncio.Future[Any], seconds: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = task
        self._remaining = seconds
        self._timer: asyncio.TimerHandle | None = None
        self.expired = False
        self.resume()

    def _expire(self) -> None:
        self.expired = True
        self._task.cancel()

    def resume(self) -> None:
        if self._timer is None and not self.expired:
            self._timer = self._loop.call_at(self._loop.time() + self._remaining, self._expire)

    def pause(self) -> None:
        if self._timer is not None:
            self._remaining = self._timer.when() - self._loop.time()
            self._timer.cancel()
            self._timer = None

    @asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        self.pause()
        try:
            yield
        finally:
            self.resume()


async def within_deadline(work: Callable[[Pause], Awaitable[_T]], seconds: float) -> _T:
    """Run `work(pause)` in a task; asyncio.TimeoutError if it runs longer than `seconds`,
    not counting the time it spends inside `pause()`."""
    deadline: _Deadline | None = None

    def pause() -> AbstractAsyncContextManager[None]:
        assert deadline is not None
        return deadline.paused()

    async def run() -> _T:
        return await work(pause)

    task = asyncio.ensure_future(run())
    deadline = _Deadline(task, seconds)
    try:
        return await task
    except asyncio.CancelledError:
        if deadline.expired and task.cancelled():
            raise asyncio.TimeoutError from None
        raise
    finally:
        deadline.pause()
        if not task.done():
            task.cancel()
