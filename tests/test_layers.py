"""No layer points up: costmodels < envs < search < experiments (issue 26).

Read from the sources' import statements (lazy imports inside functions included), so
a cycle cannot hide in a function body.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Each layer and the layers above it, which it must not import.
ABOVE = {
    "costmodels": ("envs", "search", "experiments"),
    "envs": ("search", "experiments"),
    "search": ("experiments",),
}
#: Known exceptions, each with its reason. The proxy problem's ``results=`` option
#: trains on a results folder's records, which only the experiments layer reads.
KNOWN = {("costmodels/proxy/data.py", "dsegym.experiments.analysis")}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_no_layer_imports_one_above_it(layer):
    upward = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for name in _imports(path):
            up = any(name.startswith(f"dsegym.{above}") for above in ABOVE[layer])
            if up and (rel, name) not in KNOWN:
                upward.append(f"{rel} imports {name}")
    assert not upward, upward
