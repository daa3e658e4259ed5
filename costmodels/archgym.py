"""ArchGym's problem shapes on dsegym's models: the ten-knob DRAM controller space and
a target-distance form of the Eyeriss-like (Timeloop-shaped) accelerator.

ArchGym's DRAMGym (and the multi-agent RL paper built on it) tunes ten controller knobs
with these value counts: PagePolicy 4, Scheduler 3, SchedulerBuffer 3,
RequestBufferSize 8 (1..128, powers of two), RespQueue 2, RefreshPolicy 2,
RefreshMaxPostponed 4 and RefreshMaxPulledin 4 (1, 2, 4, 8), Arbiter 3 and
MaxActiveTransactions 8 (1..128). dsegym's controller caps the request buffer at 32
entries, so RequestBufferSize has 6 values here (1..32); the two knobs ArchGym leaves
out (PowerDownPolicy, AddressMapping) stay at DRAMSys' example configuration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field

from dsegym.costmodels.accelerator.model import EYERISS
from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.dram.config import (
    ARBITERS,
    DEFAULT_DESIGN,
    MAX_REQUEST_BUFFER,
    PAGE_POLICIES,
    RESP_QUEUES,
    SCHEDULER_BUFFERS,
    SCHEDULERS,
    with_meanings,
)
from dsegym.costmodels.problem import Objective, Problem
from dsegym.costmodels.space import Categorical, DesignSpace, Ordinal
from dsegym.errors import ConfigError

ARCHGYM_DRAM_SPACE = with_meanings(
    [
        Categorical("PagePolicy", PAGE_POLICIES),
        Categorical("Scheduler", SCHEDULERS),
        Categorical("SchedulerBuffer", SCHEDULER_BUFFERS),
        Ordinal.powers_of_two("RequestBufferSize", 1, MAX_REQUEST_BUFFER),
        Categorical("RespQueue", RESP_QUEUES),
        Categorical("RefreshPolicy", ("NoRefresh", "AllBank")),
        Ordinal("RefreshMaxPostponed", (1, 2, 4, 8)),
        Ordinal("RefreshMaxPulledin", (1, 2, 4, 8)),
        Categorical("Arbiter", ARBITERS),
        Ordinal.powers_of_two("MaxActiveTransactions", 1, 128),
    ]
)
"""ArchGym's ten DRAM knobs (RequestBufferSize capped at 32, see the module docstring)."""


class SubspaceModel(CostModel):
    """A cost model restricted to a sub-space, the other knobs held at fixed values."""

    def __init__(self, inner: CostModel, space: DesignSpace, fixed: Mapping[str, Any]):
        missing = set(inner.space.names) - set(space.names) - set(fixed)
        if missing:
            raise ConfigError(f"sub-space of {inner.name!r}: no value for {sorted(missing)}")
        self.inner, self._space, self.fixed = inner, space, dict(fixed)
        self.name = inner.name  # type: ignore[misc]
        self.version = inner.version  # type: ignore[misc]
        self.metrics = inner.metrics  # type: ignore[misc]

    @property
    def space(self) -> DesignSpace:
        return self._space

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.inner.evaluate({**self.fixed, **design}, workload)

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        return self.inner.evaluate_batch([{**self.fixed, **d} for d in designs], workload)


class TargetDistanceModel(CostModel):
    """Adds ``target_distance = sum |metric - target| / target`` to a model's metrics."""

    def __init__(self, inner: CostModel, targets: Mapping[str, float]):
        for metric, value in targets.items():
            if metric not in inner.metric_names:
                raise ConfigError(
                    f"target on {metric!r}: allowed metrics: {', '.join(inner.metric_names)}"
                )
            if not value > 0:
                raise ConfigError(f"target on {metric!r} must be positive, got {value}")
        self.inner, self.targets = inner, dict(targets)
        self.name = inner.name  # type: ignore[misc]
        self.version = inner.version  # type: ignore[misc]
        self.metrics = inner.metrics + (  # type: ignore[misc]
            Metric("target_distance", "1", "sum of |metric - target| / target"),
        )

    @property
    def space(self) -> DesignSpace:
        return self.inner.space

    def _with_distance(self, e: Evaluation) -> Evaluation:
        if not e.feasible:
            return e
        m = dict(e.metrics)
        m["target_distance"] = sum(abs(m[k] - t) / t for k, t in self.targets.items())
        return Evaluation(m, e.feasible, e.violations)

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self._with_distance(self.inner.evaluate(design, workload))

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        return [self._with_distance(e) for e in self.inner.evaluate_batch(designs, workload)]


def dram_target_archgym(
    workload: str = "cloud-1",
    device: Literal["ddr3-1600"] = "ddr3-1600",
    target: Literal["latency", "power", "both"] = "both",
    target_latency_ns: Annotated[float, Field(gt=0)] = 100.0,
    target_power_mw: Annotated[float, Field(gt=0)] = 700.0,
    latency_metric: Literal["latency_mean_ns", "latency_p99_ns", "total_time_ns"] = (
        "latency_mean_ns"
    ),
    n_requests: Annotated[int, Field(ge=1, le=1_000_000)] | None = None,
) -> Problem:
    """``dram-target`` over ArchGym's ten DRAM knobs (one agent per knob for MARL).

    Args:
        workload: A DRAM workload preset or ``.stl`` path.
        device: ArchGym's DDR3-1600 part (its refresh policies are the two knobs' values).
        target: Which targets apply.
        target_latency_ns: Latency target.
        target_power_mw: Power target.
        latency_metric: What "latency" means (see ``dram-target``).
        n_requests: Cut or regenerate the workload to this many requests.
    """
    from dsegym.costmodels.dram.problems import dram_target

    base = dram_target(
        workload=workload,
        device=device,
        target=target,
        target_latency_ns=target_latency_ns,
        target_power_mw=target_power_mw,
        latency_metric=latency_metric,
        n_requests=n_requests,
    )
    fixed = {k: v for k, v in DEFAULT_DESIGN.items() if k not in ARCHGYM_DRAM_SPACE.names}
    return Problem(
        name="dram-target-archgym",
        cost_model=SubspaceModel(base.cost_model, ARCHGYM_DRAM_SPACE, fixed),
        objectives=base.objectives,
        workload=base.workload,
        workload_name=base.workload_name,
        description="dram-target over ArchGym's ten controller knobs",
    )


def accelerator_eyeriss_target(
    workload: str = "resnet18",
    target_latency_cycles: Annotated[float, Field(gt=0)] | None = None,
    target_energy_pj: Annotated[float, Field(gt=0)] | None = None,
    target_area_mm2: Annotated[float, Field(gt=0)] | None = None,
    energy_table: str = "eyeriss-65nm",
) -> Problem:
    """ArchGym's TimeloopGym task on the Eyeriss-like tile: reach latency, energy and
    area targets (minimise the summed relative distance to them).

    A target left unset is Eyeriss' own value on the workload (``EYERISS``),
    so by default the task is to find a design that performs like Eyeriss.

    Args:
        workload: A shipped accelerator workload.
        target_latency_cycles: Latency target.
        target_energy_pj: Energy target.
        target_area_mm2: Area target.
        energy_table: Energy/area preset or the path of a YAML table.
    """
    from dsegym.costmodels.accelerator.problems import accelerator_eyeriss

    base = accelerator_eyeriss(workload=workload, energy_table=energy_table)  # type: ignore[arg-type]
    reference = base.cost_model.evaluate(EYERISS, base.workload).metrics
    targets = {
        "latency_cycles": target_latency_cycles or reference["latency_cycles"],
        "energy_pj": target_energy_pj or reference["energy_pj"],
        "area_mm2": target_area_mm2 or reference["area_mm2"],
    }
    return Problem(
        name="accelerator-eyeriss-target",
        cost_model=TargetDistanceModel(base.cost_model, targets),
        objectives=[Objective("target_distance")],
        workload=base.workload,
        workload_name=base.workload_name,
        description="Eyeriss-like tile tuned to latency, energy and area targets "
        + ", ".join(f"{k} -> {v:.4g}" for k, v in targets.items()),
    )
