"""Sweeps behind the published conclusions of the ISPASS 2026 LUT study.

Each function returns plain data (used by the tests and by
``experiments/studies/lut_conclusions.py``); none is tuned to agree with the paper.

* :func:`area_efficiency`: the smallest compute area per MAC/cycle of a LUT design and
  of both multiplier baselines, over a grid of tile shapes (conclusions 1 and 2);
* :func:`best_group_size_vs_adder_cost`: the best ``mu`` when every adder costs
  ``scale`` times the library's (conclusion 4);
* :func:`core_scaling`: compute density when a fixed number of fetch lanes is split
  over more cores (conclusion 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dsegym.costmodels.lut.baseline import baseline
from dsegym.costmodels.lut.combinatorics import SUPPORTED_MU
from dsegym.costmodels.lut.components import ComponentLibrary
from dsegym.costmodels.lut.datatypes import activation_type
from dsegym.costmodels.lut.hardware import DesignArrays, datapath
from dsegym.costmodels.lut.model import evaluate_arrays
from dsegym.costmodels.lut.workloads import LutWorkload

TABLES = (1, 2, 4, 8, 16, 32, 64, 128)
FETCHERS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
STUDY_ACC_BITS = 32  # FP32 / INT32 accumulators for every design and baseline alike


def shape_grid(
    act_dtype: str,
    mus: Sequence[int] = SUPPORTED_MU,
    tables: Sequence[int] = TABLES,
    fetchers: Sequence[int] = FETCHERS,
    cores: int = 1,
    tree: str = "optimised",
) -> DesignArrays:
    """Every (mu, L, K) combination as a batch, with the other knobs fixed."""
    act = activation_type(act_dtype)
    m, t, f = (a.ravel().astype(float) for a in np.meshgrid(mus, tables, fetchers, indexing="ij"))
    n = m.size

    def full(value: float) -> np.ndarray:
        return np.full(n, float(value))

    return DesignArrays(
        mu=m,
        tables=t,
        fetchers=f,
        act_float=np.full(n, act.is_float),
        act_bits=full(act.bits),
        act_significand=full(act.significand_bits),
        acc_bits=full(STUDY_ACC_BITS),
        optimised_tree=np.full(n, tree == "optimised"),
        weight_buffer_bytes=full(256 * 1024),
        act_buffer_bytes=full(256 * 1024),
        bandwidth_gbps=full(128),
        clock_ghz=full(1.0),
        cores=full(cores),
    )


@dataclass(frozen=True)
class AreaEfficiency:
    """Best compute area per MAC/cycle (um^2) of LUT designs and baselines.

    Attributes:
        act_dtype: Activation type.
        lut_um2_per_mac: Best LUT design's compute area per MAC/cycle.
        lut_shape: Its ``(mu, L, K)``.
        ternary_mac_um2_per_mac: Best ternary MAC array over the same shapes.
        mac_um2_per_mac: Best ordinary MAC array (weights in the activation format).
        best_by_mu: Best LUT area per MAC/cycle for each ``mu``.
    """

    act_dtype: str
    lut_um2_per_mac: float
    lut_shape: tuple[int, int, int]
    ternary_mac_um2_per_mac: float
    mac_um2_per_mac: float
    best_by_mu: dict[int, float]

    @property
    def saving_vs_ternary_mac(self) -> float:
        """Baseline area over LUT area at equal throughput (> 1: the LUT is smaller)."""
        return self.ternary_mac_um2_per_mac / self.lut_um2_per_mac

    @property
    def saving_vs_mac(self) -> float:
        return self.mac_um2_per_mac / self.lut_um2_per_mac

    @property
    def best_mu(self) -> int:
        return self.lut_shape[0]


def area_efficiency(
    lib: ComponentLibrary,
    act_dtype: str,
    adder_cost_scale: float = 1.0,
    tree: str = "optimised",
    mus: Sequence[int] = SUPPORTED_MU,
) -> AreaEfficiency:
    """Minimises compute area per MAC/cycle over tile shapes for one activation type."""
    grid = shape_grid(act_dtype, mus=mus, tree=tree)
    per_mac = datapath(lib, grid, adder_cost_scale).compute_area * 1e6 / grid.macs_per_cycle
    best = int(np.argmin(per_mac))
    by_mu = {int(m): float(per_mac[grid.mu == m].min()) for m in mus}
    ternary = baseline(lib, grid, "ternary-mac", adder_cost_scale)
    ordinary = baseline(lib, grid, "mac", adder_cost_scale)
    return AreaEfficiency(
        act_dtype=activation_type(act_dtype).name,
        lut_um2_per_mac=float(per_mac[best]),
        lut_shape=(int(grid.mu[best]), int(grid.tables[best]), int(grid.fetchers[best])),
        ternary_mac_um2_per_mac=float((ternary.compute_area * 1e6 / grid.macs_per_cycle).min()),
        mac_um2_per_mac=float((ordinary.compute_area * 1e6 / grid.macs_per_cycle).min()),
        best_by_mu=by_mu,
    )


def best_group_size_vs_adder_cost(
    lib: ComponentLibrary, act_dtype: str, scales: Sequence[float]
) -> dict[float, int]:
    """Best ``mu`` when every adder's area is multiplied by each of ``scales``."""
    return {float(s): area_efficiency(lib, act_dtype, adder_cost_scale=s).best_mu for s in scales}


@dataclass(frozen=True)
class CoreScalingPoint:
    """Density of a design whose fetch lanes are split over ``cores`` cores."""

    cores: int
    fetchers_per_core: int
    compute_area_mm2: float
    area_mm2: float
    peak_tops_per_mm2: float
    achieved_tops_per_mm2: float


def core_scaling(
    lib: ComponentLibrary,
    act_dtype: str,
    workload: LutWorkload,
    mu: int = 3,
    tables: int = 32,
    total_fetchers: int = 256,
    core_counts: Sequence[int] = (1, 2, 4, 8, 16),
    total_weight_buffer_kib: int = 4096,
    total_act_buffer_kib: int = 2048,
) -> list[CoreScalingPoint]:
    """Splits ``total_fetchers`` fetch lanes (and the buffers) over more cores.

    Every point has the same peak throughput (``cores * L * mu * K`` MACs per cycle)
    and the same total buffer capacity; cores split the output columns, so each core
    builds its own copy of the tables.
    """
    points = []
    for c in core_counts:
        k = total_fetchers // c
        grid = shape_grid(act_dtype, mus=(mu,), tables=(tables,), fetchers=(k,), cores=c)
        grid.weight_buffer_bytes[:] = total_weight_buffer_kib * 1024 / c
        grid.act_buffer_bytes[:] = total_act_buffer_kib * 1024 / c
        metrics, _ = evaluate_arrays(lib, grid, workload)
        peak_tops = 2.0 * grid.macs_per_cycle * grid.clock_ghz * 1e9 / 1e12
        points.append(
            CoreScalingPoint(
                cores=c,
                fetchers_per_core=k,
                compute_area_mm2=float(metrics["compute_area_mm2"][0]),
                area_mm2=float(metrics["area_mm2"][0]),
                peak_tops_per_mm2=float(peak_tops[0] / metrics["area_mm2"][0]),
                achieved_tops_per_mm2=float(metrics["tops_per_mm2"][0]),
            )
        )
    return points
