"""Hostile input that is not the API's: dates, config, keys, pipes, disks and missing terminals."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from costtui.cli.main import main
from costtui.core.admin_key import AdminKey
from costtui.core.clock import FixedClock
from costtui.core.dates import EARLIEST_DAY, DateRange, DateRangeError, choose_range
from costtui.core.export import csv_cell, report_csv
from costtui.core.report import GroupRow
from costtui.core.text import clean_text, mask_secrets, safe_line
from costtui.data.config import ConfigError, config_path, load_config
from tests.conftest import SENTINEL_KEY
from tests.hostile import unsafe_bytes

TODAY = date(2026, 11, 25)
PAST = ("--from", "2024-03-01", "--to", "2024-03-31")
"""A range in the past of any machine that runs this suite (subprocesses read the real clock)."""


def costtui(*argv: str, stdin: int | None = subprocess.DEVNULL, stdout: object = None,
            shell_suffix: str = "") -> subprocess.CompletedProcess[bytes]:
    """Run `python -m costtui` in a child process (a real pipe, a real /dev/full).

    coreutils' `timeout` bounds it (exit 124) rather than subprocess's timeout, whose polling
    sleep fails under libfaketime, which CI-like runs use to move the whole clock.
    """
    command = ["timeout", "60", sys.executable, "-m", "costtui", *argv]
    if shell_suffix:
        quoted = " ".join(f"'{part}'" for part in command)
        return subprocess.run(["bash", "-c", f"{quoted} {shell_suffix}"], stdin=stdin,
                              capture_output=True, env=os.environ)
    return subprocess.run(command, stdin=stdin, stdout=stdout or subprocess.PIPE,  # type: ignore[arg-type]
                          stderr=subprocess.PIPE, env=os.environ)


def test_a_closed_pipe_ends_quietly_with_exit_0() -> None:
    done = costtui("report", "--demo", *PAST, "--format", "csv", "--group-by", "day,description",
                   shell_suffix='| true; echo "exit=${PIPESTATUS[0]}"')
    assert done.stdout == b"exit=0\n"
    assert done.stderr == b""


def test_a_full_disk_is_one_line_and_exit_1() -> None:
    with open("/dev/full", "wb") as full:
        done = costtui("report", "--demo", *PAST, "--format", "csv", stdout=full)
    assert done.returncode == 1
    assert done.stderr == b"costtui: error: cannot write the output: No space left on device\n"


def test_the_tui_without_a_terminal_exits_at_once_pointing_to_report(tmp_path: Path) -> None:
    with open(tmp_path / "screen.txt", "wb") as file:
        done = costtui("--demo", stdout=file)
    assert done.returncode == 1
    assert done.stderr == (
        b"costtui: error: the TUI needs a terminal on stdin and stdout; for scripts and pipes "
        b"use `costtui report` (e.g. costtui report --format csv)\n")
    assert (tmp_path / "screen.txt").read_bytes() == b""


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("0001-01-01", None, "--from 0001-01-01 is before 2023-01-01, the first day the Admin "
                             "API can have costs for: choose 2023-01-01 or later"),
        ("1900-01-01", "2025-01-01", "--from 1900-01-01 is before 2023-01-01"),
        (None, "2022-12-31", "--to 2022-12-31 is before 2023-01-01"),
        ("2026-12-15", None, "--from 2026-12-15 is in the future (today is 2026-11-25 UTC): "
                             "there are no costs yet; choose today or an earlier day"),
        ("2026-03-31", "2026-03-01", "range is reversed"),
        ("10000-01-01", None, "is not a date: use YYYY-MM-DD"),
        ("2026-02-30", None, "is not a date"),
        ("\x1b[2J", None, "is not a date"),
    ],
)
def test_impossible_dates_are_refused_with_what_to_type(
    first: str | None, last: str | None, message: str
) -> None:
    with pytest.raises(DateRangeError) as refused:
        choose_range(first, last, TODAY)
    assert message in str(refused.value)


def test_a_far_future_to_is_clamped_to_today_with_a_note() -> None:
    chosen = choose_range("2026-11-01", "9999-12-31", TODAY)
    assert chosen.date_range == DateRange(date(2026, 11, 1), TODAY)
    assert chosen.note == "--to 9999-12-31 is after today; using today (2026-11-25 UTC)"
    assert choose_range(None, "2023-01-10", TODAY).date_range == DateRange(
        EARLIEST_DAY, date(2023, 1, 10))


def test_the_report_command_says_so_and_exit_codes_match(
    capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FixedClock(datetime(2026, 11, 25, 12, tzinfo=timezone.utc))
    assert main(["report", "--demo", "--from", "2026-11-24", "--to", "9999-12-31",
                 "--format", "json"], clock=clock) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        "costtui: note: --to 9999-12-31 is after today; using today (2026-11-25 UTC)\n")
    assert '"to": "2026-11-25"' in captured.out
    assert main(["report", "--demo", "--from", "0001-01-01"], clock=clock) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_csv_cells_a_spreadsheet_would_run_get_a_quote() -> None:
    assert [csv_cell(v) for v in ("=1+1", "+1", "-2+3", "@SUM(1)", "\tx", "\rx", "a=b", None)] \
        == ["'=1+1", "'+1", "'-2+3", "'@SUM(1)", "'\tx", "'\rx", "a=b", ""]
    rows = [GroupRow(("=HYPERLINK(1)",), Decimal("-1.5"))]
    assert report_csv(rows, ("model",), {}) == "model,cost_usd\n'=HYPERLINK(1),-1.5\n"


def test_clean_text_makes_every_control_visible_and_is_idempotent() -> None:
    hostile = "a\x00\t\n\x1b\x7f\x80\x9b\u202a\u202e\u2066\u2069\u2028\ud800é✓"
    cleaned = clean_text(hostile)
    assert cleaned == ("a\\x00\\x09\\x0a\\x1b\\x7f\\x80\\x9b\\u202a\\u202e\\u2066\\u2069"
                       "\\u2028\\ud800é✓")
    assert clean_text(cleaned) == cleaned
    assert unsafe_bytes(cleaned.encode()) == []


def test_keys_are_masked_however_they_appear() -> None:
    assert mask_secrets(f"echo {SENTINEL_KEY}!") == "echo sk-ant-admin01-…a9c!"
    assert mask_secrets("sk-ant-api03-abcdefghijklmnop") == "sk-ant-…nop"
    assert mask_secrets("token tok_1234567890", "tok_1234567890") == "token …890"
    assert safe_line(mask_secrets(SENTINEL_KEY)) == "sk-ant-admin01-…a9c"
    assert mask_secrets("sk-ant-" + "x" * 5000).endswith("…xxx")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("sk-ant-admin01-" + "x" * 600, "615 characters long, more than the 512"),
        ("sk-ant-admin01-abc\r\ndef", "spaces or line breaks inside it"),
        ("sk-ant-admin01-abc def", "spaces or line breaks inside it"),
        ("sk-ant-admin01-clé", "not plain printable ASCII"),
        ("sk-ant-admin01-\x1b", "not plain printable ASCII"),
        ("   ", "the Admin key is empty"),
    ],
)
def test_unusable_keys_are_refused_saying_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as refused:
        AdminKey(text)
    assert problem in str(refused.value)
    secret_part = text.strip()[15:]
    assert not secret_part or secret_part not in str(refused.value)


def test_key_set_refuses_a_long_piped_key_before_any_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("sk-ant-admin01-" + "k" * 200_000 + "\n"))
    assert main(["key", "set"]) == 1
    assert capsys.readouterr().err == (
        "costtui: error: the key is 65537 characters long, more than the 512 a key can have: "
        "copy the key alone again from the Console; nothing was saved\n")


def write_config(text: str) -> Path:
    """Write config.toml in the isolated config directory."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_unknown_config_names_are_one_warning_each_with_file_and_line(
    capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config('colour = "red"\n\n[profiles.work]\nbase_url = "https://x.example"\n'
                        '[extras]\nsize = 3\n')
    assert load_config().warnings == (
        f"{path}, line 1: unknown setting 'colour' is ignored; the file holds only "
        "[profiles.NAME] tables with base_url and budgets",
        f"{path}, line 5: unknown setting 'extras' is ignored; the file holds only "
        "[profiles.NAME] tables with base_url and budgets",
    )
    assert main(["report", "--demo", *PAST, "--format", "csv"]) == 0
    assert capsys.readouterr().err.count("costtui: warning: ") == 2


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (f'[tools]\nnote = "my key is {SENTINEL_KEY}"\n', 2, "'note' holds what looks like an "
                                                            "Anthropic key"),
        (f'ANTHROPIC_ADMIN_KEY = "{SENTINEL_KEY}"\n', 1, "looks like an Anthropic key"),
        ('Key = "abc"\n', 1, "'Key' is not allowed"),
        ('[profiles.work]\nbase_url = "https://me:secret@proxy.example"\n', 2,
         "holds a user name or password"),
        ('[profiles.work]\nbase_url = "https://proxy.exa\tmple"\n', 2,
         "holds spaces or control characters"),
    ],
)
def test_secrets_and_credentials_in_the_config_are_refused_without_repeating_them(
    text: str, line: int, fragment: str, files_with_secret: Callable[[str], list[Path]]
) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as refused:
        load_config()
    message = str(refused.value)
    assert message.startswith(f"{path}, line {line}: ") and fragment in message
    assert SENTINEL_KEY not in message and "secret@" not in message
