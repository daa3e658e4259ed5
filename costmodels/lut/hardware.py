"""Area and per-event energy of a LUT accelerator's datapath, vectorised over designs.

One core (after the ISPASS 2026 generator, KULeuven-MICAS/ternary-lut-dse) holds:

* ``L`` tables, each built from ``mu`` activations by an adder tree into registers;
* ``K`` fetchers per table: an ``entries``-to-1 multiplexer selected by the weight key,
  a sign flip and a key register;
* per output column (``K`` of them): an adder tree over the ``L`` fetched values and
  an accumulator (adder + register);
* a weight buffer and an activation buffer (SRAM).

Each cycle a core does ``L * mu * K`` ternary multiply-accumulates. Integer table
entries are ``ceil(log2 mu)`` bits wider than the activations; float entries keep the
activation format (as the generator's FP variant does). Every integer adder of a tree
is sized for the tree's widest sum (the entry width for the build tree, plus
``ceil(log2 L)`` for the per-column tree): an upper bound, applied alike to the
baselines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsegym.costmodels.lut.combinatorics import (
    ENTRIES_BY_MU,
    GROWTH_BITS_BY_MU,
    KEY_BITS_BY_MU,
    NAIVE_ADDERS_BY_MU,
    OPTIMISED_ADDERS_BY_MU,
)
from dsegym.costmodels.lut.components import ComponentLibrary
from dsegym.costmodels.lut.datatypes import FLOAT_ACC_EXPONENT_BITS

UM2_PER_MM2 = 1e6


@dataclass
class DesignArrays:
    """A batch of designs as parallel numpy arrays (one entry per design).

    Attributes:
        mu: Group size. tables: Tables per core (L). fetchers: Fetchers per table (K).
        act_float, act_bits, act_significand: Activation format.
        acc_bits: Accumulator width. optimised_tree: Redundancy-eliminated build tree.
        weight_buffer_bytes, act_buffer_bytes: Per-core buffer capacities.
        bandwidth_gbps: Off-chip bandwidth (GB/s, shared by all cores).
        clock_ghz: Clock. cores: Number of cores.
    """

    mu: np.ndarray
    tables: np.ndarray
    fetchers: np.ndarray
    act_float: np.ndarray
    act_bits: np.ndarray
    act_significand: np.ndarray
    acc_bits: np.ndarray
    optimised_tree: np.ndarray
    weight_buffer_bytes: np.ndarray
    act_buffer_bytes: np.ndarray
    bandwidth_gbps: np.ndarray
    clock_ghz: np.ndarray
    cores: np.ndarray

    @property
    def macs_per_cycle(self) -> np.ndarray:
        return self.cores * self.tables * self.mu * self.fetchers


@dataclass
class Datapath:
    """Derived sizes, areas (mm^2, whole chip) and event energies (pJ) of a batch."""

    entries: np.ndarray
    key_bits: np.ndarray
    entry_bits: np.ndarray
    area_build: np.ndarray
    area_table_regs: np.ndarray
    area_fetch: np.ndarray
    area_reduce_acc: np.ndarray
    area_buffers: np.ndarray
    energy_build: np.ndarray  # one table built and written
    energy_lookup: np.ndarray  # one fetch: mux read, sign flip, key register
    energy_reduce_add: np.ndarray  # one adder of the per-column tree
    energy_accumulate: np.ndarray  # one accumulator update

    @property
    def compute_area(self) -> np.ndarray:
        return self.area_build + self.area_table_regs + self.area_fetch + self.area_reduce_acc

    @property
    def total_area(self) -> np.ndarray:
        return self.compute_area + self.area_buffers


def reduction_width(entry_bits: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """Integer width at the root of an adder tree over ``tables`` inputs."""
    return entry_bits + np.ceil(np.log2(np.maximum(tables, 1.0)))


def datapath(lib: ComponentLibrary, d: DesignArrays, adder_cost_scale: float = 1.0) -> Datapath:
    """Sizes every component of a batch of designs.

    Args:
        lib: Component library.
        d: The designs.
        adder_cost_scale: Multiplies every adder's area and energy (1 for the real
            library); the group-size study raises it to model costlier additions.
    """
    mu = d.mu.astype(np.int64)
    entries = ENTRIES_BY_MU[mu]
    key_bits = KEY_BITS_BY_MU[mu]
    entry_bits = np.where(d.act_float, d.act_bits, d.act_bits + GROWTH_BITS_BY_MU[mu])
    entry_sig = np.where(d.act_float, d.act_significand, entry_bits)
    build_adders = np.where(d.optimised_tree, OPTIMISED_ADDERS_BY_MU[mu], NAIVE_ADDERS_BY_MU[mu])
    s = adder_cost_scale

    add_area = lib.adder_area(d.act_float, entry_bits, entry_sig) * s
    add_energy = lib.adder_energy(d.act_float, entry_bits, entry_sig) * s
    red_bits = np.where(d.act_float, entry_bits, reduction_width(entry_bits, d.tables))
    red_area = lib.adder_area(d.act_float, red_bits, entry_sig) * s
    red_energy = lib.adder_energy(d.act_float, red_bits, entry_sig) * s
    acc_sig = np.where(d.act_float, d.acc_bits - FLOAT_ACC_EXPONENT_BITS, d.acc_bits)
    acc_area = lib.adder_area(d.act_float, d.acc_bits, acc_sig) * s + lib.register_area(d.acc_bits)
    acc_energy = lib.adder_energy(d.act_float, d.acc_bits, acc_sig) * s + lib.register_energy(
        d.acc_bits
    )
    # Integer negation flips every bit (the +1 rides the next adder's carry-in); a float
    # flips its sign bit only.
    flip_bits = np.where(d.act_float, 1.0, entry_bits)

    per_table_build = build_adders * add_area
    per_table_regs = lib.register_area(entries * entry_bits)
    per_fetcher = (
        lib.mux_area(entries, entry_bits)
        + lib.cell_area("xor2", flip_bits)
        + lib.register_area(key_bits)
    )
    per_column = (d.tables - 1.0) * red_area + acc_area
    c, L, K = d.cores, d.tables, d.fetchers
    return Datapath(
        entries=entries,
        key_bits=key_bits,
        entry_bits=entry_bits,
        area_build=c * L * per_table_build / UM2_PER_MM2,
        area_table_regs=c * L * per_table_regs / UM2_PER_MM2,
        area_fetch=c * L * K * per_fetcher / UM2_PER_MM2,
        area_reduce_acc=c * K * per_column / UM2_PER_MM2,
        area_buffers=c * lib.sram_area_mm2(d.weight_buffer_bytes + d.act_buffer_bytes),
        energy_build=build_adders * add_energy + lib.register_energy(entries * entry_bits),
        energy_lookup=lib.mux_energy(entries, entry_bits)
        + lib.cell_energy("xor2", 0.5 * flip_bits)
        + lib.register_energy(key_bits),
        energy_reduce_add=red_energy,
        energy_accumulate=acc_energy,
    )
