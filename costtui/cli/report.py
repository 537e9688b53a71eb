"""`costtui report`: the same numbers as the TUI, as a table, CSV or JSON for scripts."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from costtui.cli.allocator import keep_freed_memory
from costtui.cli.common import (
    CliError,
    add_group_by_option,
    add_profile_option,
    add_range_options,
    add_source_options,
    print_note,
    print_warning,
    range_arguments,
    source_options,
    write_output,
)
from costtui.cli.insights import (
    add_insight_options,
    collect_insights,
    run_check_budget,
    write_insights,
)
from costtui.cli.with_tokens import (
    TOKEN_GROUPING,
    TokenData,
    add_token_options,
    load_tokens,
    parse_dimensions,
    tokens_needed,
    write_token_report,
)
from costtui.core.clock import Clock
from costtui.core.dates import DateRange, DateRangeError, choose_range, contiguous_ranges
from costtui.core.export import report_csv, report_json
from costtui.core.formatting import format_dollars, format_share
from costtui.core.models import LoadedReport
from costtui.core.report import (
    DIMENSION_LABELS,
    GroupRow,
    UnknownDimensionError,
    api_group_by_for,
    display_value,
    group_costs,
    total_cost,
)
from costtui.data.api import ApiError, FetchProgress
from costtui.data.config import ConfigError
from costtui.data.demo import demo_transport
from costtui.data.open import open_source
from costtui.data.secrets import KeyringUnavailable, resolve_key
from costtui.data.source import CostSource, load_report

if TYPE_CHECKING:
    from rich.console import Console

    from costtui.data.fetch_helper import HelperProcess

FORMATS = ("table", "csv", "json", "focus")
HELPER_MIN_CPUS = 2
"""A report forks a fetching helper only with this many usable CPUs (tests force it with 1)."""
HELPER_MIN_WINDOWS = 4
"""…and only when at least this many windows are left to fetch (fewer do not pay a fork)."""


def register(commands: Any) -> None:
    """Add the `report` command to the parser's subcommands."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "report",
        help="print a cost report as a table, CSV or JSON",
        description="Print a cost report. Dates are UTC days, both ends inclusive.",
    )
    add_source_options(parser)
    add_profile_option(parser)
    add_range_options(parser)
    add_group_by_option(parser, "default: workspace")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="output format (default: table on a terminal, else csv); "
                        "focus: a FOCUS 1.2 billing CSV")
    add_token_options(parser)
    add_insight_options(parser)
    parser.set_defaults(func=run_report)


def parse_group_by(values: list[str] | None) -> tuple[str, ...]:
    """Return the report's dimensions from --group-by, defaulting to workspace."""
    return parse_dimensions(values)


def report_source(args: argparse.Namespace, clock: Clock) -> CostSource:
    """Resolve the key if one is needed, then open the source the options ask for."""
    options = source_options(args)
    if not options.needs_key:
        spiked = demo_transport(clock.today()) if options.demo else None
        return open_source(options, None, clock, transport=spiked)
    profile = options.profile
    try:
        resolved = resolve_key(profile)
    except KeyringUnavailable as error:
        raise CliError(str(error)) from None
    if resolved.key is None:
        if resolved.note:
            raise CliError(f"no Admin key for profile {profile!r}: {resolved.note}")
        raise CliError(
            f"no Admin key for profile {profile!r}: set ANTHROPIC_ADMIN_KEY or run "
            "'costtui key set', or try '--demo'"
        )
    return open_source(options, resolved.key, clock)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a report loads: the load makes hundreds of
    thousands of short-lived objects (each collection would walk them) and few cycles, which
    are collected once it is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def skip_collections_at_exit() -> None:
    """Freeze every object when the process exits, once registered: Python's collections at
    shutdown then neither walk nor free, one by one, what a large report left behind (tens of
    ms at 200 workspaces). Registered again, it still runs once."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def progress_printer(stream: TextIO) -> Any:
    """Return a progress callback that rewrites one status line on a terminal."""

    def show(progress: FetchProgress) -> None:
        stream.write(
            f"\rcosttui: fetching windows {progress.windows_done}/{progress.windows_total}, "
            f"pages {progress.pages_done}…"
        )
        stream.flush()

    return show


def start_helper(
    source: CostSource, grouping: tuple[str, ...], date_range: DateRange
) -> HelperProcess | None:
    """Fork a helper that fetches and stores the range's earlier complete windows, when it pays.

    Only online over the cache, with a second CPU, a single thread and no cache connection
    open (the peek at the cache closes its own); the child gets the source as it is (the key
    stays in memory, never in argv or the environment) and the source learns the helper's days.
    """
    if not source.uses_cache or source.offline:
        return None
    from costtui.data.cached_source import CachedSource
    from costtui.data.fetch_helper import HelperProcess, can_fork, plan_helper

    if not isinstance(source, CachedSource) or not can_fork(HELPER_MIN_CPUS):
        return None
    plan = plan_helper(source.cache, source.profile, grouping, date_range,
                       min_windows=HELPER_MIN_WINDOWS)
    if plan is None:
        return None
    source.cache_was_empty = plan.cache_was_empty
    keep_freed_memory()  # A long cold fetch, in both processes: see the allocator module.
    helper = HelperProcess.start(
        plan.days, lambda: asyncio.run(fill_cache(source, plan.date_range, grouping)))
    source.helper = helper
    return helper


async def fill_cache(source: CostSource, date_range: DateRange, grouping: tuple[str, ...]) -> None:
    """Fetch the range through the source (storing it in its cache), then close the source."""
    try:
        await source.cost_buckets(date_range, grouping)
    finally:
        await source.aclose()


def load_with_helper(
    args: argparse.Namespace, dimensions: tuple[str, ...], date_range: DateRange, clock: Clock,
    with_tokens: bool = False,
) -> tuple[LoadedReport, list[str], TokenData | None]:
    """Open the source, fork a helper if it pays, and load the report; the helper never
    outlives this call (killed and reaped on any exit: error, Ctrl-C)."""
    source = report_source(args, clock)
    grouping = TOKEN_GROUPING if with_tokens else api_group_by_for(dimensions)
    helper = start_helper(source, grouping, date_range)
    try:
        return asyncio.run(
            fetch(args, source, grouping, dimensions, date_range, clock, with_tokens))
    finally:
        if helper is not None:
            helper.stop()


async def fetch(
    args: argparse.Namespace, source: CostSource, grouping: tuple[str, ...],
    dimensions: tuple[str, ...], date_range: DateRange, clock: Clock, with_tokens: bool = False,
) -> tuple[LoadedReport, list[str], TokenData | None]:
    """Load the report the arguments describe, by the API grouping given; also return the
    cache's one-line warnings.

    With tokens, the usage report (and API-key names) come along, before the source closes.
    """
    show_progress = progress_printer(sys.stderr) if sys.stderr.isatty() else None
    tokens: TokenData | None = None
    try:
        report = await load_report(
            source, date_range, grouping, clock=clock, with_previous=False,
            on_progress=show_progress,
        )
        if with_tokens:
            tokens = await load_tokens(source, date_range, by_api_key="api_key" in dimensions,
                                       with_tokens=bool(getattr(args, "with_tokens", False)))
    finally:
        await source.aclose()
        if show_progress is not None:
            sys.stderr.write("\r\033[K")
    return report, list(report.warnings), tokens


def missing_days_warning(report: LoadedReport, offline: bool) -> str:
    """Return the one-line warning naming the days a report lacks, as ranges."""
    days = ", ".join(map(str, contiguous_ranges(report.missing_days)))
    where = " from the cache" if offline else ""
    return f"{len(report.missing_days)} day(s) missing{where}: {days}"


def terminal_console() -> Console:
    """Return a rich console on stdout (rich is imported only for the table format)."""
    from rich.console import Console

    return Console()


def render_table(
    rows: list[GroupRow], dimensions: tuple[str, ...], report: LoadedReport, console: Console
) -> None:
    """Print an aligned table with a share column and a total line."""
    from rich.table import Table
    from rich.text import Text

    total = total_cost(report.lines)
    console.print(Text(f"{report.organization_name} · {report.date_range} (UTC)", style="bold"))
    table = Table(show_footer=True)
    for position, dimension in enumerate(dimensions):
        table.add_column(DIMENSION_LABELS[dimension], footer="Total" if position == 0 else "",
                         overflow="fold")
    table.add_column("Cost", justify="right", footer=format_dollars(total), no_wrap=True)
    table.add_column("Share", justify="right", no_wrap=True)
    for row in rows:
        labels = [
            Text(display_value(dim, value, report.workspace_names))
            for dim, value in zip(dimensions, row.values, strict=True)
        ]
        table.add_row(*labels, format_dollars(row.cost), format_share(row.cost, total))
    console.print(table)


def run_report(args: argparse.Namespace, clock: Clock) -> int:
    """Fetch and print the report; every failure becomes one line and a non-zero exit."""
    if args.check_budget:
        return run_check_budget(args, clock, report_source)
    try:
        dimensions = parse_group_by(getattr(args, "group_by", None))
        chosen = choose_range(*range_arguments(args), clock.today())
        if chosen.note:
            print_note(chosen.note)
        output_format = args.format or ("table" if sys.stdout.isatty() else "csv")
        with_tokens = tokens_needed(args, dimensions, output_format)
        skip_collections_at_exit()
        with collection_paused():
            report, warnings, tokens = load_with_helper(
                args, dimensions, chosen.date_range, clock, with_tokens)
    except (DateRangeError, UnknownDimensionError) as error:
        raise CliError(str(error), exit_code=2) from None
    except (ApiError, ConfigError, KeyringUnavailable, ValueError) as error:
        raise CliError(str(error)) from None
    for note in report.notes:
        print_note(note)
    for warning in [*warnings, *(tokens.warnings if tokens else [])]:
        print_warning(warning)
    extra: dict[str, Any] | None = None
    if report.missing_days:
        print_warning(missing_days_warning(report, source_options(args).offline))
        extra = {"missing_days": [day.isoformat() for day in report.missing_days]}
    scored = tuple(name for name in dimensions if name != "api_key")  # allocated: not scored
    insights = collect_insights(args, clock, report_source, scored, report.date_range)
    extra = {**(extra or {}), **insights.json} or None
    if tokens is not None:
        try:
            write_token_report(report, dimensions, output_format, tokens, clock.now(), extra,
                               terminal_console())
        except BrokenPipeError:
            raise
        except OSError as error:
            raise CliError(f"cannot write the output: {error.strerror or error}") from None
        if output_format in ("table", "csv"):
            write_insights(insights, output_format, sys.stdout)
        return 0
    rows = group_costs(report.lines, dimensions)
    if output_format == "json":
        write_output(report_json(rows, dimensions, report.date_range,
                                 report.workspace_names, total_cost(report.lines), extra))
    elif output_format == "csv":
        write_output(report_csv(rows, dimensions, report.workspace_names))
    else:
        try:
            render_table(rows, dimensions, report, terminal_console())
        except BrokenPipeError:
            raise
        except OSError as error:
            raise CliError(f"cannot write the output: {error.strerror or error}") from None
    if output_format != "json":
        write_insights(insights, output_format, sys.stdout)
    return 0
