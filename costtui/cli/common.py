"""Pieces shared by the command-line commands: errors, common options, output."""

from __future__ import annotations

import argparse
import os
import sys

from costtui.core.models import DEFAULT_PROFILE
from costtui.core.report import DIMENSIONS, check_dimensions
from costtui.core.text import safe_line
from costtui.data.config import ConfigError, load_config
from costtui.data.source_options import SourceOptions


class CliError(Exception):
    """A problem to report as one line on stderr with a non-zero exit."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_profile_option(parser: argparse.ArgumentParser) -> None:
    """Add --profile, defaulting to COSTTUI_PROFILE or "default"."""
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="profile (organisation) to use; default $COSTTUI_PROFILE or 'default'",
    )


def profile_name(args: argparse.Namespace) -> str:
    """Return the profile chosen on the command line, else the environment, else default."""
    chosen = getattr(args, "profile", None) or os.environ.get("COSTTUI_PROFILE")
    return chosen or DEFAULT_PROFILE


def print_error(message: str) -> None:
    """Print one error line on stderr (controls made visible, keys masked)."""
    print(f"costtui: error: {safe_line(message)}", file=sys.stderr)


def print_warning(message: str) -> None:
    """Print one warning line on stderr (controls made visible, keys masked)."""
    print(f"costtui: warning: {safe_line(message)}", file=sys.stderr)


def print_note(message: str) -> None:
    """Print one note line on stderr (controls made visible, keys masked)."""
    print(f"costtui: note: {safe_line(message)}", file=sys.stderr)


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """Add --demo (the embedded organisation), --offline and --no-cache."""
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the embedded demo organisation: no key, no network",
    )
    # SUPPRESS: a subcommand's parser must not reset what `costtui --offline report` set.
    cache = parser.add_mutually_exclusive_group()
    cache.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="no network and no key: serve only what the local cache holds, naming missing days",
    )
    cache.add_argument(
        "--no-cache",
        action="store_true",
        default=argparse.SUPPRESS,
        help="bypass the local cache: fetch every day from the API and store nothing",
    )


def add_range_options(parser: argparse.ArgumentParser) -> None:
    """Add --from and --to (inclusive UTC days); unset ones stay absent from the namespace."""
    parser.add_argument("--from", dest="first_day", metavar="YYYY-MM-DD",
                        default=argparse.SUPPRESS,
                        help="first UTC day (default: 29 days before --to)")
    parser.add_argument("--to", dest="last_day", metavar="YYYY-MM-DD",
                        default=argparse.SUPPRESS,
                        help="last UTC day, inclusive (default: today)")


def range_arguments(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """Return the --from and --to values given anywhere on the command line."""
    return getattr(args, "first_day", None), getattr(args, "last_day", None)


def dimensions_argument(values: list[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """Return dimensions from repeated or comma-separated --group-by values, else the default."""
    names = [part.strip().replace("-", "_") for value in values or [] for part in value.split(",")]
    chosen = [name for name in names if name]
    return check_dimensions(chosen) if chosen else default


def add_group_by_option(parser: argparse.ArgumentParser, default_text: str) -> None:
    """Add --group-by (repeatable, comma-separated); unset it stays absent from the namespace."""
    parser.add_argument(
        "--group-by",
        action="append",
        metavar="DIM",
        default=argparse.SUPPRESS,
        help=f"dimension(s), repeat or comma-separate: {', '.join(DIMENSIONS)} ({default_text})",
    )


def source_options(args: argparse.Namespace) -> SourceOptions:
    """Read --demo, --profile, --offline and --no-cache from parsed arguments."""
    return SourceOptions(
        demo=bool(getattr(args, "demo", False)),
        profile=profile_name(args),
        offline=bool(getattr(args, "offline", False)),
        no_cache=bool(getattr(args, "no_cache", False)),
    )


def detach_stdout() -> None:
    """Point stdout at the null device, so the exit-time flush of a closed pipe stays quiet."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (tests capture it): nothing will be flushed there


def write_output(text: str) -> None:
    """Write to stdout; a full disk or other write failure becomes a CliError (closed pipe: not)."""
    try:
        sys.stdout.write(text)
    except BrokenPipeError:
        raise
    except OSError as error:
        detach_stdout()
        raise CliError(f"cannot write the output: {error.strerror or error}") from None


def flush_output() -> None:
    """Flush stdout now, so a write failure is reported as one line rather than at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        detach_stdout()
        raise CliError(f"cannot write the output: {error.strerror or error}") from None


def warn_about_config() -> None:
    """Print one warning line per unknown name in config.toml; errors wait for their user."""
    try:
        config = load_config()
    except ConfigError:
        return  # The command that needs the config reports it, with the way out.
    for warning in config.warnings:
        print_warning(warning)
