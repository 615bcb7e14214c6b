"""The io and plotting packages import only lower layers (imports inside functions included)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Packages each package must never import: io sits below plotting, both below run, distributed and cli.
FORBIDDEN = {
    "krigflow/io": ("krigflow.plotting", "krigflow.run", "krigflow.distributed", "krigflow.cli", "pes", "graphs"),
    "krigflow/plotting": ("krigflow.run", "krigflow.distributed", "krigflow.cli", "pes", "graphs"),
    "krigflow/variogram": ("krigflow.plotting", "krigflow.io", "krigflow.run", "krigflow.cli", "matplotlib"),
}


def _imported_modules(path):
    """Every module name an ``import`` or ``from ... import`` statement of ``path`` names, at any depth."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_lower_layers(package):
    """No module of the package imports a higher layer (this is what keeps the import graph free of circles)."""
    offending = [
        f"{source.relative_to(ROOT)} imports {name}"
        for source in sorted((ROOT / package).glob("*.py"))
        for name in _imported_modules(source)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package])
    ]
    assert offending == []
