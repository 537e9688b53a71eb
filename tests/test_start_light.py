"""Start light: the TUI's import path leaves plotext, keyring and unchosen subcommands out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


DEFERRED = ("sqlite3", "costtui.data.cache", "costtui.data.cached_source",
            "costtui.data.usage_source", "costtui.core.focus", "costtui.core.view_export",
            "costtui.core.row_info", "costtui.tui.screens.help", "costtui.tui.screens.key_entry",
            "costtui.tui.screens.date_range", "costtui.tui.screens.grouping",
            "costtui.tui.screens.dialogs", "costtui.tui.screens.anomalies",
            "costtui.core.token_join", "costtui.core.token_view", "costtui.core.key_allocation",
            "costtui.core.usage", "costtui.data.demo_usage", "costtui.data.secrets", "click",
            "pygments", "msgspec", "costtui.data.api_columns", "costtui.core.chart_data",
            "costtui.tui.screens.chart", "costtui.tui.widgets.cost_chart", "costtui.core.forecast",
            "costtui.core.stats")
"""What the demo's first paint does without: the caches, exports, every dialog, the token
join and usage (made when tokens or API keys are first shown), the keyring, and httpx with the
client (the demo's first answers are made in-process; later ones go over the client), nor
msgspec and the page decoder (its first report is made from the charges directly), nor the
charts (mounted after the first frame) and the projection (drawn with the insights)."""

FIRST_PAINT = """\
import sys
from pathlib import Path
from textual.app import App
import costtui.cli.main as cli_main
from costtui.tui.screens.cost_view import CostScreen

original_run = App.run
original_show_report = CostScreen.show_report

def show_report(self, *args, **kwargs):
    # What is loaded when the rows are filled (what starts after the paint comes later).
    original_show_report(self, *args, **kwargs)
    written = Path(sys.argv[1])
    if not written.exists():
        written.write_text(" ".join(sorted(sys.modules)))

async def until_rows(pilot):
    app = pilot.app
    while True:
        tables = app.screen.query("#level-rows")
        if tables and tables.first().row_count > 0:
            break
        await pilot.pause()
    app.exit()

CostScreen.show_report = show_report

App.run = lambda self, **_: original_run(self, headless=True, size=(120, 40),
                                         auto_pilot=until_rows)
cli_main.has_terminal = lambda: True
sys.exit(cli_main.main(["--demo", "--reset-view"]))
"""


def test_the_demo_paints_its_rows_before_importing_the_cache_export_or_dialogs(
    tmp_path: Path,
) -> None:
    written = tmp_path / "modules.txt"
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("XDG_", "COSTTUI_", "ANTHROPIC_"))}
    env.update({f"XDG_{kind}_HOME": str(tmp_path / kind.lower())
                for kind in ("CONFIG", "CACHE", "STATE", "DATA")})
    # coreutils' timeout bounds the child: subprocess's own timeout polls with a clock call
    # that fails (EINVAL) under libfaketime, as in tests/cli/test_hostile_input.py.
    subprocess.run(["timeout", "120", sys.executable, "-c", FIRST_PAINT, str(written)], env=env,
                   check=True, capture_output=True)
    loaded = set(written.read_text().split())
    assert "costtui.tui.screens.cost_view" in loaded
    assert {name for name in loaded if name.startswith(DEFERRED)} == set()
    # The demo's first answers are made in-process: its API and client come when needed.
    assert loaded & {"httpx", "httpcore", "h11", "costtui.data.api", "costtui.data.open",
                     "costtui.data.demo"} == set()
