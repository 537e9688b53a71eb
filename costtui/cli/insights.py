"""`costtui report --check-budget | --forecast | --anomalies`: budgets, projection, spike days."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, TextIO

from costtui.cli.common import CliError, print_warning, profile_name, source_options
from costtui.core.budgets import (
    EXIT_CODES,
    BudgetCheck,
    Budgets,
    budget_check_json,
    check_budgets,
    parse_budgets,
)
from costtui.core.clock import Clock
from costtui.core.dates import DateRange, DateRangeError
from costtui.core.forecast import Forecast, NoForecast, project_month
from costtui.core.formatting import format_dollars, format_exact, projection_range_text
from costtui.core.insights import (
    ANOMALY_HISTORY_DAYS,
    HISTORY_DAYS,
    daily_series,
    daily_series_by_group,
    spike_days,
)
from costtui.core.models import LoadedReport
from costtui.core.report import DIMENSION_LABELS, api_group_by_for
from costtui.data.api import ApiError
from costtui.data.config import ConfigError, load_config
from costtui.data.demo import DEMO_BUDGETS
from costtui.data.secrets import KeyringUnavailable
from costtui.data.source import CostSource, load_report

SourceOpener = Callable[[argparse.Namespace, Clock], CostSource]
SCORE_PLACES = Decimal("0.01")

if TYPE_CHECKING:
    from rich.console import Console


def add_insight_options(parser: argparse.ArgumentParser) -> None:
    """Add --check-budget, --forecast and --anomalies to `costtui report`."""
    parser.add_argument(
        "--check-budget", action="store_true",
        help="check this UTC month's budgets from config.toml; exit 0 OK, 1 WARNING, "
             "2 CRITICAL (over), 3 UNKNOWN (no budget, API error, bad input)")
    parser.add_argument("--forecast", action="store_true",
                        help="add the month-end projection with its 80%% band")
    parser.add_argument("--anomalies", action="store_true",
                        help="list spike days in the range, for the first --group-by "
                             "dimension and the organisation total")


async def _load(
    args: argparse.Namespace, clock: Clock, open_source: SourceOpener, window: DateRange,
    dimensions: Sequence[str],
) -> LoadedReport:
    """Fetch the days of a window under the grouping the dimensions need, then close."""
    source = open_source(args, clock)
    try:
        return await load_report(source, window, api_group_by_for(dimensions), clock=clock,
                                 with_previous=False)
    finally:
        await source.aclose()


def fetch_window(
    args: argparse.Namespace, clock: Clock, open_source: SourceOpener, first_day: date,
    last_day: date, dimensions: Sequence[str],
) -> LoadedReport:
    """Fetch a window, turning every data-layer failure into a CliError."""
    try:
        window = DateRange(first_day, last_day)
        return asyncio.run(_load(args, clock, open_source, window, dimensions))
    except (ApiError, ConfigError, KeyringUnavailable, DateRangeError, ValueError) as error:
        raise CliError(str(error)) from None


def profile_budgets(args: argparse.Namespace) -> Budgets:
    """Return the budgets of the chosen profile, or the demo's under --demo."""
    if source_options(args).demo:
        return parse_budgets(DEMO_BUDGETS, "demo")
    return load_config().profile(profile_name(args)).budgets


def run_check_budget(args: argparse.Namespace, clock: Clock, open_source: SourceOpener) -> int:
    """Check the budgets and print them; every failure is UNKNOWN (exit 3), one line."""
    now = clock.now()
    try:
        budgets = profile_budgets(args)
        if not budgets.configured:
            profile = profile_name(args)
            raise CliError(
                f"no budget configured for profile {profile!r}: add [profiles.{profile}.budgets] "
                'with monthly = "40000" to config.toml', exit_code=EXIT_CODES["unknown"])
        report = fetch_window(args, clock, open_source,
                              now.date() - timedelta(days=HISTORY_DAYS), now.date(),
                              ("workspace",))
    except (CliError, ConfigError, ValueError) as error:  # BudgetConfigError is a ValueError
        raise CliError(str(error), exit_code=EXIT_CODES["unknown"]) from None
    series = daily_series_by_group(report.lines, "workspace", report.date_range.days())
    check = check_budgets(budgets, series, report.workspace_names, now)
    for warning in check.warnings:
        print_warning(warning)
    if args.format == "json":
        sys.stdout.write(json.dumps(budget_check_json(check), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        sys.stdout.write(budget_csv(check))
    else:
        from rich.console import Console  # rich only for a table: a start is lighter

        render_budgets(check, Console())
    return check.exit_code


def budget_csv(check: BudgetCheck) -> str:
    """Return the budget lines as CSV with exact decimal strings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["scope", "name", "workspace_id", "budget_usd", "actual_usd", "percent",
                     "projected_usd", "status"])
    for record, line in zip(budget_check_json(check)["budgets"], check.lines, strict=True):
        writer.writerow([record["scope"], _csv_text(record["name"]), record["workspace_id"] or "",
                         record["budget_usd"], record["actual_usd"], _percent(line.percent),
                         record["projected_usd"] or "", record["status"]])
    return buffer.getvalue()


def _csv_text(text: str) -> str:
    """Prefix text a spreadsheet would run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _percent(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


def render_budgets(check: BudgetCheck, console: Console) -> None:
    """Print one line per budget: name, actual, budget, %, projected and status."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Budgets · {check.month:%B %Y} (UTC)", title_justify="left")
    for label in ("Budget", "Actual", "Limit", "%", "Projected", "Status"):
        table.add_column(label, justify="left" if label in ("Budget", "Status") else "right")
    for line in check.lines:
        status = line.status + (" (over pace)" if line.over_pace else "")
        projected = "—" if line.projected is None else format_dollars(line.projected)
        table.add_row(Text(line.name), format_dollars(line.actual), format_dollars(line.budget),
                      f"{_percent(line.percent)} %", projected, status)
    console.print(table)
    console.print(Text(f"Status: {check.status.upper()}"))


@dataclass
class Insights:
    """What --forecast and --anomalies add to a report: JSON keys and lines for table/CSV."""

    json: dict[str, Any] = field(default_factory=dict)
    footer: list[str] = field(default_factory=list)
    anomalies: list[dict[str, Any]] = field(default_factory=list)


def collect_insights(
    args: argparse.Namespace, clock: Clock, open_source: SourceOpener,
    dimensions: Sequence[str], date_range: DateRange,
) -> Insights:
    """Compute the projection and spike days the arguments ask for."""
    insights = Insights()
    now = clock.now()
    if getattr(args, "forecast", False):
        report = fetch_window(args, clock, open_source,
                              now.date() - timedelta(days=HISTORY_DAYS), now.date(), ())
        forecast = project_month(daily_series(report.lines, report.date_range.days()), now)
        insights.json.update(forecast_json(forecast))
        insights.footer.append(forecast_line(forecast))
    if getattr(args, "anomalies", False):
        dimension = dimensions[0] if dimensions and dimensions[0] != "day" else None
        report = fetch_window(
            args, clock, open_source,
            date_range.first_day - timedelta(days=ANOMALY_HISTORY_DAYS),
            date_range.last_day, (dimension,) if dimension else ())
        insights.anomalies = anomaly_records(report, dimension, date_range, now)
        insights.json["anomalies"] = insights.anomalies
    return insights


def forecast_json(forecast: Forecast | NoForecast) -> dict[str, Any]:
    """Return the report's `forecast` key (or null with `forecast_reason`)."""
    if isinstance(forecast, NoForecast):
        return {"forecast": None, "forecast_reason": forecast.reason}
    return {"forecast": {
        "month": forecast.month.strftime("%Y-%m"),
        "actual_to_date_usd": format_exact(forecast.actual_to_date),
        "projected_usd": format_exact(forecast.projected),
        "low_usd": format_exact(forecast.low),
        "high_usd": format_exact(forecast.high),
        "confidence": forecast.confidence_percent / 100,
        "method": forecast.method,
        "history_days": forecast.history_days,
    }}


def forecast_line(forecast: Forecast | NoForecast) -> str:
    """Return the one-line footer of a projection, labelled as an estimate."""
    month = f"{forecast.month:%B %Y}"
    if isinstance(forecast, NoForecast):
        return f"No projection for {month}: {forecast.reason}."
    return (f"{month} {projection_range_text(forecast)}; "
            f"{format_dollars(forecast.actual_to_date)} so far")


def anomaly_records(
    report: LoadedReport, dimension: str | None, date_range: DateRange, now: datetime
) -> list[dict[str, Any]]:
    """Return the spike days of the range's complete days, by group and in total, by impact."""
    return [
        {
            "day": spike.score.day.isoformat(),
            "dimension": spike.dimension,
            "group": spike.label,
            "group_id": spike.group,
            "actual_usd": format_exact(spike.score.actual),
            "expected_usd": format_exact(spike.score.expected),
            "impact_usd": format_exact(spike.score.impact),
            "score": float(spike.score.score.quantize(SCORE_PLACES, rounding=ROUND_HALF_EVEN)),
        }
        for spike in spike_days(report, (dimension,) if dimension else (), date_range, now)
    ]


ANOMALY_COLUMNS = ("day", "dimension", "group", "group_id", "actual_usd", "expected_usd",
                   "impact_usd", "score")


def write_insights(insights: Insights, output_format: str, stream: TextIO) -> None:
    """Add the footer lines and the spike list under a table or CSV report."""
    if output_format == "csv":
        for line in insights.footer:
            stream.write(f"# {line}\n")
        if insights.json.get("anomalies") is not None:
            writer = csv.writer(stream, lineterminator="\n")
            stream.write("\n")
            writer.writerow(ANOMALY_COLUMNS)
            for record in insights.anomalies:
                writer.writerow([_csv_text(str(record[name])) if name == "group"
                                 else ("" if record[name] is None else record[name])
                                 for name in ANOMALY_COLUMNS])
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream)
    if "anomalies" in insights.json:
        render_anomalies(insights.anomalies, console)
    for line in insights.footer:
        console.print(Text(line))


def render_anomalies(records: Sequence[dict[str, Any]], console: Console) -> None:
    """Print the spike days as a table, largest impact first."""
    from rich.table import Table
    from rich.text import Text

    if not records:
        console.print(Text("No spike days in this range."))
        return
    table = Table(title="Spike days (complete days only)", title_justify="left")
    for label in ("Day", "Dimension", "Group", "Actual", "Expected", "Impact", "Score"):
        table.add_column(label, justify="right" if label in (
            "Actual", "Expected", "Impact", "Score") else "left")
    for record in records:
        dimension = record["dimension"]
        table.add_row(
            record["day"], DIMENSION_LABELS.get(dimension, "Total"), Text(record["group"]),
            *(format_dollars(Decimal(record[key]))
              for key in ("actual_usd", "expected_usd", "impact_usd")),
            f"{record['score']:.2f}")
    console.print(table)
