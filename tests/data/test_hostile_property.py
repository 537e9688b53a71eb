"""Property: any cost page gives no traceback, no raw control byte out, no wrong total cached."""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from costtui.core.admin_key import AdminKey
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.export import report_csv
from costtui.core.models import DayBucket
from costtui.core.report import group_costs, total_cost
from costtui.data.api import ApiError, CostClient
from costtui.data.cache import CostCache
from costtui.data.cached_source import CachedSource
from tests.conftest import SENTINEL_KEY
from tests.hostile import unsafe_bytes

RANGE = DateRange(date(2026, 10, 1), date(2026, 10, 3))
NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
STAMPS = [f"2026-10-0{day}T00:00:00Z" for day in (1, 2, 3, 4)]
ODD_STAMPS = ["2026-10-01T00:00:00+14:00", "2026-10-02T12:00:00Z", "yesterday", "", "9999-12-31T"
              "00:00:00Z", "0001-01-01T00:00:00Z", "2026-10-02T00:00:00"]

texts = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(
    ["\x1b[2J", "\x1b]52;c;eA==\x07", "\x9b1m", "\u202e", "=SUM(1)", "\ud800"]))
sound_amounts = st.decimals(min_value=-10**12, max_value=10**12, places=5).map(str)
amounts = st.one_of(
    sound_amounts, sound_amounts, sound_amounts, sound_amounts,
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e400", "-1e400", "NaN", "sNaN", "1E+3", "0.000000001", "0.0000000001",
                     "123.78912", "", "abc", " 7 ", "1_000"]),
    st.none(), st.booleans(),
)
items = st.fixed_dictionaries(
    {"amount": amounts},
    optional={
        "currency": st.sampled_from(["USD"] * 6 + ["EUR", None, 5]),
        "workspace_id": texts, "description": texts, "model": texts,
        "cost_type": st.one_of(texts, texts, texts, st.integers()),
        "token_type": texts, "service_tier": texts, "context_window": texts,
        "inference_geo": texts,
    },
)
buckets = st.fixed_dictionaries(
    {"starting_at": st.one_of(st.sampled_from(STAMPS), st.sampled_from(STAMPS),
                              st.sampled_from(STAMPS), st.sampled_from(ODD_STAMPS)),
     "results": st.lists(items, max_size=4)},
    optional={"ending_at": st.sampled_from([*STAMPS, "2026-10-05T00:00:00Z", None, None])},
)
pages = st.fixed_dictionaries(
    {"data": st.one_of(st.lists(buckets, max_size=5),
                       st.lists(buckets, max_size=3, unique_by=lambda b: b["starting_at"]))},
    optional={"has_more": st.sampled_from([False, False, False, True]),
              "next_page": st.sampled_from(["page_2", None, 7])},
)


def exact(raw: Any) -> Decimal | None:
    """Return the amount a sound item means, computed independently of costtui, else None."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return None
    try:
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def expected_totals(body: dict[str, Any]) -> dict[date, Decimal]:
    """Return each day's exact total from the raw body, with far more precision than needed."""
    totals: dict[date, Decimal] = {}
    with localcontext() as context:
        context.prec = 200
        for bucket in body["data"]:
            if bucket["starting_at"] in STAMPS:
                day = date.fromisoformat(bucket["starting_at"][:10])
                amounts = [exact(item["amount"]) for item in bucket["results"]]
                totals[day] = sum((a for a in amounts if a is not None), Decimal(0))
    return totals


def serve(body: dict[str, Any]) -> httpx.MockTransport:
    """Return an API serving the generated page for every cost_report request."""
    content = json.dumps(body).encode("utf-8", "surrogatepass")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/me"):
            return httpx.Response(200, json={"id": "org_1", "name": "Org"})
        if request.url.path.endswith("/workspaces"):
            return httpx.Response(200, json={"data": [], "has_more": False})
        return httpx.Response(200, content=content)

    return httpx.MockTransport(answer)


async def no_sleep(seconds: float) -> None:
    """Never wait in a property test."""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=pages)
def test_any_cost_page_gives_exact_data_or_one_clean_error_and_nothing_wrong_cached(
    body: dict[str, Any],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        cache = CostCache(Path(directory) / "costs.sqlite3", clock=FixedClock(NOW))
        client = CostClient(AdminKey(SENTINEL_KEY), transport=serve(body), sleep=no_sleep)
        source = CachedSource(client, cache)

        async def fetch() -> list[DayBucket]:
            async with source:
                return await source.cost_buckets(RANGE, ("workspace_id", "description"))

        try:
            fetched = asyncio.run(fetch())
            event(f"fetched {len(fetched)} day(s)")
        except ApiError as error:
            event("refused")
            line = error.one_line().encode("utf-8", "surrogatepass")
            assert unsafe_bytes(line) == [] and SENTINEL_KEY.encode() not in line
            fetched = []
        stored = CostCache(cache.path, clock=FixedClock(NOW)).load_days(
            "org_1", ("workspace_id", "description"), RANGE.days(), include_incomplete=True)
        assert set(stored) == {bucket.day for bucket in fetched}
        expected = expected_totals(body)
        for bucket in fetched:
            assert total_cost(bucket.items) == expected[bucket.day] / 100
            assert total_cost(stored[bucket.day].items) == expected[bucket.day] / 100
        every_item = [item for bucket in fetched for item in bucket.items]
        rows = group_costs(every_item, ("workspace", "description", "model"))
        output = report_csv(rows, ("workspace", "description", "model"), {})
        assert unsafe_bytes(output.replace("\n", "").encode("utf-8", "surrogatepass")) == []
