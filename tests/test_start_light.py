"""Start light: the TUI's import path leaves plotext, keyring and unchosen subcommands out."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("keyring", "plotext", "textual_plotext", "costtui.cli.report", "costtui.cli.key",
         "costtui.cli.cache")


def loaded_after(code: str) -> set[str]:
    """Return the heavy modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.split()
    return {name for name in output if name.startswith(HEAVY)}


def test_the_tui_imports_neither_plotext_nor_keyring_nor_subcommands() -> None:
    code = ("import costtui.cli.main as m\nm.build_parser(['--demo'])\n"
            "import costtui.cli.tui, costtui.tui.app")
    assert loaded_after(code) == set()


def test_a_named_subcommand_is_imported_and_its_options_parse() -> None:
    code = ("import costtui.cli.main as m\n"
            "args = m.build_parser(['report']).parse_args(['report', '--format', 'csv'])\n"
            "assert args.format == 'csv'")
    assert loaded_after(code) == {"costtui.cli.report"}
