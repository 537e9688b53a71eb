"""Unit tests of the user state file: round trip, its place, damaged files, no secrets."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest

from costtui.core.dates import DateRange
from costtui.data.state import UserState, load_state, save_state, state_path

REMEMBERED = UserState(theme="textual-light", preset="last-month",
                       drill_path=("model", "workspace"), sort_column="change",
                       sort_descending=False)


def test_a_state_round_trips_in_the_user_state_directory(tmp_path: Path) -> None:
    assert state_path() == tmp_path / "state_home" / "costtui" / "state.json"
    assert load_state() == (UserState(), None)
    save_state(REMEMBERED)
    assert load_state() == (REMEMBERED, None)
    assert stat.S_IMODE(state_path().stat().st_mode) == 0o600
    assert json.loads(state_path().read_text()) == {
        "theme": "textual-light", "preset": "last-month", "drill_path": ["model", "workspace"],
        "sort_column": "change", "sort_descending": False}


def test_a_custom_range_is_kept_when_no_preset_is_in_use(tmp_path: Path) -> None:
    custom = UserState(custom_range=DateRange(date(2026, 10, 5), date(2026, 10, 9)))
    save_state(custom, tmp_path / "s.json")
    assert load_state(tmp_path / "s.json")[0] == custom


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"[1, 2]", b"null"])
def test_a_damaged_file_gives_the_defaults_and_at_most_one_line(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    state, note = load_state(path)
    assert state == UserState()
    assert note is None or (note.startswith(f"could not read {path}") and "\n" not in note)


def test_wrong_fields_are_dropped_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({
        "theme": "\x1b[2Jevil", "preset": "last-month", "drill_path": ["model", "model"],
        "sort_column": "drop table", "sort_descending": "yes",
        "custom_range": {"from": "2026-10-09", "to": "2026-10-05"},
    }))
    assert load_state(path) == (UserState(preset="last-month"), None)


def test_only_known_fields_are_written_back_never_a_secret(
    tmp_path: Path, sentinel_key: str
) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"theme": "nord", "admin_key": sentinel_key}))
    state, _ = load_state(path)
    save_state(state, path)
    assert sentinel_key not in path.read_text()
    assert json.loads(path.read_text()) == {"theme": "nord"}


def test_a_huge_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(" " * 70_000 + "{}")
    state, note = load_state(path)
    assert state == UserState() and note is not None and "too large" in note
