"""The layers stay apart: the core imports no UI, network, storage or keyring library."""

from __future__ import annotations

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
