"""Problem factories of the accelerator-tile models (registered in the registry)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dsegym.costmodels.accelerator.layers import LayerArrays, load_topology, workload_arrays
from dsegym.costmodels.accelerator.model import (
    AcceleratorModel,
    EyerissLikeModel,
    SystolicArrayModel,
)
from dsegym.costmodels.problem import Constraint, Objective, Problem

WorkloadName = Literal[
    "resnet18",
    "resnet50",
    "mobilenetv2",
    "vgg16",
    "alexnet",
    "bert-base-layer",
    "llm7b-decode-layer",
]
ObjectiveName = Literal[
    "latency_cycles", "energy_pj", "area_mm2", "edp_pj_cycles", "stall_cycles", "dram_words"
]
DEFAULT_OBJECTIVES: list[ObjectiveName] = ["latency_cycles", "energy_pj", "area_mm2"]


def _build(
    name: str,
    model: AcceleratorModel,
    workload: str,
    workload_file: str | None,
    objectives: list[ObjectiveName],
    area_budget_mm2: float | None,
    description: str,
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
        cost_model=model,
        objectives=[Objective(o) for o in objectives],
        constraints=constraints,
        workload=layers,
        workload_name=workload_name,
        description=description,
    )


def accelerator_systolic(
    workload: WorkloadName = "resnet18",
    workload_file: str | None = None,
    objectives: Annotated[list[ObjectiveName], Field(min_length=1)] = DEFAULT_OBJECTIVES,
    area_budget_mm2: Annotated[float, Field(gt=0)] | None = None,
    energy_table: str = "horowitz-45nm",
) -> Problem:
    """Systolic array (rows, cols, dataflow, three SRAM sizes, DRAM bandwidth); the
    built-in mapper picks each layer's tiling and loop order.

    Args:
        workload: A shipped workload.
        workload_file: A SCALE-Sim topology CSV (convolution or GEMM form); overrides
            ``workload``.
        objectives: Metrics to minimise.
        area_budget_mm2: Optional upper bound on area.
        energy_table: Energy/area preset or the path of a YAML table.
    """
    return _build(
        "accelerator-systolic",
        SystolicArrayModel(energy_table),
        workload,
        workload_file,
        objectives,
        area_budget_mm2,
        "SCALE-Sim-style systolic array: array shape, dataflow, SRAMs, DRAM bandwidth",
    )


def accelerator_systolic_mapping(
    workload: WorkloadName = "resnet18",
    workload_file: str | None = None,
    objectives: Annotated[list[ObjectiveName], Field(min_length=1)] = DEFAULT_OBJECTIVES,
    area_budget_mm2: Annotated[float, Field(gt=0)] | None = None,
    energy_table: str = "horowitz-45nm",
) -> Problem:
    """The systolic-array space plus the mapping knobs (fold-loop order and temporal
    splits, applied to every layer) instead of the built-in mapper.

    Args:
        workload: A shipped workload.
        workload_file: A SCALE-Sim topology CSV; overrides ``workload``.
        objectives: Metrics to minimise.
        area_budget_mm2: Optional upper bound on area.
        energy_table: Energy/area preset or the path of a YAML table.
    """
    return _build(
        "accelerator-systolic-mapping",
        SystolicArrayModel(energy_table, mapping="explicit"),
        workload,
        workload_file,
        objectives,
        area_budget_mm2,
        "systolic array with loop order and temporal splits as design parameters",
    )


def accelerator_eyeriss(
    workload: WorkloadName = "resnet18",
    workload_file: str | None = None,
    objectives: Annotated[list[ObjectiveName], Field(min_length=1)] = DEFAULT_OBJECTIVES,
    area_budget_mm2: Annotated[float, Field(gt=0)] | None = None,
    energy_table: str = "eyeriss-65nm",
) -> Problem:
    """Eyeriss-like row-stationary tile in ArchGym's Timeloop shape: PEs, mesh width,
    scratchpad depths and class, global-buffer depth, block size and banks, DRAM
    bandwidth.

    Args:
        workload: A shipped workload.
        workload_file: A SCALE-Sim topology CSV; overrides ``workload``.
        objectives: Metrics to minimise.
        area_budget_mm2: Optional upper bound on area.
        energy_table: Energy/area preset or the path of a YAML table.
    """
    return _build(
        "accelerator-eyeriss",
        EyerissLikeModel(energy_table),
        workload,
        workload_file,
        objectives,
        area_budget_mm2,
        "Eyeriss-like row-stationary tile (ArchGym Timeloop-style space)",
    )


def workload_names() -> list[str]:
    """Shipped accelerator workloads."""
    from dsegym.costmodels.accelerator.layers import workload_names as names

    return names()
