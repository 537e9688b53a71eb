"""Expected figures read straight from the recordings' JSON with Decimal, never through costtui."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from costtui.core.dates import DateRange
from tests.replay import RECORDINGS, ReplayTransport

RECORDED = "cost_report_40_days.json"
"""2025-08-01..2025-09-09 by workspace and description, /me and two pages of workspaces."""
RESLICED = "cost_report_resliced.json"
"""Two more windows cut from RECORDED's day buckets (see its comment), for range changes."""


def recording(name: str) -> list[dict[str, Any]]:
    """Return the exchanges of a recording file."""
    exchanges: list[dict[str, Any]] = json.loads((RECORDINGS / name).read_text())["exchanges"]
    return exchanges


def recorded_days(name: str = RECORDED) -> dict[date, list[dict[str, Any]]]:
    """Return the raw results of every recorded day bucket, by day."""
    days: dict[date, list[dict[str, Any]]] = {}
    for exchange in recording(name):
        if exchange["request"]["path"].endswith("/cost_report"):
            for bucket in exchange["response"]["body"]["data"]:
                days[date.fromisoformat(bucket["starting_at"][:10])] = bucket["results"]
    return days


def recorded_costs(
    date_range: DateRange, field: str, where: dict[str, str | None] | None = None
) -> dict[str | None, Decimal]:
    """Return exact dollars per value of a raw result field over a range (amounts are cents)."""
    sums: dict[str | None, Decimal] = defaultdict(Decimal)
    days = recorded_days()
    for day in date_range.days():
        for result in days[day]:
            if all(result[name] == value for name, value in (where or {}).items()):
                sums[result[field]] += Decimal(result["amount"]) / 100
    return dict(sums)


def recorded_daily(date_range: DateRange, field: str) -> dict[str | None, list[Decimal]]:
    """Return exact dollars per value of a field on each day of the range, zeros included."""
    per_value: dict[str | None, list[Decimal]] = defaultdict(
        lambda: [Decimal(0)] * date_range.day_count)
    days = recorded_days()
    for index, day in enumerate(date_range.days()):
        for result in days[day]:
            per_value[result[field]][index] += Decimal(result["amount"]) / 100
    return dict(per_value)


def recorded_workspace_names() -> dict[str | None, str]:
    """Return workspace id -> name from the recorded /workspaces pages; null is "Default"."""
    names: dict[str | None, str] = {None: "Default"}
    for exchange in recording(RECORDED):
        if exchange["request"]["path"].endswith("/workspaces"):
            names.update({ws["id"]: ws["name"] for ws in exchange["response"]["body"]["data"]})
    return names


def recorded_organisation() -> str:
    """Return the organisation name of the recorded /me."""
    return str(next(exchange["response"]["body"]["name"] for exchange in recording(RECORDED)
                    if exchange["request"]["path"].endswith("/me")))


def recorded_error(status: int) -> dict[str, Any]:
    """Return the recorded error response of a status (errors.json)."""
    response: dict[str, Any] = json.loads((RECORDINGS / "errors.json").read_text())[
        "responses"][str(status)]
    return response


def failing_with(status: int, paths: tuple[str, ...]) -> list[dict[str, Any]]:
    """Return RECORDED's requests to `paths` answered with the recorded error of `status`."""
    return [{"request": exchange["request"], "response": recorded_error(status)}
            for exchange in recording(RECORDED) if exchange["request"]["path"].endswith(paths)]


def recorded_requests(name: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return a recording's requests as path and sorted (name, value) query pairs, sorted."""
    found = []
    for exchange in recording(name):
        query = exchange["request"].get("query", {})
        pairs = [(key, str(value)) for key, values in query.items()
                 for value in (values if isinstance(values, list) else [values])]
        found.append((exchange["request"]["path"], sorted(pairs)))
    return sorted(found)


def requests_made(transport: ReplayTransport) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the requests a replay answered, in the shape of `recorded_requests`."""
    return sorted((request.url.path, sorted(request.url.params.multi_items()))
                  for request in transport.requests)
