"""`costtui cache status|clear`: show what the local cost cache holds, or empty it."""

from __future__ import annotations

import argparse
from typing import Any

from costtui.cli.common import CliError, print_warning
from costtui.core.clock import Clock
from costtui.data.cache import CacheError, CostCache
from costtui.data.cache_status import CacheStatus, GroupingCoverage

MAX_RANGES_SHOWN = 4


def register(commands: Any) -> None:
    """Add the `cache` command and its status and clear actions."""
    cache_parser: argparse.ArgumentParser = commands.add_parser(
        "cache",
        help="show or clear the local cache of fetched cost days",
        description="Past, complete days (ended more than 48 h ago) are kept in an SQLite file "
        "under the user cache directory, so reopening is fast and --offline works. "
        "The file never holds the key.",
    )
    actions = cache_parser.add_subparsers(title="actions", metavar="ACTION", dest="cache_action")
    cache_parser.set_defaults(func=run_cache_status)
    status_parser = actions.add_parser(
        "status", help="show the cache file, its size and the days it holds per organisation"
    )
    status_parser.set_defaults(func=run_cache_status)
    clear_parser = actions.add_parser(
        "clear",
        help="remove one profile's organisation from the cache, or everything",
        description="Without --profile, remove everything ($COSTTUI_PROFILE is not consulted).",
    )
    clear_parser.add_argument(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="remove only the organisation this profile's key opened",
    )
    clear_parser.set_defaults(func=run_cache_clear)


def run_cache_status(
    args: argparse.Namespace, clock: Clock, *, cache: CostCache | None = None
) -> int:
    """Print the cache path, size, and each organisation's day coverage per grouping."""
    cache = cache or CostCache(clock=clock)
    try:
        status = cache.status()
    except CacheError as error:
        raise CliError(str(error)) from None
    finally:
        cache.close()
    for warning in cache.warnings:
        print_warning(warning)
    print("\n".join(describe_status(status)))
    return 0


def run_cache_clear(
    args: argparse.Namespace, clock: Clock, *, cache: CostCache | None = None
) -> int:
    """Remove a profile's organisation (with --profile) or everything, and say what went."""
    cache = cache or CostCache(clock=clock)
    profile: str | None = getattr(args, "profile", None)
    try:
        if profile is None:
            cleared = cache.clear()
            organizations = _count(cleared.organizations, "organisation")
            print(f"Cleared the cache {cache.path}: removed {organizations} and "
                  f"{_count(cleared.days, 'day')}.")
            return 0
        organization = cache.organization_for_profile(profile)
        if organization is None:
            known = sorted({name for org in cache.status().organizations for name in org.profiles})
            hint = f"profiles in the cache: {', '.join(known)}" if known else "the cache is empty"
            raise CliError(f"the cache holds nothing for profile {profile!r} ({hint})")
        cleared = cache.clear(organization.id)
    except CacheError as error:
        raise CliError(str(error)) from None
    finally:
        cache.close()
    print(f"Removed {printable(organization.name)} ({printable(organization.id)}) from the cache: "
          f"{_count(cleared.days, 'day')}.")
    return 0


def describe_status(status: CacheStatus) -> list[str]:
    """Return the human-readable lines of `cache status`."""
    if not status.organizations:
        what = "empty" if status.size_bytes else "no file yet"
        return [f"Cache: {status.path} ({what})"]
    lines = [f"Cache: {status.path} ({format_size(status.size_bytes)})"]
    for org in status.organizations:
        profiles = f"; profiles: {', '.join(map(printable, org.profiles))}" if org.profiles else ""
        lines.append(f"{printable(org.name)} ({printable(org.id)}){profiles}")
        lines.extend(f"  {describe_coverage(coverage)}" for coverage in org.groupings)
        if not org.groupings:
            lines.append("  no days stored")
    return lines


def describe_coverage(coverage: GroupingCoverage) -> str:
    """Return one line: grouping, day count, the ranges held and when they were last fetched."""
    grouping = " + ".join(coverage.api_group_by) if coverage.api_group_by else "daily totals"
    ranges = [str(date_range) for date_range in coverage.ranges[:MAX_RANGES_SHOWN]]
    if len(coverage.ranges) > MAX_RANGES_SHOWN:
        ranges.append(f"… {len(coverage.ranges) - MAX_RANGES_SHOWN} more ranges")
    fetched = coverage.last_fetched_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{grouping}: {_count(coverage.day_count, 'day')} ({coverage.complete_count} complete), "
        f"{', '.join(ranges)}; last fetched {fetched}"
    )


def format_size(size_bytes: int) -> str:
    """Return a size in B, KiB or MiB with one decimal."""
    if size_bytes < 1024:
        return f"{size_bytes} B"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.1f} KiB"
    return f"{size_bytes / 1024 / 1024:.1f} MiB"


def printable(text: str) -> str:
    """Replace control characters in API-provided text so it cannot drive the terminal."""
    return "".join(char if char.isprintable() else "?" for char in text)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
