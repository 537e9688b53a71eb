"""Cost pages decoded in a forked second process, so a long report uses both cores.

The worker runs the same `decode_cost_page` and sends back packed columns: the page's distinct
keys once, per day packed key indexes and amounts. It never sees the Admin key's use, never
raises to the user: a doubtful page comes back as None (the caller's referee decides, with its
own messages), and a worker that cannot start or breaks only means decoding in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import signal
import sys
import threading
from array import array
from collections import deque
from datetime import date
from operator import itemgetter

from costtui.core.models import DayBucket, LineKey
from costtui.data.api_columns import decode_cost_page
from costtui.data.bucket_columns import shared_key

_INDEX_TYPE = next(code for code in "IL" if array(code).itemsize == 4)
"""The array typecode of an unsigned 32-bit key index."""

PackedDay = tuple[int, bytes, "bytes | tuple[int, ...]", int]
"""A day's ordinal, packed key indexes, amounts (packed int64, else the ints) and scale."""
PackedPage = tuple[list[LineKey], list[PackedDay], "str | None"]
"""A page's distinct keys, its days and its next page token."""


def packed_page(content: bytes) -> PackedPage | None:
    """Decode a page as `decode_cost_page` does and pack its columns; None if doubtful."""
    decoded = decode_cost_page(content)
    if decoded is None:
        return None
    buckets, next_page = decoded
    index_of: dict[LineKey, int] = {}
    days: list[PackedDay] = []
    for bucket in buckets:
        found = list(map(index_of.get, bucket.keys))
        if None in found:
            found = [index_of.setdefault(key, len(index_of)) for key in bucket.keys]
        indexes = array(_INDEX_TYPE, found).tobytes()  # type: ignore[type-var]  # no None
        try:
            amounts: bytes | tuple[int, ...] = array("q", bucket.amounts).tobytes()
        except OverflowError:  # An amount beyond int64 at this scale: send the ints.
            amounts = bucket.amounts
        days.append((bucket.day.toordinal(), indexes, amounts, bucket.scale))
    return list(index_of), days, next_page


def unpacked_page(packed: PackedPage) -> tuple[list[DayBucket], str | None]:
    """Return the buckets and next page token a packed page holds, keys shared in this process."""
    page_keys, days, next_page = packed
    keys = [shared_key(key) for key in page_keys]
    buckets = []
    for ordinal, indexes, amounts, scale in days:
        positions = array(_INDEX_TYPE)
        positions.frombytes(indexes)
        if isinstance(amounts, bytes):
            column = array("q")
            column.frombytes(amounts)
            values = tuple(column)
        else:
            values = amounts
        buckets.append(DayBucket.from_columns(
            date.fromordinal(ordinal), _picked(keys, positions), values, scale))
    return buckets, next_page


def _picked(keys: list[LineKey], positions: array[int]) -> tuple[LineKey, ...]:
    """Return the keys at the positions, in one C-level step."""
    if len(positions) > 1:
        return itemgetter(*positions)(keys)  # type: ignore[no-any-return]
    return tuple(keys[position] for position in positions)


class WorkerUnavailable(Exception):
    """The worker process broke or was closed: decode in this process instead."""


_HEADER = 8
"""Each message is its length as 8 little-endian bytes, then its bytes."""
_PIPE_BYTES = 1024 * 1024
"""The pipes' capacity asked of Linux (its default limit for a user), so a page passes in few
writes."""
_READ_BYTES = 1024 * 1024


def _read_exactly(fd: int, size: int) -> bytes | None:
    """Read `size` bytes from a blocking descriptor; None at the end of the stream."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    done = 0
    while done < size:
        count = os.readv(fd, [view[done:]])
        if count == 0:
            return None
        done += count
    return bytes(buffer)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve(requests: int, results: int) -> None:
    """The worker's loop: decode each page it is sent and send back its packed columns."""
    while True:
        header = _read_exactly(requests, _HEADER)
        size = None if header is None else int.from_bytes(header, "little")
        content = None if size is None else _read_exactly(requests, size)
        if content is None:
            return
        packed = pickle.dumps(packed_page(content), protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(results, len(packed).to_bytes(_HEADER, "little") + packed)


def _widen(fd: int) -> None:
    """Ask for a wide pipe; the default 64 KiB still works, only with more writes."""
    import fcntl  # Linux only, like the worker.

    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


class DecodeWorker:
    """One forked process that decodes cost pages into buckets, or None for the referee.

    Pages go down one pipe and packed columns come back up another, both driven by the
    event loop (no thread waits on the GIL to move bytes); answers come in the order sent.
    """

    def __init__(self, pid: int, requests: int, results: int) -> None:
        self._pid: int | None = pid
        self._requests, self._results = requests, results
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outgoing: deque[memoryview] = deque()
        self._incoming = bytearray()
        self._waiting: deque[asyncio.Future[PackedPage | None]] = deque()

    @classmethod
    def start(cls) -> DecodeWorker | None:
        """Fork the worker now, or return None where that is not safe or not worth it.

        Forking is safe only before this process starts a thread, on Linux, with a second core.
        """
        if (sys.platform != "linux" or (os.cpu_count() or 1) < 2
                or threading.active_count() != 1):
            return None
        try:
            requests_read, requests_write = os.pipe()
            results_read, results_write = os.pipe()
            _widen(requests_write)
            _widen(results_write)
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # The worker: it never returns, prints nothing, exits quietly on anything.
            code = 0
            try:
                os.close(requests_write)
                os.close(results_read)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # The parent decides, then closes.
                _serve(requests_read, results_write)
            except BaseException:  # noqa: BLE001 - the parent falls back to decoding itself
                code = 1
            finally:
                os._exit(code)
        os.close(requests_read)
        os.close(results_write)
        os.set_blocking(requests_write, False)
        os.set_blocking(results_read, False)
        return cls(pid, requests_write, results_read)

    @property
    def backlog(self) -> int:
        """Pages sent and not answered yet."""
        return len(self._waiting)

    async def decode(self, content: bytes) -> tuple[list[DayBucket], str | None] | None:
        """Return the decoded page, or None if it is doubtful; WorkerUnavailable if broken."""
        if self._pid is None:
            raise WorkerUnavailable
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            loop.add_reader(self._results, self._on_readable)
        elif self._loop is not loop:
            raise WorkerUnavailable  # Bound to an earlier event loop.
        answer: asyncio.Future[PackedPage | None] = loop.create_future()
        self._waiting.append(answer)
        if not self._outgoing:
            loop.add_writer(self._requests, self._on_writable)
        self._outgoing.append(memoryview(len(content).to_bytes(_HEADER, "little")))
        self._outgoing.append(memoryview(content))
        packed = await answer
        return None if packed is None else unpacked_page(packed)

    def _on_writable(self) -> None:
        try:
            while self._outgoing:
                head = self._outgoing[0]
                written = os.write(self._requests, head[:_PIPE_BYTES])
                if written < len(head):
                    self._outgoing[0] = head[written:]
                    return
                self._outgoing.popleft()
        except BlockingIOError:
            return
        except OSError:
            self._broken()
            return
        if self._loop is not None:
            self._loop.remove_writer(self._requests)

    def _on_readable(self) -> None:
        try:
            chunk = os.read(self._results, _READ_BYTES)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._broken()
            return
        self._incoming += chunk
        while len(self._incoming) >= _HEADER:
            size = int.from_bytes(self._incoming[:_HEADER], "little")
            if len(self._incoming) < _HEADER + size:
                return
            message = bytes(self._incoming[_HEADER:_HEADER + size])
            del self._incoming[:_HEADER + size]
            answer = self._waiting.popleft()
            if not answer.done():  # A fetch cancelled meanwhile no longer wants it.
                answer.set_result(pickle.loads(message))

    def _broken(self) -> None:
        """Fail every page still waiting: their callers decode them in-process."""
        self.close()

    def close(self) -> None:
        """Stop the worker process and fail the pages still waiting for it."""
        pid, self._pid = self._pid, None
        if pid is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._results)
            self._loop.remove_writer(self._requests)
        for fd in (self._requests, self._results):
            with contextlib.suppress(OSError):
                os.close(fd)
        while self._waiting:
            answer = self._waiting.popleft()
            if not answer.done():
                answer.set_exception(WorkerUnavailable())
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)  # Our own child, by its id: it may be mid-page.
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
