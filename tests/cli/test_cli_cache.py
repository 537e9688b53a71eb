"""`costtui cache status|clear` and the report's --offline and --no-cache, through main()."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from costtui.cli.main import main
from costtui.core.admin_key import AdminKey
from costtui.core.dates import DateRange
from costtui.data.api import CostClient
from costtui.data.demo import DEMO_BASE_URL, DemoApi, DemoOrganization, DemoTransport
from tests.conftest import SENTINEL_KEY
from tests.tui_support import frozen_clock

Run = Callable[..., tuple[int, str, str]]
ORG_A = DemoOrganization(seed=1, name="Alpha Labs")
ORG_B = DemoOrganization(seed=2, name="Beta Works")


@pytest.fixture
def cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point XDG_CACHE_HOME at a directory of this test and return the cache file path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return tmp_path / "xdg-cache" / "costtui" / "costs.sqlite3"


@pytest.fixture
def apis(monkeypatch: pytest.MonkeyPatch) -> dict[str, DemoApi]:
    """Serve profile 'a' from Alpha Labs and any other profile from Beta Works, via the key."""
    served = {"a": DemoApi(ORG_A, check_key=False), "b": DemoApi(ORG_B, check_key=False)}
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)

    def live_client(key: AdminKey, profile: str, *args: object, **kwargs: object) -> CostClient:
        api = served["a" if profile == "a" else "b"]
        return CostClient(key, base_url=DEMO_BASE_URL, transport=DemoTransport(api))

    monkeypatch.setattr("costtui.data.open.live_client", live_client)
    return served


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Return a runner of main() giving exit code, stdout and stderr, checked for secrets."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), clock=frozen_clock())
        out, err = capsys.readouterr()
        assert SENTINEL_KEY not in out + err and "Traceback" not in out + err
        return code, out, err

    return invoke


def cost_requests(api: DemoApi) -> int:
    """Return how many cost_report requests the API received."""
    return sum(request.url.path.endswith("/cost_report") for request in api.requests)


def demo_total(org: DemoOrganization, first: str, last: str) -> Decimal:
    """Return an organisation's exact dollar total over a range, from its raw items."""
    days = DateRange(date.fromisoformat(first), date.fromisoformat(last)).days()
    return sum((Decimal(i["amount"]) for d in days for i in org.cost_items(d)), Decimal(0)) / 100


MARCH = ("--from", "2026-03-01", "--to", "2026-03-31")


def test_status_of_an_empty_cache(run: Run, cache_file: Path) -> None:
    assert run("cache", "status") == (0, f"Cache: {cache_file} (no file yet)\n", "")
    assert run("cache") == (0, f"Cache: {cache_file} (no file yet)\n", "")
    assert not cache_file.exists()


def test_status_lists_organisations_profiles_and_coverage(
    run: Run, cache_file: Path, apis: dict[str, DemoApi]
) -> None:
    assert run("report", "--profile", "a", *MARCH, "--format", "csv")[0] == 0
    assert run("report", "--profile", "a", "--from", "2026-04-10", "--to", "2026-04-12",
               "--group-by", "model", "--format", "csv")[0] == 0
    assert run("report", "--profile", "b", *MARCH, "--format", "csv")[0] == 0

    code, out, err = run("cache", "status")

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert re.fullmatch(rf"Cache: {re.escape(str(cache_file))} \(\d+\.\d KiB\)", lines[0])
    stamp = r"last fetched \d{4}-\d\d-\d\d \d\d:\d\d UTC"
    assert lines[1] == f"Alpha Labs ({ORG_A.org_id}); profiles: a"
    assert re.fullmatch(r"  description: 3 days \(3 complete\), 2026-04-10 → 2026-04-12; "
                        + stamp, lines[2])
    assert re.fullmatch(r"  workspace_id: 31 days \(31 complete\), 2026-03-01 → 2026-03-31; "
                        + stamp, lines[3])
    assert lines[4] == f"Beta Works ({ORG_B.org_id}); profiles: b"
    assert lines[5].startswith("  workspace_id: 31 days (31 complete), 2026-03-01 → 2026-03-31;")
    assert len(lines) == 6


def test_clear_one_profile_then_everything(
    run: Run, cache_file: Path, apis: dict[str, DemoApi]
) -> None:
    for profile in ("a", "b"):
        assert run("report", "--profile", profile, *MARCH, "--format", "csv")[0] == 0

    assert run("cache", "clear", "--profile", "b") == (
        0, f"Removed Beta Works ({ORG_B.org_id}) from the cache: 31 days.\n", "")
    remaining = run("cache", "status")[1].splitlines()
    assert remaining[1:2] == [f"Alpha Labs ({ORG_A.org_id}); profiles: a"]
    assert len(remaining) == 3 and remaining[2].startswith("  workspace_id: 31 days")
    assert run("cache", "clear", "--profile", "b") == (
        1, "", "costtui: error: the cache holds nothing for profile 'b' "
               "(profiles in the cache: a)\n")
    assert run("cache", "clear") == (
        0, f"Cleared the cache {cache_file}: removed 1 organisation and 31 days.\n", "")
    assert run("cache", "status") == (0, f"Cache: {cache_file} (empty)\n", "")


def test_a_warm_report_asks_no_cost_data_for_complete_days(
    run: Run, cache_file: Path, apis: dict[str, DemoApi]
) -> None:
    first = run("report", *MARCH, "--format", "json")
    assert cost_requests(apis["b"]) == 1
    second = run("report", *MARCH, "--format", "json")
    assert cost_requests(apis["b"]) == 1
    assert first == second
    assert Decimal(json.loads(second[1])["total_usd"]) == demo_total(ORG_B, "2026-03-01",
                                                                   "2026-03-31")
    assert second[2] == ""


def test_no_cache_fetches_every_time_and_writes_nothing(
    run: Run, cache_file: Path, apis: dict[str, DemoApi]
) -> None:
    for _ in range(2):
        assert run("report", "--no-cache", *MARCH, "--format", "csv")[0] == 0
    assert cost_requests(apis["b"]) == 2
    assert not cache_file.exists()


def test_offline_report_with_gaps_names_them_and_needs_no_key(
    run: Run, cache_file: Path, apis: dict[str, DemoApi], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("report", "--from", "2026-03-01", "--to", "2026-03-20", "--format", "csv")[0] == 0
    requests_before = len(apis["b"].requests)
    monkeypatch.delenv("ANTHROPIC_ADMIN_KEY")

    code, out, err = run("report", "--offline", *MARCH, "--format", "json")

    assert code == 0
    assert err == ("costtui: warning: 11 day(s) missing from the cache: "
                   "2026-03-21 → 2026-03-31\n")
    document = json.loads(out)
    assert document["missing_days"] == [f"2026-03-{day}" for day in range(21, 32)]
    assert Decimal(document["total_usd"]) == demo_total(ORG_B, "2026-03-01", "2026-03-20")
    assert document["rows"][0]["workspace"] == "[prod] Search"  # names from the cache
    assert len(apis["b"].requests) == requests_before

    code, out, err = run("--offline", "report", *MARCH, "--format", "csv")
    assert code == 0 and err.startswith("costtui: warning: 11 day(s) missing from the cache")


def test_offline_with_an_empty_cache_is_one_clear_line(run: Run, cache_file: Path) -> None:
    assert run("report", "--offline", *MARCH) == (
        1, "", "costtui: error: offline, and the cache holds nothing for profile 'default' "
               "yet: run once online to fill it\n")


def test_offline_and_no_cache_together_are_refused(run: Run, cache_file: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["report", "--offline", "--no-cache"], clock=frozen_clock())
    assert caught.value.code == 2


def test_the_demo_ignores_offline_and_the_cache(run: Run, cache_file: Path) -> None:
    code, out, err = run("report", "--demo", "--offline", *MARCH, "--format", "json")
    assert (code, err) == (0, "")
    assert Decimal(json.loads(out)["total_usd"]) == demo_total(DemoOrganization(), "2026-03-01",
                                                             "2026-03-31")
    assert not cache_file.exists()


def test_a_corrupt_cache_is_one_warning_and_the_report_still_runs(
    run: Run, cache_file: Path, apis: dict[str, DemoApi]
) -> None:
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(b"not sqlite" * 300)
    code, out, err = run("report", *MARCH, "--format", "csv")
    assert code == 0 and out.startswith("workspace,workspace_id,cost_usd\n")
    assert re.fullmatch(
        rf"costtui: warning: cache {re.escape(str(cache_file))} was unusable \(file is not a "
        r"database\); moved it to costs\.sqlite3\.corrupt-\d{8}T\d{6}Z and started a new one\n",
        err,
    )


def test_an_unusable_cache_path_is_one_error_line(run: Run, cache_file: Path) -> None:
    cache_file.mkdir(parents=True)
    code, out, err = run("cache", "status")
    assert (code, out) == (1, "")
    assert err.startswith(f"costtui: error: cannot create cache {cache_file}: ")
    assert err.count("\n") == 1


def test_the_key_never_reaches_the_cache(
    run: Run,
    cache_file: Path,
    apis: dict[str, DemoApi],
    files_with_secret: Callable[[str], list[Path]],
) -> None:
    assert run("report", *MARCH, "--format", "csv")[0] == 0
    assert cache_file.exists()
    assert apis["b"].requests[0].headers["x-api-key"] == SENTINEL_KEY
    assert files_with_secret(SENTINEL_KEY) == []
