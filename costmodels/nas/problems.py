"""Problem factories of the NAS-with-hardware family (registered in the registry)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, cast

from pydantic import Field

from dsegym.costmodels.nas.fewshot import PREDICTOR_VERSION
from dsegym.costmodels.nas.model import NasBench201Device, NasBench201Hardware
from dsegym.costmodels.problem import Constraint, Objective, Problem
from dsegym.errors import ConfigError

Dataset = Literal["cifar10", "cifar100", "imagenet16-120"]
Fidelity = Literal["12epoch", "200epoch"]
Device = Literal[
    "1080ti_1", "1080ti_256", "1080ti_32", "2080ti_1", "2080ti_256", "2080ti_32",
    "essential_ph_1", "gold_6226", "gold_6240", "pixel2", "pixel3", "raspi4", "samsung_a50",
    "samsung_s7", "silver_4114", "silver_4210r", "titan_rtx_1", "titan_rtx_256",
    "titan_rtx_32", "titanx_1", "titanx_256", "titanx_32", "titanxp_1", "titanxp_256",
    "titanxp_32",
]  # fmt: skip
HwObjective = Literal[
    "error", "latency_cycles", "energy_pj", "area_mm2", "edp_pj_cycles", "mflops", "mparams"
]
Positive = Annotated[float, Field(gt=0)]


def budgets(**bounds: float | None) -> list[Constraint]:
    """Upper-bound constraints for the bounds that are given."""
    return [Constraint(metric, upper=b) for metric, b in bounds.items() if b is not None]


def nasbench201_hw(
    dataset: Dataset = "cifar10",
    fidelity: Fidelity = "12epoch",
    accelerator: Literal["eyeriss", "systolic"] = "eyeriss",
    hardware: Literal["eyeriss", "systolic"] | None = None,
    objectives: Annotated[list[HwObjective], Field(min_length=1)] = [  # noqa: B006
        "error",
        "latency_cycles",
        "energy_pj",
        "area_mm2",
    ],
    latency_budget_cycles: Positive | None = None,
    energy_budget_pj: Positive | None = None,
    area_budget_mm2: Positive | None = None,
    energy_table: str | None = None,
    cell: int | str | None = None,
    edges: Literal["live", "all"] = "live",
) -> Problem:
    """A NAS-Bench-201 cell (six edge ops) and the accelerator tile that runs its network:
    error from the benchmark (needs the ``nasbench201`` data set), latency, energy and
    area from the tile model.

    Args:
        dataset: Task whose accuracy is looked up (and whose input size and classes
            shape the network).
        fidelity: ``12epoch`` (all 15,625 cells) or ``200epoch`` (a 725-cell subset;
            other cells are infeasible with a reason).
        accelerator: Tile family whose knobs are searched with the cell.
        hardware: Fix the tile to a preset (``eyeriss`` or ``systolic``) and search the
            cell only.
        objectives: Metrics to minimise.
        latency_budget_cycles: Optional spec on latency.
        energy_budget_pj: Optional spec on energy.
        area_budget_mm2: Optional spec on area.
        energy_table: Energy/area table (default: the family's).
        cell: Fix the network to this cell (NAS-Bench-201 index or cell string) and
            search the tile only.
        edges: Which edges run: ``live`` (only those that carry information, as a
            compiler would prune) or ``all`` (every non-``none`` edge, as the
            benchmark's PyTorch networks ran).
    """
    model = NasBench201Hardware(dataset, fidelity, accelerator, hardware, energy_table, cell, edges)
    fixed = f" on the fixed {hardware} preset" if hardware else f" x {accelerator} tile"
    return Problem(
        name="nasbench201-hw",
        cost_model=model,
        objectives=[Objective(o) for o in objectives],
        constraints=budgets(
            latency_cycles=latency_budget_cycles,
            energy_pj=energy_budget_pj,
            area_mm2=area_budget_mm2,
        ),
        workload_name=f"nasbench201-{dataset}",
        description=f"NAS-Bench-201 cell{fixed} ({dataset}, {fidelity} accuracy)",
    )


def nasbench201_device(
    device: Device | Literal["custom"] = "pixel3",
    dataset: Literal["cifar10", "cifar100"] = "cifar10",
    fidelity: Fidelity = "12epoch",
    latency_budget_ms: Positive | None = None,
    samples: str | None = None,
) -> Problem:
    """A NAS-Bench-201 cell on a measured device (HW-NAS-Bench style): error against the
    measured latency of the cell's 32x32 network (needs the ``nasbench201`` data set);
    ``device: custom`` searches against the latency predicted from your own samples.

    Args:
        device: A device of ``latency_ms.csv`` (GPUs with batch-size suffix, server
            CPUs, phones, Raspberry Pi 4), or ``custom``.
        dataset: ``cifar10`` or ``cifar100`` (the latencies are of the 32x32 network).
        fidelity: ``12epoch`` or ``200epoch``.
        latency_budget_ms: Optional spec on the latency.
        samples: For ``custom``: a CSV of cells measured on your device (``cell`` as
            index or cell string, ``latency_ms``); at least two, ten recommended.
    """
    model = NasBench201Device(device, dataset, fidelity, samples)
    workload, what = f"nasbench201-{dataset}", f"a measured {device}"
    if model.samples is not None:
        # The provenance of the predicted latencies travels with every record.
        workload += (
            f"@custom(K={model.samples.k},samples-sha256={model.samples.sha256[:16]},"
            f"{PREDICTOR_VERSION})"
        )
        what = f"a custom device (latency predicted from {model.samples.k} samples)"
    return Problem(
        name="nasbench201-device",
        cost_model=model,
        objectives=[Objective("error"), Objective("latency_ms")],
        constraints=budgets(latency_ms=latency_budget_ms),
        workload_name=workload,
        description=f"NAS-Bench-201 cell on {what} ({dataset}, {fidelity})",
    )


NasaicTask = Literal["cifar10", "cifar100", "imagenet16"]
NasaicMetric = Literal[
    "mean_error",
    "latency_cycles",
    "energy_pj",
    "area_mm2",
    "cifar10_error",
    "cifar100_error",
    "imagenet16_error",
]


def nasaic(
    tasks: Annotated[list[NasaicTask], Field(min_length=1)] = [  # noqa: B006
        "cifar10",
        "cifar100",
        "imagenet16",
    ],
    max_subaccs: Annotated[int, Field(ge=1, le=3)] = 3,
    pe_budget: Annotated[int, Field(ge=16)] = 4096,
    bandwidth_budget: Positive = 64,
    fidelity: Fidelity = "12epoch",
    objectives: Annotated[list[NasaicMetric], Field(min_length=1)] = [  # noqa: B006
        "mean_error",
        "latency_cycles",
        "energy_pj",
        "area_mm2",
    ],
    latency_spec_cycles: Positive | None = None,
    energy_spec_pj: Positive | None = None,
    area_spec_mm2: Positive | None = None,
    cells: dict[NasaicTask, int | str] | None = None,
    energy_table: str = "horowitz-45nm",
) -> Problem:
    """NASAIC: one NAS-Bench-201 cell per task and a heterogeneous accelerator of 1-3
    sub-accelerators (dataflow template, PE array, buffer, bandwidth each) with a
    task-to-sub-accelerator mapping, under total PE and bandwidth budgets (needs the
    ``nasbench201`` data set).

    Args:
        tasks: Tasks, each with its own cell: ``cifar10``, ``cifar100``, ``imagenet16``.
        max_subaccs: Sub-accelerator slots; those with no task are not built.
        pe_budget: Total PEs of the built sub-accelerators.
        bandwidth_budget: Total DRAM words per cycle of the built sub-accelerators.
        fidelity: Accuracy fidelity (``12epoch`` or ``200epoch``).
        objectives: Metrics to minimise (system metrics or a task's error).
        latency_spec_cycles: Spec on the makespan.
        energy_spec_pj: Spec on the total energy.
        area_spec_mm2: Spec on the total area.
        cells: Fix some tasks' cells (index or cell string): a hardware-only search.
        energy_table: Energy/area table of the tiles.
    """
    from dsegym.costmodels.nas.nasaic import Nasaic

    for metric in objectives:
        task = metric.removesuffix("_error")
        if task != metric and task != "mean" and task not in tasks:
            raise ConfigError(
                f"problem 'nasaic': objectives: {metric!r} needs task {task!r} in tasks "
                f"(tasks: {list(tasks)})"
            )
    cells_by_task = cast(Mapping[str, int | str] | None, cells)  # keys checked by pydantic
    model = Nasaic(
        tasks, max_subaccs, pe_budget, bandwidth_budget, fidelity, energy_table, cells_by_task
    )
    return Problem(
        name="nasaic",
        cost_model=model,
        objectives=[Objective(o) for o in objectives],
        constraints=budgets(
            latency_cycles=latency_spec_cycles,
            energy_pj=energy_spec_pj,
            area_mm2=area_spec_mm2,
        ),
        workload_name="nasbench201-" + "+".join(tasks),
        description="NASAIC: a cell per task and a heterogeneous multi-dataflow accelerator",
    )
