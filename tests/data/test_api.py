"""The cost client against recorded Admin API responses: paging, windows, retries, errors."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from costtui import __version__
from costtui.core.admin_key import AdminKey
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.report import group_costs, total_cost
from costtui.data.api import (
    ApiError,
    AuthenticationError,
    ConnectionFailedError,
    CostClient,
    FetchProgress,
    InvalidResponseError,
    PermissionDeniedError,
    RateLimitedError,
    resolve_base_url,
    validate_base_url,
)
from costtui.data.source import load_report
from tests.replay import RECORDINGS, ReplayTransport

KEY = AdminKey("sk-ant-admin01-TESTKEY-api-suite-9q8w7e")
RANGE_40 = DateRange(date(2025, 8, 1), date(2025, 9, 9))
CLOCK = FixedClock(datetime(2025, 9, 20, 12, 0, tzinfo=timezone.utc))
"""The moment the recordings are replayed at (after the recorded range)."""
GROUPING = ("workspace_id", "description")


def recorded_items() -> list[dict[str, Any]]:
    """Return every cost item in the 40-day recording, read straight from the file."""
    document = json.loads((RECORDINGS / "cost_report_40_days.json").read_text())
    return [
        item
        for exchange in document["exchanges"]
        if exchange["request"]["path"].endswith("cost_report")
        for bucket in exchange["response"]["body"]["data"]
        for item in bucket["results"]
    ]


class Sleeps:
    """Records the delays the client asked to sleep, without sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def scripted(
    responses: list[httpx.Response | Exception],
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """Return a transport answering with the given responses in turn, and its request log."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        outcome = responses[min(len(seen), len(responses)) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return httpx.MockTransport(answer), seen


def error_response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    """Return the recorded error response of a status."""
    recorded = json.loads((RECORDINGS / "errors.json").read_text())["responses"][str(status)]
    return httpx.Response(
        status, headers={**recorded["headers"], **(headers or {})}, json=recorded["body"]
    )


OK_BODY = {"data": [], "has_more": False, "next_page": None}


async def test_pages_and_windows_are_followed_to_the_end() -> None:
    replay = ReplayTransport("cost_report_40_days.json")
    progress: list[FetchProgress] = []
    async with CostClient(KEY, transport=replay) as client:
        buckets = await client.cost_buckets(RANGE_40, GROUPING, progress.append)
    assert [bucket.day for bucket in buckets] == RANGE_40.days()
    cost_requests = [r for r in replay.requests if r.url.path.endswith("cost_report")]
    assert len(cost_requests) == 4
    tokens = [r.url.params.get("page") for r in cost_requests if "page" in r.url.params]
    recorded_tokens = [
        exchange["response"]["body"]["next_page"]
        for exchange in replay.exchanges
        if exchange["request"]["path"].endswith("cost_report")
        and exchange["response"]["body"]["next_page"]
    ]
    assert sorted(tokens) == sorted(recorded_tokens)
    assert progress[-1] == FetchProgress(windows_done=2, windows_total=2, pages_done=4)
    assert {r.url.params["limit"] for r in cost_requests} == {"31"}
    assert cost_requests[0].url.params.get_list("group_by[]") == ["workspace_id", "description"]


async def test_totals_are_exact_to_the_last_cent_fraction() -> None:
    async with CostClient(KEY, transport=ReplayTransport("cost_report_40_days.json")) as client:
        report = await load_report(client, RANGE_40, GROUPING, clock=CLOCK, with_previous=False)
    expected_cents = sum((Decimal(item["amount"]) for item in recorded_items()), Decimal(0))
    assert total_cost(report.items) == expected_cents / 100
    assert str(expected_cents / 100) == str(total_cost(report.items))
    by_workspace = {row.values[0]: row.cost for row in group_costs(report.items, ["workspace"])}
    default_cents = sum(
        (Decimal(i["amount"]) for i in recorded_items() if i["workspace_id"] is None), Decimal(0)
    )
    assert by_workspace[None] == default_cents / 100
    assert report.organization_name == "Example Corp"
    assert report.workspace_names == {
        "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ": "Production",
        "wrkspc_01KbT9pQx2Vd7sLmN4cR8eWz": "[staging] Experiments",
    }


async def test_quiet_days_and_unknown_enums_survive_parsing() -> None:
    async with CostClient(KEY, transport=ReplayTransport("cost_report_40_days.json")) as client:
        buckets = await client.cost_buckets(RANGE_40, GROUPING)
    quiet = [bucket.day for bucket in buckets if not bucket.items]
    assert quiet == [day for day in RANGE_40.days() if day.toordinal() % 9 == 0]
    tiers = {item.service_tier for bucket in buckets for item in bucket.items}
    assert "priority_flex" in tiers
    cost_types = {item.cost_type for bucket in buckets for item in bucket.items}
    assert cost_types == {"tokens", "web_search", "session_usage_v2", None} - {None}
    amounts = {item.amount_cents for bucket in buckets for item in bucket.items}
    assert Decimal("0.00001") in amounts and Decimal("99999.99999") in amounts


async def test_headers_name_the_app_and_version_and_carry_the_key() -> None:
    replay = ReplayTransport("cost_report_ungrouped.json")
    async with CostClient(KEY, transport=replay) as client:
        await client.cost_buckets(DateRange(date(2025, 8, 1), date(2025, 8, 7)))
    sent = replay.requests[0]
    assert sent.headers["x-api-key"] == KEY.reveal()
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.headers["user-agent"] == f"costtui/{__version__}"
    assert sent.url.params["starting_at"] == "2025-08-01T00:00:00Z"
    assert sent.url.params["ending_at"] == "2025-08-08T00:00:00Z"
    assert "group_by[]" not in sent.url.params


async def test_long_ranges_split_into_31_day_windows_with_bounded_concurrency() -> None:
    in_flight = 0
    peak = 0
    windows: list[tuple[str, str]] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        windows.append((request.url.params["starting_at"], request.url.params["ending_at"]))
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json=OK_BODY)

    year = DateRange(date(2025, 1, 1), date(2025, 12, 31))
    async with CostClient(KEY, transport=httpx.MockTransport(answer), concurrency=3) as client:
        buckets = await client.cost_buckets(year)
    assert len(windows) == 12 and peak == 3
    assert sorted(windows)[0] == ("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
    assert sorted(windows)[-1] == ("2025-12-08T00:00:00Z", "2026-01-01T00:00:00Z")
    assert buckets == []  # days the API did not send stay missing, never invented as $0


async def test_rate_limit_is_retried_after_the_servers_delay() -> None:
    transport, seen = scripted(
        [error_response(429, {"retry-after": "3"}), httpx.Response(200, json=OK_BODY)]
    )
    sleeps = Sleeps()
    async with CostClient(KEY, transport=transport, sleep=sleeps) as client:
        await client.cost_buckets(DateRange(date(2025, 8, 1), date(2025, 8, 1)))
    assert len(seen) == 2 and sleeps.delays == [3.0]


async def test_retry_after_ms_wins_and_backoff_grows_with_jitter() -> None:
    transport, seen = scripted(
        [
            error_response(529, {"retry-after-ms": "250"}),
            error_response(500),
            httpx.Response(200, json=OK_BODY),
        ]
    )
    sleeps = Sleeps()
    async with CostClient(KEY, transport=transport, sleep=sleeps) as client:
        await client.cost_buckets(DateRange(date(2025, 8, 1), date(2025, 8, 1)))
    assert len(seen) == 3
    assert sleeps.delays[0] == 0.25
    assert 0.75 <= sleeps.delays[1] <= 1.0


async def test_retries_stop_after_two_and_raise_a_typed_error() -> None:
    transport, seen = scripted([error_response(429)])
    async with CostClient(KEY, transport=transport, sleep=Sleeps()) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.cost_buckets(DateRange(date(2025, 8, 1), date(2025, 8, 1)))
    assert len(seen) == 3
    assert caught.value.status == 429 and caught.value.error_type == "rate_limit_error"


async def test_x_should_retry_header_overrides_the_status_rule() -> None:
    transport, seen = scripted([error_response(500, {"x-should-retry": "false"})])
    async with CostClient(KEY, transport=transport, sleep=Sleeps()) as client:
        with pytest.raises(ApiError):
            await client.organization()
    assert len(seen) == 1
    transport, seen = scripted(
        [error_response(400, {"x-should-retry": "true"}), httpx.Response(200, json=OK_BODY)]
    )
    async with CostClient(KEY, transport=transport, sleep=Sleeps()) as client:
        await client.cost_buckets(DateRange(date(2025, 8, 1), date(2025, 8, 1)))
    assert len(seen) == 2


async def test_connection_errors_are_retried_then_explained() -> None:
    transport, seen = scripted([httpx.ConnectError("connection refused")])
    async with CostClient(KEY, transport=transport, sleep=Sleeps()) as client:
        with pytest.raises(ConnectionFailedError) as caught:
            await client.organization()
    assert len(seen) == 3
    assert str(caught.value) == (
        "API error: could not reach https://api.anthropic.com (ConnectError): "
        "check the network and ANTHROPIC_BASE_URL, then retry"
    )


ERROR_CASES = [
    (400, ApiError, "the request was rejected as invalid"),
    (401, AuthenticationError, "the Admin key is malformed, revoked or expired: enter a new one"),
    (402, ApiError, "the organisation has a billing problem"),
    (403, PermissionDeniedError, "a normal API key (sk-ant-api…) was probably used"),
    (404, ApiError, "check the base URL"),
    (409, ApiError, "retry"),
    (413, ApiError, "choose a shorter date range"),
    (429, RateLimitedError, "rate limited"),
    (500, ApiError, "internal error"),
    (504, ApiError, "the API timed out"),
    (529, ApiError, "overloaded"),
]


@pytest.mark.parametrize(("status", "error_class", "hint"), ERROR_CASES)
async def test_every_error_status_becomes_one_clear_line(
    status: int, error_class: type[ApiError], hint: str
) -> None:
    recorded = json.loads((RECORDINGS / "errors.json").read_text())["responses"][str(status)]
    transport, _ = scripted([error_response(status)])
    async with CostClient(KEY, transport=transport, sleep=Sleeps()) as client:
        with pytest.raises(error_class) as caught:
            await client.cost_buckets(DateRange(date(2025, 8, 1), date(2025, 8, 1)))
    error = caught.value
    assert type(error) is error_class
    assert error.status == status
    assert error.error_type == recorded["body"]["error"]["type"]
    assert error.api_message == recorded["body"]["error"]["message"]
    assert error.request_id == recorded["headers"]["request-id"]
    line = str(error)
    assert "\n" not in line and hint in line and error.request_id in line
    assert KEY.reveal() not in line and KEY.reveal() not in repr(error)


async def test_unknown_error_types_fall_back_on_the_status() -> None:
    response = httpx.Response(
        503, json={"type": "error", "error": {"type": "brand_new_error", "message": "hm"}}
    )
    transport, _ = scripted([response])
    async with CostClient(KEY, transport=transport, sleep=Sleeps()) as client:
        with pytest.raises(ApiError) as caught:
            await client.organization()
    assert str(caught.value) == (
        "API error 503 (brand_new_error): the API had a server error: retry later; API said: hm"
    )


BROKEN_BODIES = [
    (
        b"<html>502 Bad Gateway</html>",
        "invalid response: cost_report page 1 of 2025-08-01 is not valid JSON",
    ),
    (
        b'{"has_more": false}',
        "invalid response: cost_report page 1 of 2025-08-01 has no 'data' list",
    ),
    (
        b'{"data": [{"starting_at": "2025-08-01T00:00:00Z", "results": null}]}',
        "invalid response: a bucket in cost_report page 1 of 2025-08-01 has no 'results'",
    ),
    (
        b'{"data": [{"starting_at": "2025-08-01T00:00:00Z", "results": [{"amount": "abc"}]}]}',
        "invalid response: a result in cost_report page 1 of 2025-08-01, 2025-08-01 has no valid "
        "'amount'",
    ),
    (
        b'{"data": [{"starting_at": "yesterday", "results": []}]}',
        "invalid response: a bucket in cost_report page 1 of 2025-08-01 has no valid 'starting_at'",
    ),
    (
        b'{"data": [], "has_more": true, "next_page": null}',
        "invalid response: cost_report page 1 of 2025-08-01 has_more but no next_page",
    ),
]


@pytest.mark.parametrize(("body", "message"), BROKEN_BODIES)
async def test_broken_bodies_raise_invalid_response_naming_the_page(
    body: bytes, message: str
) -> None:
    transport, _ = scripted([httpx.Response(200, content=body)])
    async with CostClient(KEY, transport=transport) as client:
        with pytest.raises(InvalidResponseError) as caught:
            await client.cost_buckets(DateRange(date(2025, 8, 1), date(2025, 8, 1)))
    assert message in str(caught.value)


async def test_workspaces_follow_after_id_pages() -> None:
    replay = ReplayTransport("cost_report_40_days.json")
    async with CostClient(KEY, transport=replay) as client:
        workspaces = await client.workspaces()
    assert [(w.name, w.archived) for w in workspaces] == [
        ("Production", False),
        ("[staging] Experiments", True),
    ]


async def test_failed_names_fall_back_to_ids_with_a_note() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("cost_report"):
            return httpx.Response(200, json=OK_BODY)
        return error_response(404)

    async with CostClient(KEY, transport=httpx.MockTransport(answer), max_retries=0) as client:
        report = await load_report(
            client, DateRange(date(2025, 8, 1), date(2025, 8, 1)), (), clock=CLOCK,
            with_previous=False
        )
    assert report.workspace_names == {}
    assert report.notes[1].startswith("workspace names unavailable, showing ids")


@pytest.mark.parametrize(
    ("status", "error_class", "failing_path"),
    [(401, AuthenticationError, "workspaces"), (403, PermissionDeniedError, "workspaces"),
     (401, AuthenticationError, "me")],
)
async def test_a_rejected_key_on_a_names_endpoint_fails_the_load(
    status: int, error_class: type[ApiError], failing_path: str
) -> None:
    """A revoked key may first show on /workspaces: that is a key problem, never a note."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(failing_path):
            return error_response(status)
        if request.url.path.endswith("/me"):
            return httpx.Response(200, json={"id": "org_1", "name": "Org", "type": "organization"})
        if request.url.path.endswith("workspaces"):
            return httpx.Response(200, json={"data": [], "has_more": False, "first_id": None,
                                             "last_id": None})
        return httpx.Response(200, json=OK_BODY)

    async with CostClient(KEY, transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(error_class) as raised:
            await load_report(client, DateRange(date(2025, 8, 1), date(2025, 8, 1)), (),
                              clock=CLOCK, with_previous=False)
    assert raised.value.status == status


async def test_cancelling_a_fetch_stops_every_window() -> None:
    started = asyncio.Event()
    finished: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.sleep(5)
        finished.append(request.url.params["starting_at"])
        return httpx.Response(200, json=OK_BODY)

    async with CostClient(KEY, transport=httpx.MockTransport(answer)) as client:
        task = asyncio.ensure_future(
            client.cost_buckets(DateRange(date(2025, 1, 1), date(2025, 6, 30)))
        )
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    await asyncio.sleep(0)
    assert finished == []


def test_base_url_refuses_plain_http_off_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert validate_base_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert validate_base_url("http://localhost:9") == "http://localhost:9"
    with pytest.raises(ValueError, match="plain http to a non-loopback host"):
        validate_base_url("http://api.example.com")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://proxy.example.com/")
    assert resolve_base_url("https://ignored.example.com") == "https://proxy.example.com"


def test_the_key_never_shows_in_reprs() -> None:
    client = CostClient(KEY)
    assert KEY.reveal() not in repr(client) and KEY.reveal() not in repr(KEY)
    assert str(KEY) == "sk-ant-admin01-…w7e"


async def test_demo_faults_are_survived_or_reported_clearly() -> None:
    from costtui.data.demo import DEMO_BASE_URL, DEMO_KEY, DemoApi, DemoFaults, DemoTransport

    march = DateRange(date(2026, 3, 1), date(2026, 3, 31))
    expected: Decimal | None = None
    for faults in (DemoFaults(), DemoFaults(rate_limit_first=2), DemoFaults(overloaded_first=2)):
        api = DemoApi(faults=faults)
        sleeps = Sleeps()
        async with CostClient(AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL,
                              transport=DemoTransport(api), sleep=sleeps) as client:
            buckets = await client.cost_buckets(march, GROUPING)
        total = sum((item.amount_cents for b in buckets for item in b.items), Decimal(0))
        expected = expected if expected is not None else total
        assert total == expected and len(buckets) == 31
        assert api.cost_report_count == 1 + faults.rate_limit_first + faults.overloaded_first
        assert len(sleeps.delays) == faults.rate_limit_first + faults.overloaded_first
    for faults, message in (
        (DemoFaults(broken_json_page=1), "cost_report page 1 of 2026-03-01 → 2026-03-31 is not "
         "valid JSON"),
        (DemoFaults(bad_shape_page=1), "cost_report page 1 of 2026-03-01 → 2026-03-31 has no "
         "'data' list"),
        (DemoFaults(rate_limit_first=5), "rate limited by the API"),
    ):
        async with CostClient(AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL,
                              transport=DemoTransport(DemoApi(faults=faults)),
                              sleep=Sleeps()) as client:
            with pytest.raises(ApiError) as caught:
                await client.cost_buckets(march, GROUPING)
        assert message in str(caught.value) and "request-id req_" in str(caught.value)


async def test_repeated_names_share_one_string_across_pages() -> None:
    async with CostClient(KEY, transport=ReplayTransport("cost_report_40_days.json")) as client:
        buckets = await client.cost_buckets(RANGE_40, GROUPING)
    items = [item for bucket in buckets for item in bucket.items]
    production_id = "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"
    production = [i.workspace_id for i in items if i.workspace_id == production_id]
    descriptions = {id(i.description) for i in items if i.description == "Web Search Usage"}
    assert {buckets[0].day, buckets[-1].day} == {date(2025, 8, 1), date(2025, 9, 9)}
    assert len(production) > 100 and len({id(value) for value in production}) == 1
    assert len(descriptions) == 1
