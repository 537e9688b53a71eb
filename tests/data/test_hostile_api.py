"""`costtui report` against a hostile Admin API: one line, exact data or none, nothing raw out."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from costtui.cli.main import main
from costtui.core.clock import FixedClock
from costtui.core.dates import DateRange
from costtui.core.text import clean_text
from costtui.data import open as data_open
from costtui.data.cache import default_cache_path
from tests.conftest import SENTINEL_KEY
from tests.hostile import ESCAPES, FORMULAS, HostileTransport, unsafe_bytes

NOON = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
FIRST, LAST = "2026-10-01", "2026-10-03"
RANGE = DateRange(date(2026, 10, 1), date(2026, 10, 3))
MASKED_SENTINEL = "sk-ant-admin01-…a9c"


@dataclass(frozen=True)
class Outcome:
    """What one command did: exit code and the raw bytes it wrote."""

    code: int
    out: bytes
    err: bytes

    @property
    def err_lines(self) -> list[str]:
        """Return stderr as text lines."""
        return self.err.decode().splitlines()


Run = Callable[..., Outcome]


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], HostileTransport]]:
    """Return a switch that routes every live client of the CLI to a hostile API in a mode."""
    transports: list[HostileTransport] = []

    def use(mode: str) -> HostileTransport:
        transport = HostileTransport(mode)
        transports.append(transport)
        return transport

    def live_client(key: object, profile: str, transport: object = None, **options: object
                    ) -> object:
        return real_live_client(key, profile, transports[-1], **options)  # type: ignore[arg-type]

    real_live_client = data_open.live_client
    monkeypatch.setattr("costtui.data.open.live_client", live_client)
    monkeypatch.setattr("costtui.cli.report.live_client", live_client, raising=False)
    monkeypatch.setattr("costtui.data.api.backoff", lambda retries_done: 0.0)
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)
    yield use


@pytest.fixture
def run(capfdbinary: pytest.CaptureFixture[bytes]) -> Run:
    """Return a runner of main() that captures the bytes written to fds 1 and 2."""

    def invoke(*argv: str) -> Outcome:
        code = main(list(argv), clock=FixedClock(NOON))
        captured = capfdbinary.readouterr()
        return Outcome(code, captured.out, captured.err)

    return invoke


def report(run: Run, *extra: str, fmt: str = "csv") -> Outcome:
    """Run `costtui report` over the test range, grouped finely."""
    return run("report", "--from", FIRST, "--to", LAST, "--format", fmt, *extra)


def assert_clean(outcome: Outcome, files: Callable[[str], list[Path]]) -> None:
    """No raw control byte out, no key anywhere: stdout, stderr or any file."""
    assert unsafe_bytes(outcome.out) == [] and unsafe_bytes(outcome.err) == []
    assert SENTINEL_KEY.encode() not in outcome.out + outcome.err
    assert files(SENTINEL_KEY) == []


def stored_days() -> dict[str, list[str]]:
    """Return the days the cache holds per grouping, read straight from the file."""
    path = default_cache_path()
    if not path.exists():
        return {}
    with sqlite3.connect(path) as db:
        found: dict[str, list[str]] = {}
        for grouping, day in db.execute("SELECT grouping, day FROM days ORDER BY day"):
            found.setdefault(grouping, []).append(day)
        return found


def stored_texts() -> list[str]:
    """Return every text the cache holds: names, workspace documents and line keys."""
    with sqlite3.connect(default_cache_path()) as db:
        rows = db.execute("SELECT name, coalesce(workspaces_json, '') FROM organizations")
        texts = [text for row in rows for text in row]
        texts += [json.dumps(json.loads(key), ensure_ascii=False)
                  for (key,) in db.execute("SELECT key FROM line_keys")]
    return texts


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_escape_sequences_reach_no_output_and_the_cache_stores_them_cleaned(
    run: Run, hostile: Callable[[str], HostileTransport], fmt: str,
    files_with_secret: Callable[[str], list[Path]],
) -> None:
    hostile("escape_names")
    outcome = report(run, "--group-by", "workspace,description,model", fmt=fmt)
    assert outcome.code == 0, outcome.err
    assert_clean(outcome, files_with_secret)
    visible = clean_text(ESCAPES)
    assert visible.startswith("\\x1b[2J\\x1b]0;pwned\\x07\\x1b]52;c;")
    text = outcome.out.decode()
    if fmt == "json":
        rows = json.loads(text)["rows"]
        assert any(row["workspace"] == f"WS0{visible}" for row in rows)
    elif fmt == "csv":
        assert f"WS0{visible}" in text
    else:
        assert "\\x1b[2J" in text and "pwned" in text
    assert unsafe_bytes("".join(stored_texts()).encode("utf-8", "surrogatepass")) == []
    assert f"Acme{visible}" in stored_texts()
    offline = report(run, "--offline", "--group-by", "workspace,description,model", fmt=fmt)
    assert offline.code == 0 and offline.out == outcome.out
    assert_clean(offline, files_with_secret)


def test_formula_names_are_quoted_in_csv_and_costs_stay_numbers(
    run: Run, hostile: Callable[[str], HostileTransport]
) -> None:
    hostile("formula_names")
    outcome = report(run, "--group-by", "workspace")
    assert outcome.code == 0
    rows = list(csv.DictReader(io.StringIO(outcome.out.decode())))
    quoted = {row["workspace"] for row in rows}
    assert {"'" + formula for formula in FORMULAS} <= quoted
    assert not any(name.startswith(("=", "+", "-", "@")) for name in quoted)
    assert all(Decimal(row["cost_usd"]) >= 0 for row in rows)
    assert not any(row["cost_usd"].startswith("'") for row in rows)


def test_a_key_echoed_by_the_server_is_masked_in_the_one_line(
    run: Run, hostile: Callable[[str], HostileTransport],
    files_with_secret: Callable[[str], list[Path]],
) -> None:
    hostile("echo_key")
    outcome = report(run)
    assert (outcome.code, outcome.out) == (1, b"")
    assert outcome.err_lines == [
        "costtui: error: API error 401 (authentication_error): the Admin key is malformed, "
        f"revoked or expired: enter a new one; API said: invalid x-api-key: {MASKED_SENTINEL}"
        "\\x1b[2J; request-id req_\\x1b]0;x\\x07"
    ]
    assert_clean(outcome, files_with_secret)
    assert stored_days() == {}


@pytest.mark.parametrize(
    ("mode", "line", "cost_requests"),
    [
        ("retry_after_long", "the API asks to wait 60 min, longer than costtui waits (60 s): "
                             "retry in 60 min", 0),
        ("repeat_page", "invalid response: cost_report page 2 of 2026-10-01 → 2026-10-03 "
                        "repeats the page token of an earlier page", 2),
        ("duplicate_day", "invalid response: cost_report of 2026-10-01 → 2026-10-03 holds "
                          "2026-10-01 twice", 1),
        ("offset_day", "invalid response: a bucket in cost_report page 1 of 2026-10-01 → "
                       "2026-10-03 has no valid 'starting_at' (a UTC midnight)", 1),
        ("euro", "refused the data of cost_report page 1 of 2026-10-01 → 2026-10-03, "
                 "2026-10-01: currency 'EUR' is not USD", 1),
        ("huge_amount", "amount is out of range (a cost of $10 trillion or more)", 1),
        ("tls_untrusted", "TLS certificate not trusted for https://api.anthropic.com "
                          "(self-signed certificate): check the base URL", 0),
    ],
)
def test_bad_answers_end_at_once_in_one_line_and_nothing_is_cached(
    run: Run, hostile: Callable[[str], HostileTransport], mode: str, line: str,
    cost_requests: int, files_with_secret: Callable[[str], list[Path]],
) -> None:
    transport = hostile(mode)
    outcome = report(run, "--group-by", "workspace,description")
    assert (outcome.code, outcome.out) == (1, b"")
    assert len(outcome.err_lines) == 1 and line in outcome.err_lines[0], outcome.err_lines
    assert_clean(outcome, files_with_secret)
    paths = [request.url.path for request in transport.requests]
    # A first run asks for the cost report while /me answers: that one request may have left.
    speculative = 1 if cost_requests == 0 else 0
    assert cost_requests <= paths.count("/v1/organizations/cost_report") <= (
        cost_requests + speculative)
    assert len(paths) <= 4 + speculative, (
        "no retries: the organisation is asked at most 3 times, once each")
    assert stored_days() == {}


@pytest.mark.parametrize(
    ("mode", "line"),
    [
        ("trickle", "could not reach https://api.anthropic.com (no complete answer within "
                    "0.2 s): check the network and ANTHROPIC_BASE_URL, then retry"),
        ("huge_body", "invalid response: cost_report page 1 of 2026-10-01 → 2026-10-03 is larger "
                      "than 1 MiB: choose a shorter date range"),
        ("gzip_bomb", "is larger than 1 MiB"),
    ],
)
def test_slow_and_huge_bodies_are_cut_off(
    run: Run, hostile: Callable[[str], HostileTransport], monkeypatch: pytest.MonkeyPatch,
    mode: str, line: str,
) -> None:
    monkeypatch.setattr("costtui.data.api.REQUEST_DEADLINE_SECONDS", 0.2)
    monkeypatch.setattr("costtui.data.api.MAX_RESPONSE_BYTES", 1024 * 1024)
    transport = hostile(mode)
    outcome = report(run)
    assert (outcome.code, outcome.out) == (1, b"")
    assert len(outcome.err_lines) == 1 and line in outcome.err_lines[0], outcome.err_lines
    tries = 3 if mode == "trickle" else 1
    assert [r.url.path for r in transport.requests].count(
        "/v1/organizations/cost_report") == tries
    assert stored_days() == {}


def test_a_repeated_after_id_ends_the_workspace_loop_with_a_note(
    run: Run, hostile: Callable[[str], HostileTransport]
) -> None:
    transport = hostile("repeat_after_id")
    outcome = report(run, "--format", "json")
    assert outcome.code == 0
    assert outcome.err_lines == [
        "costtui: note: workspace names unavailable, showing ids (invalid response: workspaces "
        "repeats the after_id of an earlier page)"
    ]
    assert [r.url.path for r in transport.requests].count("/v1/organizations/workspaces") == 2


def test_a_day_the_api_left_out_is_missing_never_zero_and_never_cached(
    run: Run, hostile: Callable[[str], HostileTransport]
) -> None:
    hostile("missing_day")
    outcome = report(run, fmt="json")
    assert outcome.code == 0
    assert outcome.err_lines == ["costtui: warning: 1 day(s) missing: 2026-10-02"]
    assert json.loads(outcome.out)["missing_days"] == ["2026-10-02"]
    assert stored_days() == {"workspace_id": ["2026-10-01", "2026-10-03"]}


def test_a_bad_cached_day_is_refetched_with_one_warning(
    run: Run, hostile: Callable[[str], HostileTransport]
) -> None:
    hostile("honest")
    honest = report(run, fmt="json")
    assert honest.code == 0 and honest.err == b""
    with sqlite3.connect(default_cache_path()) as db:
        scale, amounts = db.execute(
            "SELECT scale, amounts FROM days WHERE day = '2026-10-03'").fetchone()
        units = [int.from_bytes(amounts[at:at + 8], "little", signed=True)
                 for at in range(0, len(amounts), 8)]
        too_large = str(10**15 * 10**scale)  # $10 trillion: beyond int64, so stored as text
        db.execute("UPDATE days SET amounts = NULL, amounts_text = ? WHERE day = '2026-10-03'",
                   (",".join([too_large, *map(str, units[1:])]),))
    offline = report(run, "--offline", fmt="json")
    assert offline.code == 0
    assert offline.err_lines == [
        "costtui: warning: the cache held 1 day(s) that fail the data checks (first: 2026-10-03: "
        "amount is out of range (a cost of $10 trillion or more)); they are treated as missing "
        "and fetched again when online",
        "costtui: warning: 1 day(s) missing from the cache: 2026-10-03",
    ]
    hostile("honest")
    again = report(run, fmt="json")
    assert again.code == 0 and again.out == honest.out
    assert len(again.err_lines) == 1 and "fail the data checks" in again.err_lines[0]
    with sqlite3.connect(default_cache_path()) as db:
        stored = db.execute(
            "SELECT typeof(amounts), amounts_text FROM days WHERE day = '2026-10-03'").fetchone()
    assert stored == ("blob", None)


def test_a_symlinked_cache_is_refused_in_one_line_and_left_alone(
    run: Run, hostile: Callable[[str], HostileTransport], tmp_path: Path
) -> None:
    hostile("honest")
    target = tmp_path / "elsewhere.sqlite3"
    default_cache_path().parent.mkdir(parents=True)
    default_cache_path().symlink_to(target)
    outcome = report(run, fmt="json")
    assert outcome.code == 0
    assert outcome.err_lines[0].startswith("costtui: warning: the cache file ")
    assert "is a symbolic link; costtui does not follow links there" in outcome.err_lines[0]
    assert not target.exists()


def test_an_open_cache_directory_is_made_private(
    run: Run, hostile: Callable[[str], HostileTransport]
) -> None:
    hostile("honest")
    directory = default_cache_path().parent
    directory.mkdir(parents=True)
    directory.chmod(0o777)
    assert report(run).code == 0
    assert directory.stat().st_mode & 0o777 == 0o700


def test_a_line_break_inside_the_environment_key_is_refused_before_any_request(
    run: Run, hostile: Callable[[str], HostileTransport], monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = hostile("honest")
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-abc\r\ndef")
    outcome = report(run)
    assert outcome.code == 1 and transport.requests == []
    assert outcome.err_lines == [
        "costtui: error: no Admin key for profile 'default': ANTHROPIC_ADMIN_KEY is not usable: "
        "the key holds spaces or line breaks inside it: copy it again, the key alone"
    ]


def test_a_tab_in_the_base_url_is_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.anth\tropic.com")
    outcome = report(run)
    assert (outcome.code, outcome.out) == (1, b"")
    assert outcome.err_lines == [
        "costtui: error: base URL 'https://api.anth\\\\x09ropic.com' holds spaces or control "
        "characters: use https://api.anthropic.com"
    ]


def test_an_unexpected_error_is_one_line_and_exit_1(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError(f"boom\x1b[2J {SENTINEL_KEY}")

    monkeypatch.setattr("costtui.cli.report.group_costs", explode)
    outcome = run("report", "--demo", "--from", FIRST, "--to", LAST)
    assert (outcome.code, outcome.out) == (1, b"")
    assert outcome.err_lines == [
        f"costtui: error: unexpected error (RuntimeError: boom\\x1b[2J {MASKED_SENTINEL}); "
        "please report it"
    ]


def test_httpx_mock_transport_errors_are_not_retried_when_hopeless() -> None:
    """A header value httpx refuses is named plainly, without a retry."""
    import asyncio

    from costtui.core.admin_key import AdminKey
    from costtui.data.api import ConnectionFailedError, CostClient

    seen: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.LocalProtocolError("Illegal header value")

    async def fetch() -> None:
        async with CostClient(AdminKey(SENTINEL_KEY), transport=httpx.MockTransport(refuse)) as c:
            await c.organization()

    with pytest.raises(ConnectionFailedError, match="a header value is invalid"):
        asyncio.run(fetch())
    assert len(seen) == 1
