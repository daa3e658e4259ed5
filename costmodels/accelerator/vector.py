"""The tile's vector (post-processing) unit: pooling and element-wise sums.

Accelerators do not run pooling or the sum of two tensors on the MAC array: NVDLA has a
planar data processor (PDP) for pooling and a single-point data processor (SDP) for
element-wise operations, TPU v1 an activation/pooling pipeline beside its matrix unit.
Run on the array instead, a pool or a sum is a depthwise layer of one filter per
channel that uses one PE column and pays the array's fill on every channel.

The unit modelled here (hand-written: no library models one):

* ``Tile.vector_lanes`` lanes; each lane takes one input word per cycle and folds it
  into every window or sum it belongs to (a line-buffered reduction, as NVDLA's PDP
  streams ``PDP_THROUGHPUT`` input elements per cycle whatever the window). Compute
  cycles are ``ceil(input words / lanes)``.
* Operands come from and results go to DRAM through the global buffer, as every layer
  of the tile model does (layer by layer): a vector op waits for the slowest of its
  lanes, its DRAM words over ``dram_words_per_cycle`` and its buffer accesses over the
  buffer bandwidth; the excess over compute is reported as stall.
* Energy: ``ops`` arithmetic operations at ``psum_bits`` x the table's
  ``vector_add_pj_per_bit`` (an adder's energy grows linearly with its width), each
  word's buffer write
  and read on the way in and out, and DRAM at the table's per-bit energy. An average
  pool counts ``k*k`` ops per output (``k*k - 1`` adds and one scaling multiply, the
  benchmark's FLOP count); a sum of ``n`` tensors ``n - 1`` adds per element.
* Area: ``vector_lanes`` x the table's ``vector_lane_um2`` (an adder and the multiplier
  that scales an average, i.e. a MAC's parts) plus a ``psum_bits`` register per lane.

A tile with ``vector_lanes = 0`` has no such unit: its pools and sums run on the PE
array as depthwise layers (the tile model's conv-only behaviour).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dsegym.costmodels.accelerator.energy import EnergyTable
from dsegym.costmodels.accelerator.hardware import Tile

VECTOR_KINDS = ("pool", "add")


@dataclass(frozen=True)
class VectorOp:
    """One pooling or element-wise sum on the vector unit.

    Attributes:
        name: Op name.
        kind: ``pool`` (average pooling of ``window x window``) or ``add`` (the sum of
            ``window`` tensors).
        channels: Channels.
        in_side: Input side, padding rows the windows touch included (square maps).
        out_side: Output side.
        window: Pooling window side, or the number of tensors summed.
    """

    name: str
    kind: str
    channels: int
    in_side: int
    out_side: int
    window: int

    def __post_init__(self) -> None:
        if self.kind not in VECTOR_KINDS:
            raise ValueError(f"vector op {self.name!r}: kind must be one of {VECTOR_KINDS}")

    @property
    def out_words(self) -> int:
        return self.channels * self.out_side**2

    @property
    def in_words(self) -> int:
        if self.kind == "add":
            return self.window * self.out_words
        return self.channels * self.in_side**2

    @property
    def ops(self) -> int:
        if self.kind == "add":
            return (self.window - 1) * self.out_words
        return self.window**2 * self.out_words


def vector_area_mm2(tile: Tile, table: EnergyTable) -> float:
    """Area of the tile's vector unit (0 without one)."""
    lane = table.vector_lane_um2 + tile.psum_bits * table.rf_um2_per_bit
    return tile.vector_lanes * lane / 1e6


def cost_vector_ops(
    tiles: Sequence[Tile], ops: Sequence[VectorOp], table: EnergyTable
) -> dict[str, np.ndarray]:
    """Per-op costs on each tile's vector unit, arrays of shape ``(tiles, ops)``.

    Keys: ``latency_cycles``, ``compute_cycles``, ``stall_cycles``, ``energy_vector_pj``,
    ``energy_glb_pj``, ``energy_dram_pj``, ``energy_pj`` and ``dram_words``. Tiles
    without a vector unit get NaN (they cannot run these ops here).
    """
    in_words = np.array([float(op.in_words) for op in ops])[None, :]
    out_words = np.array([float(op.out_words) for op in ops])[None, :]
    n_ops = np.array([float(op.ops) for op in ops])[None, :]

    def col(values: list[float]) -> np.ndarray:
        return np.array(values, dtype=float)[:, None]

    lanes = col([t.vector_lanes if t.vector_lanes > 0 else math.nan for t in tiles])
    in_bits = col([t.input_bits for t in tiles])
    out_bits = col([t.output_bits for t in tiles])
    psum_bits = col([t.psum_bits for t in tiles])
    dram_bw = col([t.dram_words_per_cycle for t in tiles])
    glb_bw = col([t.glb_bandwidth_words for t in tiles])
    dram_pj = col([table.dram_energy_per_bit(t.dram) for t in tiles])
    # Each word is written into the buffer and read out of it once, on the way in
    # (DRAM -> buffer -> lanes) and on the way out (lanes -> buffer -> DRAM); accesses
    # cost what the input and output buffers' banks cost in the MAC layers' model.
    in_scale, out_scale = (
        col([(t.buffer_kib[i] / t.glb_banks / table.glb_reference_kib) ** table.capacity_exponent
             for t in tiles])
        for i in (0, 2)
    )  # fmt: skip
    per_access = table.glb_read_pj_per_bit + table.glb_write_pj_per_bit

    compute = np.ceil(in_words / lanes)
    dram_words = in_words + out_words
    latency = np.maximum.reduce(
        [compute, np.ceil(dram_words / dram_bw), np.ceil(2 * dram_words / glb_bw)]
    )
    e_vector = n_ops * table.vector_add_pj_per_bit * psum_bits
    e_glb = per_access * (in_words * in_bits * in_scale + out_words * out_bits * out_scale)
    e_dram = dram_pj * (in_words * in_bits + out_words * out_bits * table.dram_write_scale)
    return {
        "latency_cycles": latency,
        "compute_cycles": compute,
        "stall_cycles": latency - compute,
        "energy_vector_pj": e_vector,
        "energy_glb_pj": e_glb,
        "energy_dram_pj": e_dram,
        "energy_pj": e_vector + e_glb + e_dram,
        "dram_words": np.broadcast_to(dram_words, latency.shape),
    }
