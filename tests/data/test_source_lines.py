"""load_report gathers the range and the period before it as columns, off the event loop."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

import costtui.data.source as source_module
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.models import CostItem, DayBucket, Organization, Workspace
from costtui.core.report import group_costs, total_cost
from costtui.data.source import load_report

RANGE = DateRange(date(2026, 3, 3), date(2026, 3, 5))
CLOCK = FixedClock(datetime(2026, 3, 7, tzinfo=timezone.utc))


def item(day: date, cents: str, workspace: str | None) -> CostItem:
    """Return one cost item."""
    return CostItem(day, Decimal(cents), "USD", workspace, None, None, None, None, None, None,
                    None)


BUCKETS = [
    DayBucket(date(2026, 2, 28), [item(date(2026, 2, 28), "7.25", "ws_a")]),
    DayBucket(date(2026, 3, 3), [item(date(2026, 3, 3), "100", "ws_a"),
                                 item(date(2026, 3, 3), "0.001", None)]),
    DayBucket(date(2026, 3, 5), [item(date(2026, 3, 5), "-2.5", "ws_a")]),
]


class BucketSource:
    """A source that hands back fixed buckets, with March 4 and March 1-2 missing."""

    uses_cache = False
    offline = False

    async def organization(self) -> Organization:
        return Organization("org", "Org")

    async def workspaces(self) -> list[Workspace]:
        return [Workspace("ws_a", "A")]

    async def cost_buckets(self, *args: Any, **kwargs: Any) -> list[DayBucket]:
        return BUCKETS

    def take_warnings(self) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None


async def test_lines_cover_every_day_of_both_periods_and_are_gathered_off_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[threading.Thread] = []
    original = source_module._gather_lines

    def gather(*args: Any) -> Any:
        threads.append(threading.current_thread())
        return original(*args)

    monkeypatch.setattr(source_module, "_gather_lines", gather)
    report = await load_report(BucketSource(), RANGE, ("workspace_id",), clock=CLOCK)
    assert threads and threads[0] is not threading.main_thread()
    assert report.lines.days == tuple(RANGE.days())
    assert report.previous_lines.days == tuple(RANGE.previous().days())
    assert report.missing_days == (date(2026, 3, 4),)
    assert total_cost(report.lines) == Decimal("0.97501")
    assert [(row.values, row.cost) for row in group_costs(report.previous_lines, ["workspace"])
            ] == [(("ws_a",), Decimal("0.0725"))]
    assert report.items == (BUCKETS[1].items + BUCKETS[2].items)
    assert report.previous_items == BUCKETS[0].items


async def test_without_the_previous_period_its_lines_are_empty() -> None:
    report = await load_report(BucketSource(), RANGE, ("workspace_id",), clock=CLOCK,
                               with_previous=False)
    assert report.previous_lines.days == () and report.previous_items == ()
    assert total_cost(report.previous_lines) == 0
