"""`costtui report --check-budget | --forecast | --anomalies` on the demo API: exits, shapes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from costtui.cli.insights import forecast_json, forecast_line
from costtui.cli.main import main
from costtui.core.admin_key import AdminKey
from costtui.core.budgets import Budgets
from costtui.core.clock import Clock, FixedClock
from costtui.core.forecast import NoForecast
from costtui.data.config import config_path, load_config
from costtui.data.demo import (
    DEMO_KEY,
    DemoApi,
    DemoFaults,
    DemoOrganization,
    DemoTransport,
    demo_transport,
)
from costtui.data.open import SourceOptions, open_source
from costtui.data.source import CostSource

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
"""The frozen moment of these tests: the demo's spike falls on Friday 2026-11-20."""
SEARCH, RESEARCH = "wrkspc_018EYUtuG93NvnrQUNabjtxB", "wrkspc_013hyAABPQwTJJbCZ5Qeb7Z5"
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Return a runner of main() at NOW giving exit code, stdout and stderr."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), clock=FixedClock(NOW))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def demo_budgets(monkeypatch: pytest.MonkeyPatch, table: dict[str, Any]) -> None:
    monkeypatch.setattr("costtui.cli.insights.DEMO_BUDGETS", table)


def test_check_budget_json_of_the_demo_is_critical(run: Run) -> None:
    code, out, err = run("report", "--demo", "--check-budget", "--format", "json")
    assert (code, err) == (2, "")
    assert json.loads(out) == {
        "month": "2026-11",
        "status": "over",
        "budgets": [
            {"scope": "organisation", "name": "Organisation", "workspace_id": None,
             "budget_usd": "20000", "actual_usd": "16240.47561697", "projected_usd": "20748.09",
             "status": "warn"},
            {"scope": "workspace", "name": "[prod] Search", "workspace_id": SEARCH,
             "budget_usd": "12000", "actual_usd": "8899.7466179", "projected_usd": "11307.41",
             "status": "ok"},
            {"scope": "workspace", "name": "Research Sandbox", "workspace_id": RESEARCH,
             "budget_usd": "1500", "actual_usd": "2084.31337875", "projected_usd": "2493.64",
             "status": "over"},
            {"scope": "workspace", "name": "Default", "workspace_id": None,
             "budget_usd": "2000", "actual_usd": "819.515722", "projected_usd": "1050.88",
             "status": "ok"},
        ],
        "warnings": [],
    }


def test_check_budget_table_names_every_budget_and_the_status(run: Run) -> None:
    code, out, _ = run("report", "--demo", "--check-budget", "--format", "table")
    assert code == 2
    assert "Budgets · November 2026 (UTC)" in out
    assert "│ Organisation     │ $16,240.48 │ $20,000.00 │  81.2 % │ $20,748.09 │ warn" in out
    assert "│ Research Sandbox │  $2,084.31 │  $1,500.00 │ 139.0 % │  $2,493.64 │ over" in out
    assert out.endswith("Status: OVER\n")


@pytest.mark.parametrize(
    ("table", "code", "status"),
    [
        ({"monthly": "30000"}, 0, "ok"),
        ({"monthly": "20700"}, 1, "warn"),  # 78.5 % so far, but projected $20,748.09: over pace
        ({"monthly": "16000"}, 2, "over"),
    ],
)
def test_check_budget_exit_codes(
    run: Run, monkeypatch: pytest.MonkeyPatch, table: dict[str, Any], code: int, status: str
) -> None:
    demo_budgets(monkeypatch, table)
    exit_code, out, _ = run("report", "--demo", "--check-budget", "--format", "json")
    assert (exit_code, json.loads(out)["status"]) == (code, status)


def test_check_budget_csv(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    demo_budgets(monkeypatch, {"monthly": "20700", "workspaces": {"=HYPERLINK": "5"}})
    code, out, err = run("report", "--demo", "--check-budget", "--format", "csv")
    assert code == 1
    assert out == (
        "scope,name,workspace_id,budget_usd,actual_usd,percent,projected_usd,status\n"
        "organisation,Organisation,,20700,16240.47561697,78.5,20748.09,warn\n"
    )
    assert err == (
        "costtui: warning: budget for workspace '=HYPERLINK' names no known workspace; use a "
        'name or id from `costtui report --group-by workspace`, or "Default"\n'
    )


def test_no_budget_is_unknown(run: Run) -> None:
    code, out, err = run("report", "--check-budget")
    assert (code, out) == (3, "")
    assert err == (
        "costtui: error: no budget configured for profile 'default': add "
        '[profiles.default.budgets] with monthly = "40000" to config.toml\n'
    )


def test_bad_budget_input_is_unknown(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    demo_budgets(monkeypatch, {"monthly": "lots"})
    code, out, err = run("report", "--demo", "--check-budget")
    assert (code, out) == (3, "")
    assert err == ("costtui: error: monthly in [profiles.demo.budgets]: 'lots' is not an amount; "
                   'write e.g. "40000"\n')


def test_api_error_is_unknown(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = DemoTransport(DemoApi(DemoOrganization(), faults=DemoFaults(status_always=403)))
    monkeypatch.setattr("costtui.cli.report.demo_transport", lambda today: failing)
    code, out, err = run("report", "--demo", "--check-budget")
    assert (code, out) == (3, "")
    assert err.startswith("costtui: error: API error 403 (permission_error)")
    assert err.count("\n") == 1


NOVEMBER = ("--from", "2026-11-01", "--to", "2026-11-25")


def test_forecast_and_anomalies_in_json(run: Run) -> None:
    code, out, err = run("report", "--demo", *NOVEMBER, "--forecast", "--anomalies",
                         "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["forecast"] == {
        "month": "2026-11", "actual_to_date_usd": "16240.47561697", "projected_usd": "20748.09",
        "low_usd": "19376.14", "high_usd": "21003.78", "confidence": 0.8,
        "method": "weekday-factors-8w x median-level-14d, bootstrap-28d", "history_days": 56,
    }
    assert document["anomalies"][:2] == [
        {"day": "2026-11-20", "dimension": "workspace", "group": "Research Sandbox",
         "group_id": RESEARCH, "actual_usd": "785.42620365", "expected_usd": "84.493652",
         "impact_usd": "700.93255165", "score": 54.26},
        {"day": "2026-11-20", "dimension": "total", "group": "Organisation", "group_id": None,
         "actual_usd": "1619.83030951", "expected_usd": "1003.368225575",
         "impact_usd": "616.462083935", "score": 5.69},
    ]
    impacts = [float(entry["impact_usd"]) for entry in document["anomalies"]]
    assert impacts == sorted(impacts, reverse=True)
    assert document["total_usd"] == "16240.47561697"


def test_no_projection_gives_null_and_the_reason() -> None:
    missing = NoForecast(date(2026, 11, 1), Decimal(0), "only 3 complete days of history; a "
                         "projection needs at least 7")
    assert forecast_json(missing) == {"forecast": None, "forecast_reason": missing.reason}
    assert forecast_line(missing) == (
        "No projection for November 2026: only 3 complete days of history; a projection needs "
        "at least 7.")


def test_forecast_footer_and_anomaly_rows_in_csv(run: Run) -> None:
    code, out, _ = run("report", "--demo", *NOVEMBER, "--forecast", "--anomalies",
                       "--format", "csv")
    assert code == 0
    assert ("# November 2026 projected $20,748.09 (80 %: $19,376.14–$21,003.78), estimate; "
            "$16,240.48 so far\n\nday,dimension,group,group_id,actual_usd,expected_usd,"
            "impact_usd,score\n2026-11-20,workspace,Research Sandbox,") in out


def test_forecast_footer_in_the_table_says_estimate(run: Run) -> None:
    code, out, _ = run("report", "--demo", *NOVEMBER, "--forecast", "--anomalies",
                       "--format", "table")
    assert code == 0
    assert "Spike days (complete days only)" in out
    assert "November 2026 projected $20,748.09 (80 %: $19,376.14–$21,003.78), estimate" in out


def write_config(text: str) -> str:
    """Write config.toml in the isolated config directory and return its path."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def live_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answer a real profile's requests from the spiked demo API (a key in the environment)."""
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", DEMO_KEY)

    def spiked(options: SourceOptions, admin_key: AdminKey | None, clock: Clock,
               **_: object) -> CostSource:
        return open_source(options, admin_key, clock, transport=demo_transport(clock.today()))

    monkeypatch.setattr("costtui.cli.report.open_source", spiked)


@pytest.mark.usefixtures("live_demo")
def test_check_budget_reads_the_profile_budgets_from_config(run: Run) -> None:
    write_config('[profiles.work.budgets]\nmonthly = 16000\nwarn_at = 0.9\n\n'
                 '[profiles.work.budgets.workspaces]\n"Research Sandbox" = "3000"\n')
    code, out, err = run("report", "--profile", "work", "--no-cache", "--check-budget",
                         "--format", "csv")
    assert (code, err) == (2, "")
    assert out == (
        "scope,name,workspace_id,budget_usd,actual_usd,percent,projected_usd,status\n"
        "organisation,Organisation,,16000,16240.47561697,101.5,20748.09,over\n"
        f"workspace,Research Sandbox,{RESEARCH},3000,2084.31337875,69.5,2493.64,ok\n"
    )


@pytest.mark.usefixtures("live_demo")
def test_a_bad_budget_in_config_names_the_file_and_line(run: Run) -> None:
    path = write_config('[profiles.work]\nbase_url = "https://api.example.com"\n\n'
                        '[profiles.work.budgets]\nmonthly = "lots"\n')
    code, out, err = run("report", "--profile", "work", "--check-budget")
    assert (code, out) == (3, "")
    assert err == (f"costtui: error: {path}, line 5: monthly in [profiles.work.budgets]: "
                   "'lots' is not an amount; write e.g. \"40000\"\n")


def test_a_profile_without_budgets_has_none() -> None:
    write_config('[profiles.work]\nbase_url = "https://api.example.com"\n')
    assert load_config().profile("work").budgets == Budgets()
