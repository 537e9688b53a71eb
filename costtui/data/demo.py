"""An in-process fake of the Admin API serving the demo organisation, with injectable faults."""

from __future__ import annotations

import asyncio
import base64
import binascii
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import msgspec

from costtui.data.demo_org import (
    DEMO_BASE_URL,
    DEMO_BUDGETS,
    DEMO_KEY,
    DemoOrganization,
    cost_report_body,
    demo_spike_day,
    stamp,
)

__all__ = [
    "DEMO_BASE_URL",
    "DEMO_BUDGETS",
    "DEMO_KEY",
    "DemoApi",
    "DemoFaults",
    "DemoOrganization",
    "DemoTransport",
    "demo_spike_day",
    "demo_transport",
]

_PREFIX = "/v1/organizations"
_GROUPS = ("workspace_id", "description")
USAGE_REPORT_PATH = "/usage_report/messages"
_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "There was an issue with the format of your request."),
    401: ("authentication_error", "invalid x-api-key"),
    402: ("billing_error", "There is an issue with your organization's billing."),
    403: ("permission_error", "Your API key does not have permission to use this resource."),
    404: ("not_found_error", "The requested resource could not be found."),
    405: ("invalid_request_error", "Method not allowed: the Admin API only answers GET here."),
    409: ("conflict_error", "Conflict: please retry the request."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of requests has exceeded your rate limit."),
    500: ("api_error", "Internal server error."),
    504: ("timeout_error", "The request timed out while processing."),
    529: ("overloaded_error", "Overloaded"),
}



@dataclass(frozen=True)
class DemoFaults:
    """Faults the fake API injects, for tests and the benchmark."""

    rate_limit_first: int = 0
    """The first N cost_report requests answer 429 with `retry-after: 0`."""
    overloaded_first: int = 0
    """The next N cost_report requests (after the 429s) answer 529 overloaded_error."""
    broken_json_page: int | None = None
    """The Nth (1-based, counting every cost_report request) answers 200 with a non-JSON body."""
    bad_shape_page: int | None = None
    """The Nth cost_report request answers 200 with valid JSON that lacks `data`."""
    latency_seconds: float = 0.0
    """Seconds the transport sleeps before every response."""
    status_always: int | None = None
    """Every request answers this HTTP status with the API's error body."""


class _ApiError(Exception):
    """An error answer: HTTP status, message and extra headers."""

    def __init__(
        self, status: int, message: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message or _ERRORS.get(status, ("api_error", "Error."))[1]
        self.headers = headers or {}


def _bad(message: str) -> _ApiError:
    """Return a 400 invalid_request_error with `message`."""
    return _ApiError(400, message)


def _parse_time(text: str, name: str) -> datetime:
    """Parse an RFC 3339 timestamp with an offset into UTC, or raise a 400."""
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
    except ValueError:
        raise _bad(f"{name}: {text!r} is not a valid RFC 3339 date-time") from None
    if moment.tzinfo is None:
        raise _bad(f"{name}: {text!r} must include a UTC offset, e.g. 2025-01-01T00:00:00Z")
    return moment.astimezone(timezone.utc)


def _parse_int(params: httpx.QueryParams, name: str, default: int, high: int) -> int:
    """Parse an integer parameter in 1..high, or raise a 400."""
    text = params.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise _bad(f"{name}: {text!r} is not an integer") from None
    if not 1 <= value <= high:
        raise _bad(f"{name}: must be between 1 and {high}, got {value}")
    return value


def _page_token(day: date) -> str:
    """Return the opaque page token that resumes at `day`."""
    return "page_" + base64.b64encode(stamp(day).encode()).decode()


def _parse_page(token: str) -> date:
    """Decode a page token issued by `_page_token`, or raise a 400."""
    try:
        if not token.startswith("page_"):
            raise ValueError(token)
        text = base64.b64decode(token.removeprefix("page_"), validate=True).decode("ascii")
        moment = _parse_time(text, "page")
    except (ValueError, binascii.Error, UnicodeDecodeError, _ApiError):
        raise _bad(f"page: {token!r} is not a valid page token") from None
    if moment.time() != datetime.min.time():
        raise _bad(f"page: {token!r} is not a valid page token")
    return moment.date()


class DemoApi:
    """Answers Admin API requests from a DemoOrganization, following API.md."""

    def __init__(
        self,
        org: DemoOrganization | None = None,
        *,
        faults: DemoFaults = DemoFaults(),
        check_key: bool = True,
    ) -> None:
        self.org = org if org is not None else DemoOrganization()
        self.faults = faults
        self.check_key = check_key
        self.requests: list[httpx.Request] = []
        self.cost_report_count = 0
        self._lock = threading.Lock()

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request synchronously, without latency."""
        with self._lock:
            self.requests.append(request)
            request_id = f"req_demo_{len(self.requests):06d}"
        headers = {"request-id": request_id, "content-type": "application/json"}
        try:
            body = self._route(request)
            status = 200
        except _ApiError as error:
            status = error.status
            headers.update(error.headers)
            error_type = _ERRORS.get(status, ("api_error", ""))[0]
            body = {
                "type": "error",
                "error": {"type": error_type, "message": error.message},
                "request_id": request_id,
            }
        # msgspec writes the same compact JSON as json.dumps, about ten times faster (the demo's
        # first page is on the way to the first paint); non-ASCII text stays UTF-8.
        content = body if isinstance(body, bytes) else msgspec.json.encode(body)
        return httpx.Response(status, headers=headers, content=content, request=request)

    def _route(self, request: httpx.Request) -> dict[str, Any] | bytes:
        """Check faults and auth, then dispatch by path; raise _ApiError for error answers."""
        if self.faults.status_always is not None:
            status = self.faults.status_always
            raise _ApiError(status, headers={"retry-after": "0"} if status == 429 else None)
        if self.check_key:
            key = request.headers.get("x-api-key")
            bearer = request.headers.get("authorization", "")
            if key is None and not bearer:
                raise _ApiError(401, "x-api-key header is required")
            if key != DEMO_KEY and bearer != f"Bearer {DEMO_KEY}":
                raise _ApiError(401, "invalid x-api-key")
        routes = {
            "/cost_report": self._cost_report,
            "/me": self._me,
            "/workspaces": self._workspaces,
            USAGE_REPORT_PATH: self._usage_report,
            "/api_keys": self._api_keys,
        }
        path = request.url.path
        handler = routes.get(path.removeprefix(_PREFIX)) if path.startswith(_PREFIX + "/") else None
        if handler is None:
            raise _ApiError(404, f"Not found: {path}")
        if request.method != "GET":
            raise _ApiError(405, f"Method {request.method} not allowed on {path}: use GET")
        return handler(request.url.params)

    def _me(self, params: httpx.QueryParams) -> dict[str, Any]:
        """Answer GET /v1/organizations/me."""
        return {"id": self.org.org_id, "name": self.org.name, "type": "organization"}

    def _workspaces(self, params: httpx.QueryParams) -> dict[str, Any]:
        """Answer GET /v1/organizations/workspaces, paginated with after_id."""
        limit = _parse_int(params, "limit", 20, 1000)
        archived = params.get("include_archived", "false").lower()
        if archived not in ("true", "false"):
            raise _bad(f"include_archived: {archived!r} must be true or false")
        listed = [w for w in self.org.workspaces if archived == "true" or w["archived_at"] is None]
        after_id = params.get("after_id")
        if after_id is not None:
            ids = [w["id"] for w in listed]
            if after_id not in ids:
                raise _bad(f"after_id: unknown workspace {after_id!r}")
            listed = listed[ids.index(after_id) + 1 :]
        page = listed[:limit]
        return {
            "data": page,
            "has_more": len(listed) > limit,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
        }

    def _cost_report(self, params: httpx.QueryParams) -> dict[str, Any] | bytes:
        """Answer GET /v1/organizations/cost_report with day buckets, after injecting faults."""
        with self._lock:
            self.cost_report_count += 1
            number = self.cost_report_count
        faults = self.faults
        if number <= faults.rate_limit_first:
            raise _ApiError(429, headers={"retry-after": "0"})
        if number <= faults.rate_limit_first + faults.overloaded_first:
            raise _ApiError(529)
        if number == faults.broken_json_page:
            return b'{"data": [{"starting_at": "2025-'
        if number == faults.bad_shape_page:
            return {"has_more": False, "next_page": None}
        days, next_page = _day_pages(params)
        groups = _groups(params, _GROUPS)
        return cost_report_body(self.org, days, groups, next_page)

    def _usage_report(self, params: httpx.QueryParams) -> dict[str, Any]:
        """Answer GET /v1/organizations/usage_report/messages with day buckets of tokens."""
        from costtui.data.demo_usage import USAGE_GROUPS, usage_results  # made when first asked

        days, next_page = _day_pages(params)
        groups = _groups(params, USAGE_GROUPS)
        data = [
            {
                "starting_at": stamp(day),
                "ending_at": stamp(day + timedelta(days=1)),
                "results": usage_results(self.org, day, groups),
            }
            for day in days
        ]
        return {"data": data, "has_more": next_page is not None, "next_page": next_page}

    def _api_keys(self, params: httpx.QueryParams) -> dict[str, Any]:
        """Answer GET /v1/organizations/api_keys (every status), paginated with after_id."""
        from costtui.data.demo_usage import demo_api_keys

        limit = _parse_int(params, "limit", 20, 1000)
        listed = demo_api_keys(self.org)
        after_id = params.get("after_id")
        if after_id is not None:
            ids = [key["id"] for key in listed]
            if after_id not in ids:
                raise _bad(f"after_id: unknown API key {after_id!r}")
            listed = listed[ids.index(after_id) + 1 :]
        page = listed[:limit]
        return {
            "data": page,
            "has_more": len(listed) > limit,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
        }


def _groups(params: httpx.QueryParams, allowed: tuple[str, ...]) -> list[str]:
    """Return the group_by[] values, or raise a 400 for one the endpoint does not know."""
    if "group_by" in params:
        raise _bad("group_by: send it as the array parameter group_by[]")
    groups = params.get_list("group_by[]")
    for group in groups:
        if group not in allowed:
            raise _bad(f"group_by[]: {group!r} must be one of {', '.join(allowed)}")
    return groups


def _day_pages(params: httpx.QueryParams) -> tuple[list[date], str | None]:
    """Return the days of the page a report request asks for and the next page token."""
    text = params.get("starting_at")
    if not text:
        raise _bad("starting_at: field required")
    if params.get("bucket_width", "1d") != "1d":
        raise _bad(f"bucket_width: {params.get('bucket_width')!r} is not supported; use '1d'")
    limit = _parse_int(params, "limit", 7, 31)
    start = _parse_time(text, "starting_at")
    first = start.date().toordinal()
    end_text = params.get("ending_at")
    if end_text:
        end = _parse_time(end_text, "ending_at")
        if end <= start:
            raise _bad("ending_at: must be after starting_at")
        stop = end.date().toordinal() + (end.time() != datetime.min.time())
    else:
        stop = first + limit
    if stop > date.max.toordinal():
        raise _bad("ending_at: out of range")
    token = params.get("page")
    if token is not None:
        resume = _parse_page(token).toordinal()
        if not first < resume < stop:
            raise _bad(f"page: {token!r} does not belong to this request")
        first = resume
    page_stop = min(first + limit, stop)
    more = page_stop < stop
    days = list(map(date.fromordinal, range(first, page_stop)))
    return days, _page_token(date.fromordinal(page_stop)) if more else None


class DemoTransport(httpx.AsyncBaseTransport):
    """An httpx async transport that serves a DemoApi in-process, with the faults' latency."""

    def __init__(self, api: DemoApi | None = None) -> None:
        self.api = api if api is not None else DemoApi()
        self._making = threading.Lock()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` from the DemoApi after the configured latency.

        A year of usage takes the demo seconds to make: made in a thread, as a server would.
        """
        await request.aread()
        if self.api.faults.latency_seconds > 0:
            await asyncio.sleep(self.api.faults.latency_seconds)
        if request.url.path.endswith(USAGE_REPORT_PATH):
            return await asyncio.to_thread(self._handle_alone, request)
        return self.api.handle(request)

    def _handle_alone(self, request: httpx.Request) -> httpx.Response:
        """Answer in a thread, one answer at a time: waiting threads leave the UI loop the GIL."""
        with self._making:
            return self.api.handle(request)


def demo_transport(today: date) -> DemoTransport:
    """Return a transport over the default demo organisation with its spike seeded near today."""
    return DemoTransport(DemoApi(DemoOrganization(spike_day=demo_spike_day(today))))
