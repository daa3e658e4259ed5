"""The NAS-Bench-201 network of a cell, as layers to count and to cost.

The network (NAS-Bench-201's ``TinyNetwork``): a stem (3x3 conv to 16 channels, batch
norm), three stages of five cells at 16, 32 and 64 channels separated by residual
reduction blocks (ReLU-conv3x3/2-BN, ReLU-conv3x3-BN, and a shortcut of 2x2 average
pooling and a 1x1 conv, summed), a final batch norm and ReLU, global average pooling and
a linear classifier. Each cell edge op is ``none`` (zero), ``skip_connect`` (identity),
``nor_conv_1x1``/``nor_conv_3x3`` (ReLU-conv-BN) or ``avg_pool_3x3`` (3x3/1 average
pooling); node ``j`` sums its incoming edges.

Two views of one network:

* **Counting** (:func:`count_flops`, :func:`count_params`) reproduces the published
  ``*_mflops``/``*_mparams`` of the benchmark exactly. The convention, worked out from
  those numbers: a conv counts one op per multiply-accumulate (no bias), a batch norm two
  ops per output element and two parameters per channel (affine), a ReLU one op per input
  element, an average pool ``k*k`` ops per output element, the global average pool
  ``(s+1)^2`` ops per channel on an ``s x s`` map (the counter's quirk, reproduced as
  found), the classifier ``in*out`` ops and ``in*out + out`` parameters; additions of
  node inputs and identities count nothing. Every non-``none`` edge is counted, live or
  not, as the benchmark's counter ran every module.
* **Costing** (:func:`accelerator_layers`) lists what an accelerator runs: convs, the
  average pools, the node sums and residual sums, and the classifier. Pools and sums
  run on the tile's vector unit (:func:`to_vector_op`, costed by
  :mod:`dsegym.costmodels.accelerator.vector`) when it has one; on a tile without one
  they run on the PE array as depthwise layers (pools as windows of one filter per
  channel, sums as GEMMs summing their inputs). Batch norms fold into the preceding
  conv's weights at inference and ReLUs run at the PE outputs, so neither is a layer of
  its own. Which edges run is a choice (``prune``): by default edges that carry no
  information cost nothing (a ``none`` edge, an edge from a node no path from the cell
  input reaches, whose input is the zero tensor, and an edge into a node from which no
  path leads to the cell output, whose result is discarded), as a compiler would remove
  them; the benchmark's convention runs every non-``none`` edge, as the PyTorch
  networks it measured did. (Those networks also multiply a ``none`` edge's input by
  zero and add the result; neither convention costs that.)
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from dsegym.costmodels.accelerator.layers import Layer
from dsegym.costmodels.accelerator.vector import VectorOp
from dsegym.costmodels.nas.cells import EDGES, OPS, Cell
from dsegym.errors import UnknownNameError

# dataset -> (input side, classes)
DATASETS: dict[str, tuple[int, int]] = {
    "cifar10": (32, 10),
    "cifar100": (32, 100),
    "imagenet16-120": (16, 120),
}
STAGE_CHANNELS = (16, 32, 64)
CELLS_PER_STAGE = 5


def check_dataset(dataset: str) -> tuple[int, int]:
    """(input side, classes) of a dataset.

    Raises:
        UnknownNameError: naming the allowed datasets.
    """
    if dataset not in DATASETS:
        raise UnknownNameError("NAS-Bench-201 dataset", dataset, list(DATASETS))
    return DATASETS[dataset]


@dataclass(frozen=True)
class NetLayer:
    """One module of the network, with the shapes the counts need.

    Attributes:
        kind: ``conv``, ``bn``, ``relu``, ``avg_pool``, ``global_pool``, ``add`` or
            ``linear``.
        c_in: Input channels (features for ``linear``).
        c_out: Output channels (classes for ``linear``).
        size_in: Input side (square maps).
        size_out: Output side.
        kernel: Window side (conv, pooling).
        stride: Stride (conv, pooling).
        inputs: Tensors summed (``add``).
    """

    kind: str
    c_in: int
    c_out: int
    size_in: int = 1
    size_out: int = 1
    kernel: int = 1
    stride: int = 1
    inputs: int = 1


def _relu_conv_bn(c_in: int, c_out: int, size: int, kernel: int, stride: int) -> list[NetLayer]:
    out = size // stride
    return [
        NetLayer("relu", c_in, c_in, size, size),
        NetLayer("conv", c_in, c_out, size, out, kernel, stride),
        NetLayer("bn", c_out, c_out, out, out),
    ]


def live_edges(cell: Cell) -> list[bool]:
    """Which edges carry information: not ``none``, reached from the cell input and
    leading to the cell output.
    """
    present = [op != "none" for op in cell]
    reached = {0}
    for (i, j), on in zip(EDGES, present, strict=True):  # EDGES is topologically ordered
        if on and i in reached:
            reached.add(j)
    leads = {3}
    for (i, j), on in reversed(list(zip(EDGES, present, strict=True))):
        if on and j in leads:
            leads.add(i)
    return [on and i in reached and j in leads for (i, j), on in zip(EDGES, present, strict=True)]


CELL_PARTS = ("nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3", "sum2", "sum3")
"""What a cell is made of: its ops and its two- and three-input node sums."""


@functools.cache
def cell_tally(cell: Cell, prune: bool) -> tuple[int, ...]:
    """How many of each :data:`CELL_PARTS` one cell holds (only live edges if ``prune``)."""
    keep = live_edges(cell) if prune else [op != "none" for op in cell]
    tally = dict.fromkeys(CELL_PARTS, 0)
    for op, on in zip(cell, keep, strict=True):
        if on and op in tally:
            tally[op] += 1
    for node in (1, 2, 3):
        inputs = sum(on for (_, j), on in zip(EDGES, keep, strict=True) if j == node)
        if inputs >= 2:
            tally[f"sum{inputs}"] += 1
    return tuple(tally.values())


@functools.cache
def part_modules(part: str, channels: int, size: int) -> tuple[NetLayer, ...]:
    """The modules of one cell part at a stage of ``channels`` x ``size`` x ``size``."""
    if part == "nor_conv_3x3":
        return tuple(_relu_conv_bn(channels, channels, size, 3, 1))
    if part == "nor_conv_1x1":
        return tuple(_relu_conv_bn(channels, channels, size, 1, 1))
    if part == "avg_pool_3x3":
        return (NetLayer("avg_pool", channels, channels, size, size, 3, 1),)
    inputs = int(part.removeprefix("sum"))
    return (NetLayer("add", channels, channels, size, size, inputs=inputs),)


def _cell_layers(cell: Cell, channels: int, size: int, prune: bool) -> list[NetLayer]:
    layers: list[NetLayer] = []
    for part, n in zip(CELL_PARTS, cell_tally(cell, prune), strict=True):
        layers += part_modules(part, channels, size) * n
    return layers


@functools.cache
def _skeleton(dataset: str) -> tuple[tuple[NetLayer, ...], ...]:
    """The cell-independent modules: before stage 1, after stages 1 and 2 (the
    reduction blocks) and after stage 3 (the head).
    """
    size, classes = check_dataset(dataset)
    c = STAGE_CHANNELS[0]
    parts = [[NetLayer("conv", 3, c, size, size, 3, 1), NetLayer("bn", c, c, size, size)]]
    for channels in STAGE_CHANNELS[1:]:
        block = _relu_conv_bn(c, channels, size, 3, 2)
        size //= 2
        block += _relu_conv_bn(channels, channels, size, 3, 1)
        block.append(NetLayer("avg_pool", c, c, size * 2, size, 2, 2))
        block.append(NetLayer("conv", c, channels, size, size, 1, 1))
        block.append(NetLayer("add", channels, channels, size, size, inputs=2))
        parts.append(block)
        c = channels
    parts.append(
        [
            NetLayer("bn", c, c, size, size),
            NetLayer("relu", c, c, size, size),
            NetLayer("global_pool", c, c, size, 1, size, size),
            NetLayer("linear", c, classes),
        ]
    )
    return tuple(tuple(p) for p in parts)


def _stages(dataset: str) -> list[tuple[int, int]]:
    """(channels, map side) of each stage's cells."""
    size = check_dataset(dataset)[0]
    return [(c, size >> i) for i, c in enumerate(STAGE_CHANNELS)]


def build_network(cell: Cell, dataset: str, prune: bool = False) -> list[NetLayer]:
    """The network of ``cell`` for ``dataset``, module by module.

    Args:
        cell: The six edge ops.
        dataset: ``cifar10``, ``cifar100`` or ``imagenet16-120``.
        prune: Drop edges that carry no information (see the module docstring).
    """
    assert all(op in OPS for op in cell)
    parts = _skeleton(dataset)
    layers = list(parts[0])
    for stage, (channels, size) in enumerate(_stages(dataset)):
        layers += _cell_layers(cell, channels, size, prune) * CELLS_PER_STAGE
        layers += parts[stage + 1]
    return layers


def _flops(x: NetLayer) -> int:
    if x.kind == "conv":
        return x.size_out**2 * x.kernel**2 * x.c_in * x.c_out
    if x.kind == "bn":
        return 2 * x.c_out * x.size_out**2
    if x.kind == "relu":
        return x.c_in * x.size_in**2
    if x.kind == "avg_pool":
        return x.kernel**2 * x.c_out * x.size_out**2
    if x.kind == "global_pool":
        return x.c_in * (x.size_in + 1) ** 2
    if x.kind == "linear":
        return x.c_in * x.c_out
    return 0


def _params(x: NetLayer) -> int:
    if x.kind == "conv":
        return x.kernel**2 * x.c_in * x.c_out
    if x.kind == "bn":
        return 2 * x.c_out
    if x.kind == "linear":
        return x.c_in * x.c_out + x.c_out
    return 0


def count_flops(layers: list[NetLayer]) -> int:
    """FLOPs by the benchmark's counting convention (see the module docstring)."""
    return sum(_flops(x) for x in layers)


def count_params(layers: list[NetLayer]) -> int:
    """Parameters (weights and affine batch-norm parameters)."""
    return sum(_params(x) for x in layers)


@functools.cache
def to_accelerator_layer(x: NetLayer) -> Layer | None:
    """The accelerator layer of a module (``None`` for batch norms and ReLUs).

    Layers are named after their shape, so equal shapes are equal layers. Ifmap sides
    include the padding rows a window actually touches: ``(out - 1) * stride + kernel``.
    """
    span = (x.size_out - 1) * x.stride + x.kernel
    if x.kind == "conv":
        name = f"conv{x.kernel}x{x.kernel}s{x.stride}_{x.c_in}to{x.c_out}_{x.size_out}"
        return Layer(name, span, span, x.kernel, x.kernel, x.c_in, x.c_out, x.stride)
    if x.kind in ("avg_pool", "global_pool"):
        name = f"{x.kind}{x.kernel}x{x.kernel}s{x.stride}_{x.c_in}_{x.size_out}"
        return Layer(name, span, span, x.kernel, x.kernel, 1, 1, x.stride, repeat=x.c_in)
    if x.kind == "add":
        name = f"add{x.inputs}_{x.c_out}_{x.size_out}"
        return Layer.gemm(name, x.size_out**2, 1, x.inputs, repeat=x.c_out)
    if x.kind == "linear":
        return Layer.gemm(f"linear_{x.c_in}to{x.c_out}", 1, x.c_out, x.c_in)
    return None


@functools.cache
def to_vector_op(x: NetLayer) -> VectorOp | None:
    """The vector-unit form of a pool or sum (``None`` for other modules)."""
    span = (x.size_out - 1) * x.stride + x.kernel
    if x.kind in ("avg_pool", "global_pool"):
        name = f"{x.kind}{x.kernel}x{x.kernel}s{x.stride}_{x.c_in}_{x.size_out}"
        return VectorOp(name, "pool", x.c_in, span, x.size_out, x.kernel)
    if x.kind == "add":
        return VectorOp(f"add{x.inputs}_{x.c_out}_{x.size_out}", "add", x.c_out, x.size_out,
                        x.size_out, x.inputs)  # fmt: skip
    return None


def accelerator_layers(cell: Cell, dataset: str, prune: bool = True) -> Counter[Layer]:
    """The layers an accelerator runs for ``cell``'s network, with multiplicities (pools
    and sums in their PE-array form; :func:`vector_forms` maps them to the vector unit's).
    """
    layers = (to_accelerator_layer(x) for x in build_network(cell, dataset, prune=prune))
    return Counter(x for x in layers if x is not None)


def _vocabulary_modules(dataset: str) -> list[NetLayer]:
    modules = list(sum(_skeleton(dataset), ()))
    for channels, size in _stages(dataset):
        for part in CELL_PARTS:
            modules += part_modules(part, channels, size)
    return modules


@functools.cache
def layer_vocabulary(dataset: str) -> tuple[Layer, ...]:
    """Every accelerator layer any cell's network can contain, in a fixed order: the
    cell-independent ones, then each cell part at each stage.
    """
    layers = (to_accelerator_layer(x) for x in _vocabulary_modules(dataset))
    return tuple(dict.fromkeys(x for x in layers if x is not None))


@functools.cache
def vector_forms(dataset: str) -> dict[Layer, VectorOp]:
    """The vector-unit form of each pool and sum of :func:`layer_vocabulary`."""
    forms = {}
    for module in _vocabulary_modules(dataset):
        layer, op = to_accelerator_layer(module), to_vector_op(module)
        if layer is not None and op is not None:
            forms[layer] = op
    return forms


@functools.cache
def tally_matrices(dataset: str) -> tuple[Counter[Layer], list[Counter[Layer]]]:
    """The cell-independent layers, and per cell part the layers one such part adds to
    the network (all stages, all cells): a network's layers are the first plus the sum
    of the second weighted by :func:`cell_tally` with pruning.
    """
    base = Counter(
        x for x in map(to_accelerator_layer, sum(_skeleton(dataset), ())) if x is not None
    )
    per_part: list[Counter[Layer]] = []
    for part in CELL_PARTS:
        added: Counter[Layer] = Counter()
        for channels, size in _stages(dataset):
            for module in part_modules(part, channels, size):
                layer = to_accelerator_layer(module)
                if layer is not None:
                    added[layer] += CELLS_PER_STAGE
        per_part.append(added)
    return base, per_part


@functools.cache
def _size_matrix(dataset: str) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    skeleton = list(sum(_skeleton(dataset), ()))
    base = (count_flops(skeleton), count_params(skeleton))
    per_part = []
    for part in CELL_PARTS:
        modules = [m for c, h in _stages(dataset) for m in part_modules(part, c, h)]
        per_part.append(
            (CELLS_PER_STAGE * count_flops(modules), CELLS_PER_STAGE * count_params(modules))
        )
    return base, per_part


def network_counts(cell: Cell, dataset: str) -> tuple[int, int]:
    """(FLOPs, parameters) of the cell's full network, as :func:`count_flops` and
    :func:`count_params` give for :func:`build_network`, from per-part sums.
    """
    (flops, params), per_part = _size_matrix(dataset)
    for n, (f, p) in zip(cell_tally(cell, False), per_part, strict=True):
        flops, params = flops + n * f, params + n * p
    return flops, params
