"""The ``collective`` and ``training-system`` problems (and ArchGym's target form)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dsegym.costmodels.archgym import TargetDistanceModel
from dsegym.costmodels.distributed.model import (
    MAX_SIZE_BYTES,
    CollectiveModel,
    TrainingSystemModel,
    check_collective_workload,
)
from dsegym.costmodels.distributed.workload import (
    PRESETS,
    Npu,
    Transformer,
    load_npu,
    load_workload,
)
from dsegym.costmodels.problem import Constraint, Objective, Problem
from dsegym.errors import ConfigError

Collective = Literal["all_reduce", "reduce_scatter", "all_gather", "all_to_all"]
Tier = Literal["tile", "package", "node", "pod"]
Dims = Annotated[int, Field(ge=1, le=4)]
CollectiveMetric = Literal["time_us", "network_cost"]
TrainingMetric = Literal["iteration_time_ms", "network_cost", "peak_memory_gb"]


def _check_npus(total_npus: int | None, field: str) -> None:
    if total_npus is not None and (total_npus < 1 or total_npus & (total_npus - 1)):
        raise ConfigError(
            f"{field}: {total_npus} does not factor into the per-dimension NPU counts "
            "(powers of two from 1 to 256); give a power of two"
        )


def collective(
    collective: Collective = "all_reduce",
    size_bytes: Annotated[int, Field(ge=1, le=MAX_SIZE_BYTES)] = 64 * 2**20,
    dims: Dims = 2,
    objectives: Annotated[list[CollectiveMetric], Field(min_length=1)] = [  # noqa: B006
        "time_us",
        "network_cost",
    ],
    total_npus: Annotated[int, Field(ge=2)] | None = None,
    tiers: list[Tier] | None = None,
) -> Problem:
    """One collective on a multi-dimensional network designed by the agent.

    The design is each dimension's topology, NPU count, link bandwidth and latency and
    collective algorithm, and the multi-dimensional schedule (baseline or Themis,
    chunks, active chunks per dimension).

    Args:
        collective: Which collective.
        size_bytes: Buffer bytes per NPU (1 .. 2^63-1).
        dims: Network dimensions (1..4).
        objectives: Metrics to minimise.
        total_npus: If given, the network must have exactly this many NPUs (a spec).
        tiers: Packaging tier per dimension for the cost table (default: node-level,
            the outermost of two or more pod-level).
    """
    _check_npus(total_npus, "total_npus")
    model = CollectiveModel(dims, tiers)
    workload = check_collective_workload((collective, size_bytes))
    constraints = []
    if total_npus is not None:
        constraints.append(Constraint("npus", upper=total_npus, lower=total_npus))
    return Problem(
        name="collective",
        cost_model=model,
        objectives=[Objective(o) for o in objectives],
        constraints=constraints,
        workload=workload,
        workload_name=f"{collective}-{size_bytes}B",
        description=f"{collective} of {size_bytes} bytes on a {dims}-D network (ASTRA-sim style)",
    )


def _workload(
    workload: str,
    layers: int | None,
    hidden: int | None,
    heads: int | None,
    seq_len: int | None,
    batch: int | None,
) -> Transformer:
    base = load_workload(workload)
    changes = {
        k: v
        for k, v in dict(
            layers=layers, hidden=hidden, heads=heads, seq_len=seq_len, batch=batch
        ).items()
        if v is not None
    }
    if not changes:
        return base
    if hidden is not None:
        changes["ffn_hidden"] = base.ffn_hidden * hidden // base.hidden
    fields = {**base.__dict__, **changes, "name": base.name + "-custom"}
    return Transformer(**fields)


def _npu(
    npu: str, peak_tflops: float | None, memory_bw_gbps: float | None, memory_gb: float | None
) -> Npu:
    base = load_npu(npu)
    return Npu(
        base.name,
        peak_tflops or base.peak_tflops,
        memory_bw_gbps or base.memory_bw_gbps,
        memory_gb or base.memory_gb,
    )


Workload = Literal["gpt3-175b", "gpt3-1.3b", "gpt2-small", "llama-7b", "vit-large"]
NpuName = Literal["a100-80gb", "h100-sxm", "tpu-v4"]
Positive = Annotated[float, Field(gt=0, le=1e9)]
Size = Annotated[int, Field(ge=1, le=2**20)]


def training_system(
    workload: Workload = "gpt3-1.3b",
    npu: NpuName = "a100-80gb",
    dims: Dims = 2,
    max_npus: Annotated[int, Field(ge=1, le=2**24)] = 64,
    objectives: Annotated[list[TrainingMetric], Field(min_length=1)] = [  # noqa: B006
        "iteration_time_ms",
        "network_cost",
        "peak_memory_gb",
    ],
    efficiency: Annotated[float, Field(gt=0, le=1)] = 1.0,
    peak_tflops: Positive | None = None,
    memory_bw_gbps: Positive | None = None,
    memory_gb: Positive | None = None,
    layers: Size | None = None,
    hidden: Size | None = None,
    heads: Size | None = None,
    seq_len: Size | None = None,
    batch: Size | None = None,
    tiers: list[Tier] | None = None,
) -> Problem:
    """Train a transformer on a system designed by the agent.

    The design is the network, the collective schedule and the parallel split
    (``dp``, ``tp``, ``pp``, ZeRO stage, microbatches, recomputation). Specs: at most
    ``max_npus`` NPUs and the NPU's memory capacity; a split with ``dp*tp*pp`` other
    than the network's NPU count is infeasible with its reason.

    Args:
        workload: A transformer preset.
        npu: An accelerator preset; ``peak_tflops``, ``memory_bw_gbps`` and
            ``memory_gb`` override its figures.
        dims: Network dimensions (1..4).
        max_npus: NPU budget (the knobs' ranges stop at the power of two below it).
        objectives: Metrics to minimise.
        efficiency: Fraction of peak FLOP/s the kernels reach.
        peak_tflops: Dense 16-bit peak, TFLOP/s.
        memory_bw_gbps: Memory bandwidth, GB/s.
        memory_gb: Memory capacity, GB.
        layers: Override the preset's layers.
        hidden: Override the hidden size (the MLP scales with it).
        heads: Override the attention heads.
        seq_len: Override the sequence length.
        batch: Override the global batch.
        tiers: Packaging tier per dimension for the cost table.
    """
    system = _npu(npu, peak_tflops, memory_bw_gbps, memory_gb)
    model = TrainingSystemModel(system, dims, efficiency, tiers, max_npus)
    transformer = _workload(workload, layers, hidden, heads, seq_len, batch)
    return Problem(
        name="training-system",
        cost_model=model,
        objectives=[Objective(o) for o in objectives],
        constraints=[
            Constraint("npus", upper=max_npus),
            Constraint("peak_memory_gb", upper=system.memory_gb),
        ],
        workload=transformer,
        workload_name=f"{transformer.name}@{system.name}",
        description=f"training {transformer.name} on up to {max_npus} {system.name} NPUs",
    )


def training_system_target(
    workload: Workload = "gpt3-1.3b",
    npu: NpuName = "a100-80gb",
    dims: Dims = 2,
    max_npus: Annotated[int, Field(ge=1, le=2**24)] = 64,
    target_iteration_time_ms: Positive = 1000.0,
    target_network_cost: Positive | None = None,
    target_peak_memory_gb: Positive | None = None,
) -> Problem:
    """ArchGym's form: one objective, the distance to the targets
    (``sum |metric - target| / target``, the inverse of ArchGym's reward).

    Args:
        workload: A transformer preset.
        npu: An accelerator preset.
        dims: Network dimensions.
        max_npus: NPU budget (a spec, as in ``training-system``).
        target_iteration_time_ms: Iteration-time target.
        target_network_cost: Network-cost target (none: not targeted).
        target_peak_memory_gb: Memory target (none: not targeted).
    """
    base = training_system(workload=workload, npu=npu, dims=dims, max_npus=max_npus)  # type: ignore[arg-type]
    targets = {"iteration_time_ms": target_iteration_time_ms}
    if target_network_cost is not None:
        targets["network_cost"] = target_network_cost
    if target_peak_memory_gb is not None:
        targets["peak_memory_gb"] = target_peak_memory_gb
    return Problem(
        name="training-system-target",
        cost_model=TargetDistanceModel(base.cost_model, targets),
        objectives=[Objective("target_distance")],
        constraints=base.constraints,
        workload=base.workload,
        workload_name=base.workload_name,
        description="training system tuned to targets "
        + ", ".join(f"{k} -> {v:g}" for k, v in targets.items()),
    )


def workload_names() -> list[str]:
    """The shipped transformer presets."""
    return sorted(PRESETS)
