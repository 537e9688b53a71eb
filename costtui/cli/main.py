"""Command-line entry point: the TUI by default, plus report, key and cache commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from costtui import __version__
from costtui.cli.common import (
    CliError,
    add_group_by_option,
    add_profile_option,
    add_range_options,
    add_source_options,
    detach_stdout,
    flush_output,
    print_error,
    warn_about_config,
)
from costtui.core.clock import Clock

COMMANDS = {
    "report": ("costtui.cli.report", "print a cost report as a table, CSV or JSON"),
    "key": ("costtui.cli.key", "save, show or delete the Admin key"),
    "cache": ("costtui.cli.cache", "show or clear the local cache of fetched cost days"),
}
"""Each subcommand's module (imported only when the command line names it) and its help."""


def has_terminal() -> bool:
    """Tell whether stdin and stdout are both terminals, as a full-screen app needs."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_tui(args: argparse.Namespace, clock: Clock) -> int:
    """Open the Textual app, which needs a terminal on both stdin and stdout."""
    from costtui.cli.tui import launch

    if not has_terminal():
        raise CliError(
            "the TUI needs a terminal on stdin and stdout; for scripts and pipes use "
            "`costtui report` (e.g. costtui report --format csv)"
        )
    return launch(args, clock)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the argument parser; only the subcommands `argv` names are imported in full.

    The others get a one-line entry for --help, so starting the TUI loads no command module.
    """
    words = set(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="costtui",
        description="Browse your organisation's Anthropic API spending in the terminal.",
        epilog="Run 'costtui COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"costtui {__version__}")
    add_source_options(parser)
    add_profile_option(parser)
    add_range_options(parser)
    add_group_by_option(parser, "the drill path; default: workspace, model, token_type")
    parser.add_argument("--reset-view", action="store_true", default=argparse.SUPPRESS,
                        help="start with the default theme, range, drill path and sort instead "
                             "of the ones remembered from last time")
    parser.set_defaults(func=run_tui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        if name in words:
            importlib.import_module(module).register(commands)
        else:
            commands.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run costtui with the given arguments and return the exit code.

    The process's one clock is made here (tests hand in their own) and passed down.
    """
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        warn_about_config()
        exit_code: int = args.func(args, clock or Clock())
        flush_output()
    except CliError as error:
        print_error(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        print_error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`costtui report | head -1`): not an error of ours.
        detach_stdout()
        return 0
    except Exception as error:  # The last line of defence: one line, never a traceback.
        print_error(f"unexpected error ({type(error).__name__}: {error}); please report it")
        return 1
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
