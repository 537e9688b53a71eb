"""Report rows as the shapes scripts read: JSON objects and CSV lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from costtui.core.dates import DateRange
from costtui.core.formatting import format_exact
from costtui.core.report import GroupRow, display_value

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet may run a text cell starting with one of these as a formula."""


def csv_cell(value: object) -> str:
    """Return a CSV text cell, with a leading ' when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row_record(
    row: GroupRow, dimensions: Sequence[str], workspace_names: dict[str, str]
) -> dict[str, Any]:
    """Return one row as a dict: a key per dimension (workspace by name plus id), then cost."""
    record: dict[str, Any] = {}
    for dimension, value in zip(dimensions, row.values, strict=True):
        if dimension == "workspace":
            record["workspace"] = display_value("workspace", value, workspace_names)
            record["workspace_id"] = value
        else:
            record[dimension] = value
    record["cost_usd"] = format_exact(row.cost)
    return record


def report_json(
    rows: Sequence[GroupRow],
    dimensions: Sequence[str],
    date_range: DateRange,
    workspace_names: dict[str, str],
    total: Decimal,
    extra: dict[str, Any] | None = None,
) -> str:
    """Return the report as one JSON object with exact decimal strings in dollars."""
    document: dict[str, Any] = {
        "from": date_range.first_day.isoformat(),
        "to": date_range.last_day.isoformat(),
        "currency": "USD",
        "group_by": list(dimensions),
        "rows": [row_record(row, dimensions, workspace_names) for row in rows],
        "total_usd": format_exact(total),
        **(extra or {}),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def report_csv(
    rows: Sequence[GroupRow], dimensions: Sequence[str], workspace_names: dict[str, str]
) -> str:
    """Return the report as CSV: a column per dimension (workspace plus workspace_id), cost_usd."""
    buffer = io.StringIO()
    header: list[str] = []
    for dimension in dimensions:
        header += ["workspace", "workspace_id"] if dimension == "workspace" else [dimension]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*header, "cost_usd"])
    for row in rows:
        record = row_record(row, dimensions, workspace_names)
        # Names are text and quoted against formulas; cost_usd is a number and stays one.
        writer.writerow([csv_cell(record[name]) for name in header] + [record["cost_usd"]])
    return buffer.getvalue()
