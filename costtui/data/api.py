"""Async client for the Admin API's cost report, organisation and workspaces."""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import os
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from sys import intern
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from costtui import __version__
from costtui.core.admin_key import AdminKey
from costtui.core.clock import Clock
from costtui.core.dates import DateRange, day_start, parse_api_time
from costtui.core.models import CostItem, DayBucket, Organization, Workspace

DEFAULT_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"
MAX_BUCKETS_PER_PAGE = 31
API_GROUPINGS = ("workspace_id", "description")
RETRYABLE_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
ITEM_DIMENSION_KEYS = (
    "workspace_id",
    "description",
    "cost_type",
    "model",
    "token_type",
    "service_tier",
    "context_window",
    "inference_geo",
)
"""CostItem's dimension keys, in the order of models.CostItem's fields after currency."""

STATUS_HINTS: dict[int, str] = {
    400: "the request was rejected as invalid",
    401: "the Admin key is malformed, revoked or expired: enter a new one",
    402: "the organisation has a billing problem: check Console → Settings → Billing",
    403: "the key lacks permission: a normal API key (sk-ant-api…) was probably used "
    "where an Admin key (sk-ant-admin…) is needed",
    404: "not found: check the base URL (ANTHROPIC_BASE_URL) and path",
    408: "the request timed out: retry later",
    409: "the request conflicted with another: retry",
    413: "the request was too large: choose a shorter date range",
    429: "rate limited by the API: wait a minute and retry",
    500: "the API had an internal error: retry later",
    504: "the API timed out: retry later or choose a shorter range",
    529: "the API is overloaded: retry later",
}


class ApiError(Exception):
    """An Admin API failure carrying status, error type, message and request id."""

    def __init__(
        self,
        hint: str,
        *,
        status: int | None = None,
        error_type: str | None = None,
        api_message: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.hint = hint
        self.status = status
        self.error_type = error_type
        self.api_message = api_message
        self.request_id = request_id
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Return the error as one human line: what happened, the API's words, the request id."""
        head = f"API error {self.status}" if self.status else "API error"
        if self.error_type:
            head += f" ({self.error_type})"
        parts = [f"{head}: {self.hint}"]
        if self.api_message:
            parts.append(f"API said: {self.api_message}")
        if self.request_id:
            parts.append(f"request-id {self.request_id}")
        return "; ".join(parts)


class AuthenticationError(ApiError):
    """The API rejected the key (401)."""


class PermissionDeniedError(ApiError):
    """The key is not allowed to read cost data (403); usually not an Admin key."""


class RateLimitedError(ApiError):
    """The API kept answering 429 after every retry."""


class InvalidResponseError(ApiError):
    """The API answered with a body that is not JSON or not the documented shape."""


class ConnectionFailedError(ApiError):
    """The API could not be reached (DNS, TCP, TLS or timeout)."""


@dataclass(frozen=True, slots=True)
class FetchProgress:
    """How far a cost report fetch has come."""

    windows_done: int
    windows_total: int
    pages_done: int


ProgressCallback = Callable[[FetchProgress], None]
_T = TypeVar("_T")
Sleeper = Callable[[float], Awaitable[None]]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """Return the base URL without a trailing slash; refuse plain http off loopback."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"base URL {url!r} is not an http(s) URL: use https://api.anthropic.com")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            f"base URL {url!r} uses plain http to a non-loopback host, which would expose "
            "the Admin key: use https"
        )
    return url.strip().rstrip("/")


def resolve_base_url(profile_base_url: str | None = None) -> str:
    """Return $ANTHROPIC_BASE_URL, else the profile's base URL, else the public API."""
    chosen = os.environ.get("ANTHROPIC_BASE_URL") or profile_base_url or DEFAULT_BASE_URL
    return validate_base_url(chosen)


def _error_for(response: httpx.Response) -> ApiError:
    """Build the typed error for a failed HTTP response."""
    status = response.status_code
    error_type: str | None = None
    api_message: str | None = None
    request_id = response.headers.get("request-id")
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            error_type = error.get("type") if isinstance(error.get("type"), str) else None
            api_message = error.get("message") if isinstance(error.get("message"), str) else None
        if request_id is None and isinstance(body.get("request_id"), str):
            request_id = body["request_id"]
    hint = STATUS_HINTS.get(status) or (
        "the API had a server error: retry later" if status >= 500 else "the request failed"
    )
    error_class: type[ApiError] = {
        401: AuthenticationError,
        403: PermissionDeniedError,
        429: RateLimitedError,
    }.get(status, ApiError)
    return error_class(
        hint, status=status, error_type=error_type, api_message=api_message, request_id=request_id
    )


def _retry_delay(response: httpx.Response | None, retries_done: int, now: datetime) -> float:
    """Return seconds to wait before the next try, honouring retry-after headers."""
    if response is not None:
        header_ms = response.headers.get("retry-after-ms")
        header_s = response.headers.get("retry-after")
        try:
            if header_ms is not None:
                return max(0.0, float(header_ms) / 1000)
            if header_s is not None:
                return max(0.0, float(header_s))
        except ValueError:
            try:
                moment = email.utils.parsedate_to_datetime(header_s or "")
            except (TypeError, ValueError):
                moment = None
            if moment is not None:
                return max(0.0, (moment - now).total_seconds())
    backoff: float = min(0.5 * 2.0**retries_done, 8.0)
    return backoff * (1 - 0.25 * random.random())


def _should_retry(response: httpx.Response) -> bool:
    """Tell whether a failed response may be retried (x-should-retry wins)."""
    override = response.headers.get("x-should-retry")
    if override == "true":
        return True
    if override == "false":
        return False
    return response.status_code in RETRYABLE_STATUSES


def _parse_item(day: date, raw: Any, where: str) -> CostItem:
    """Parse one CostItem dict, keeping unknown enum values as they come."""
    if not isinstance(raw, dict):
        raise InvalidResponseError(f"invalid response: a result in {where} is not an object")
    try:
        raw_amount = raw["amount"]
        amount = Decimal(raw_amount if isinstance(raw_amount, str) else str(raw_amount))
    except (KeyError, TypeError, InvalidOperation):
        raise InvalidResponseError(
            f"invalid response: a result in {where} has no valid 'amount'"
        ) from None
    if not amount.is_finite():
        raise InvalidResponseError(f"invalid response: a result in {where} has amount {amount}")
    dimensions = [raw.get(key) for key in ITEM_DIMENSION_KEYS]
    currency = raw.get("currency")
    checked = zip((*ITEM_DIMENSION_KEYS, "currency"), (*dimensions, currency), strict=True)
    for key, value in checked:
        if value is not None and not isinstance(value, str):
            raise InvalidResponseError(f"invalid response: '{key}' in {where} is not a string")
    # The same few hundred names repeat on every item of every day: share one copy of each.
    shared = [None if value is None else intern(value) for value in dimensions]
    return CostItem(day, amount, intern(currency) if currency else "USD", *shared)


def parse_cost_page(body: Any, where: str) -> tuple[list[DayBucket], str | None]:
    """Parse one cost_report page into day buckets and the next page token."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise InvalidResponseError(f"invalid response: {where} has no 'data' list")
    buckets: list[DayBucket] = []
    for raw_bucket in body["data"]:
        if not isinstance(raw_bucket, dict) or not isinstance(raw_bucket.get("results"), list):
            raise InvalidResponseError(f"invalid response: a bucket in {where} has no 'results'")
        try:
            day = parse_api_time(str(raw_bucket["starting_at"]))
        except (KeyError, ValueError):
            raise InvalidResponseError(
                f"invalid response: a bucket in {where} has no valid 'starting_at'"
            ) from None
        items = tuple(_parse_item(day, raw, f"{where}, {day}") for raw in raw_bucket["results"])
        buckets.append(DayBucket(day, items))
    next_page = body.get("next_page") if body.get("has_more") else None
    if body.get("has_more") and not isinstance(next_page, str):
        raise InvalidResponseError(f"invalid response: {where} has_more but no next_page")
    return buckets, next_page


def parse_organization(body: Any) -> Organization:
    """Parse the /me body into the organisation."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise InvalidResponseError("invalid response: the organisation (me) has no 'id'")
    name = body.get("name")
    return Organization(body["id"], name if isinstance(name, str) else body["id"])


def parse_workspaces_page(body: Any) -> tuple[list[Workspace], str | None]:
    """Parse one workspaces page into workspaces and the after_id of the next page, if any."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise InvalidResponseError("invalid response: workspaces has no 'data' list")
    workspaces = [
        Workspace(raw["id"], raw["name"] if isinstance(raw.get("name"), str) else raw["id"],
                  archived=raw.get("archived_at") is not None)
        for raw in body["data"]
        if isinstance(raw, dict) and isinstance(raw.get("id"), str)
    ]
    last_id = body.get("last_id")
    more = bool(body.get("has_more")) and isinstance(last_id, str)
    return workspaces, last_id if more else None


class CostClient:
    """Fetches cost reports over httpx, windowed, concurrent, retried and paged."""

    def __init__(
        self,
        admin_key: AdminKey,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 2,
        concurrency: int = 4,
        timeout: float = 60.0,
        sleep: Sleeper = asyncio.sleep,
        clock: Clock | None = None,
    ) -> None:
        self._admin_key = admin_key
        self.base_url = validate_base_url(base_url)
        self.max_retries = max_retries
        self.concurrency = max(1, concurrency)
        self._sleep = sleep
        self._clock = clock or Clock()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={
                "anthropic-version": ANTHROPIC_VERSION,
                "user-agent": f"costtui/{__version__}",
            },
        )
        self.requests_made = 0
        """How many HTTP requests this client sent, retries included."""

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

    async def _get_json(
        self, path: str, params: Mapping[str, Any], where: str, parse: Callable[[Any], _T]
    ) -> _T:
        """GET a path with retries and return its JSON body parsed by `parse`.

        A body that is not JSON or not the documented shape raises InvalidResponseError with
        the response's request-id, which is what support asks for.
        """
        headers = {"x-api-key": self._admin_key.reveal()}
        retries_done = 0
        while True:
            response: httpx.Response | None = None
            try:
                self.requests_made += 1
                response = await self._http.get(path, params=params, headers=headers)
            except httpx.TransportError as error:
                if retries_done >= self.max_retries:
                    raise ConnectionFailedError(
                        f"could not reach {self.base_url} ({type(error).__name__}): "
                        "check the network and ANTHROPIC_BASE_URL, then retry"
                    ) from None
            else:
                if response.is_success:
                    request_id = response.headers.get("request-id")
                    try:
                        body = response.json()
                    except ValueError:
                        raise InvalidResponseError(
                            f"invalid response: {where} is not valid JSON", request_id=request_id
                        ) from None
                    try:
                        return parse(body)
                    except InvalidResponseError as error:
                        raise InvalidResponseError(error.hint, request_id=request_id) from None
                if retries_done >= self.max_retries or not _should_retry(response):
                    raise _error_for(response)
            await self._sleep(_retry_delay(response, retries_done, self._clock.now()))
            retries_done += 1

    async def organization(self) -> Organization:
        """Return the organisation the key belongs to."""
        return await self._get_json(
            "/v1/organizations/me", {}, "the organisation (me)", parse_organization
        )

    async def workspaces(self) -> list[Workspace]:
        """Return every workspace, archived ones included, following after_id pages."""
        found: list[Workspace] = []
        params: dict[str, Any] = {"limit": 1000, "include_archived": "true"}
        while True:
            page, after_id = await self._get_json(
                "/v1/organizations/workspaces", params, "workspaces", parse_workspaces_page
            )
            found.extend(page)
            if after_id is None:
                return found
            params = {**params, "after_id": after_id}

    async def _fetch_window(
        self, window: DateRange, api_group_by: tuple[str, ...], on_page: Callable[[], None]
    ) -> list[DayBucket]:
        """Fetch one window of at most 31 days, following its pages to the end."""
        params: dict[str, Any] = {
            "starting_at": day_start(window.first_day),
            "ending_at": day_start(window.last_day + timedelta(days=1)),
            "bucket_width": "1d",
            "limit": MAX_BUCKETS_PER_PAGE,
        }
        if api_group_by:
            params["group_by[]"] = list(api_group_by)
        buckets: list[DayBucket] = []
        page_number = 1
        while True:
            where = f"cost_report page {page_number} of {window}"
            parse_page = partial(parse_cost_page, where=where)
            page_buckets, next_page = await self._get_json(
                "/v1/organizations/cost_report", params, where, parse_page
            )
            buckets.extend(page_buckets)
            on_page()
            if next_page is None:
                return buckets
            params = {**params, "page": next_page}
            page_number += 1

    async def cost_buckets(
        self,
        date_range: DateRange,
        api_group_by: tuple[str, ...] = (),
        on_progress: ProgressCallback | None = None,
        *,
        refresh: bool = False,
    ) -> list[DayBucket]:
        """Return one bucket per day of the range, fetched in concurrent 31-day windows.

        Every call fetches every day, so `refresh` changes nothing here.
        """
        unknown = [name for name in api_group_by if name not in API_GROUPINGS]
        if unknown:
            raise ValueError(f"unknown API grouping {unknown[0]!r}: use {API_GROUPINGS}")
        windows = date_range.windows(MAX_BUCKETS_PER_PAGE)
        limiter = asyncio.Semaphore(self.concurrency)
        pages_done = 0
        windows_done = 0

        def report() -> None:
            if on_progress is not None:
                on_progress(FetchProgress(windows_done, len(windows), pages_done))

        def page_fetched() -> None:
            nonlocal pages_done
            pages_done += 1
            report()

        async def fetch(window: DateRange) -> list[DayBucket]:
            nonlocal windows_done
            async with limiter:
                buckets = await self._fetch_window(window, api_group_by, page_fetched)
            windows_done += 1
            report()
            return buckets

        report()
        tasks = [asyncio.ensure_future(fetch(window)) for window in windows]
        try:
            results = await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
        by_day = {
            bucket.day: bucket
            for window_buckets in results
            for bucket in window_buckets
            if date_range.first_day <= bucket.day <= date_range.last_day
        }
        return [by_day.get(day) or DayBucket(day, ()) for day in date_range.days()]
