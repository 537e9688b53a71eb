"""The layers stay apart: the core imports no UI, network, storage or keyring library."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import costtui

PACKAGE_ROOT = Path(costtui.__file__).parent


def modules_of(layer: str) -> list[str]:
    """Return every module name of a layer package, e.g. costtui.core.*."""
    package = PACKAGE_ROOT / layer
    return [f"costtui.{layer}.{info.name}" for info in pkgutil.iter_modules([str(package)])]


LAYER_FORBIDDEN = {
    "core": ("textual", "rich", "httpx", "sqlite3", "keyring"),
    "data": ("textual",),
}
"""Libraries that a layer's modules must not load, even indirectly."""


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [(module, forbidden) for layer, forbidden in LAYER_FORBIDDEN.items()
     for module in modules_of(layer)],
)
def test_a_lower_layer_module_loads_no_forbidden_library(
    module: str, forbidden: tuple[str, ...]
) -> None:
    code = (
        f"import sys, {module}; "
        f"loaded = [name for name in {forbidden!r} if name in sys.modules]; "
        "assert not loaded, loaded"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1]


WALL_CLOCK_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
}
"""Calls that read the wall clock: only costtui/core/clock.py may make them."""


def wall_clock_reads(path: Path) -> list[str]:
    """Return `name.attr` calls of a module that read the wall clock, with their line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in WALL_CLOCK_CALLS):
            found.append(f"{path.name}:{node.lineno} {node.func.value.id}.{node.func.attr}()")
    return found


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    clock_module = PACKAGE_ROOT / "core" / "clock.py"
    readers = [read for path in sorted(PACKAGE_ROOT.rglob("*.py")) if path != clock_module
               for read in wall_clock_reads(path)]
    assert readers == []
    assert wall_clock_reads(clock_module) == ["clock.py:13 datetime.now()"]
