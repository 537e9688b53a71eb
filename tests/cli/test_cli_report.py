"""`costtui report`: exact totals against a loopback stand-in, three formats, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from costtui.cli.main import main
from costtui.core.dates import DateRange
from costtui.data.demo import DemoOrganization
from tests.conftest import SENTINEL_KEY
from tests.data.test_api import recorded_items
from tests.replay import RECORDINGS, normalise_query
from tests.tui_support import frozen_clock

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Return a runner of costtui's main() that gives exit code, stdout and stderr."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), clock=frozen_clock())
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


class RecordingServer(ThreadingHTTPServer):
    """An independent stand-in of the Admin API: answers from the recordings over real HTTP."""

    exchanges: list[dict[str, object]]
    seen_keys: list[str]


class Handler(BaseHTTPRequestHandler):
    """Finds the recorded exchange for a GET by path and query."""

    server: RecordingServer

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.server.seen_keys.append(self.headers.get("x-api-key", ""))
        parts = urlsplit(self.path)
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(parts.query):
            query.setdefault(key, []).append(value)
        for exchange in self.server.exchanges:
            recorded = exchange["request"]
            assert isinstance(recorded, dict)
            if recorded["path"] == parts.path and normalise_query(recorded["query"]) == query:
                response = exchange["response"]
                assert isinstance(response, dict)
                body = json.dumps(response["body"]).encode()
                self.send_response(response["status"])
                self.send_header("content-type", "application/json")
                self.send_header("request-id", response["headers"]["request-id"])
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.send_error(599, "no recording")

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""


@pytest.fixture
def stand_in() -> Iterator[RecordingServer]:
    """Serve the 40-day recording on 127.0.0.1 for the duration of a test."""
    server = RecordingServer(("127.0.0.1", 0), Handler)
    server.exchanges = json.loads((RECORDINGS / "cost_report_40_days.json").read_text())[
        "exchanges"
    ]
    server.seen_keys = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_live_totals_are_exact_against_a_loopback_stand_in(
    run: Run, stand_in: RecordingServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{stand_in.server_address[1]}")
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)
    code, out, err = run("report", "--from", "2025-08-01", "--to", "2025-09-09",
                         "--group-by", "workspace,model", "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    items = recorded_items()
    expected_total = sum((Decimal(i["amount"]) for i in items), Decimal(0)) / 100
    assert Decimal(document["total_usd"]) == expected_total
    assert document["total_usd"] == format(expected_total, "f")
    production_sonnet = sum(
        (Decimal(i["amount"]) for i in items
         if i["workspace_id"] == "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"
         and i["model"] == "claude-sonnet-4"),
        Decimal(0),
    ) / 100
    row = next(r for r in document["rows"]
               if r["workspace"] == "Production" and r["model"] == "claude-sonnet-4")
    assert Decimal(row["cost_usd"]) == production_sonnet
    assert row["workspace_id"] == "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"
    web_search = next(r for r in document["rows"]
                      if r["workspace"] == "Default" and r["model"] is None)
    assert web_search["workspace_id"] is None
    assert set(stand_in.seen_keys) == {SENTINEL_KEY}
    assert SENTINEL_KEY not in out + err
    assert not [p for p in tmp_path.rglob("*") if p.is_file()
                and SENTINEL_KEY.encode() in p.read_bytes()]


def demo_total(first: str, last: str) -> Decimal:
    """Return the demo organisation's exact dollar total over a range, from its raw items."""
    from datetime import date

    organization = DemoOrganization()
    days = DateRange(date.fromisoformat(first), date.fromisoformat(last)).days()
    return sum(
        (Decimal(item["amount"]) for day in days for item in organization.cost_items(day)),
        Decimal(0),
    ) / 100


def test_json_shape_on_the_demo(run: Run) -> None:
    code, out, _ = run("report", "--demo", "--from", "2026-03-01", "--to", "2026-03-31",
                       "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert list(document) == ["from", "to", "currency", "group_by", "rows", "total_usd"]
    assert (document["from"], document["to"], document["currency"], document["group_by"]) == (
        "2026-03-01", "2026-03-31", "USD", ["workspace"])
    assert Decimal(document["total_usd"]) == demo_total("2026-03-01", "2026-03-31")
    assert document["rows"][0]["workspace"] == "[prod] Search"
    assert list(document["rows"][0]) == ["workspace", "workspace_id", "cost_usd"]
    costs = [Decimal(row["cost_usd"]) for row in document["rows"]]
    assert costs == sorted(costs, reverse=True)
    assert sum(costs, Decimal(0)) == Decimal(document["total_usd"])


def test_csv_has_a_column_per_dimension_then_cost(run: Run) -> None:
    code, out, _ = run("report", "--demo", "--from", "2026-03-01", "--to", "2026-03-31",
                       "--group-by", "model", "--group-by", "token-type", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0
    assert rows[0] == ["model", "token_type", "cost_usd"]
    assert sum((Decimal(r[2]) for r in rows[1:]), Decimal(0)) == demo_total(
        "2026-03-01", "2026-03-31")
    web_search = [r for r in rows[1:] if r[0] == "" and r[1] == ""]
    assert len(web_search) == 1 and Decimal(web_search[0][2]) > 0


def test_table_shows_names_literally_and_a_total_line(run: Run) -> None:
    code, out, _ = run("report", "--demo", "--from", "2026-03-01", "--to", "2026-03-31",
                       "--format", "table")
    total = demo_total("2026-03-01", "2026-03-31")
    assert code == 0
    assert out.splitlines()[0] == "Acme Robotics (demo) · 2026-03-01 → 2026-03-31 (UTC)"
    assert "[prod] Search" in out and "Default" in out
    total_line = next(line for line in out.splitlines() if "Total" in line)
    assert f"${total:,.2f}" in total_line


@pytest.mark.parametrize(
    ("argv", "message", "exit_code"),
    [
        (["--from", "2026-02-30"], "--from date '2026-02-30' is not a date: use YYYY-MM-DD", 2),
        (["--from", "2026-03-31", "--to", "2026-03-01"], "range is reversed", 2),
        (["--group-by", "api_key,api-key"], "a dimension is repeated", 2),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    run: Run, argv: list[str], message: str, exit_code: int
) -> None:
    code, out, err = run("report", "--demo", *argv)
    assert code == exit_code and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_api_errors_are_one_line_with_the_request_id(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://demo.costtui.invalid")
    import costtui.data.open as opener
    from costtui.data.demo import DemoApi, DemoFaults, DemoTransport

    failing_api = DemoApi(check_key=False, faults=DemoFaults(status_always=403))
    original = opener.live_client
    monkeypatch.setattr(
        "costtui.data.open.live_client",
        lambda key, profile, *args, **kwargs: original(key, profile, DemoTransport(failing_api)),
    )
    code, out, err = run("report")
    assert code == 1 and out == ""
    assert err.startswith(
        "costtui: error: API error 403 (permission_error): the key lacks permission"
    )
    assert "request-id req_" in err and err.count("\n") == 1 and SENTINEL_KEY not in err


def test_no_key_says_what_to_do(run: Run) -> None:
    code, out, err = run("report")
    assert code == 1 and out == ""
    assert err == (
        "costtui: error: no Admin key for profile 'default': set ANTHROPIC_ADMIN_KEY or run "
        "'costtui key set', or try '--demo'\n"
    )


def test_progress_stays_off_stderr_when_it_is_not_a_terminal(run: Run) -> None:
    code, _, err = run("report", "--demo", "--format", "csv")
    assert code == 0 and err == ""


def test_progress_goes_to_a_terminal_stderr_and_is_wiped(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    code, out, err = run("report", "--demo", "--from", "2026-01-01", "--to", "2026-03-31",
                         "--format", "csv")
    assert code == 0 and out.startswith("workspace,workspace_id,cost_usd\n")
    assert "\rcosttui: fetching windows 0/3, pages 0…" in err
    assert "\rcosttui: fetching windows 3/3, pages 3…" in err
    assert err.endswith("\r\033[K")


def test_a_csv_report_loads_neither_rich_nor_httpxs_own_command_line() -> None:
    import subprocess
    import sys

    probe = ("import costtui.cli.main as m\nm.build_parser(['report'])\n"
             "import costtui.cli.report, costtui.data.api, httpx, sys\n"
             "print(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "costtui.cli.report" in loaded and "httpx" in loaded
    assert {name for name in loaded if name.split(".")[0] in ("rich", "click", "pygments")} == set()


def test_a_report_leaves_its_objects_frozen_for_the_process_exit(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    # atexit runs its handlers last registered first: this probe runs after the report's own.
    probe = ("import atexit, gc, sys\n"
             "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
             "from costtui.cli.main import main\n"
             "code = main(['--demo', 'report', '--format', 'csv'])\n"
             "print('frozen before exit:', gc.get_freeze_count() > 0, file=sys.stderr)\n"
             "sys.exit(code)")
    env = {**os.environ, **{f"XDG_{name}_HOME": str(tmp_path / name.lower())
                            for name in ("CACHE", "CONFIG", "STATE", "DATA")}}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, env=env)
    assert done.stdout.splitlines()[-1] == "frozen at exit: True"
    assert done.stderr.splitlines()[-1] == "frozen before exit: False"
