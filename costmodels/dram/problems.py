"""DRAM controller problems: ArchGym's target form and a multi-objective form."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dsegym.costmodels.dram.devices import device_names
from dsegym.costmodels.dram.model import DramController, DramTargetController
from dsegym.costmodels.dram.synthetic import load_workload, preset_names
from dsegym.costmodels.problem import Constraint, Objective, Problem
from dsegym.errors import UnknownNameError

DeviceName = Literal["ddr3-1600", "ddr4-2400", "lpddr4-3200", "hbm2"]
MetricName = Literal["latency_mean_ns", "latency_p99_ns", "power_mw", "energy_pj", "total_time_ns"]


def _model_and_trace(
    device: str, workload: str, n_requests: int | None, seed: int | None, targets: dict[str, float]
) -> tuple[DramController, object]:
    if device not in device_names():
        raise UnknownNameError("DRAM device", device, device_names())
    model = DramTargetController(device, targets) if targets else DramController(device)
    trace = load_workload(workload, model.device.clock_mhz, n_requests, seed)
    return model, model.prepare(trace)


def dram_target(
    workload: str = "cloud-1",
    device: DeviceName = "ddr3-1600",
    target: Literal["latency", "power", "both"] = "both",
    target_latency_ns: Annotated[float, Field(gt=0)] = 100.0,
    target_power_mw: Annotated[float, Field(gt=0)] = 700.0,
    form: Literal["distance", "constraints"] = "distance",
    latency_metric: Literal["latency_mean_ns", "latency_p99_ns", "total_time_ns"] = (
        "latency_mean_ns"
    ),
    n_requests: Annotated[int, Field(ge=1, le=1_000_000)] | None = None,
    seed: int | None = None,
) -> Problem:
    """ArchGym's DRAM problem: meet a latency and/or power target.

    ``form="distance"`` minimises ``target_distance = sum |x - target| / target`` over
    the targeted metrics (ArchGym's reward is its inverse). ``form="constraints"``
    turns the targets into specs (``x <= target``) and minimises energy.

    Args:
        workload: A preset name (``stream``, ``random``, ``cloud-1``, ``cloud-2``,
            ``strided``, ``mixed``) or the path of a DRAMSys ``.stl`` trace (its cycles
            are read at the device clock).
        device: The DRAM device preset (ArchGym simulates the DDR3-1600 part).
        target: Which targets apply.
        target_latency_ns: Mean-latency target.
        target_power_mw: Average-power target.
        form: ``distance`` (one objective) or ``constraints`` (specs, energy objective).
        latency_metric: What "latency" means: the mean or 99th-percentile request
            latency, or ``total_time_ns``, the time to play the whole trace (what
            ArchGym reads from DRAMSys' "Total Time").
        n_requests: Cut or regenerate the workload to this many requests.
        seed: Regenerate a preset with another seed.
    """
    chosen: dict[str, float] = {}
    if target in ("latency", "both"):
        chosen[latency_metric] = target_latency_ns
    if target in ("power", "both"):
        chosen["power_mw"] = target_power_mw
    if form == "distance":
        model, trace = _model_and_trace(device, workload, n_requests, seed, chosen)
        objectives = [Objective("target_distance")]
        constraints: list[Constraint] = []
    else:
        model, trace = _model_and_trace(device, workload, n_requests, seed, {})
        objectives = [Objective("energy_pj")]
        constraints = [Constraint(metric, upper=value) for metric, value in chosen.items()]
    spec = ", ".join(f"{m} -> {v:g}" for m, v in chosen.items())
    return Problem(
        name="dram-target",
        cost_model=model,
        objectives=objectives,
        constraints=constraints,
        workload=trace,
        workload_name=f"{workload}@{device}",
        description=f"DRAM controller tuning to targets ({spec}), ArchGym's DRAMSys problem",
    )


def dram_multiobjective(
    workload: str = "cloud-1",
    device: DeviceName = "ddr3-1600",
    objectives: Annotated[list[MetricName], Field(min_length=1)] = [  # noqa: B006
        "latency_mean_ns",
        "power_mw",
        "energy_pj",
    ],
    n_requests: Annotated[int, Field(ge=1, le=1_000_000)] | None = None,
    seed: int | None = None,
) -> Problem:
    """DRAM controller tuning with latency, power and energy as separate objectives.

    Args:
        workload: A preset name or the path of a DRAMSys ``.stl`` trace.
        device: The DRAM device preset.
        objectives: Metrics to minimise.
        n_requests: Cut or regenerate the workload to this many requests.
        seed: Regenerate a preset with another seed.
    """
    model, trace = _model_and_trace(device, workload, n_requests, seed, {})
    return Problem(
        name="dram-mo",
        cost_model=model,
        objectives=[Objective(o) for o in objectives],
        workload=trace,
        workload_name=f"{workload}@{device}",
        description="DRAM controller tuning: " + ", ".join(objectives),
    )


def workload_names() -> list[str]:
    """The shipped synthetic DRAM workload presets."""
    return preset_names()
