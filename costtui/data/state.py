"""The user state file: theme, range, drill path and sort remembered between sessions.

It lives in the user state directory (`$XDG_STATE_HOME/costtui/state.json` on Linux), holds
only the fields of UserState (never a key or any other secret), and a damaged file is ignored
with one line that says so: it is a convenience, never a reason to fail.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from costtui.core.dates import PRESET_LABELS, DateRange, DateRangeError, parse_day
from costtui.core.report import UnknownDimensionError, check_dimensions
from costtui.core.view_state import SORT_COLUMNS

APP_NAME = "costtui"
STATE_FILE_NAME = "state.json"
MAX_STATE_BYTES = 64 * 1024
"""A state file larger than this is not read (it cannot be one costtui wrote)."""
MAX_THEME_NAME = 64


@dataclass(frozen=True)
class UserState:
    """What the user chose last time; None means "not remembered", use the default."""

    theme: str | None = None
    """Name of the Textual theme; checked against the available themes by the app."""
    preset: str | None = None
    """The preset range id ("last-month"); wins over custom_range."""
    custom_range: DateRange | None = None
    """A typed range, when no preset was in use."""
    drill_path: tuple[str, ...] | None = None
    sort_column: str | None = None
    sort_descending: bool | None = None


def state_path() -> Path:
    """Return the state file's path in the user state directory."""
    return platformdirs.user_state_path(APP_NAME, appauthor=False) / STATE_FILE_NAME


def _text(value: object, limit: int) -> str | None:
    """Return a short printable string, or None for anything else."""
    if isinstance(value, str) and 0 < len(value) <= limit and value.isprintable():
        return value
    return None


def _range(value: object) -> DateRange | None:
    """Return a {"from": ..., "to": ...} object as a DateRange, or None."""
    if not isinstance(value, dict):
        return None
    try:
        return DateRange(parse_day(str(value.get("from"))), parse_day(str(value.get("to"))))
    except DateRangeError:
        return None


def _path(value: object) -> tuple[str, ...] | None:
    """Return a list of known, distinct dimensions as a drill path, or None."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return None
    try:
        return check_dimensions(value)
    except UnknownDimensionError:
        return None


def parse_state(document: Any) -> UserState:
    """Return the valid fields of a decoded state document; anything wrong is left out."""
    if not isinstance(document, dict):
        return UserState()
    preset = document.get("preset")
    sort_column = document.get("sort_column")
    descending = document.get("sort_descending")
    return UserState(
        theme=_text(document.get("theme"), MAX_THEME_NAME),
        preset=preset if isinstance(preset, str) and preset in PRESET_LABELS else None,
        custom_range=_range(document.get("custom_range")),
        drill_path=_path(document.get("drill_path")),
        sort_column=sort_column if sort_column in SORT_COLUMNS else None,
        sort_descending=descending if isinstance(descending, bool) else None,
    )


def state_document(state: UserState) -> dict[str, object]:
    """Return the JSON object written for a state (only the known fields that are set)."""
    document: dict[str, object] = {}
    if state.theme is not None:
        document["theme"] = state.theme
    if state.preset is not None:
        document["preset"] = state.preset
    elif state.custom_range is not None:
        document["custom_range"] = {"from": state.custom_range.first_day.isoformat(),
                                    "to": state.custom_range.last_day.isoformat()}
    if state.drill_path is not None:
        document["drill_path"] = list(state.drill_path)
    if state.sort_column is not None:
        document["sort_column"] = state.sort_column
    if state.sort_descending is not None:
        document["sort_descending"] = state.sort_descending
    return document


def load_state(path: Path | None = None) -> tuple[UserState, str | None]:
    """Read the state file; return the state and a one-line note when it had to be ignored."""
    path = path or state_path()
    try:
        if path.stat().st_size > MAX_STATE_BYTES:
            return UserState(), f"{path} is too large to be costtui's state file: ignored"
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return UserState(), None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "damaged"
        return UserState(), f"could not read {path} ({reason}): the last view is not restored"
    return parse_state(document), None


def save_state(state: UserState, path: Path | None = None) -> None:
    """Write the state atomically, readable by the user only; raise OSError if it cannot."""
    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(state_document(state), indent=2, sort_keys=True) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
