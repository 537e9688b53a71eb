"""A deterministic demo organisation, served by an in-process fake of the Admin API."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx

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

DEMO_BASE_URL = "https://demo.costtui.invalid"
DEMO_KEY = "sk-ant-admin01-demo-not-a-real-key-0000"
DEMO_BUDGETS: dict[str, Any] = {
    "monthly": "20000",
    "warn_at": 0.8,
    "workspaces": {"[prod] Search": "12000", "Research Sandbox": "1500", "Default": "2000"},
}
"""The demo's `[profiles.NAME.budgets]` table, as tomllib would load it."""
SPIKE_AGE_DAYS = 3
"""The seeded spike falls at least this many days before today: recent, past the 48 h lag."""
_SPIKE_WORKSPACE = "Research Sandbox"
_SPIKE_LINE = "Claude Opus 4.1 Usage - Output Tokens"
_SPIKE_FACTOR = Decimal(40)

_PREFIX = "/v1/organizations"
_GROUPS = ("workspace_id", "description")
_CACHED_DAYS = 4096
_FIVE_DECIMALS = Decimal("0.00001")
_WEEKEND = Decimal("0.35")
_ID_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
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


@dataclass(frozen=True)
class _Line:
    """One kind of charge, identified by its description."""

    description: str
    cost_type: str
    model: str | None = None
    token_type: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    inference_geo: str | None = None
    share: Decimal = Decimal(1)
    presence: int = 100
    step: Decimal = _FIVE_DECIMALS


_LINE_FIELDS = [spec.name for spec in fields(_Line)][:7]


@dataclass(frozen=True)
class _Profile:
    """How much one workspace spends and on what, as `alias:share` lists."""

    name: str
    weight: str
    models: str
    extras: str = ""
    batch_boost: str = "1"
    always_on: bool = False
    archived: bool = False


# alias -> (model id, description label, daily cents at weight 1, inference geo)
_MODELS: dict[str, tuple[str, str, Decimal, str]] = {
    "opus": ("claude-opus-4-1", "Claude Opus 4.1", Decimal(1500), "global"),
    "sonnet": ("claude-sonnet-4-5", "Claude Sonnet 4.5", Decimal(4000), "global"),
    "haiku": ("claude-haiku-4-5", "Claude Haiku 4.5", Decimal(800), "global"),
    "haiku35": ("claude-3-5-haiku", "Claude Haiku 3.5", Decimal(200), "not_available"),
}
_TOKENS: dict[str, tuple[str, Decimal]] = {
    "uncached_input_tokens": ("Input Tokens", Decimal("0.25")),
    "output_tokens": ("Output Tokens", Decimal("0.45")),
    "cache_read_input_tokens": ("Cache Read", Decimal("0.10")),
    "cache_creation.ephemeral_5m_input_tokens": ("Cache Write (5m)", Decimal("0.12")),
    "cache_creation.ephemeral_1h_input_tokens": ("Cache Write (1h)", Decimal("0.08")),
}
_IO = ("uncached_input_tokens", "output_tokens")
_IO_READ = (*_IO, "cache_read_input_tokens")
# suffix, service tier, context window, geo (None: the model's), factor, presence %, tokens, models
_VARIANTS: tuple[tuple[str, str, str, str | None, str, int, tuple[str, ...], str], ...] = (
    ("", "standard", "0-200k", None, "1", 100, tuple(_TOKENS), "opus sonnet haiku haiku35"),
    (", Batch", "batch", "0-200k", None, "0.25", 60, _IO, "opus sonnet haiku haiku35"),
    (", Long Context", "standard", "200k-1M", None, "0.2", 50, _IO_READ, "sonnet"),
    (", US", "standard", "0-200k", "us", "0.15", 40, _IO, "opus sonnet"),
    (", Flex", "flex", "0-200k", None, "0.05", 5, _IO, "haiku"),  # an enum value from the future
)
_NA = "not_available"
_EXTRAS: dict[str, _Line] = {
    "web": _Line("Web Search Usage", "web_search", inference_geo=_NA, presence=80, step=Decimal(1)),
    "code": _Line("Code Execution Usage", "code_execution", inference_geo=_NA, presence=50,
                  step=Decimal("0.1")),
    "session": _Line("Session Usage", "session_usage", inference_geo=_NA, presence=20),
}  # fmt: skip
_DEFAULT_PROFILE = _Profile("Default", "1.5", "sonnet:0.5 haiku:0.5 opus:0.2", always_on=True)
_BASE_PROFILES = (
    _Profile("[prod] Search", "10", "sonnet:1 haiku:0.4", "web:300", always_on=True),
    _Profile("Customer Support Bot", "5", "haiku:1 sonnet:0.3 haiku35:0.5"),
    _Profile("Data Pipeline", "3.5", "sonnet:0.6 haiku:0.5", "code:40", batch_boost="4"),
    _Profile("Research Sandbox", "2", "opus:1 sonnet:0.5", "code:25 session:60"),
    _Profile("Legacy Chat", "0.6", "haiku35:1", archived=True),
)
_EXTRA_NAMES = "Billing Assistant|Docs Q&A|Sales Copilot|Code Review|Translation|Onboarding Bot|"
_EXTRA_NAMES += "Eval Harness|Café Analytics"
_COLORS = ("#6C5BB9", "#D97757", "#4A90D9", "#3CA374", "#C9A227", "#B5568C", "#5F8A8B")


def _shares(text: str) -> dict[str, Decimal]:
    """Parse `alias:share alias:share` into a dict."""
    return {alias: Decimal(share) for alias, share in (pair.split(":") for pair in text.split())}


def _roll(key: str) -> int:
    """Return a stable 64-bit number derived from `key`."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def _render(amount: Decimal) -> str:
    """Render an exact amount as a plain decimal string without trailing zeros."""
    return format(amount.normalize(), "f")


def _stamp(day: date) -> str:
    """Return the RFC 3339 UTC start of `day`."""
    return f"{day.isoformat()}T00:00:00Z"


def _lines_for(profile: _Profile) -> list[tuple[_Line, Decimal]]:
    """Return the lines a workspace may charge, each with its daily cents before jitter."""
    weight, lines = Decimal(profile.weight), []
    for alias, mix in _shares(profile.models).items():
        model, label, base, model_geo = _MODELS[alias]
        for suffix, tier, window, geo, factor, presence, tokens, aliases in _VARIANTS:
            if alias not in aliases.split():
                continue
            scale = base * mix * weight * Decimal(factor)
            if tier == "batch":
                scale *= Decimal(profile.batch_boost)
            for token in tokens:
                name, share = _TOKENS[token]
                description = f"{label} Usage - {name}{suffix}"
                fill = (model, token, tier, window, geo or model_geo, share, presence)
                lines.append((_Line(description, "tokens", *fill), scale * share))
    for alias, cents in _shares(profile.extras).items():
        lines.append((_EXTRAS[alias], cents * weight))
    return lines


def _item(amount: Decimal, workspace_id: str | None, line: _Line | None) -> dict[str, Any]:
    """Build an API-shaped CostItem; `line` None leaves the description fields null."""
    item: dict[str, Any] = {"amount": _render(amount), "currency": "USD"}
    item["workspace_id"] = workspace_id
    for key in _LINE_FIELDS:
        item[key] = None if line is None else getattr(line, key)
    return item


def _workspace_id(seed: int, index: int) -> str:
    """Return a stable ID shaped like the API's, e.g. `wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ`."""
    number, suffix = _roll(f"{seed}|workspace|{index}") << 64 | _roll(f"{seed}|ws|{index}"), ""
    for _ in range(22):
        number, digit = divmod(number, len(_ID_ALPHABET))
        suffix += _ID_ALPHABET[digit]
    return f"wrkspc_01{suffix}"


_Entry = tuple[str | None, _Line, Decimal]


class DemoOrganization:
    """A deterministic synthetic organisation; costs depend only on seed, day, workspace, line."""

    def __init__(
        self,
        *,
        seed: int = 7,
        workspace_count: int = 5,
        name: str = "Acme Robotics (demo)",
        spike_day: date | None = None,
        workspace_names: tuple[str, ...] = (),
    ) -> None:
        """Build the organisation; `workspace_names` renames the first workspaces, in order.

        Costs stay those of the default names, so a test can use emoji or accented names.
        """
        if workspace_count < 0:
            raise ValueError("workspace_count must be 0 or more")
        if len(workspace_names) > workspace_count:
            raise ValueError("more workspace names than workspaces")
        self.seed = seed
        self.spike_day = spike_day
        """The day one workspace's Opus output costs 40 times its usual (None: no spike)."""
        self.name = name
        self.org_id = str(
            uuid.UUID(int=_roll(f"{seed}|org") << 64 | _roll(f"{seed}|id"), version=4)
        )
        profiles = list(_BASE_PROFILES[:workspace_count])
        extra_names, aliases = _EXTRA_NAMES.split("|"), sorted(_MODELS)
        for index in range(len(profiles), workspace_count):
            roll = _roll(f"{seed}|profile|{index}")
            lap, slot = divmod(index - len(_BASE_PROFILES), len(extra_names))
            models = f"{aliases[roll % 4]}:1 {aliases[(roll >> 8) % 4]}:0.5"
            weight = str(Decimal((roll >> 16) % 23 + 3) / 10)
            label = extra_names[slot] + (f" {lap + 1}" if lap else "")
            profiles.append(_Profile(label, weight, models))
        for index, renamed in enumerate(workspace_names):
            profiles[index] = replace(profiles[index], name=renamed)
        self.workspaces: list[dict[str, Any]] = []
        self._streams: list[tuple[str | None, bool, list[tuple[_Line, Decimal]]]] = []
        self._streams.append((None, True, _lines_for(_DEFAULT_PROFILE)))
        for index, profile in enumerate(profiles):
            workspace_id = _workspace_id(seed, index)
            created = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc) + timedelta(days=11 * index)
            self.workspaces.append({
                "id": workspace_id, "type": "workspace", "name": profile.name,
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "archived_at": "2026-06-30T16:00:00Z" if profile.archived else None,
                "display_color": _COLORS[index % len(_COLORS)],
            })  # fmt: skip
            self._streams.append((workspace_id, profile.always_on, _lines_for(profile)))
        self._spike_workspace = next(
            (w["id"] for w in self.workspaces if w["name"] == _SPIKE_WORKSPACE), None
        )
        self._days: dict[date, tuple[_Entry, ...]] = {}
        self._lock = threading.Lock()

    def cost_items(self, day: date) -> list[dict[str, Any]]:
        """Return the day's CostItems grouped by workspace and description, in API shape."""
        return self.results(day, by_workspace=True, by_description=True)

    def results(
        self, day: date, *, by_workspace: bool, by_description: bool
    ) -> list[dict[str, Any]]:
        """Return the day's CostItems under a grouping, summed exactly."""
        entries = self._entries(day)
        if by_workspace and by_description:
            return [_item(amount, workspace, line) for workspace, line, amount in entries]
        totals: dict[tuple[str | None, str | None], Decimal] = {}
        lines: dict[str, _Line] = {}
        for workspace, line, amount in entries:
            key = (
                workspace if by_workspace else None,
                line.description if by_description else None,
            )
            totals[key] = totals.get(key, Decimal(0)) + amount
            lines[line.description] = line
        return [
            _item(total, workspace, lines[description] if description else None)
            for (workspace, description), total in totals.items()
        ]

    def _entries(self, day: date) -> tuple[_Entry, ...]:
        """Return the day's detailed charges, generated once and cached."""
        with self._lock:
            cached = self._days.get(day)
        if cached is not None:
            return cached
        entries = tuple(self._generate(day))
        with self._lock:
            self._days[day] = entries
            if len(self._days) > _CACHED_DAYS:
                del self._days[next(iter(self._days))]
        return entries

    def _generate(self, day: date) -> list[_Entry]:
        """Compute the day's detailed charges from seeded hashes, with Decimal only."""
        day_key = f"{self.seed}|{day.isoformat()}"
        spike = day == self.spike_day
        if _roll(day_key) % 20 == 0 and not spike:
            return []
        day_factor = _WEEKEND if day.weekday() >= 5 else Decimal(1)
        entries: list[_Entry] = []
        for workspace, always_on, lines in self._streams:
            workspace_key = f"{day_key}|{workspace or 'default'}"
            spiking = spike and workspace == self._spike_workspace
            if not always_on and not spiking and _roll(workspace_key) % 9 == 0:
                continue
            for line, cents in lines:
                roll = _roll(f"{workspace_key}|{line.description}")
                if roll % 100 >= line.presence:
                    continue
                jitter = Decimal(600_000 + (roll >> 8) % 800_001).scaleb(-6)
                if spiking and line.description == _SPIKE_LINE:
                    jitter *= _SPIKE_FACTOR  # a runaway job: clearly anomalous, on one day
                amount = (cents * day_factor * jitter).quantize(line.step)
                if amount > 0:
                    entries.append((workspace, line, amount))
        return entries


def demo_spike_day(today: date) -> date:
    """Return the day of the demo's seeded spike: the last weekday at least 3 days before today.

    A weekday, so the spike stands out at full size rather than at the weekend's 35 %.
    """
    day = today - timedelta(days=SPIKE_AGE_DAYS)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


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
    return "page_" + base64.b64encode(_stamp(day).encode()).decode()


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
        content = (
            body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
        )
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
        text = params.get("starting_at")
        if not text:
            raise _bad("starting_at: field required")
        if params.get("bucket_width", "1d") != "1d":
            raise _bad(f"bucket_width: {params.get('bucket_width')!r} is not supported; use '1d'")
        limit = _parse_int(params, "limit", 7, 31)
        if "group_by" in params:
            raise _bad("group_by: send it as the array parameter group_by[]")
        groups = params.get_list("group_by[]")
        for group in groups:
            if group not in _GROUPS:
                raise _bad(f"group_by[]: {group!r} must be one of {', '.join(_GROUPS)}")
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
        by_workspace, by_description = "workspace_id" in groups, "description" in groups
        data = [
            {
                "starting_at": _stamp(day),
                "ending_at": _stamp(day + timedelta(days=1)),
                "results": self.org.results(
                    day, by_workspace=by_workspace, by_description=by_description
                ),
            }
            for day in map(date.fromordinal, range(first, page_stop))
        ]
        more = page_stop < stop
        return {
            "data": data,
            "has_more": more,
            "next_page": _page_token(date.fromordinal(page_stop)) if more else None,
        }


class DemoTransport(httpx.AsyncBaseTransport):
    """An httpx async transport that serves a DemoApi in-process, with the faults' latency."""

    def __init__(self, api: DemoApi | None = None) -> None:
        self.api = api if api is not None else DemoApi()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` from the DemoApi after the configured latency."""
        await request.aread()
        if self.api.faults.latency_seconds > 0:
            await asyncio.sleep(self.api.faults.latency_seconds)
        return self.api.handle(request)


def demo_transport(today: date) -> DemoTransport:
    """Return a transport over the default demo organisation with its spike seeded near today."""
    return DemoTransport(DemoApi(DemoOrganization(spike_day=demo_spike_day(today))))
