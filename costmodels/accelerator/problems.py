"""Problem factories of the accelerator-tile models (registered in the registry).

The three factories take the same parameters and differ only in the model they cost
with, so one function (:func:`_factory`) makes all three.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from dsegym.costmodels.accelerator.layers import (
    LayerArrays,
    load_topology,
    workload_arrays,
    workload_names,
)
from dsegym.costmodels.accelerator.model import (
    AcceleratorModel,
    EyerissLikeModel,
    SystolicArrayModel,
)
from dsegym.costmodels.problem import Constraint, Objective, Problem

if TYPE_CHECKING:
    WorkloadName = str
else:
    # The shipped catalogue is the one list of names; pydantic checks against it.
    WorkloadName = Literal[tuple(workload_names())]
ObjectiveName = Literal[
    "latency_cycles", "energy_pj", "area_mm2", "edp_pj_cycles", "stall_cycles", "dram_words"
]
DEFAULT_OBJECTIVES: list[ObjectiveName] = ["latency_cycles", "energy_pj", "area_mm2"]

_ARGS_DOC = """

    Args:
        workload: A shipped workload.
        workload_file: A SCALE-Sim topology CSV (convolution or GEMM form); overrides
            ``workload``.
        objectives: Metrics to minimise.
        area_budget_mm2: Optional upper bound on area.
        energy_table: Energy/area preset or the path of a YAML table.
    """


def _factory(
    name: str,
    make_model: Callable[[str], AcceleratorModel],
    default_energy_table: str,
    description: str,
    summary: str,
) -> Callable[..., Problem]:
    """Makes the factory of one accelerator problem (its signature is what pydantic
    validates and ``dsegym list`` shows).
    """

    def factory(
        workload: WorkloadName = "resnet18",
        workload_file: str | None = None,
        objectives: Annotated[list[ObjectiveName], Field(min_length=1)] = DEFAULT_OBJECTIVES,
        area_budget_mm2: Annotated[float, Field(gt=0)] | None = None,
        energy_table: str = default_energy_table,
    ) -> Problem:
        if workload_file:
            layers = LayerArrays.from_layers(load_topology(workload_file))
            workload_name = workload_file
        else:
            layers, workload_name = workload_arrays(workload), workload
        constraints = (
            [Constraint("area_mm2", upper=area_budget_mm2)] if area_budget_mm2 is not None else []
        )
        return Problem(
            name=name,
            cost_model=make_model(energy_table),
            objectives=[Objective(o) for o in objectives],
            constraints=constraints,
            workload=layers,
            workload_name=workload_name,
            description=description,
        )

    factory.__name__ = factory.__qualname__ = name.replace("-", "_")
    factory.__doc__ = summary + _ARGS_DOC
    return factory


accelerator_systolic = _factory(
    "accelerator-systolic",
    SystolicArrayModel,
    "horowitz-45nm",
    "SCALE-Sim-style systolic array: array shape, dataflow, SRAMs, DRAM bandwidth",
    "Systolic array (rows, cols, dataflow, three SRAM sizes, DRAM bandwidth); the\n"
    "    built-in mapper picks each layer's tiling and loop order.",
)
accelerator_systolic_mapping = _factory(
    "accelerator-systolic-mapping",
    lambda energy_table: SystolicArrayModel(energy_table, mapping="explicit"),
    "horowitz-45nm",
    "systolic array with loop order and temporal splits as design parameters",
    "The systolic-array space plus the mapping knobs (fold-loop order and temporal\n"
    "    splits, applied to every layer) instead of the built-in mapper.",
)
accelerator_eyeriss = _factory(
    "accelerator-eyeriss",
    EyerissLikeModel,
    "eyeriss-65nm",
    "Eyeriss-like row-stationary tile (ArchGym Timeloop-style space)",
    "Eyeriss-like row-stationary tile in ArchGym's Timeloop shape: PEs, mesh width,\n"
    "    scratchpad depths and class, global-buffer depth, block size and banks, DRAM\n"
    "    bandwidth.",
)

__all__ = [
    "DEFAULT_OBJECTIVES",
    "WorkloadName",
    "accelerator_eyeriss",
    "accelerator_systolic",
    "accelerator_systolic_mapping",
    "workload_names",
]
