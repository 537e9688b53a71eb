"""The current view as export files and as the `costtui report` command that reproduces it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from costtui.core.dates import DateRange
from costtui.core.export import report_csv, report_json
from costtui.core.models import DEFAULT_PROFILE, LoadedReport
from costtui.core.names import matches
from costtui.core.report import DIMENSION_LABELS, GroupRow, display_value, group_costs
from costtui.core.view_state import ViewState, level_label

EXPORT_FORMATS = ("csv", "json")


@dataclass(frozen=True)
class ViewRows:
    """The rows of the current view in `costtui report` shape: filter dimensions plus the level."""

    dimensions: tuple[str, ...]
    rows: tuple[GroupRow, ...]
    total: Decimal


def view_rows(report: LoadedReport, state: ViewState) -> ViewRows:
    """Return the view's groups with the drilled dimensions as leading columns."""
    dimensions = (*state.filter_dimensions, state.dimension)
    rows = [
        row
        for row in group_costs(report.lines, dimensions, state.filters)
        if matches(state.text_filter,
                   level_label(state.dimension, row.values[-1], report.workspace_names,
                               state.filters),
                   row.values[-1] or "")
    ]
    return ViewRows(dimensions, tuple(rows), sum((row.cost for row in rows), Decimal(0)))


def export_text(report: LoadedReport, state: ViewState, export_format: str) -> str:
    """Return the view as CSV or JSON, exact amounts, in the shapes `costtui report` prints."""
    shown = view_rows(report, state)
    if export_format == "csv":
        return report_csv(list(shown.rows), shown.dimensions, report.workspace_names)
    extra: dict[str, object] = {
        "where": {dimension: value for dimension, value in state.filters.items()},
    }
    if state.text_filter.strip():
        extra["name_contains"] = state.text_filter.strip()
    return report_json(list(shown.rows), shown.dimensions, report.date_range,
                       report.workspace_names, shown.total, extra=extra)


def export_file_name(date_range: DateRange, state: ViewState, export_format: str) -> str:
    """Return a descriptive file name such as costtui-2026-10-01_2026-10-31-workspace-model.csv."""
    dimensions = "-".join((*state.filter_dimensions, state.dimension)).replace("_", "-")
    return (f"costtui-{date_range.first_day.isoformat()}_{date_range.last_day.isoformat()}"
            f"-{dimensions}.{export_format}")


MAX_NUMBERED_NAMES = 999


def numbered_name(file_name: str, attempt: int) -> str:
    """Return the name of the attempt-th try: the name itself, then name-2.csv, name-3.csv…."""
    base = Path(file_name)
    return base.name if attempt == 1 else f"{base.stem}-{attempt}{base.suffix}"


def free_file_name(directory: Path, file_name: str) -> str:
    """Return the name write_new_file would use now: the first numbered name not taken."""
    for attempt in range(1, MAX_NUMBERED_NAMES + 1):
        name = numbered_name(file_name, attempt)
        if not (directory / name).exists():
            return name
    return file_name


def write_new_file(directory: Path, file_name: str, text: str) -> Path:
    """Write text to a new file, adding -2, -3… before the suffix rather than overwrite one."""
    for attempt in range(1, MAX_NUMBERED_NAMES + 1):
        path = directory / numbered_name(file_name, attempt)
        try:
            with path.open("x", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except FileExistsError:
            continue
        return path.resolve()
    raise FileExistsError(f"too many files named like {file_name} in {directory}")


def report_command(
    state: ViewState, date_range: DateRange, *, demo: bool, profile: str,
    export_format: str = "csv",
) -> str:
    """Return the shell command that prints the view's rows with `costtui report`."""
    words = ["costtui", "report"]
    if demo:
        words.append("--demo")
    elif profile != DEFAULT_PROFILE:
        words += ["--profile", profile]
    words += ["--from", date_range.first_day.isoformat(), "--to", date_range.last_day.isoformat()]
    words += ["--group-by", ",".join((*state.filter_dimensions, state.dimension))]
    words += ["--format", export_format]
    return shlex.join(words)


def rows_to_look_at(state: ViewState, workspace_names: dict[str, str]) -> list[str]:
    """Return one line per drilled filter saying which rows of the command's output are the view."""
    lines = []
    for dimension, value in state.filters.items():
        shown = display_value(dimension, value, workspace_names)
        if dimension == "workspace" and value is not None and shown != value:
            shown = f"{shown} ({value})"
        elif value is None:
            shown = "(empty)"
        lines.append(f"{DIMENSION_LABELS[dimension]} = {shown}")
    if state.text_filter.strip():
        lines.append(
            f"{DIMENSION_LABELS[state.dimension]} contains {state.text_filter.strip()!r}"
        )
    return lines
