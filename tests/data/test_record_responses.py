"""The recording tool: what it writes replays to the same totals, and never holds the key."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from costtui.core.admin_key import AdminKey
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.report import total_cost
from costtui.data.api import CostClient
from costtui.data.demo import DEMO_BASE_URL, DemoApi, DemoTransport
from costtui.data.source import load_report
from tests import replay
from tests.conftest import SENTINEL_KEY
from tests.record_responses import anonymise, record

RANGE = DateRange(date(2026, 3, 1), date(2026, 4, 15))
CLOCK = FixedClock(datetime(2026, 4, 20, 12, 0, tzinfo=timezone.utc))
GROUPING = ("workspace_id", "description")


async def test_a_recording_replays_to_the_same_exact_totals(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)
    api = DemoApi(check_key=False)
    recorded = await record(RANGE, GROUPING, base_url=DEMO_BASE_URL, inner=DemoTransport(api))
    text = json.dumps({"comment": "test", "exchanges": recorded.exchanges})
    assert SENTINEL_KEY not in text
    assert all(SENTINEL_KEY == request.headers["x-api-key"] for request in api.requests)
    (tmp_path / "live.json").write_text(anonymise(text))
    monkeypatch.setattr(replay, "RECORDINGS", tmp_path)
    async with CostClient(AdminKey("sk-ant-admin01-replay-xyz"),
                          transport=replay.ReplayTransport("live.json")) as client:
        report = await load_report(client, RANGE, GROUPING, clock=CLOCK, with_previous=False)
    expected = sum(
        (Decimal(item["amount"]) for day in RANGE.days() for item in api.org.cost_items(day)),
        Decimal(0),
    ) / 100
    assert total_cost(report.items) == expected
    assert report.organization_name == "Recorded Organisation"
    assert sorted(report.workspace_names.values())[:2] == ["Workspace 1", "Workspace 2"]
    assert all(ws_id.startswith("wrkspc_01ANON") for ws_id in report.workspace_names)
