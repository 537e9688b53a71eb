"""Tests for the embedded demo organisation and its fake Admin API."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from costtui.data.demo import (
    DEMO_BASE_URL,
    DEMO_KEY,
    DemoApi,
    DemoFaults,
    DemoOrganization,
    DemoTransport,
)

COST = "/v1/organizations/cost_report"
MARCH = {"starting_at": "2026-03-01T00:00:00Z", "ending_at": "2026-04-01T00:00:00Z"}
BOTH = ["workspace_id", "description"]
DESCRIPTION_FIELDS = (
    "description",
    "cost_type",
    "model",
    "token_type",
    "service_tier",
    "context_window",
    "inference_geo",
)
ITEM_KEYS = {"amount", "currency", "workspace_id", *DESCRIPTION_FIELDS}
PROD_SEARCH = "wrkspc_018EYUtuG93NvnrQUNabjtxB"
RESEARCH = "wrkspc_013hyAABPQwTJJbCZ5Qeb7Z5"
LEGACY = "wrkspc_01V7F6R95vK6fXHQkoaqZ69G"


def make_client(api: DemoApi | None = None, key: str | None = DEMO_KEY) -> httpx.AsyncClient:
    """Return an AsyncClient wired to the demo transport."""
    headers = {"anthropic-version": "2023-06-01"}
    if key is not None:
        headers["x-api-key"] = key
    return httpx.AsyncClient(transport=DemoTransport(api), base_url=DEMO_BASE_URL, headers=headers)


async def get_json(path: str, **params: Any) -> dict[str, Any]:
    """GET `path` from a fresh demo API and return the 200 JSON body."""
    async with make_client() as client:
        response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def all_buckets(api: DemoApi, **params: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """Follow next_page to the end; return every bucket and each page's size."""
    buckets: list[dict[str, Any]] = []
    sizes: list[int] = []
    async with make_client(api) as client:
        while True:
            response = await client.get(COST, params=params)
            assert response.status_code == 200, response.text
            body = response.json()
            buckets += body["data"]
            sizes.append(len(body["data"]))
            if not body["has_more"]:
                assert body["next_page"] is None
                return buckets, sizes
            params = {**params, "page": body["next_page"]}


def assert_error(response: httpx.Response, status: int, error_type: str) -> str:
    """Check an error answer's status and body shape; return its message."""
    assert response.status_code == status
    body = response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == error_type
    assert body["request_id"] == response.headers["request-id"]
    message: str = body["error"]["message"]
    return message


async def test_pagination_covers_march_in_pages_of_seven() -> None:
    """31 days at limit 7 come as 7+7+7+7+3 buckets, oldest first, with opaque tokens."""
    api = DemoApi()
    async with make_client(api) as client:
        first = (await client.get(COST, params={**MARCH, "limit": 7})).json()
    assert len(first["data"]) == 7
    assert first["has_more"] is True
    assert first["next_page"] == "page_" + base64.b64encode(b"2026-03-08T00:00:00Z").decode()
    assert first["next_page"] == "page_MjAyNi0wMy0wOFQwMDowMDowMFo="
    buckets, sizes = await all_buckets(api, **MARCH, limit=7)
    assert sizes == [7, 7, 7, 7, 3]
    assert api.cost_report_count == 6
    days = [date(2026, 3, 1) + timedelta(days=n) for n in range(31)]
    assert [b["starting_at"] for b in buckets] == [f"{d}T00:00:00Z" for d in days]
    assert [b["ending_at"] for b in buckets] == [f"{d + timedelta(days=1)}T00:00:00Z" for d in days]


async def test_limit_31_is_one_page_and_default_limit_is_7() -> None:
    """The maximum limit fits March in one page; without limit a page holds 7 buckets."""
    assert (await all_buckets(DemoApi(), **MARCH, limit=31))[1] == [31]
    assert (await all_buckets(DemoApi(), **MARCH))[1] == [7, 7, 7, 7, 3]


async def test_without_ending_at_limit_buckets_from_start() -> None:
    """A missing ending_at yields `limit` buckets from starting_at and no further page."""
    body = await get_json(COST, starting_at="2026-03-01T00:00:00Z", limit=3)
    assert [b["starting_at"][:10] for b in body["data"]] == [
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
    ]
    assert body["has_more"] is False
    assert body["next_page"] is None
    assert len((await get_json(COST, starting_at="2026-03-01T00:00:00Z"))["data"]) == 7


async def test_partial_days_snap_to_utc_day_buckets() -> None:
    """Mid-day bounds and non-UTC offsets cover the UTC days they overlap."""
    body = await get_json(
        COST, starting_at="2026-03-01T12:00:00Z", ending_at="2026-03-03T06:00:00+00:00"
    )
    assert [b["starting_at"] for b in body["data"]] == [
        "2026-03-01T00:00:00Z",
        "2026-03-02T00:00:00Z",
        "2026-03-03T00:00:00Z",
    ]
    body = await get_json(
        COST, starting_at="2026-03-02T01:00:00+02:00", ending_at="2026-03-03T00:00:00Z"
    )
    assert [b["starting_at"] for b in body["data"]] == [
        "2026-03-01T00:00:00Z",
        "2026-03-02T00:00:00Z",
    ]


async def test_quiet_days_are_present_with_empty_results() -> None:
    """Days without cost still get a bucket, with `results: []`, under every grouping."""
    for groups in ([], ["workspace_id"], ["description"], BOTH):
        buckets, _ = await all_buckets(DemoApi(), **MARCH, limit=31, **{"group_by[]": groups})
        assert len(buckets) == 31
        quiet = [b["starting_at"][:10] for b in buckets if b["results"] == []]
        assert quiet == ["2026-03-09", "2026-03-23", "2026-03-24"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({**MARCH, "limit": 0}, "limit"),
        ({**MARCH, "limit": 32}, "limit"),
        ({**MARCH, "limit": "seven"}, "limit"),
        ({**MARCH, "group_by[]": "model"}, "group_by[]"),
        ({**MARCH, "group_by[]": ["workspace_id", "api_key_id"]}, "group_by[]"),
        ({**MARCH, "group_by": "workspace_id"}, "group_by[]"),
        ({"ending_at": "2026-04-01T00:00:00Z"}, "starting_at"),
        ({"starting_at": "yesterday"}, "starting_at"),
        ({"starting_at": "2026-03-01"}, "starting_at"),
        ({"starting_at": "2026-03-01T00:00:00"}, "starting_at"),
        ({**MARCH, "ending_at": "2026-03-01T00:00:00Z"}, "ending_at"),
        ({**MARCH, "ending_at": "soon"}, "ending_at"),
        ({**MARCH, "bucket_width": "1h"}, "bucket_width"),
        ({**MARCH, "page": "garbage"}, "page"),
        ({**MARCH, "page": "page_!!!not-base64!!!"}, "page"),
        ({**MARCH, "page": "page_" + base64.b64encode(b"hello").decode()}, "page"),
        ({**MARCH, "page": "page_" + base64.b64encode(b"2026-03-08T05:00:00Z").decode()}, "page"),
        ({**MARCH, "page": "page_" + base64.b64encode(b"2026-05-01T00:00:00Z").decode()}, "page"),
        ({**MARCH, "page": "page_" + base64.b64encode(b"2026-03-01T00:00:00Z").decode()}, "page"),
        ({"starting_at": "9999-12-30T00:00:00Z"}, "range"),
    ],
)
async def test_bad_cost_report_requests_answer_400(params: dict[str, Any], fragment: str) -> None:
    """Invalid parameters get 400 invalid_request_error naming the parameter."""
    async with make_client() as client:
        response = await client.get(COST, params=params)
    assert fragment in assert_error(response, 400, "invalid_request_error")


async def test_groupings_sum_exactly_to_the_detail() -> None:
    """Totals, per-workspace and per-description sums equal the detailed items, in Decimal."""
    params = {**MARCH, "limit": 31}
    detail, _ = await all_buckets(DemoApi(), **params, **{"group_by[]": BOTH})
    total, _ = await all_buckets(DemoApi(), **params)
    by_ws, _ = await all_buckets(DemoApi(), **params, **{"group_by[]": ["workspace_id"]})
    by_desc, _ = await all_buckets(DemoApi(), **params, **{"group_by[]": ["description"]})
    for buckets in (detail, total, by_ws, by_desc):
        for item in (item for bucket in buckets for item in bucket["results"]):
            assert set(item) == ITEM_KEYS
            assert item["currency"] == "USD"
            assert "E" not in item["amount"] and "e" not in item["amount"]
            assert -Decimal(item["amount"]).as_tuple().exponent <= 9  # type: ignore[operator]
    for day_detail, day_total, day_ws, day_desc in zip(detail, total, by_ws, by_desc, strict=True):
        items = day_detail["results"]
        ws_sums: defaultdict[str | None, Decimal] = defaultdict(Decimal)
        desc_sums: defaultdict[str, Decimal] = defaultdict(Decimal)
        fields: dict[str, tuple[Any, ...]] = {}
        for item in items:
            ws_sums[item["workspace_id"]] += Decimal(item["amount"])
            desc_sums[item["description"]] += Decimal(item["amount"])
            fields[item["description"]] = tuple(item[key] for key in DESCRIPTION_FIELDS)
        if not items:
            assert day_total["results"] == day_ws["results"] == day_desc["results"] == []
            continue
        [only] = day_total["results"]
        assert Decimal(only["amount"]) == sum((Decimal(i["amount"]) for i in items), Decimal(0))
        assert all(only[key] is None for key in ("workspace_id", *DESCRIPTION_FIELDS))
        assert {i["workspace_id"]: Decimal(i["amount"]) for i in day_ws["results"]} == ws_sums
        assert all(i[key] is None for i in day_ws["results"] for key in DESCRIPTION_FIELDS)
        assert {i["description"]: Decimal(i["amount"]) for i in day_desc["results"]} == desc_sums
        for item in day_desc["results"]:
            assert item["workspace_id"] is None
            assert tuple(item[key] for key in DESCRIPTION_FIELDS) == fields[item["description"]]


async def test_pinned_values_stay_identical_across_runs_and_platforms() -> None:
    """Exact amounts for seed 7 are pinned so any change to the generator is deliberate."""
    body = await get_json(COST, starting_at="2026-03-02T00:00:00Z", limit=1)
    assert body["data"][0]["results"][0]["amount"] == "94972.710625"
    items = DemoOrganization().cost_items(date(2026, 3, 2))
    assert len(items) == 102
    extras = {i["description"]: i for i in items if i["cost_type"] != "tokens"}
    assert extras["Web Search Usage"] == {
        "amount": "3349",
        "currency": "USD",
        "workspace_id": PROD_SEARCH,
        "description": "Web Search Usage",
        "cost_type": "web_search",
        "model": None,
        "token_type": None,
        "service_tier": None,
        "context_window": None,
        "inference_geo": "not_available",
    }
    assert extras["Code Execution Usage"]["amount"] == "49.1"
    assert extras["Session Usage"]["amount"] == "158.62668"
    assert extras["Session Usage"]["workspace_id"] == RESEARCH


async def test_same_seed_same_data_and_days_independent_of_range() -> None:
    """Two seed-7 organisations agree; a day's items do not depend on the requested range."""
    one, two = DemoOrganization(seed=7), DemoOrganization(seed=7)
    days = [date(2026, 3, 1) + timedelta(days=n) for n in range(31)]
    assert [one.cost_items(d) for d in days] == [two.cost_items(d) for d in days]
    assert DemoOrganization(seed=8).cost_items(days[1]) != one.cost_items(days[1])
    wide, _ = await all_buckets(DemoApi(), **MARCH, limit=5, **{"group_by[]": BOTH})
    alone = await get_json(
        COST,
        starting_at="2026-03-10T00:00:00Z",
        ending_at="2026-03-11T00:00:00Z",
        **{"group_by[]": BOTH},
    )
    assert alone["data"][0]["results"] == wide[9]["results"] == one.cost_items(days[9])
    assert one.cost_items(date(1999, 12, 31)) == two.cost_items(date(1999, 12, 31))
    assert one.cost_items(date(2031, 7, 4)) != []


async def test_realistic_spread_and_lenient_enum_values() -> None:
    """March has a clear top workspace, model and token type, plus rare future enum values."""
    org = DemoOrganization()
    items = [i for n in range(31) for i in org.cost_items(date(2026, 3, 1) + timedelta(days=n))]
    spend: dict[str, defaultdict[Any, Decimal]] = {
        key: defaultdict(Decimal) for key in ("workspace_id", "model", "token_type")
    }
    for item in items:
        for key, counter in spend.items():
            counter[item[key]] += Decimal(item["amount"])
    assert max(spend["workspace_id"], key=spend["workspace_id"].__getitem__) == PROD_SEARCH
    assert max(spend["model"], key=spend["model"].__getitem__) == "claude-sonnet-4-5"
    assert max(spend["token_type"], key=spend["token_type"].__getitem__) == "output_tokens"
    assert {i["model"] for i in items} == {
        "claude-opus-4-1",
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
        "claude-3-5-haiku",
        None,
    }
    assert {i["service_tier"] for i in items} == {"standard", "batch", "flex", None}
    assert {i["context_window"] for i in items} == {"0-200k", "200k-1M", None}
    assert {i["inference_geo"] for i in items} == {"global", "us", "not_available"}
    assert {i["cost_type"] for i in items} == {
        "tokens",
        "web_search",
        "code_execution",
        "session_usage",
    }
    assert len({i["token_type"] for i in items}) == 6
    assert None in {i["workspace_id"] for i in items} and LEGACY in {
        i["workspace_id"] for i in items
    }
    assert "Claude Sonnet 4.5 Usage - Input Tokens, Batch" in {i["description"] for i in items}
    weekday = Decimal(
        org.results(date(2026, 3, 4), by_workspace=False, by_description=False)[0]["amount"]
    )
    weekend = Decimal(
        org.results(date(2026, 3, 7), by_workspace=False, by_description=False)[0]["amount"]
    )
    assert weekend < weekday / 2


async def test_auth_requires_the_demo_key() -> None:
    """Missing or wrong keys get 401; the demo key works as x-api-key or Bearer."""
    async with make_client(key=None) as client:
        missing = await client.get("/v1/organizations/me")
        bearer = await client.get(
            "/v1/organizations/me", headers={"authorization": f"Bearer {DEMO_KEY}"}
        )
    assert "x-api-key" in assert_error(missing, 401, "authentication_error")
    assert bearer.status_code == 200
    async with make_client(key="sk-ant-admin01-wrong") as client:
        wrong = await client.get(COST, params=MARCH)
    assert_error(wrong, 401, "authentication_error")
    async with make_client(DemoApi(check_key=False), key="anything") as client:
        assert (await client.get(COST, params=MARCH)).status_code == 200


async def test_me_endpoint() -> None:
    """The organisation endpoint names the demo organisation."""
    assert await get_json("/v1/organizations/me") == {
        "id": "ab016215-ebba-4e63-891f-9160b4ebe9c6",
        "name": "Acme Robotics (demo)",
        "type": "organization",
    }


async def test_workspaces_listing_archived_and_after_id_paging() -> None:
    """Archived workspaces show only on request; after_id pages through the list."""
    active = await get_json("/v1/organizations/workspaces")
    assert [w["name"] for w in active["data"]] == [
        "[prod] Search",
        "Customer Support Bot",
        "Data Pipeline",
        "Research Sandbox",
    ]
    assert active["has_more"] is False
    assert active["first_id"] == PROD_SEARCH and active["last_id"] == RESEARCH
    everything = await get_json("/v1/organizations/workspaces", include_archived="true")
    assert everything["data"][-1] == {
        "id": LEGACY,
        "type": "workspace",
        "name": "Legacy Chat",
        "created_at": "2024-04-14T09:30:00Z",
        "archived_at": "2026-06-30T16:00:00Z",
        "display_color": "#C9A227",
    }
    pages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 2, "include_archived": "true"}
    while True:
        page = await get_json("/v1/organizations/workspaces", **params)
        pages.append(page)
        if not page["has_more"]:
            break
        params["after_id"] = page["last_id"]
    assert [len(p["data"]) for p in pages] == [2, 2, 1]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert [w for p in pages for w in p["data"]] == everything["data"]
    assert pages[1]["first_id"] == everything["data"][2]["id"]
    async with make_client() as client:
        for bad in ({"limit": 0}, {"limit": 1001}, {"after_id": "wrkspc_01nope"}):
            response = await client.get("/v1/organizations/workspaces", params=bad)
            assert_error(response, 400, "invalid_request_error")


def test_scaled_organisation_has_unique_workspaces() -> None:
    """A 40-workspace organisation keeps unique IDs and names and exactly one archived workspace."""
    org = DemoOrganization(workspace_count=40)
    assert len(org.workspaces) == 40
    assert len({w["id"] for w in org.workspaces}) == len({w["name"] for w in org.workspaces}) == 40
    assert sum(w["archived_at"] is not None for w in org.workspaces) == 1
    assert all(w["id"].startswith("wrkspc_01") and len(w["id"]) == 31 for w in org.workspaces)
    assert org.workspaces[0]["id"] == PROD_SEARCH
    assert len({i["workspace_id"] for i in org.cost_items(date(2026, 3, 2))}) > 30


async def test_unknown_path_and_method() -> None:
    """Unknown paths are 404 not_found_error; non-GET methods are refused."""
    async with make_client() as client:
        missing = await client.get("/v1/organizations/usage_report/claude_code")
        posted = await client.post(COST, params=MARCH)
    assert_error(missing, 404, "not_found_error")
    assert_error(posted, 405, "invalid_request_error")


async def test_request_ids_and_recorded_requests() -> None:
    """Every response carries a sequential request-id and every request is recorded."""
    api = DemoApi()
    async with make_client(api) as client:
        ids = [
            (await client.get(path)).headers["request-id"]
            for path in ("/v1/organizations/me", "/nope")
        ]
    assert ids == ["req_demo_000001", "req_demo_000002"]
    assert [r.url.path for r in api.requests] == ["/v1/organizations/me", "/nope"]
    assert api.requests[0].headers["x-api-key"] == DEMO_KEY


async def test_rate_limit_then_overloaded_faults() -> None:
    """The first cost_report requests answer 429 (retry-after 0), then 529, then succeed."""
    api = DemoApi(faults=DemoFaults(rate_limit_first=2, overloaded_first=1))
    async with make_client(api) as client:
        assert (await client.get("/v1/organizations/me")).status_code == 200
        responses = [await client.get(COST, params=MARCH) for _ in range(4)]
    for response in responses[:2]:
        assert_error(response, 429, "rate_limit_error")
        assert response.headers["retry-after"] == "0"
    assert_error(responses[2], 529, "overloaded_error")
    assert responses[3].status_code == 200
    assert api.cost_report_count == 4


async def test_broken_json_and_bad_shape_faults() -> None:
    """The chosen requests answer 200 with a non-JSON body or JSON lacking `data`."""
    api = DemoApi(faults=DemoFaults(broken_json_page=2, bad_shape_page=3))
    async with make_client(api) as client:
        responses = [await client.get(COST, params=MARCH) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert "data" in responses[0].json()
    with pytest.raises(ValueError):
        responses[1].json()
    assert responses[2].json() == {"has_more": False, "next_page": None}
    assert "data" in responses[3].json()


async def test_latency_fault_delays_every_response() -> None:
    """latency_seconds sleeps before each answer in the async transport."""
    api = DemoApi(faults=DemoFaults(latency_seconds=0.05))
    async with make_client(api) as client:
        started = time.perf_counter()
        await client.get("/v1/organizations/me")
        await client.get(COST, params=MARCH)
    assert time.perf_counter() - started >= 0.1


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (402, "billing_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (409, "conflict_error"),
        (413, "request_too_large"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (504, "timeout_error"),
        (529, "overloaded_error"),
    ],
)
async def test_status_always_produces_each_documented_error(status: int, error_type: str) -> None:
    """status_always answers every endpoint with the documented error type."""
    api = DemoApi(faults=DemoFaults(status_always=status))
    async with make_client(api) as client:
        for path in (COST, "/v1/organizations/me", "/v1/organizations/workspaces"):
            response = await client.get(path, params=MARCH)
            assert assert_error(response, status, error_type)
            assert ("retry-after" in response.headers) == (status == 429)


def test_handle_answers_synchronously() -> None:
    """DemoApi.handle serves a plain request without an event loop."""
    request = httpx.Request(
        "GET", f"{DEMO_BASE_URL}/v1/organizations/me", headers={"x-api-key": DEMO_KEY}
    )
    response = DemoApi().handle(request)
    assert response.status_code == 200
    assert response.json()["type"] == "organization"


def test_demo_module_does_not_import_textual() -> None:
    """The demo stays in the Textual-free core."""
    code = "import sys, costtui.data.demo; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
