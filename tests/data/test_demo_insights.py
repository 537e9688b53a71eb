"""The demo's seeded spike and budgets: what `--demo` shows in the insights."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from costtui.core.anomalies import find_spikes
from costtui.core.budgets import Budgets, WorkspaceBudget, parse_budgets
from costtui.data.demo import DEMO_BUDGETS, DemoOrganization, demo_spike_day

TODAY = date(2026, 11, 25)
SPIKE = demo_spike_day(TODAY)


def daily_by_workspace(org: DemoOrganization, days: list[date]) -> dict[str, dict[date, Decimal]]:
    names = {workspace["id"]: workspace["name"] for workspace in org.workspaces}
    costs: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for day in days:
        for item in org.results(day, by_workspace=True, by_description=False):
            name = names.get(item["workspace_id"], "Default")
            costs[name][day] = Decimal(item["amount"]) / 100
    return costs


def test_the_spike_is_the_last_weekday_three_days_or_more_before_today() -> None:
    assert SPIKE == date(2026, 11, 20)  # Nov 22 is a Sunday
    assert demo_spike_day(date(2026, 11, 30)) == date(2026, 11, 27)


def test_the_spike_changes_one_workspace_on_one_day_only() -> None:
    plain, spiked = DemoOrganization(), DemoOrganization(spike_day=SPIKE)
    for offset in range(-40, 5):
        day = SPIKE + timedelta(days=offset)
        if day != SPIKE:
            assert spiked.cost_items(day) == plain.cost_items(day)
    names = {w["id"]: w["name"] for w in plain.workspaces}
    changed = [
        (names.get(new["workspace_id"]), new["description"])
        for old, new in zip(plain.cost_items(SPIKE), spiked.cost_items(SPIKE), strict=False)
        if old != new
    ]
    assert changed[0] == ("Research Sandbox", "Claude Opus 4.1 Usage - Output Tokens")


def test_the_seeded_spike_is_the_largest_in_the_last_30_days() -> None:
    org = DemoOrganization(spike_day=SPIKE)
    days = [TODAY - timedelta(days=n) for n in range(119, -1, -1)]
    spikes = find_spikes(daily_by_workspace(org, days), days[-30:])
    top = spikes[0]
    assert (top.day, top.group) == (SPIKE, "Research Sandbox")
    assert top.impact > 200 and top.score > 10


def test_demo_budgets_parse_like_a_config_file() -> None:
    assert parse_budgets(DEMO_BUDGETS, "demo") == Budgets(Decimal(20000), Decimal("0.8"), (
        WorkspaceBudget("[prod] Search", Decimal(12000)),
        WorkspaceBudget("Research Sandbox", Decimal(1500)),
        WorkspaceBudget("Default", Decimal(2000)),
    ))
