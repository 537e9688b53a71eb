"""Async client for the Admin API's cost report, organisation and workspaces."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

import httpx

from costtui import __version__
from costtui.core.admin_key import AdminKey
from costtui.core.clock import Clock
from costtui.core.dates import DateRange, day_start
from costtui.core.models import DayBucket, Organization, Workspace
from costtui.core.text import clean_text
from costtui.data.api_bodies import PAGE_BODIES_AT_ONCE, BodyTurn, Pause, within_deadline
from costtui.data.api_columns import decode_cost_page, shared_bucket
from costtui.data.api_errors import (
    STATUS_HINTS,
    ApiError,
    AuthenticationError,
    ConnectionFailedError,
    InvalidResponseError,
    PermissionDeniedError,
    RateLimitedError,
    error_for,
)
from costtui.data.api_parse import (
    ITEM_DIMENSION_KEYS,
    check_window,
    next_page_params,
    parse_cost_page,
    parse_organization,
    parse_workspaces_page,
    too_many_pages,
)
from costtui.data.api_retry import (
    MAX_RETRY_AFTER_SECONDS,
    backoff,
    hopeless_failure,
    retry_reason,
    server_delay,
    should_retry,
    wait_text,
)
from costtui.data.base_url import DEFAULT_BASE_URL, resolve_base_url, validate_base_url
from costtui.data.progress import FetchProgress, ProgressCallback

__all__ = [
    "API_GROUPINGS",
    "DEFAULT_BASE_URL",
    "ITEM_DIMENSION_KEYS",
    "MAX_BUCKETS_PER_PAGE",
    "STATUS_HINTS",
    "ApiError",
    "AuthenticationError",
    "ConnectionFailedError",
    "CostClient",
    "FetchProgress",
    "InvalidResponseError",
    "PermissionDeniedError",
    "ProgressCallback",
    "RateLimitedError",
    "parse_cost_page",
    "resolve_base_url",
    "validate_base_url",
]

ANTHROPIC_VERSION = "2023-06-01"
MAX_BUCKETS_PER_PAGE = 31
API_GROUPINGS = ("workspace_id", "description")
CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 30.0
REQUEST_DEADLINE_SECONDS = 60.0
"""Each request (connect, send, every byte of the body) must finish within this many seconds."""
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""No response body may exceed this, counted after decompression."""
MAX_WORKSPACE_PAGES = 100
"""At 1,000 workspaces a page: more pages than this is a server that never stops."""
DEFAULT_CONCURRENCY = 12
"""Cost windows in flight at once: a year (12 windows) in one wave, with the year before in two."""
SPARE_CONNECTIONS = 4
"""Kept-alive connections beyond the cost windows': /me, workspaces and other reports."""

RetryListener = Callable[[str, float], None]
_RETRY_LISTENER: ContextVar[RetryListener | None] = ContextVar("retry_listener", default=None)
"""Who hears about a retry (reason, seconds) in the fetch under way: its progress callback."""
_T = TypeVar("_T")
Sleeper = Callable[[float], Awaitable[None]]


class _TooLarge(Exception):
    """The response body passed the size cap."""


@dataclass(frozen=True, slots=True)
class _Answer:
    """A response with its whole (decompressed) body."""

    response: httpx.Response
    content: bytes


class CostClient:
    """Fetches cost reports over httpx, windowed, concurrent, retried and paged, all bounded."""

    def __init__(
        self,
        admin_key: AdminKey,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 2,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float = READ_TIMEOUT_SECONDS,
        request_deadline: float | None = None,
        max_response_bytes: int | None = None,
        sleep: Sleeper = asyncio.sleep,
        clock: Clock | None = None,
    ) -> None:
        self._admin_key = admin_key
        self.base_url = validate_base_url(base_url)
        self.max_retries = max_retries
        self.concurrency = max(1, concurrency)
        self.request_deadline = request_deadline or REQUEST_DEADLINE_SECONDS
        """Seconds one request may take in all (connect, send, the whole body)."""
        self.max_response_bytes = max_response_bytes or MAX_RESPONSE_BYTES
        """The largest body accepted, counted after decompression."""
        self._sleep = sleep
        self._clock = clock or Clock()
        """Read only to turn an HTTP-date retry-after into seconds."""
        try:
            self._http = httpx.AsyncClient(
                base_url=self.base_url,
                transport=transport,
                limits=httpx.Limits(
                    max_connections=2 * self.concurrency + SPARE_CONNECTIONS,
                    max_keepalive_connections=self.concurrency + SPARE_CONNECTIONS,
                ),
                timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_SECONDS)),
                headers={
                    "anthropic-version": ANTHROPIC_VERSION,
                    "user-agent": f"costtui/{__version__}",
                },
            )
        except httpx.InvalidURL as error:
            raise ValueError(f"base URL {clean_text(base_url)!r} is not usable: {error}") from None
        self.requests_made = 0
        """How many HTTP requests this client sent, retries included."""
        self._decoding = asyncio.Semaphore(1)
        self._page_bodies = asyncio.Semaphore(PAGE_BODIES_AT_ONCE)
        """Turns to read a cost page's body: the bodies waiting to decode stay few."""
        """One page decodes at a time: more threads would starve the event loop of the GIL."""

    uses_cache = False
    """Every day comes straight from the API."""
    offline = False
    """The client always calls the API."""

    def take_warnings(self) -> list[str]:
        """Return no warnings: problems of the API are raised as errors."""
        return []

    def __repr__(self) -> str:
        return f"CostClient(base_url={self.base_url!r}, key={self._admin_key.masked()!r})"

    async def __aenter__(self) -> CostClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def _receive(
        self, path: str, params: Mapping[str, Any], turn: BodyTurn | None, pause: Pause
    ) -> _Answer:
        """Send one GET and read its whole body, refusing one larger than the cap; with a
        `turn`, a successful body is read once the turn is taken (the deadline paused)."""
        headers = {"x-api-key": self._admin_key.reveal()}
        async with self._http.stream("GET", path, params=params, headers=headers) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_response_bytes:
                raise _TooLarge
            if turn is not None and response.is_success:
                async with pause():
                    await turn.take()
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():  # decompressed: a zip bomb is counted
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise _TooLarge
            return _Answer(response, b"".join(chunks))  # one copy (none for a single chunk)

    def _masked_content(self, content: bytes) -> bytes:
        """Return a body with this client's own key masked (an echoing proxy may hold it)."""
        secret = self._admin_key.reveal().encode("utf-8", "replace")
        return content.replace(secret, self._admin_key.masked().encode())

    async def _get_json(
        self, path: str, params: Mapping[str, Any], where: str, parse: Callable[[Any], _T]
    ) -> _T:
        """GET a path with bounded retries and return its JSON body parsed by `parse`.

        A body that is not JSON or not the documented shape raises InvalidResponseError with
        the response's request-id, which is what support asks for.
        """
        return self._parse(await self._get_answer(path, params, where), where, parse)

    async def _get_answer(
        self, path: str, params: Mapping[str, Any], where: str, turn: BodyTurn | None = None
    ) -> _Answer:
        """GET a path with bounded retries and return the successful answer, body read whole
        (with a `turn`, once it is this body's turn to be read)."""
        retries_done = 0
        while True:
            answer: _Answer | None = None
            try:
                self.requests_made += 1
                answer = await within_deadline(
                    partial(self._receive, path, params, turn), self.request_deadline)
            except _TooLarge:
                limit = self.max_response_bytes // (1024 * 1024)
                raise InvalidResponseError(
                    f"invalid response: {where} is larger than {limit} MiB: "
                    "choose a shorter date range"
                ) from None
            except (httpx.TransportError, UnicodeEncodeError, asyncio.TimeoutError) as error:
                hopeless = hopeless_failure(error, self.base_url)
                if hopeless:
                    raise ConnectionFailedError(hopeless) from None
                if retries_done >= self.max_retries:
                    kind = (
                        f"no complete answer within {self.request_deadline:g} s"
                        if isinstance(error, asyncio.TimeoutError)
                        else type(error).__name__
                    )
                    raise ConnectionFailedError(
                        f"could not reach {self.base_url} ({kind}): "
                        "check the network and ANTHROPIC_BASE_URL, then retry"
                    ) from None
            else:
                response = answer.response
                if response.is_success:
                    return answer
                if retries_done >= self.max_retries or not should_retry(response):
                    raise error_for(response, self._masked_content(answer.content))
            delay = self._next_delay(answer, retries_done)
            listener = _RETRY_LISTENER.get()
            if listener is not None:
                status = None if answer is None else answer.response.status_code
                listener(retry_reason(status), delay)
            await self._sleep(delay)
            retries_done += 1

    def _next_delay(self, answer: _Answer | None, retries_done: int) -> float:
        """Return the wait before the next try; a server asking for too long ends the request."""
        asked = None if answer is None else server_delay(answer.response, self._clock.now())
        if asked is None:
            return backoff(retries_done)
        if asked > MAX_RETRY_AFTER_SECONDS:
            assert answer is not None
            suffix = (
                f"; the API asks to wait {wait_text(asked)}, longer than costtui waits "
                f"({MAX_RETRY_AFTER_SECONDS:g} s): retry in {wait_text(asked)}"
            )
            raise error_for(answer.response, self._masked_content(answer.content), suffix)
        return asked

    def _parse(self, answer: _Answer, where: str, parse: Callable[[Any], _T]) -> _T:
        """Decode a successful body and parse it, naming the request-id when it is invalid."""
        request_id = answer.response.headers.get("request-id")
        try:
            body = json.loads(answer.content, parse_float=Decimal)
        except (ValueError, RecursionError):
            raise InvalidResponseError(
                f"invalid response: {where} is not valid JSON", request_id=request_id
            ) from None
        try:
            return parse(body)
        except RecursionError:
            raise InvalidResponseError(
                f"invalid response: {where} is nested too deeply", request_id=request_id
            ) from None
        except InvalidResponseError as error:
            raise InvalidResponseError(error.hint, request_id=request_id) from None

    async def get_json(
        self, path: str, params: Mapping[str, Any], where: str, parse: Callable[[Any], _T]
    ) -> _T:
        """GET another Admin API path with this client's retries, limits and errors.

        The body is decoded in a thread: a year of usage is megabytes, not for the UI loop.
        """
        answer = await self._get_answer(path, params, where)
        async with self._decoding:
            return await asyncio.to_thread(self._parse, answer, where, parse)

    def _parse_cost_page(self, answer: _Answer, where: str) -> tuple[list[DayBucket], str | None]:
        """Decode a cost_report page fast; a doubtful one is parsed by the strict referee."""
        fast = decode_cost_page(answer.content)
        if fast is not None:
            return fast
        buckets, next_page = self._parse(answer, where, partial(parse_cost_page, where=where))
        return [shared_bucket(bucket) for bucket in buckets], next_page

    async def organization(self) -> Organization:
        """Return the organisation the key belongs to."""
        return await self._get_json(
            "/v1/organizations/me", {}, "the organisation (me)", parse_organization
        )

    async def workspaces(self) -> list[Workspace]:
        """Return every workspace, archived ones included, following after_id pages."""
        found: list[Workspace] = []
        params: dict[str, Any] = {"limit": 1000, "include_archived": "true"}
        seen_ids: set[str] = set()
        for _ in range(MAX_WORKSPACE_PAGES):
            page, after_id = await self._get_json(
                "/v1/organizations/workspaces", params, "workspaces", parse_workspaces_page
            )
            found.extend(page)
            if after_id is None:
                return found
            if after_id in seen_ids:
                raise InvalidResponseError(
                    "invalid response: workspaces repeats the after_id of an earlier page"
                )
            seen_ids.add(after_id)
            params = {**params, "after_id": after_id}
        raise InvalidResponseError(
            f"invalid response: workspaces has more than {MAX_WORKSPACE_PAGES} pages"
        )

    async def _fetch_window(
        self, window: DateRange, api_group_by: tuple[str, ...], on_page: Callable[[], None]
    ) -> list[DayBucket]:
        """Fetch one window of at most 31 days, following its pages to the end (bounded)."""
        params: dict[str, Any] = {
            "starting_at": day_start(window.first_day),
            "ending_at": day_start(window.last_day + timedelta(days=1)),
            "bucket_width": "1d",
            "limit": MAX_BUCKETS_PER_PAGE,
        }
        if api_group_by:
            params["group_by[]"] = list(api_group_by)
        buckets: list[DayBucket] = []
        seen_tokens: set[str] = set()
        for page_number in range(1, window.day_count + 1):
            where = f"cost_report page {page_number} of {window}"
            turn = BodyTurn(self._page_bodies)
            try:
                answer = await self._get_answer("/v1/organizations/cost_report", params, where,
                                                turn)
                async with self._decoding:  # Milliseconds: off the event loop, for a UI's sake.
                    page_buckets, next_page = await asyncio.to_thread(
                        self._parse_cost_page, answer, where)
                del answer  # Its body is decoded: no longer in flight.
            finally:
                turn.give_back()
            buckets.extend(page_buckets)
            on_page()
            if next_page is None:
                return check_window(buckets, window, f"cost_report of {window}")
            params = next_page_params(params, next_page, seen_tokens, where)
        raise too_many_pages("cost_report", window)

    async def cost_buckets(
        self,
        date_range: DateRange,
        api_group_by: tuple[str, ...] = (),
        on_progress: ProgressCallback | None = None,
        *,
        refresh: bool = False,
    ) -> list[DayBucket]:
        """Return a bucket per day of the range the API sent, fetched in concurrent windows.

        A day the API left out is absent from the result (missing), never invented as $0.
        Every call fetches every day, so `refresh` changes nothing here.
        """
        unknown = [name for name in api_group_by if name not in API_GROUPINGS]
        if unknown:
            raise ValueError(f"unknown API grouping {unknown[0]!r}: use {API_GROUPINGS}")
        windows = date_range.windows(MAX_BUCKETS_PER_PAGE)
        limiter = asyncio.Semaphore(self.concurrency)
        pages_done = 0
        windows_done = 0

        waiting: dict[int, tuple[str, float]] = {}
        """Windows whose request waits to be retried: (reason, seconds), until it answers."""

        def report() -> None:
            if on_progress is not None:
                reason, seconds = next(iter(waiting.values()), (None, 0.0))
                on_progress(FetchProgress(windows_done, len(windows), pages_done, reason, seconds))

        def retrying(index: int, reason: str, seconds: float) -> None:
            waiting[index] = (reason, seconds)
            report()

        def page_fetched(index: int) -> None:
            nonlocal pages_done
            waiting.pop(index, None)
            pages_done += 1
            report()

        async def fetch(index: int, window: DateRange) -> list[DayBucket]:
            nonlocal windows_done
            _RETRY_LISTENER.set(partial(retrying, index))  # this window's task only
            async with limiter:
                buckets = await self._fetch_window(
                    window, api_group_by, partial(page_fetched, index))
            windows_done += 1
            report()
            return buckets

        report()
        tasks = [asyncio.ensure_future(fetch(index, window))
                 for index, window in enumerate(windows)]
        try:
            results = await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
        return [bucket for window_buckets in results for bucket in window_buckets]
