"""`costtui key set|status|delete` against the demo API and fake transports (never the network)."""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend

from costtui.cli.common import add_profile_option
from costtui.cli.key import register, run_key_delete, run_key_set, run_key_status
from costtui.core.admin_key import AdminKey
from costtui.data.api import CostClient
from costtui.data.config import config_path
from costtui.data.demo import DEMO_BASE_URL, DEMO_KEY, DemoTransport
from tests.conftest import SENTINEL_KEY, MemoryKeyring

NORMAL_API_KEY = "sk-ant-api03-normal-key-not-admin-000000000Ab1"


@dataclass
class Outcome:
    """What a command returned and printed."""

    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    """Return a runner that parses argv, runs the command, and checks it printed no secret."""

    def run_command(*argv: str, **seams: object) -> Outcome:
        args = parse(*argv)
        code = args.func(args, **seams)
        out, err = capsys.readouterr()
        for secret in (SENTINEL_KEY, DEMO_KEY, NORMAL_API_KEY):
            assert secret not in out and secret not in err
        assert "Traceback" not in out + err
        assert len(err.splitlines()) <= 2, err
        return Outcome(code, out, err)

    return run_command


def parse(*argv: str) -> argparse.Namespace:
    """Parse argv with a parser shaped like the CLI's (top-level --profile, subcommands)."""
    parser = argparse.ArgumentParser(prog="costtui")
    add_profile_option(parser)
    register(parser.add_subparsers(title="commands", metavar="COMMAND"))
    return parser.parse_args(argv)


def demo() -> dict[str, object]:
    """Return the seams that point verification at the in-process demo API."""
    return {"transport": DemoTransport(), "base_url": DEMO_BASE_URL}


def demo_organization_name() -> str:
    """Return the demo organisation's name as the API reports it."""

    async def fetch() -> str:
        client = CostClient(AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL, transport=DemoTransport())
        async with client:
            return (await client.organization()).name

    return asyncio.run(fetch())


def fake_api(
    accepted: str, seen: list[httpx.Request] | None = None, status: int = 401
) -> httpx.MockTransport:
    """Return a transport answering /v1/organizations/me for one accepted key only."""

    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        if request.headers.get("x-api-key") == accepted:
            return httpx.Response(200, json={"id": "org_sentinel", "name": "Sentinel Org"})
        kind = {401: "authentication_error", 403: "permission_error"}[status]
        body = {"type": "error", "error": {"type": kind, "message": "no"}, "request_id": "req_1"}
        return httpx.Response(status, json=body)

    return httpx.MockTransport(answer)


def unreachable() -> httpx.MockTransport:
    """Return a transport that fails the test if any request is made."""

    def answer(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"unexpected request to {request.url}")

    return httpx.MockTransport(answer)


def pipe(monkeypatch: pytest.MonkeyPatch, text: str) -> io.StringIO:
    """Replace sys.stdin with a pipe-like stream (isatty() is False) holding text."""
    stream = io.StringIO(text)
    monkeypatch.setattr(sys, "stdin", stream)
    return stream


# --- wiring -----------------------------------------------------------------------------------


def test_register_wires_every_action() -> None:
    assert parse("key", "set").func is run_key_set
    assert parse("key", "status").func is run_key_status
    assert parse("key", "delete").func is run_key_delete
    assert parse("key", "set", "--no-verify").no_verify is True


def test_key_needs_an_action_and_never_takes_the_key_from_argv() -> None:
    with pytest.raises(SystemExit) as missing:
        parse("key")
    with pytest.raises(SystemExit) as positional:
        parse("key", "set", "sk-ant-admin01-typed-on-the-command-line")
    assert missing.value.code == 2 and positional.value.code == 2


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("key", "delete"), None),
        (("key", "delete", "--profile", "work"), "work"),
        (("--profile", "work", "key", "delete"), "work"),
        (("--profile", "home", "key", "delete", "--profile", "work"), "work"),
    ],
)
def test_profile_given_before_or_after_the_command_is_kept(
    argv: tuple[str, ...], expected: str | None
) -> None:
    assert getattr(parse(*argv), "profile", None) == expected


# --- key set ----------------------------------------------------------------------------------


def test_set_verifies_with_the_demo_api_then_saves(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    pipe(monkeypatch, DEMO_KEY + "\n")
    outcome = run("key", "set", **demo())
    assert outcome.code == 0, outcome.err
    name = demo_organization_name()
    assert outcome.out == f"Saved the Admin key for profile 'default' (organisation: {name}).\n"
    assert outcome.err == ""
    assert memory_keyring.passwords == {("costtui", "default"): DEMO_KEY}


def test_set_rejected_key_is_not_saved(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    files_with_secret: Callable[[str], list[Path]],
) -> None:
    pipe(monkeypatch, SENTINEL_KEY + "\n")
    outcome = run("key", "set", **demo())
    assert outcome.code == 1
    assert outcome.out == ""
    assert outcome.err.startswith("costtui: error: the key was not saved: API error 401")
    assert len(outcome.err.splitlines()) == 1
    assert memory_keyring.passwords == {}
    assert files_with_secret(SENTINEL_KEY) == []


def test_set_normal_api_key_warns_then_is_refused_with_403(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    pipe(monkeypatch, NORMAL_API_KEY + "\n")
    outcome = run("key", "set", transport=fake_api(DEMO_KEY, status=403), base_url=DEMO_BASE_URL)
    warning, error = outcome.err.splitlines()
    assert warning.startswith("costtui: warning: this does not look like an Admin key")
    assert "Console → Settings → Admin keys" in warning and "403" in warning
    assert error.startswith("costtui: error: the key was not saved: API error 403")
    assert outcome.code == 1
    assert memory_keyring.passwords == {}


def test_set_no_verify_saves_without_any_request(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    pipe(monkeypatch, SENTINEL_KEY + "\n")
    outcome = run("key", "set", "--no-verify", transport=unreachable(), base_url=DEMO_BASE_URL)
    assert outcome.code == 0
    assert outcome.out == "Saved the Admin key for profile 'default' (not verified).\n"
    assert memory_keyring.passwords == {("costtui", "default"): SENTINEL_KEY}


def test_set_no_verify_still_warns_about_a_non_admin_key(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe(monkeypatch, NORMAL_API_KEY + "\n")
    outcome = run("key", "set", "--no-verify")
    assert outcome.code == 0
    assert "does not look like an Admin key" in outcome.err


def test_set_reads_exactly_one_line_of_stdin(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    pipe(monkeypatch, f"\n  {SENTINEL_KEY}  \n\n")
    assert run("key", "set", "--no-verify").code == 0
    assert memory_keyring.passwords[("costtui", "default")] == SENTINEL_KEY
    memory_keyring.passwords.clear()
    pipe(monkeypatch, f"{SENTINEL_KEY}\nnext line\n")
    outcome = run("key", "set", "--no-verify")
    assert (outcome.code, outcome.out) == (1, "")
    assert outcome.err == (
        "costtui: error: stdin held 2 non-empty lines; pipe exactly one line: the key alone\n")
    assert memory_keyring.passwords == {}


def test_set_prompts_hidden_on_a_terminal(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return SENTINEL_KEY

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr(sys, "stdin", Terminal("never read\n"))
    assert run("key", "set", "--no-verify").code == 0
    assert prompts and "hidden" in prompts[0]
    assert memory_keyring.passwords[("costtui", "default")] == SENTINEL_KEY


@pytest.mark.parametrize("text", ["", "\n", "   \n"])
def test_set_empty_input_is_an_error(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    text: str,
) -> None:
    pipe(monkeypatch, text)
    outcome = run("key", "set", transport=unreachable(), base_url=DEMO_BASE_URL)
    assert outcome.code == 1
    assert outcome.err.startswith("costtui: error: no key given")
    assert memory_keyring.passwords == {}


def test_set_refuses_a_key_with_spaces_inside(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    pipe(monkeypatch, "sk-ant-admin01-abc def\n")
    outcome = run("key", "set", "--no-verify")
    assert outcome.code == 1 and "copy it again" in outcome.err
    assert memory_keyring.passwords == {}


def test_set_uses_the_chosen_profile(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    pipe(monkeypatch, SENTINEL_KEY + "\n")
    monkeypatch.setenv("COSTTUI_PROFILE", "home")
    outcome = run("key", "set", "--profile", "work", "--no-verify")
    assert "profile 'work'" in outcome.out
    pipe(monkeypatch, DEMO_KEY + "\n")
    assert run("key", "set", "--no-verify").code == 0
    assert memory_keyring.passwords == {
        ("costtui", "work"): SENTINEL_KEY,
        ("costtui", "home"): DEMO_KEY,
    }


def test_set_verifies_against_the_profile_base_url(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text('[profiles.work]\nbase_url = "https://proxy.example.com/"\n')
    seen: list[httpx.Request] = []
    pipe(monkeypatch, SENTINEL_KEY + "\n")
    outcome = run("key", "set", "--profile", "work", transport=fake_api(SENTINEL_KEY, seen))
    assert outcome.code == 0, outcome.err
    assert "(organisation: Sentinel Org)" in outcome.out
    assert [str(request.url) for request in seen] == [
        "https://proxy.example.com/v1/organizations/me"
    ]


def test_set_honours_anthropic_base_url(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://gateway.example.com")
    seen: list[httpx.Request] = []
    pipe(monkeypatch, SENTINEL_KEY + "\n")
    assert run("key", "set", transport=fake_api(SENTINEL_KEY, seen)).code == 0
    assert seen[0].url.host == "gateway.example.com"


def test_set_refuses_plain_http_to_a_remote_host_before_reading_the_key(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://gateway.example.com")
    stream = pipe(monkeypatch, SENTINEL_KEY + "\n")
    outcome = run("key", "set", transport=unreachable())
    assert outcome.code == 1 and "plain http" in outcome.err
    assert stream.read() == SENTINEL_KEY + "\n"


def test_set_reports_a_broken_config_file_in_one_line(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text("[profiles.default\n")
    pipe(monkeypatch, SENTINEL_KEY + "\n")
    outcome = run("key", "set", transport=unreachable())
    assert outcome.code == 1
    assert outcome.err.startswith(f"costtui: error: {config_path()}, line 1: invalid TOML")


def test_set_reports_an_unreachable_api(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    pipe(monkeypatch, SENTINEL_KEY + "\n")
    outcome = run("key", "set", transport=httpx.MockTransport(refuse), base_url=DEMO_BASE_URL)
    assert outcome.code == 1
    assert "the key was not saved" in outcome.err and "could not reach" in outcome.err
    assert memory_keyring.passwords == {}


def test_set_warns_that_the_environment_variable_wins(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", DEMO_KEY)
    pipe(monkeypatch, SENTINEL_KEY + "\n")
    outcome = run("key", "set", "--no-verify")
    assert outcome.code == 0
    assert "ANTHROPIC_ADMIN_KEY is set" in outcome.err


# --- key status -------------------------------------------------------------------------------


def test_status_from_the_environment_names_the_organisation(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    store_in_keyring("default", SENTINEL_KEY)
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", DEMO_KEY)
    outcome = run("key", "status", **demo())
    assert outcome.code == 0, outcome.err
    assert f"Key: {AdminKey(DEMO_KEY).masked()} (from the environment variable" in outcome.out
    assert f"Organisation: {demo_organization_name()}" in outcome.out


def test_status_from_the_keyring(run: Callable[..., Outcome]) -> None:
    store_in_keyring("work", SENTINEL_KEY)
    outcome = run("key", "status", "--profile", "work", transport=fake_api(SENTINEL_KEY))
    assert outcome.code == 0, outcome.err
    assert "Profile: work" in outcome.out
    assert "Key: sk-ant-admin01-…a9c (from the OS keyring" in outcome.out
    assert "Organisation: Sentinel Org (org_sentinel)" in outcome.out


def test_status_without_a_key_says_how_to_set_one(run: Callable[..., Outcome]) -> None:
    outcome = run("key", "status", transport=unreachable())
    assert outcome.code == 1 and outcome.out == ""
    assert "no Admin key for profile 'default'" in outcome.err
    assert "costtui key set" in outcome.err and "ANTHROPIC_ADMIN_KEY" in outcome.err
    other = run("key", "status", "--profile", "work", transport=unreachable())
    assert "costtui key set --profile work" in other.err


def test_status_reports_a_rejected_key_without_a_traceback(run: Callable[..., Outcome]) -> None:
    store_in_keyring("default", SENTINEL_KEY)
    outcome = run("key", "status", **demo())
    assert outcome.code == 1
    assert "Key: sk-ant-admin01-…a9c" in outcome.out
    assert outcome.err.startswith("costtui: error: cannot check the key: API error 401")


def test_status_no_verify_makes_no_request(run: Callable[..., Outcome]) -> None:
    store_in_keyring("default", SENTINEL_KEY)
    outcome = run("key", "status", "--no-verify", transport=unreachable())
    assert outcome.code == 0
    assert "Organisation" not in outcome.out


# --- key delete -------------------------------------------------------------------------------


def test_delete_says_whether_there_was_a_key(
    run: Callable[..., Outcome], memory_keyring: MemoryKeyring
) -> None:
    store_in_keyring("work", SENTINEL_KEY)
    store_in_keyring("default", DEMO_KEY)
    first = run("key", "delete", "--profile", "work")
    second = run("key", "delete", "--profile", "work")
    assert (first.code, second.code) == (0, 0)
    assert first.out == "Deleted the Admin key of profile 'work' from the OS keyring.\n"
    assert second.out == "No Admin key was saved for profile 'work'; nothing to delete.\n"
    assert memory_keyring.passwords == {("costtui", "default"): DEMO_KEY}


def test_delete_warns_that_the_environment_variable_still_applies(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)
    assert "still set" in run("key", "delete").err


# --- no keyring, broken keyring ---------------------------------------------------------------


@pytest.mark.parametrize(
    "argv", [("key", "set"), ("key", "set", "--no-verify"), ("key", "status"), ("key", "delete")]
)
def test_every_command_explains_a_missing_keyring(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    no_keyring: KeyringBackend,
    argv: tuple[str, ...],
) -> None:
    stream = pipe(monkeypatch, SENTINEL_KEY + "\n")
    seams = {} if argv[1] == "delete" else {"transport": unreachable()}
    outcome = run(*argv, **seams)
    assert outcome.code == 1
    assert outcome.out == ""
    assert len(outcome.err.splitlines()) == 1
    assert outcome.err.startswith("costtui: error: ")
    assert "ANTHROPIC_ADMIN_KEY" in outcome.err and "NoKeyringError" in outcome.err
    assert stream.read() == SENTINEL_KEY + "\n"  # the key was not even asked for


def test_status_with_no_keyring_still_uses_the_environment(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch, no_keyring: KeyringBackend
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", DEMO_KEY)
    outcome = run("key", "status", **demo())
    assert outcome.code == 0
    assert "from the environment variable ANTHROPIC_ADMIN_KEY" in outcome.out


def test_a_failing_backend_is_one_scrubbed_line(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    class EchoingKeyring(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError(f"dbus said no to {password}\nand more")

    keyring.set_keyring(EchoingKeyring())
    pipe(monkeypatch, SENTINEL_KEY + "\n")
    outcome = run("key", "set", "--no-verify")
    assert outcome.code == 1
    assert outcome.err.startswith("costtui: error: the key was not saved: the keyring failed")
    assert "RuntimeError" in outcome.err and "ANTHROPIC_ADMIN_KEY" in outcome.err


# --- leaks ------------------------------------------------------------------------------------


def test_the_key_never_reaches_a_file_or_an_output(
    run: Callable[..., Outcome],
    monkeypatch: pytest.MonkeyPatch,
    files_with_secret: Callable[[str], list[Path]],
    memory_keyring: MemoryKeyring,
) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text('[profiles.default]\nbase_url = "https://api.example.com"\n')
    pipe(monkeypatch, SENTINEL_KEY + "\n")
    run("key", "set", transport=fake_api(SENTINEL_KEY))
    run("key", "status", transport=fake_api(SENTINEL_KEY))
    run("key", "status", transport=fake_api("another key"))
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)
    run("key", "status", "--no-verify")
    run("key", "delete")
    assert files_with_secret(SENTINEL_KEY) == []
    assert SENTINEL_KEY not in config_path().read_text()
    assert memory_keyring.passwords == {}


def store_in_keyring(profile: str, secret: str) -> None:
    """Save a key the way `costtui key set` does."""
    keyring.set_password("costtui", profile, secret)
