"""NAS-Bench-201 cells: cell strings, edge-op designs and the benchmark's index order.

A cell is a four-node DAG; node ``j`` sums the ops on its edges from every earlier node
``i``, node 0 is the cell input and node 3 its output. The six edges, in the order of
the cell string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``, are the design knobs
``edge_0_1``, ``edge_0_2``, ``edge_1_2``, ``edge_0_3``, ``edge_1_3`` and ``edge_2_3``.

The NAS-Bench-201 index of a cell (0..15624) is not an enumeration order that can be
computed: it is the row order of the benchmark, read from the ``arch`` column of the
data set's ``accuracy_12epoch.csv``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from dsegym.costmodels.space import Categorical
from dsegym.errors import ConfigError

OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
"""The five candidate ops of every edge."""

EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
"""The six edges ``(from node, to node)`` in cell-string order."""

EDGE_KNOBS: tuple[str, ...] = tuple(f"edge_{i}_{j}" for i, j in EDGES)
N_CELLS = len(OPS) ** len(EDGES)

Cell = tuple[str, str, str, str, str, str]
"""The six edge ops of a cell, in :data:`EDGES` order."""


def edge_parameters(prefix: str = "") -> list[Categorical]:
    """The six categorical edge-op knobs (names optionally prefixed, e.g. per task)."""
    return [
        Categorical(prefix + name, OPS, description=f"operation on cell edge {i} -> {j}")
        for name, (i, j) in zip(EDGE_KNOBS, EDGES, strict=True)
    ]


def parse_cell(text: str) -> Cell:
    """Parses a NAS-Bench-201 cell string into its six edge ops.

    Raises:
        ConfigError: naming what is wrong and the expected form.
    """
    form = "expected the form |op~0|+|op~0|op~1|+|op~0|op~1|op~2| with op one of " + ", ".join(OPS)
    if not isinstance(text, str):
        raise ConfigError(f"cell string must be a string, got {type(text).__name__}; {form}")
    nodes = text.strip().strip("|").split("|+|")
    if len(nodes) != 3:
        raise ConfigError(f"cell string {text!r} has {len(nodes)} nodes, not 3; {form}")
    ops: list[str] = []
    for j, node in enumerate(nodes, start=1):
        entries = node.split("|")
        if len(entries) != j:
            raise ConfigError(f"cell string {text!r}: node {j} needs {j} edges; {form}")
        for i, entry in enumerate(entries):
            op, _, source = entry.partition("~")
            if op not in OPS or source != str(i):
                raise ConfigError(f"cell string {text!r}: bad edge {entry!r}; {form}")
            ops.append(op)
    return (ops[0], ops[1], ops[2], ops[3], ops[4], ops[5])


def cell_string(cell: Cell) -> str:
    """The NAS-Bench-201 string of a cell."""
    a, b, c, d, e, f = cell
    return f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|"


def cell_of(design: Mapping[str, Any], prefix: str = "") -> Cell:
    """The cell of a design's six edge knobs (optionally prefixed).

    Raises:
        ConfigError: if a knob is missing or holds an unknown op.
    """
    ops = []
    for name in EDGE_KNOBS:
        key = prefix + name
        if key not in design:
            raise ConfigError(f"design lacks the edge knob {key!r}")
        op = design[key]
        if op not in OPS:
            raise ConfigError(f"{key}: unknown op {op!r}; allowed: {', '.join(OPS)}")
        ops.append(str(op))
    return (ops[0], ops[1], ops[2], ops[3], ops[4], ops[5])


@functools.cache
def _index_table() -> tuple[tuple[str, ...], dict[str, int]]:
    from dsegym.costmodels.nas.tables import frame

    table = frame("accuracy_12epoch.csv").sort_values("index")
    arch = tuple(table["arch"])
    return arch, {a: i for i, a in enumerate(arch)}


def index_of(cell: Cell) -> int:
    """NAS-Bench-201 index of a cell (reads the data set's index order)."""
    return _index_table()[1][cell_string(cell)]


def cell_at(index: int) -> Cell:
    """The cell with NAS-Bench-201 index ``index``.

    Raises:
        ConfigError: if ``index`` is outside 0..15624.
    """
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < N_CELLS:
        raise ConfigError(
            f"NAS-Bench-201 cell index must be an integer from 0 to {N_CELLS - 1}, got {index!r}"
        )
    return parse_cell(_index_table()[0][index])


def as_cell(index_or_cell: int | str | Cell) -> Cell:
    """A cell from an index, a cell string or an op tuple."""
    if isinstance(index_or_cell, str):
        text = index_or_cell.strip()
        if text.lstrip("-").isdigit():
            return cell_at(int(text))
        return parse_cell(text)
    if isinstance(index_or_cell, tuple):
        return cell_of(dict(zip(EDGE_KNOBS, index_or_cell, strict=False)))
    return cell_at(index_or_cell)


def cell_design(index_or_cell_string: int | str, prefix: str = "") -> dict[str, str]:
    """The design (six edge knobs) of a NAS-Bench-201 cell given by index or string.

    Args:
        index_or_cell_string: An index 0..15624 (needs the ``nasbench201`` data set for
            the benchmark's order) or a cell string.
        prefix: Prepended to each knob name (the ``nasaic`` problem prefixes the task).

    Raises:
        ConfigError: on an unknown cell string or an index out of range.
        DataMissingError: if an index is given and the data set is not installed.
    """
    cell = as_cell(index_or_cell_string)
    return {prefix + k: op for k, op in zip(EDGE_KNOBS, cell, strict=True)}


def cell_index(design: Mapping[str, Any], prefix: str = "") -> int:
    """The NAS-Bench-201 index of a design's cell (inverse of :func:`cell_design`).

    Raises:
        ConfigError: if the design lacks an edge knob or holds an unknown op.
        DataMissingError: if the data set is not installed.
    """
    return index_of(cell_of(design, prefix))
