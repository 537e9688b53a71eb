"""The demo source's in-process first answers equal the real client's over the demo API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from costtui.core.dates import DateRange
from costtui.core.models import DayBucket
from costtui.data.demo import DemoApi, DemoOrganization, DemoTransport, demo_spike_day
from costtui.data.demo_source import DemoSource
from costtui.data.open import demo_client

TODAY = date(2026, 11, 25)
FIRST_LOAD = DateRange(date(2026, 9, 25), TODAY)
"""What the TUI's first load asks for: 30 days and the 30 before, in two windows of 31 days."""


def organization() -> DemoOrganization:
    return DemoOrganization(spike_day=demo_spike_day(TODAY))


def columns(buckets: list[DayBucket]) -> list[tuple[object, ...]]:
    return [(bucket.day, bucket.keys, bucket.amounts, bucket.scale, bucket.cached_at)
            for bucket in buckets]


@pytest.mark.parametrize("grouping", [("workspace_id", "description"), ("workspace_id",), ()])
async def test_the_first_answers_equal_the_clients_over_the_demo_api(
    grouping: tuple[str, ...],
) -> None:
    source = DemoSource(organization())
    client = demo_client(DemoTransport(DemoApi(organization())))
    try:
        direct = await source.cost_buckets(FIRST_LOAD, grouping)
        served = await client.cost_buckets(FIRST_LOAD, grouping)
        assert len(direct) == 62 and columns(direct) == columns(served)
        assert await source.organization() == await client.organization()
        assert await source.workspaces() == await client.workspaces()
        assert source.api is None  # no request was sent: the client was never made
    finally:
        await client.aclose()
        await source.aclose()


async def test_later_answers_go_through_the_demo_api() -> None:
    source = DemoSource(organization())
    try:
        first = await source.cost_buckets(FIRST_LOAD, ("workspace_id", "description"))
        await source.organization()
        await source.workspaces()
        again = await source.cost_buckets(FIRST_LOAD, ("workspace_id", "description"))
        organization_again = await source.organization()
        assert columns(again) == columns(first)
        assert organization_again.name == "Acme Robotics (demo)"
        assert source.api is not None
        assert [request.url.path.rsplit("/", 1)[1] for request in source.api.requests] == [
            "cost_report", "cost_report", "me"]
    finally:
        await source.aclose()


async def test_an_unknown_grouping_is_refused_as_the_client_does() -> None:
    with pytest.raises(ValueError, match="unknown API grouping 'model'"):
        await DemoSource(organization()).cost_buckets(FIRST_LOAD, ("model",))


async def test_a_report_prepared_in_a_thread_is_the_one_served() -> None:
    served = await DemoSource(organization()).cost_buckets(FIRST_LOAD, ("workspace_id",))
    source = DemoSource(organization())
    source.prepare(FIRST_LOAD, ("workspace_id",))
    assert source.prepared == (FIRST_LOAD, ("workspace_id",))
    assert columns(await source.cost_buckets(FIRST_LOAD, ("workspace_id",))) == columns(served)


async def test_a_prepared_report_for_other_days_is_not_served_for_these() -> None:
    october = DateRange(date(2026, 10, 1), date(2026, 10, 31))
    served = await DemoSource(organization()).cost_buckets(october, ("workspace_id",))
    source = DemoSource(organization())
    source.prepare(FIRST_LOAD, ("workspace_id",))
    buckets = await source.cost_buckets(october, ("workspace_id",))
    assert [bucket.day for bucket in buckets] == october.days()
    assert columns(buckets) == columns(served)


def test_the_direct_first_report_equals_the_decoded_pages_of_a_large_org_over_a_year() -> None:
    import msgspec

    from costtui.data.api_columns import decode_cost_page
    from costtui.data.demo_org import cost_report_body
    from costtui.data.demo_source import window_buckets

    org = DemoOrganization(workspace_count=40, seed=3, spike_day=TODAY)
    year = DateRange(TODAY - timedelta(days=364), TODAY)
    groups = ["workspace_id", "description"]
    for window in year.windows(31):
        page = msgspec.json.encode(cost_report_body(org, window.days(), groups, None))
        decoded = decode_cost_page(page)
        assert decoded is not None
        assert columns(window_buckets(org, window, groups)) == columns(decoded[0])
