"""Cost page bodies in flight: a few read at a time, and waiting for a turn is not a timeout."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from costtui.core.admin_key import AdminKey
from costtui.core.dates import DateRange
from costtui.core.models import DayBucket
from costtui.data import api
from costtui.data.api import CostClient
from costtui.data.api_bodies import PAGE_BODIES_AT_ONCE
from costtui.data.api_columns import decode_cost_page
from costtui.data.demo import DEMO_BASE_URL, DEMO_KEY, DemoApi, DemoTransport

FOUR_WINDOWS = DateRange(date(2026, 5, 1), date(2026, 8, 31))
"""Four windows of at most 31 days: four cost_report requests sent at once."""


class BodyLedger:
    """Counts the cost page bodies begun and the pages decoded, and the most in flight."""

    def __init__(self) -> None:
        self.begun = 0
        self.decoded = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def begin(self) -> None:
        with self._lock:
            self.begun += 1
            self.most_in_flight = max(self.most_in_flight, self.begun - self.decoded)

    def decode(self, content: bytes) -> tuple[list[DayBucket], str | None] | None:
        decoded = decode_cost_page(content)
        with self._lock:
            self.decoded += 1
        return decoded


class LedgerStream(httpx.AsyncByteStream):
    """A body that tells the ledger when it starts being read."""

    def __init__(self, content: bytes, ledger: BodyLedger) -> None:
        self.content = content
        self.ledger = ledger

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.ledger.begin()
        yield self.content


class LedgerTransport(httpx.AsyncBaseTransport):
    """Serves a DemoApi, its cost_report bodies streamed through a ledger."""

    def __init__(self, ledger: BodyLedger) -> None:
        self.inner = DemoTransport(DemoApi())
        self.ledger = ledger

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not request.url.path.endswith("/cost_report"):
            return response
        return httpx.Response(response.status_code, headers=response.headers,
                              stream=LedgerStream(response.content, self.ledger))


async def reference(date_range: DateRange) -> list[DayBucket]:
    """Return the buckets a plain demo client fetches."""
    async with CostClient(AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL,
                          transport=DemoTransport(DemoApi())) as client:
        return await client.cost_buckets(date_range, ("workspace_id",))


async def test_only_a_few_page_bodies_are_read_before_their_pages_are_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ledger = BodyLedger()
    monkeypatch.setattr(api, "decode_cost_page", ledger.decode)
    async with CostClient(AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL,
                          transport=LedgerTransport(ledger)) as client:
        buckets = await client.cost_buckets(FOUR_WINDOWS, ("workspace_id",))
    assert ledger.begun == ledger.decoded == 4
    assert ledger.most_in_flight == PAGE_BODIES_AT_ONCE == 2
    assert buckets == await reference(FOUR_WINDOWS)


async def test_waiting_for_a_turn_does_not_count_against_the_request_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first_decode = threading.Event()

    def slow_first_decode(content: bytes) -> tuple[list[DayBucket], str | None] | None:
        if not first_decode.is_set():
            first_decode.set()
            # Longer than the deadline: pages three and four wait that long for a turn.
            threading.Event().wait(1.2)
        return decode_cost_page(content)

    monkeypatch.setattr(api, "decode_cost_page", slow_first_decode)
    async with CostClient(AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL,
                          transport=DemoTransport(DemoApi()), request_deadline=1.0,
                          max_retries=0) as client:
        buckets = await client.cost_buckets(FOUR_WINDOWS, ("workspace_id",))
    assert buckets == await reference(FOUR_WINDOWS)
