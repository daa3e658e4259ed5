"""Multiplier-based baselines of equal throughput, for comparison with a LUT design.

A baseline has the LUT design's tile shape: per core, ``R = L * mu`` reduction rows by
``K`` output columns, so it also does ``L * mu * K`` multiply-accumulates per cycle at
the same clock. Each of its ``R * K`` processing elements multiplies one activation by
one weight; each column sums its ``R`` products in an adder tree and accumulates, as in
the LUT design. Two kinds:

* ``"ternary-mac"``: the weight is ternary, so the "multiplier" is a conditional
  negation (XOR per bit; the sign bit only for floats) and a zero gate (AND per bit)
  with a 2-bit weight register;
* ``"mac"``: an ordinary MAC array whose weights are stored in the activation format,
  with a full multiplier (integer or float) and a weight register of that width.
Integer products of the ordinary array are twice the activation width.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsegym.costmodels.lut.components import ComponentLibrary
from dsegym.costmodels.lut.datatypes import FLOAT_ACC_EXPONENT_BITS
from dsegym.costmodels.lut.hardware import UM2_PER_MM2, DesignArrays, reduction_width

BASELINE_KINDS = ("ternary-mac", "mac")


@dataclass
class Baseline:
    """Compute area (mm^2) and energy per MAC (pJ) of a baseline array, per design."""

    kind: str
    area_pe: np.ndarray
    area_reduce_acc: np.ndarray
    energy_per_mac: np.ndarray

    @property
    def compute_area(self) -> np.ndarray:
        return self.area_pe + self.area_reduce_acc


def baseline(
    lib: ComponentLibrary,
    d: DesignArrays,
    kind: str = "ternary-mac",
    adder_cost_scale: float = 1.0,
) -> Baseline:
    """Sizes the baseline array of ``kind`` matching each design's throughput."""
    if kind not in BASELINE_KINDS:
        from dsegym.errors import UnknownNameError

        raise UnknownNameError("baseline kind", kind, BASELINE_KINDS)
    rows = d.tables * d.mu
    pes = d.cores * rows * d.fetchers
    columns = d.cores * d.fetchers
    fl, bits, sig = d.act_float, d.act_bits, d.act_significand
    if kind == "ternary-mac":
        gate_bits = np.where(fl, 1.0, bits)
        pe_area = (
            lib.cell_area("xor2", gate_bits) + lib.cell_area("and2", bits) + lib.register_area(2.0)
        )
        pe_energy = (
            lib.cell_energy("xor2", 0.5 * gate_bits)
            + lib.cell_energy("and2", 0.5 * bits)
            + lib.register_energy(2.0)
        )
        product_bits = bits
    else:
        pe_area = lib.multiplier_area(fl, bits, sig) + lib.register_area(bits)
        pe_energy = lib.multiplier_energy(fl, bits, sig) + lib.register_energy(bits)
        product_bits = np.where(fl, bits, 2.0 * bits)
    s = adder_cost_scale
    red_bits = np.where(fl, product_bits, reduction_width(product_bits, rows))
    red_area = lib.adder_area(fl, red_bits, sig) * s
    red_energy = lib.adder_energy(fl, red_bits, sig) * s
    acc_sig = np.where(fl, d.acc_bits - FLOAT_ACC_EXPONENT_BITS, d.acc_bits)
    acc_area = lib.adder_area(fl, d.acc_bits, acc_sig) * s + lib.register_area(d.acc_bits)
    acc_energy = lib.adder_energy(fl, d.acc_bits, acc_sig) * s + lib.register_energy(d.acc_bits)
    per_column = (rows - 1.0) * red_area + acc_area
    energy_per_mac = pe_energy + red_energy * (rows - 1.0) / rows + acc_energy / rows
    return Baseline(
        kind=kind,
        area_pe=pes * pe_area / UM2_PER_MM2,
        area_reduce_acc=columns * per_column / UM2_PER_MM2,
        energy_per_mac=energy_per_mac,
    )
