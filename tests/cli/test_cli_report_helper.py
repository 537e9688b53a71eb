"""`costtui report` with a forked helper fetching the earlier windows: the same bytes, always.

The demo API runs in-process, so the forked child serves itself from its copy of it; what the
child asked is invisible here, which is how a test sees that it took its share.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest

from costtui.cli import report as report_command
from costtui.cli.main import main
from costtui.core.admin_key import AdminKey
from costtui.core.dates import DateRange
from costtui.data import fetch_helper
from costtui.data.api import CostClient
from costtui.data.cache import CostCache
from costtui.data.demo import DEMO_BASE_URL, DemoApi, DemoOrganization, DemoTransport
from costtui.data.fetch_helper import plan_helper
from costtui.data.secrets import KEYRING_SERVICE
from tests.conftest import SENTINEL_KEY, MemoryKeyring
from tests.tui_support import frozen_clock

Run = Callable[..., tuple[int, str, str]]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the helper forks on Linux only")
Behaviour = Callable[[httpx.Request, bool], "httpx.Response | None"]
"""Answers a request itself (or None: the demo answers); the flag says "in the child"."""
YEAR = ("--from", "2025-11-01", "--to", "2026-10-31")
"""Twelve complete windows as of the tests' frozen now (2026-11-25)."""
REPORT = ("report", *YEAR, "--group-by", "workspace,description", "--format", "csv")


class ForkAwareTransport(httpx.AsyncBaseTransport):
    """Serves the demo, letting a test change what the parent or the forked child gets."""

    def __init__(self, api: DemoApi, parent_pid: int, child_asked: Path) -> None:
        self.demo = DemoTransport(api)
        self.parent_pid = parent_pid
        self.child_asked = child_asked
        """Created by the first request of a forked child: the proof that one ran."""
        self.behaviour: Behaviour = lambda request, in_child: None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer as the test's behaviour says, else as the demo does."""
        in_child = os.getpid() != self.parent_pid
        if in_child:
            self.child_asked.touch()
        answer = self.behaviour(request, in_child)
        return answer if answer is not None else await self.demo.handle_async_request(request)


@pytest.fixture
def transport(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring, tmp_path: Path
) -> ForkAwareTransport:
    """Serve every profile from one demo organisation; the key comes from the keyring alone."""
    api = DemoApi(DemoOrganization(seed=3), check_key=False)
    served = ForkAwareTransport(api, os.getpid(), tmp_path / "child-asked")
    memory_keyring.set_password(KEYRING_SERVICE, "default", SENTINEL_KEY)

    def live_client(key: AdminKey, profile: str, *args: object, **kwargs: object) -> CostClient:
        return CostClient(key, base_url=DEMO_BASE_URL, transport=served)

    monkeypatch.setattr("costtui.data.open.live_client", live_client)
    return served


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    """Return a runner of main() giving exit code, stdout and stderr; no child may outlive it."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), clock=frozen_clock())
        out, err = capsys.readouterr()
        assert SENTINEL_KEY not in out + err and "Traceback" not in out + err
        with pytest.raises(ChildProcessError):  # No child left, running or zombie.
            os.waitpid(-1, os.WNOHANG)
        return code, out, err

    yield invoke


@pytest.fixture
def one_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[Run], object]:
    """Return a runner of REPORT in one process, over a cache of its own (left as it was)."""

    def reference(run: Run, *argv: str) -> object:
        cache_home = os.environ["XDG_CACHE_HOME"]
        with monkeypatch.context() as patch:
            patch.setattr(report_command, "HELPER_MIN_WINDOWS", 10**6)
            patch.setenv("XDG_CACHE_HOME", str(tmp_path / "reference-cache"))
            result = run(*(argv or REPORT))
        assert os.environ["XDG_CACHE_HOME"] == cache_home
        return result

    return reference


@pytest.fixture(autouse=True)
def helper_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the report fork on a single CPU too: every test here decides by the range alone."""
    monkeypatch.setattr(report_command, "HELPER_MIN_CPUS", 1)


def cost_requests(transport: ForkAwareTransport) -> int:
    """Return how many cost_report requests this process (not the child) sent."""
    return sum(r.url.path.endswith("/cost_report") for r in transport.demo.api.requests)


def window_start(request: httpx.Request) -> date | None:
    """Return the first day a cost request asks for, None for other requests."""
    if not request.url.path.endswith("/cost_report"):
        return None
    return datetime.fromisoformat(request.url.params["starting_at"]).date()


def refusal(request: httpx.Request) -> httpx.Response:
    """Return a 403 without a request id (the same line whoever sends it)."""
    body = {"type": "error", "error": {"type": "permission_error", "message": "not for you"}}
    return httpx.Response(403, json=body, request=request)


def test_the_split_report_prints_the_bytes_of_the_one_process_report(
    run: Run, one_process: Callable[..., tuple[int, str, str]], transport: ForkAwareTransport
) -> None:
    reference = one_process(run)
    alone = cost_requests(transport)
    assert reference[0] == 0 and reference[1].count("\n") > 100
    assert not transport.child_asked.exists()
    assert run(*REPORT) == reference
    assert transport.child_asked.exists()
    assert 0 < cost_requests(transport) - alone < alone  # The child sent the rest.
    # Everything the child and the parent stored is right: offline, the same bytes.
    assert run(*REPORT, "--offline") == reference
    assert cost_requests(transport) - alone < alone


def test_a_warm_report_forks_no_helper(
    run: Run, transport: ForkAwareTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run(*REPORT)

    def no_fork(*args: object) -> None:
        raise AssertionError("a report with the year cached forked a helper")

    monkeypatch.setattr(fetch_helper.HelperProcess, "start", no_fork)
    assert run(*REPORT) == first


def test_the_allocator_is_set_up_before_a_split_report_forks_and_not_for_a_warm_one(
    run: Run, transport: ForkAwareTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    forks_then: list[int] = []
    original_start = fetch_helper.HelperProcess.start

    def count(*args: object) -> object:
        forks_then.append(len(set_up))
        return original_start(*args)  # type: ignore[arg-type]

    set_up: list[bool] = []
    monkeypatch.setattr(report_command, "keep_freed_memory", lambda: set_up.append(True))
    monkeypatch.setattr(fetch_helper.HelperProcess, "start", count)
    first = run(*REPORT)
    assert forks_then == [1]
    assert run(*REPORT) == first
    assert set_up == [True]


@pytest.mark.parametrize("flag", ["--offline", "--no-cache", "--demo"])
def test_offline_no_cache_and_demo_fork_no_helper(
    run: Run, transport: ForkAwareTransport, monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    run(*REPORT)  # Something to serve offline.

    def no_fork(*args: object) -> None:
        raise AssertionError(f"{flag} forked a helper")

    monkeypatch.setattr(fetch_helper.HelperProcess, "start", no_fork)
    assert run(*REPORT, flag)[0] == 0


def test_a_child_the_api_refuses_changes_nothing(
    run: Run, one_process: Callable[..., tuple[int, str, str]], transport: ForkAwareTransport
) -> None:
    reference = one_process(run)
    alone = cost_requests(transport)
    transport.behaviour = lambda request, in_child: refusal(request) if in_child else None
    assert run(*REPORT) == reference
    assert transport.child_asked.exists()
    assert cost_requests(transport) - alone == alone  # The parent fetched every window.
    transport.behaviour = lambda request, in_child: None
    assert run(*REPORT, "--offline") == reference


def test_a_child_that_dies_half_way_changes_nothing(
    run: Run, one_process: Callable[..., tuple[int, str, str]], transport: ForkAwareTransport
) -> None:
    reference = one_process(run)

    def die_on_the_third_window(request: httpx.Request, in_child: bool) -> None:
        start = window_start(request)
        if in_child and start is not None and start >= date(2026, 1, 1):
            os._exit(9)

    transport.behaviour = die_on_the_third_window
    assert run(*REPORT) == reference
    assert transport.child_asked.exists()
    transport.behaviour = lambda request, in_child: None
    assert run(*REPORT, "--offline") == reference


def test_a_failure_in_the_parent_is_the_one_process_error_and_kills_the_child(
    run: Run, one_process: Callable[..., tuple[int, str, str]], transport: ForkAwareTransport,
    tmp_path: Path,
) -> None:
    def refuse_october(request: httpx.Request, in_child: bool) -> httpx.Response | None:
        start = window_start(request)
        return refusal(request) if start is not None and start.month == 10 else None

    transport.behaviour = refuse_october
    reference = one_process(run)
    assert reference[0] == 1 and reference[2].startswith("costtui: error: ")
    finished = tmp_path / "child-finished"

    def child_hangs(request: httpx.Request, in_child: bool) -> httpx.Response | None:
        if in_child and window_start(request) is not None:
            time.sleep(60)  # Blocks the child's loop: only a kill ends it sooner.
            finished.touch()
        return refuse_october(request, in_child)

    transport.behaviour = child_hangs
    assert run(*REPORT) == reference
    assert transport.child_asked.exists() and not finished.exists()


def test_ctrl_c_in_the_parent_kills_the_child(
    run: Run, transport: ForkAwareTransport, tmp_path: Path
) -> None:
    finished = tmp_path / "child-finished"

    def interrupt(request: httpx.Request, in_child: bool) -> httpx.Response | None:
        start = window_start(request)
        if in_child and start is not None:
            time.sleep(60)
            finished.touch()
        if not in_child and start is not None and start.month == 10:
            raise KeyboardInterrupt
        return None

    transport.behaviour = interrupt
    assert run(*REPORT) == (130, "", "costtui: error: interrupted\n")
    assert transport.child_asked.exists() and not finished.exists()


def test_the_key_is_in_neither_argv_nor_environment_of_the_child(
    run: Run, one_process: Callable[..., tuple[int, str, str]], transport: ForkAwareTransport,
    tmp_path: Path,
) -> None:
    seen = tmp_path / "child-saw"

    def inspect(request: httpx.Request, in_child: bool) -> None:
        if in_child and not seen.exists():
            found = [name for name in ("cmdline", "environ")
                     if SENTINEL_KEY.encode() in Path(f"/proc/self/{name}").read_bytes()]
            found += ["os.environ"] * any(SENTINEL_KEY in v for v in os.environ.values())
            found += ["sys.argv"] * any(SENTINEL_KEY in arg for arg in sys.argv)
            seen.write_text(f"child {os.getpid()} found the key in: {found}")

    transport.behaviour = inspect
    assert run(*REPORT)[0] == 0
    assert seen.read_text().endswith("found the key in: []")


def test_the_helper_takes_the_earliest_complete_windows_only(tmp_path: Path) -> None:
    cache = CostCache(tmp_path / "costs.sqlite3", clock=frozen_clock())
    year = DateRange(date(2025, 11, 26), date(2026, 11, 25))  # Ends today: incomplete days.
    plan = plan_helper(cache, "default", ("workspace_id",), year, min_windows=4, share=0.5)
    assert plan is not None
    assert plan.date_range == DateRange(date(2025, 11, 26), date(2026, 5, 30))  # 6 × 31 days.
    assert plan.days == frozenset(plan.date_range.days())
    assert plan_helper(cache, "default", (), DateRange(date(2026, 8, 1), date(2026, 10, 31)),
                       min_windows=4) is None  # Three windows: not worth a fork.
    # Only the last windows are left, and they hold incomplete days: nothing for a helper.
    assert plan_helper(cache, "default", (), DateRange(date(2026, 11, 20), date(2026, 11, 25)),
                       min_windows=1, share=1.0) is None


def test_the_helper_dies_with_a_parent_killed_outright(tmp_path: Path) -> None:
    """SIGKILL leaves the parent no `finally`: Linux kills the helper (no orphan fetching on)."""
    script = (
        "import os, signal, sys, time\n"
        "from costtui.data.fetch_helper import HelperProcess\n"
        "helper = HelperProcess.start(frozenset(), lambda: time.sleep(60))\n"
        "print(helper.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    parent = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60)
    assert parent.returncode == -signal.SIGKILL
    status = Path(f"/proc/{int(parent.stdout)}/stat")
    deadline = time.monotonic() + 30  # A bound on the wait, not a measured time.
    while status.exists() and status.read_text().split(") ")[-1][0] != "Z":
        assert time.monotonic() < deadline, "the helper outlived its killed parent"
        time.sleep(0.01)
