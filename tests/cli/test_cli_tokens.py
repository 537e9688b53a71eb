"""`costtui report --with-tokens`, `--group-by api_key` and `--format focus`, on exact stdout."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from costtui.cli.main import main
from costtui.core.admin_key import AdminKey
from costtui.core.focus import FOCUS_COLUMNS
from costtui.data.api import CostClient
from costtui.data.demo import DEMO_BASE_URL, DemoApi, DemoTransport
from costtui.data.demo_prices import usd_per_mtok
from tests.conftest import SENTINEL_KEY
from tests.tui_support import frozen_clock

Run = Callable[..., tuple[int, str, str]]
FIVE_DAYS = ("--from", "2026-11-20", "--to", "2026-11-24")
COMPLETE_WEEK = ("--from", "2026-11-10", "--to", "2026-11-16")


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Return a runner of main() giving exit code, stdout and stderr, checked for secrets."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), clock=frozen_clock())
        out, err = capsys.readouterr()
        assert SENTINEL_KEY not in out + err and "Traceback" not in out + err
        return code, out, err

    return invoke


TABLE = """\
Acme Robotics (demo) · 2026-11-20 → 2026-11-24 (UTC)
┏━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━┓
┃ Workspace            ┃      Cost ┃ Share ┃      Tokens ┃  $/MTok ┃
┡━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━┩
│ [prod] Search        │ $2,050.48 │ 50.4% │ 906,314,965 │   $1.98 │
│ Research Sandbox     │   $958.85 │ 23.6% │  93,094,649 │  $18.73 │
│ Data Pipeline        │   $567.48 │ 13.9% │ 318,909,289 │   $1.52 │
│ Customer Support Bot │   $325.29 │  8.0% │ 319,396,161 │   $1.03 │
│ Default              │   $164.91 │  4.1% │  99,275,797 │   $1.70 │
│ Legacy Chat          │     $4.50 │  0.1% │   8,055,434 │ $0.6319 │
├──────────────────────┼───────────┼───────┼─────────────┼─────────┤
│ Total                │ $4,071.51 │       │             │         │
└──────────────────────┴───────────┴───────┴─────────────┴─────────┘
cost without tokens: Data Pipeline · code_execution: $4.38 (no usage counterpart)
cost without tokens: Research Sandbox · session_usage: $1.48 (no usage counterpart)
cost without tokens: Research Sandbox · code_execution: $0.60 (no usage counterpart)
tokens without cost: [prod] Search · claude-sonnet-4-5 priority 0-200k: 40,680,742 tokens \
(priority tier: not in the cost report)
web search: 4,280 searches, $10.00 per 1,000
"""


def test_table_with_tokens(run: Run) -> None:
    assert run("report", "--demo", *FIVE_DAYS, "--with-tokens", "--format", "table") == (
        0, TABLE, "")


def test_csv_with_tokens_adds_two_columns(run: Run) -> None:
    code, out, _ = run("report", "--demo", "--from", "2026-11-20", "--to", "2026-11-20",
                       "--with-tokens", "--group-by", "model", "--format", "csv")
    assert code == 0
    assert out == (
        "model,cost_usd,tokens,usd_per_mtok\n"
        "claude-sonnet-4-5,741.0693561,332339213,2.229858\n"
        "claude-opus-4-1,738.94833225,13123203,56.308535\n"
        "claude-haiku-4-5,104.6565942,172222010,0.607684\n"
        ",27.091,0,\n"
        "claude-3-5-haiku,8.06502696,14641208,0.550844\n"
    )


def test_json_usd_per_mtok_is_the_price_table_exactly(run: Run) -> None:
    code, out, _ = run("report", "--demo", *COMPLETE_WEEK, "--with-tokens", "--group-by",
                       "model,token_type,service_tier,context_window", "--format", "json")
    assert code == 0
    document = json.loads(out)
    priced = [row for row in document["rows"] if row["tokens"]]
    assert len(priced) == 33
    for row in priced:
        expected = usd_per_mtok(row["model"], row["token_type"], row["service_tier"],
                                row["context_window"])
        assert Decimal(row["usd_per_mtok"]) == expected
    assert sum(Decimal(row["cost_usd"]) for row in document["rows"]) == Decimal(
        document["total_usd"])
    assert document["web_search"]["usd_per_1000_searches"] == "10"
    kinds = {(u["kind"], u["reason"]) for u in document["unmatched"]}
    assert kinds == {("tokens without cost", "priority tier: not in the cost report"),
                     ("cost without tokens", "no usage counterpart")}


def test_days_within_the_lag_say_cost_pending(run: Run) -> None:
    code, out, _ = run("report", "--demo", "--from", "2026-11-24", "--to", "2026-11-24",
                       "--with-tokens", "--group-by", "model", "--format", "json")
    rows = json.loads(out)["rows"]
    assert code == 0 and rows[0]["model"] == "claude-sonnet-4-5"
    assert rows[0]["usd_per_mtok"] == "cost pending" and rows[0]["tokens"] > 0


def test_cost_per_api_key_is_allocated_and_sums_to_the_total(run: Run) -> None:
    code, out, _ = run("report", "--demo", *COMPLETE_WEEK, "--group-by", "api_key",
                       "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["allocated"] is True and document["allocation"] == "allocated by tokens"
    names = [row["api_key"] for row in document["rows"]]
    assert "Console / Workbench" in names and "(unattributed)" in names
    assert names[0] == "[prod]-search-backend (sk-ant-api03-M9W…g7RA)"
    assert sum(Decimal(row["cost_usd"]) for row in document["rows"]) == Decimal(
        document["total_usd"])
    console = next(row for row in document["rows"] if row["api_key"] == "Console / Workbench")
    assert console["api_key_id"] is None
    table = run("report", "--demo", *COMPLETE_WEEK, "--group-by", "api_key", "--format",
                "table")[1]
    assert table.splitlines()[0] == (
        "Acme Robotics (demo) · 2026-11-10 → 2026-11-16 (UTC) · cost per API key allocated by "
        "tokens")
    rows = list(csv.reader(io.StringIO(run("report", "--demo", *COMPLETE_WEEK, "--group-by",
                                           "api_key", "--format", "csv")[1])))
    assert rows[0] == ["api_key", "api_key_id", "allocation", "cost_usd"]
    assert {row[2] for row in rows[1:]} == {"allocated by tokens"}


def test_focus_export_columns_and_sum(run: Run) -> None:
    code, out, _ = run("report", "--demo", *COMPLETE_WEEK, "--group-by", "model",
                       "--format", "focus")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert out.splitlines()[0] == ",".join(FOCUS_COLUMNS)
    total = json.loads(run("report", "--demo", *COMPLETE_WEEK, "--format", "json")[1])
    assert sum(Decimal(row[0]) for row in rows[1:]) == Decimal(total["total_usd"])
    assert {row[1] for row in rows[1:]} == {"ab016215-ebba-4e63-891f-9160b4ebe9c6"}


def test_unknown_dimension_with_api_key_is_one_line(run: Run) -> None:
    code, out, err = run("report", "--demo", "--group-by", "api_key,colour")
    assert (code, out) == (2, "")
    assert err.startswith("costtui: error: unknown dimension 'colour'") and err.count("\n") == 1


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> DemoApi:
    """Serve the 'live' API from the demo behind the real cache, with the sentinel key."""
    api = DemoApi(check_key=False)
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))

    def live_client(key: AdminKey, profile: str, *args: object, **kwargs: object) -> CostClient:
        return CostClient(key, base_url=DEMO_BASE_URL, transport=DemoTransport(api))

    monkeypatch.setattr("costtui.data.open.live_client", live_client)
    return api


def usage_requests(api: DemoApi) -> int:
    return sum(request.url.path.endswith("/usage_report/messages") for request in api.requests)


def test_tokens_offline_from_the_usage_cache(run: Run, live: DemoApi, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    online = run("report", *COMPLETE_WEEK, "--with-tokens", "--format", "csv")
    plain = run("report", *COMPLETE_WEEK, "--format", "csv")
    assert usage_requests(live) == 1  # only a view with tokens fetches usage
    keys = run("report", *COMPLETE_WEEK, "--group-by", "api_key", "--format", "csv")
    monkeypatch.delenv("ANTHROPIC_ADMIN_KEY")
    before = len(live.requests)
    assert run("report", "--offline", *COMPLETE_WEEK, "--with-tokens", "--format", "csv") == (
        online)
    assert run("report", "--offline", *COMPLETE_WEEK, "--group-by", "api_key",
               "--format", "csv") == keys
    assert len(live.requests) == before
    assert plain[0] == 0 and "tokens" not in plain[1]
    stored = (tmp_path / "xdg" / "costtui" / "usage.sqlite3").read_bytes()
    assert SENTINEL_KEY.encode() not in stored


class NoUsage(DemoTransport):
    """The demo API, except that the usage report answers 403 as for a key without access."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/usage_report/messages"):
            return httpx.Response(403, json={"type": "error", "error": {
                "type": "permission_error", "message": "no usage"}}, request=request)
        return await super().handle_async_request(request)


def test_a_failing_usage_report_is_a_warning_and_the_costs_still_print(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("costtui.cli.report.demo_transport", lambda today: NoUsage())
    code, out, err = run("report", "--demo", *COMPLETE_WEEK, "--with-tokens", "--format", "csv")
    assert code == 0
    assert err.startswith("costtui: warning: tokens unavailable: API error 403 "
                          "(permission_error): the key lacks permission")
    assert err.endswith("; API said: no usage\n") and err.count("\n") == 1
    assert out.splitlines()[0] == "workspace,workspace_id,cost_usd,tokens,usd_per_mtok"
    assert out.splitlines()[1].endswith(",0,")


def test_insights_beside_the_api_key_view_score_the_total(run: Run) -> None:
    code, out, err = run("report", "--demo", *COMPLETE_WEEK, "--group-by", "api_key",
                         "--anomalies", "--format", "json")
    document = json.loads(out)
    assert (code, err) == (0, "")
    assert document["allocated"] is True
    assert {entry["dimension"] for entry in document["anomalies"]} <= {"total"}


def test_tokens_per_api_key_price_each_key_at_the_table(run: Run) -> None:
    dims = "model,token_type,service_tier,context_window"
    code, out, _ = run("report", "--demo", *COMPLETE_WEEK, "--with-tokens", "--group-by",
                       f"api_key,{dims}", "--format", "json")
    assert code == 0
    keyed = json.loads(out)
    plain = json.loads(run("report", "--demo", *COMPLETE_WEEK, "--with-tokens", "--group-by",
                           dims, "--format", "json")[1])
    priced = [row for row in keyed["rows"] if row["tokens"]]
    assert {row["api_key"] for row in priced} >= {"Console / Workbench"}
    for row in priced:
        assert Decimal(row["usd_per_mtok"]) == usd_per_mtok(
            row["model"], row["token_type"], row["service_tier"], row["context_window"])
    assert sum(row["tokens"] or 0 for row in keyed["rows"]) == sum(
        row["tokens"] or 0 for row in plain["rows"])
    assert keyed["total_usd"] == plain["total_usd"]
