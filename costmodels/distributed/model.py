"""The ``collective`` and ``training-system`` cost models (ASTRA-sim-style, analytical)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.distributed.collectives import schedule_ns, schedule_one
from dsegym.costmodels.distributed.network import (
    ALGORITHMS,
    COLLECTIVES,
    TIERS,
    TOPOLOGIES,
    network_cost,
)
from dsegym.costmodels.distributed.training import (
    MAX_DIMS,
    Request,
    dims_of,
    finish_iteration,
    plan_iteration,
    request,
)
from dsegym.costmodels.distributed.workload import Npu, Transformer
from dsegym.costmodels.parameters import Categorical, Ordinal, Parameter
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError

BANDWIDTHS_GBPS = (25, 50, 100, 200, 400, 800)
LATENCIES_NS = (50, 100, 500, 1000, 5000)
MAX_SIZE_BYTES = 2**63 - 1


def default_tiers(dims: int) -> tuple[str, ...]:
    """Inner dimensions priced as node-level links, the outermost (of 2+) as pod-level."""
    return ("node",) * dims if dims == 1 else ("node",) * (dims - 1) + ("pod",)


def check_network_params(dims: int, tiers: Sequence[str] | None) -> tuple[str, ...]:
    if not 1 <= dims <= MAX_DIMS:
        raise ConfigError(f"dims: must be 1..{MAX_DIMS}, got {dims}")
    chosen = tuple(tiers) if tiers is not None else default_tiers(dims)
    if len(chosen) != dims:
        raise ConfigError(f"tiers: give one tier per dimension ({dims}), got {list(chosen)}")
    for t in chosen:
        if t not in TIERS:
            raise ConfigError(f"tiers: unknown tier {t!r}; allowed: {', '.join(TIERS)}")
    return chosen


def network_parameters(dims: int, min_npus: int, max_npus: int = 256) -> list[Parameter]:
    params: list[Parameter] = []
    for d in range(1, dims + 1):
        which = f"dimension {d} (1 = innermost)"
        params += [
            Categorical(
                f"topology_{d}",
                TOPOLOGIES,
                description=f"how the NPUs of {which} are wired: ring, fully connected or switch",
            ),
            Ordinal.powers_of_two(
                f"npus_{d}", min_npus, max_npus, description=f"NPUs along {which}"
            ),
            Ordinal(
                f"bandwidth_gbps_{d}",
                BANDWIDTHS_GBPS,
                description=f"bandwidth of each link of {which}, GB/s (10^9 bytes/s)",
            ),
            Ordinal(
                f"latency_ns_{d}",
                LATENCIES_NS,
                description=f"latency of each link (hop) of {which}, ns",
            ),
            Categorical(
                f"algorithm_{d}",
                ALGORITHMS,
                description=f"collective algorithm ASTRA-sim runs on {which}",
            ),
        ]
    return params + [
        Categorical(
            "scheduling",
            ("baseline", "themis"),
            description="order of dimensions per chunk: fixed hierarchical or Themis' "
            "bandwidth-aware",
        ),
        Ordinal.powers_of_two(
            "chunks", 1, 64, description="chunks a collective is split into (dataset splits)"
        ),
        Ordinal(
            "active_chunks",
            (1, 2, 4),
            description="chunks in flight at once in each dimension",
        ),
    ]


def network_design(
    network: Sequence[tuple[str, int, float, float, str]],
    scheduling: str = "baseline",
    chunks: int = 1,
    active_chunks: int = 1,
) -> dict[str, Any]:
    """A design from ``[(topology, npus, bandwidth GB/s, latency ns, algorithm)]`` per
    dimension, innermost first, and the schedule.
    """
    design: dict[str, Any] = {
        "scheduling": scheduling,
        "chunks": chunks,
        "active_chunks": active_chunks,
    }
    for d, (topology, npus, bandwidth, latency, algorithm) in enumerate(network, start=1):
        design |= {
            f"topology_{d}": topology,
            f"npus_{d}": npus,
            f"bandwidth_gbps_{d}": bandwidth,
            f"latency_ns_{d}": latency,
            f"algorithm_{d}": algorithm,
        }
    return design


def network_groups(dims: int) -> dict[str, list[str]]:
    """One agent per network dimension and one for the collective schedule."""
    groups = {
        f"network_{d}": [
            f"{k}_{d}" for k in ("topology", "npus", "bandwidth_gbps", "latency_ns", "algorithm")
        ]
        for d in range(1, dims + 1)
    }
    groups["schedule"] = ["scheduling", "chunks", "active_chunks"]
    return groups


VECTOR_FROM = 16  # below this many requests, numpy's call overhead costs more


def time_requests(requests: Sequence[Request]) -> list[float]:
    """Times (ns) of many collective requests, vectorised when there are many."""
    if len(requests) < VECTOR_FROM:
        return [schedule_one(*r) for r in requests]
    times: np.ndarray = schedule_ns(
        np.array([r.A for r in requests]),
        np.array([r.K for r in requests]),
        np.array([r.P for r in requests]),
        np.array([r.size for r in requests]),
        np.array([r.chunks for r in requests]),
        np.array([r.active for r in requests]),
        np.array([r.themis for r in requests]),
        np.array([r.shrinks for r in requests]),
    )
    return times.tolist()


def _cost(net: Sequence[tuple[str, int, float, float, str]], tiers: Sequence[str]) -> float | str:
    return network_cost([n[0] for n in net], [n[1] for n in net], [n[2] for n in net], tiers)


def _finite(metrics: dict[str, float]) -> Evaluation:
    bad = [k for k, v in metrics.items() if not math.isfinite(v)]
    if bad:
        return Evaluation.infeasible(f"arithmetic overflowed in {', '.join(bad)}")
    return Evaluation(metrics)


class CollectiveModel(CostModel):
    """One collective on a multi-dimensional network (the ``collective`` problem).

    Args:
        dims: Network dimensions (1..4); knobs ``topology_<d>``, ``npus_<d>``,
            ``bandwidth_gbps_<d>``, ``latency_ns_<d>``, ``algorithm_<d>``, then
            ``scheduling``, ``chunks``, ``active_chunks``.
        tiers: Packaging tier of each dimension, for the cost table.

    The workload is ``(collective, size_bytes)``.
    """

    name: ClassVar[str] = "collective"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("time_us", "us", "collective completion time"),
        Metric("network_cost", "$", "network cost, ASTRA-sim/LIBRA cost table"),
        Metric("algorithm_bandwidth_gbps", "GB/s", "buffer bytes per NPU / time"),
        Metric("npus", "NPUs", "NPUs in the network"),
    )

    def __init__(self, dims: int = 2, tiers: Sequence[str] | None = None):
        self.tiers = check_network_params(dims, tiers)
        self.dims = dims
        self._space = DesignSpace(network_parameters(dims, 2))

    @property
    def space(self) -> DesignSpace:
        return self._space

    @property
    def parameter_groups(self) -> dict[str, list[str]]:
        return network_groups(self.dims)

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        collective, size = check_collective_workload(workload)
        out: list[Evaluation | None] = [None] * len(designs)
        live: list[tuple[int, Request, float, int]] = []
        for i, design in enumerate(designs):
            net = dims_of(design, self.dims)
            cost = _cost(net, self.tiers)
            parts = [(d, n[1], 1) for d, n in enumerate(net)]
            r = request(collective, net, parts, float(size), design)
            reasons = [x for x in (cost, r) if isinstance(x, str)]
            if reasons:
                out[i] = Evaluation.infeasible(reasons)
            else:
                assert isinstance(r, Request) and isinstance(cost, float)
                live.append((i, r, cost, math.prod(n[1] for n in net)))
        times = time_requests([r for _, r, _, _ in live])
        for (i, _, cost, npus), t in zip(live, times, strict=True):
            out[i] = _finite(
                {
                    "time_us": float(t) / 1e3,
                    "network_cost": cost,
                    "algorithm_bandwidth_gbps": size / float(t) if t > 0 else math.inf,
                    "npus": float(npus),
                }
            )
        return [e for e in out if e is not None]


def check_collective_workload(workload: Any) -> tuple[str, int]:
    """``(collective, size_bytes)`` checked: a known collective, 1 <= size < 2^63."""
    if not (isinstance(workload, tuple) and len(workload) == 2):
        raise ConfigError("the collective model's workload is (collective, size_bytes)")
    collective, size = workload
    if collective not in COLLECTIVES:
        raise ConfigError(f"collective: unknown {collective!r}; allowed: {', '.join(COLLECTIVES)}")
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_SIZE_BYTES:
        raise ConfigError(f"size_bytes: must be an integer in 1..2^63-1, got {size!r}")
    return collective, size


class TrainingSystemModel(CostModel):
    """One training iteration of a transformer on a system (``training-system``).

    Args:
        dims: Network dimensions (1..4).
        npu: The accelerator (peak, memory bandwidth, capacity).
        efficiency: Fraction of peak FLOP/s the kernels reach (1.0: the roofline).
        tiers: Packaging tier of each dimension, for the cost table.
        max_npus: NPU budget; NPUs per dimension and the parallel degrees range over
            the powers of two up to it (at most 256 per dimension, 64 for ``tp`` and
            ``pp``), so that a search does not spend itself on systems it cannot build.

    The workload is a :class:`Transformer`. Knobs: the network's, the schedule's, then
    ``dp``, ``tp``, ``pp``, ``zero`` (0..3), ``microbatches`` and ``recompute``.
    """

    name: ClassVar[str] = "training-system"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("iteration_time_ms", "ms", "one training iteration"),
        Metric("network_cost", "$", "network cost, ASTRA-sim/LIBRA cost table"),
        Metric("peak_memory_gb", "GB", "weights, gradients, optimizer states, activations"),
        Metric("model_state_gb", "GB", "weights, gradients and optimizer states per NPU"),
        Metric("activation_gb", "GB", "activations held per NPU (first pipeline stage)"),
        Metric("compute_time_ms", "ms", "pipeline compute including the bubble"),
        Metric("exposed_comm_ms", "ms", "iteration time not spent computing"),
        Metric("tp_comm_ms", "ms", "one tensor-parallel all-reduce"),
        Metric("dp_comm_ms", "ms", "the data-parallel gradient collective"),
        Metric("bubble_fraction", "1", "(pp - 1) / (microbatches + pp - 1)"),
        Metric("model_tflops_per_npu", "TFLOP/s", "model FLOPs / NPUs / iteration time"),
        Metric("npus", "NPUs", "NPUs in the network"),
    )

    def __init__(
        self,
        npu: Npu,
        dims: int = 2,
        efficiency: float = 1.0,
        tiers: Sequence[str] | None = None,
        max_npus: int = 1024,
    ):
        self.tiers = check_network_params(dims, tiers)
        if not 0 < efficiency <= 1:
            raise ConfigError(f"efficiency: must be in (0, 1], got {efficiency}")
        if max_npus < 1:
            raise ConfigError(f"max_npus: must be at least 1, got {max_npus}")
        self.dims, self.npu, self.efficiency = dims, npu, efficiency
        top = 2 ** int(math.log2(max_npus))
        self._space = DesignSpace(
            network_parameters(dims, 1, min(256, top))
            + [
                Ordinal.powers_of_two("dp", 1, top, description="data-parallel degree"),
                Ordinal.powers_of_two(
                    "tp", 1, min(64, top), description="tensor-parallel degree (splits layers)"
                ),
                Ordinal.powers_of_two(
                    "pp", 1, min(64, top), description="pipeline-parallel degree (stages)"
                ),
                Ordinal(
                    "zero",
                    (0, 1, 2, 3),
                    description="ZeRO stage: 1 shards optimizer states, 2 also gradients, "
                    "3 also weights",
                ),
                Ordinal.powers_of_two(
                    "microbatches", 1, 512, description="micro-batches per pipeline iteration"
                ),
                Categorical(
                    "recompute",
                    ("none", "full"),
                    description="activation recomputation: keep activations or recompute them",
                ),
            ]
        )

    @property
    def space(self) -> DesignSpace:
        return self._space

    @property
    def parameter_groups(self) -> dict[str, list[str]]:
        groups = network_groups(self.dims)
        groups["parallelism"] = ["dp", "tp", "pp", "zero", "microbatches", "recompute"]
        return groups

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        if not isinstance(workload, Transformer):
            raise ConfigError("the training-system model's workload is a Transformer")
        out: list[Evaluation | None] = [None] * len(designs)
        plans, keys = [], []
        flat: list[Request] = []
        for i, design in enumerate(designs):
            cost = _cost(dims_of(design, self.dims), self.tiers)
            plan = plan_iteration(design, self.dims, workload, self.npu, self.efficiency)
            reasons = ([cost] if isinstance(cost, str) else []) + (
                plan if isinstance(plan, list) else []
            )
            if reasons:
                out[i] = Evaluation.infeasible(reasons)
                continue
            assert not isinstance(plan, list) and isinstance(cost, float)
            plans.append((i, plan, cost))
            keys.append(list(plan.requests))
            flat += plan.requests.values()
        times = iter(time_requests(flat))
        for (i, plan, cost), names in zip(plans, keys, strict=True):
            metrics = finish_iteration(plan, {name: next(times) for name in names})
            metrics["network_cost"] = cost
            out[i] = _finite(metrics)
        return [e for e in out if e is not None]
