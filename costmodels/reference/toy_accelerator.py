"""A small mixed categorical/integer problem whose exact Pareto front comes from
enumerating all of its 3,000 designs.

The model is a deliberately simple systolic-array roofline on one fixed GEMM. It is a
*reference problem* for checking search agents against an exact answer, not a
validated hardware model (the validated accelerator model lives in its own package).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

import moocore
import numpy as np
from pydantic import Field

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.problem import Constraint, Objective, Problem
from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Ordinal

_M = _N = _K = 256  # the fixed GEMM: C[M, N] = A[M, K] @ B[K, N], int8 operands
_CLOCK_GHZ = 1.0


class ToyAccelerator(CostModel):
    """Roofline of a systolic array on a 256^3 int8 GEMM (synthetic coefficients)."""

    name: ClassVar[str] = "toy-accelerator"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("latency_cycles", "cycles", "max(compute, memory) cycles"),
        Metric("energy_pj", "pJ", "MAC + buffer + DRAM + leakage energy"),
        Metric("area_mm2", "mm^2", "PE array + buffer + memory interface area"),
        Metric("edp_pj_cycles", "pJ*cycles", "energy-delay product"),
        Metric("utilisation", "fraction", "MACs / (PEs x compute cycles)"),
    )

    _space = DesignSpace(
        [
            Ordinal("pe_rows", (4, 8, 16, 32, 64), description="rows of the PE array"),
            Ordinal("pe_cols", (4, 8, 16, 32, 64), description="columns of the PE array"),
            Categorical(
                "dataflow",
                ("ws", "os", "is"),
                description="which operand stays in the PEs: weights, outputs or inputs",
            ),
            Ordinal("buffer_kib", (16, 32, 64, 128, 256), description="on-chip buffer, KiB"),
            Integer("bandwidth_gbps", 8, 64, 8, description="off-chip bandwidth, GB/s"),
        ]
    )

    @property
    def space(self) -> DesignSpace:
        return self._space

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        rows, cols = int(design["pe_rows"]), int(design["pe_cols"])
        # Spatial rows/columns and temporal extent per dataflow, as in SCALE-Sim.
        sr, sc, t = {"ws": (_K, _N, _M), "os": (_M, _N, _K), "is": (_K, _M, _N)}[design["dataflow"]]
        folds = math.ceil(sr / rows) * math.ceil(sc / cols)
        compute = folds * (2 * rows + cols + t - 2)
        buffer_bytes = design["buffer_kib"] * 1024
        operand_bytes = _M * _K + _K * _N
        # The streamed operand is refetched once per fold that does not fit on chip.
        refetch = max(1.0, operand_bytes / buffer_bytes)
        dram_bytes = operand_bytes * math.sqrt(refetch) + _M * _N
        memory = dram_bytes / (design["bandwidth_gbps"] / _CLOCK_GHZ)
        latency = max(compute, memory)
        macs = _M * _N * _K
        area = rows * cols * 0.0012 + design["buffer_kib"] * 0.004 + design["bandwidth_gbps"] * 0.01
        buffer_pj_per_byte = 0.5 * math.sqrt(design["buffer_kib"] / 16)
        energy = (
            macs * 0.25
            + (operand_bytes * folds**0.5) * buffer_pj_per_byte
            + dram_bytes * 15.0
            + area * latency * 2.0  # leakage: 2 pJ per mm^2 per cycle
        )
        return Evaluation(
            {
                "latency_cycles": latency,
                "energy_pj": energy,
                "area_mm2": area,
                "edp_pj_cycles": energy * latency,
                "utilisation": macs / (rows * cols * compute),
            }
        )


ObjectiveName = Literal["latency_cycles", "energy_pj", "area_mm2", "edp_pj_cycles"]


@functools.lru_cache(maxsize=8)
def _exact_front(objectives: tuple[str, ...]) -> np.ndarray:
    model = ToyAccelerator()
    F = np.array(
        [[model.evaluate(d).metrics[o] for o in objectives] for d in model.space.enumerate()]
    )
    front = F[moocore.is_nondominated(F)]
    return np.unique(front, axis=0)


def toy_accelerator(
    objectives: Annotated[list[ObjectiveName], Field(min_length=1)] = [  # noqa: B006
        "latency_cycles",
        "area_mm2",
    ],
) -> Problem:
    """Enumerable mixed categorical/integer problem with an exact Pareto front."""
    front = _exact_front(tuple(objectives))
    return Problem(
        name="toy-accelerator",
        cost_model=ToyAccelerator(),
        objectives=[Objective(o) for o in objectives],
        known_front=front,
        workload_name="gemm-256",
        description="3,000-design systolic-array roofline; exact front by enumeration",
    )


def toy_accelerator_edp(
    area_budget_mm2: Annotated[float, Field(gt=0)] = 1.5,
) -> Problem:
    """Single objective (energy-delay product) under an area budget; optimum known."""
    model = ToyAccelerator()
    best = min(
        e.metrics["edp_pj_cycles"]
        for e in map(model.evaluate, model.space.enumerate())
        if e.metrics["area_mm2"] <= area_budget_mm2
    )
    return Problem(
        name="toy-accelerator-1obj",
        cost_model=model,
        objectives=[Objective("edp_pj_cycles")],
        constraints=[Constraint("area_mm2", upper=area_budget_mm2)],
        known_front=np.array([[best]]),
        workload_name="gemm-256",
        description="EDP under an area budget on the 3,000-design toy space; optimum known",
    )


def workload_names() -> list[str]:
    """The toy model has one built-in workload."""
    return ["gemm-256"]
