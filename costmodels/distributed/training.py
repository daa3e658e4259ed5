"""One training iteration of a transformer on a distributed system.

Rank layout (Megatron-LM's order): tensor-parallel ranks vary fastest, then data,
then pipeline, so each group spans the network's dimensions from the first (fastest)
outward. A group of ``g`` ranks takes, dimension by dimension, all the NPUs left there
(when they divide ``g``) or ``g`` of them (when ``g`` divides them); a group that takes
part of a ring sits on every ``q``-th NPU, ``q`` the ranks taken there before it.

Per microbatch on a pipeline stage of ``ceil(L/pp)`` layers (the last stage also runs
the output head):

- compute: a roofline per layer, ``max(FLOPs / (peak * efficiency), bytes / memory
  bandwidth)``, bytes = the layer's 16-bit weight shard + the activations it writes;
  backward twice the forward, full recomputation one more forward;
- tensor parallel: two all-reduces of ``2 b s h`` bytes per layer forward and two
  backward (Megatron-LM without sequence parallelism), on the critical path;
- pipeline: one activation message ``2 b s h`` forward and one gradient back between
  neighbouring stages, on the critical path.

The 1F1B pipeline takes ``(m + pp - 1)`` microbatch slots (bubble fraction
``(pp - 1) / (m + pp - 1)``). Data parallel: the gradient all-reduce (the
reduce-scatter with ZeRO) overlaps the last microbatch's backward and only its excess is
exposed; with ZeRO-1/2 each rank updates its shard and the all-gather of the updated
weights after the step is exposed (the same volume as plain data parallelism, as the
ZeRO paper counts it); ZeRO-3 all-gathers the weights before the forward and the
backward of every microbatch, each overlapped with that pass's compute. The optimizer
step's own time is not counted. Weights per NPU are the largest stage's (``ceil(L/pp)``
layers plus the embeddings, which the first and last stages hold) over ``tp``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from dsegym.costmodels.distributed.network import phase_coefficients, point_to_point_ns
from dsegym.costmodels.distributed.workload import Npu, Transformer, model_state_bytes

MAX_DIMS = 4
# Searches revisit the same few (algorithm, topology, size) per dimension.
cached_coefficients = functools.lru_cache(maxsize=65536)(phase_coefficients)


class Request(NamedTuple):
    """A collective to time: padded per-dimension coefficients and its schedule."""

    A: tuple[float, ...]
    K: tuple[float, ...]
    P: tuple[int, ...]
    size: float
    chunks: int
    active: int
    themis: bool
    shrinks: bool


def dims_of(design: Mapping[str, Any], dims: int) -> list[tuple[str, int, float, float, str]]:
    """``(topology, npus, bandwidth, latency, algorithm)`` of each dimension."""
    return [
        (
            design[f"topology_{d}"],
            int(design[f"npus_{d}"]),
            float(design[f"bandwidth_gbps_{d}"]),
            float(design[f"latency_ns_{d}"]),
            design[f"algorithm_{d}"],
        )
        for d in range(1, dims + 1)
    ]


def request(
    collective: str,
    network: Sequence[tuple[str, int, float, float, str]],
    parts: Sequence[tuple[int, int, int]],
    size: float,
    design: Mapping[str, Any],
) -> Request | str:
    """The request for ``collective`` of ``size`` bytes over ``parts`` =
    ``[(dimension index, NPUs taken, stride)]``, or why it cannot run.
    """
    A, K, P = [0.0] * MAX_DIMS, [0.0] * MAX_DIMS, [1] * MAX_DIMS
    for d, count, stride in parts:
        topo, _, bw, lat, alg = network[d]
        coef = cached_coefficients(collective, alg, topo, count, bw, lat, stride)
        if isinstance(coef, str):
            return f"dimension {d + 1}: {coef}"
        A[d], K[d], P[d] = coef[0], coef[1], count
    return Request(
        tuple(A),
        tuple(K),
        tuple(P),
        size,
        int(design["chunks"]),
        int(design["active_chunks"]),
        design["scheduling"] == "themis",
        collective != "all_to_all",
    )


def place_groups(npus: Sequence[int], sizes: Sequence[tuple[str, int]]) -> list[Any] | str:
    """Each group's ``[(dimension, NPUs taken, stride)]``, or why the split does not factor."""
    left, taken = list(npus), [1] * len(npus)
    placed = []
    for name, size in sizes:
        need, parts = size, []
        for d, free in enumerate(left):
            if need == 1:
                break
            if free == 1:
                continue
            if need % free == 0:
                take = free
            elif free % need == 0:
                take = need
            else:
                return (
                    f"{name}={size} does not factor over the network's NPUs per dimension "
                    f"{list(npus)} (tp, then dp, then pp take dimensions from the first)"
                )
            parts.append((d, take, taken[d]))
            taken[d] *= take
            left[d] //= take
            need //= take
        if need != 1:
            return f"{name}={size} does not fit the network's NPUs {list(npus)}"
        placed.append(parts)
    return placed


@dataclass(frozen=True)
class Plan:
    """What an iteration needs besides its collectives' times."""

    requests: dict[str, Request]
    metrics: dict[str, float]
    t_fwd: float
    t_bwd: float
    t_pp: float
    microbatches: int
    pp: int
    layers: int
    zero: int
    recompute: bool


def plan_iteration(
    design: Mapping[str, Any],
    dims: int,
    workload: Transformer,
    npu: Npu,
    efficiency: float,
) -> Plan | list[str]:
    """Everything of the iteration but its collective times, or the reasons it cannot run."""
    network = dims_of(design, dims)
    npus = [n for _, n, _, _, _ in network]
    total = math.prod(npus)
    dp, tp, pp = int(design["dp"]), int(design["tp"]), int(design["pp"])
    m, zero = int(design["microbatches"]), int(design["zero"])
    recompute = design["recompute"] == "full"
    w = workload
    reasons = []
    if dp * tp * pp != total:
        reasons.append(f"dp*tp*pp = {dp}*{tp}*{pp} = {dp * tp * pp} != {total} NPUs in the network")
    if pp > w.layers:
        reasons.append(f"pp={pp} exceeds the workload's {w.layers} layers")
    if tp > w.heads or w.heads % tp:
        reasons.append(f"tp={tp} does not divide the workload's {w.heads} attention heads")
    if w.batch % (dp * m):
        reasons.append(f"global batch {w.batch} is not divisible by dp*microbatches = {dp * m}")
    if reasons:
        return reasons
    placed = place_groups(npus, [("tp", tp), ("dp", dp), ("pp", pp)])
    if isinstance(placed, str):
        return [placed]
    tp_parts, dp_parts, pp_parts = placed
    b = w.batch // (dp * m)
    s, h = w.seq_len, w.hidden
    layers = math.ceil(w.layers / pp)
    peak = npu.peak_tflops * 1e3 * efficiency  # FLOP per ns
    # Roofline of one layer's forward on one tensor-parallel shard.
    flops = w.layer_forward_flops(b) / tp
    moved = 2.0 * w.layer_matmul_params / tp + w.layer_activation_bytes(b, tp, False)
    t_layer = max(flops / peak, moved / npu.memory_bw_gbps)
    head_flops = w.head_forward_flops(b) / tp
    t_head = max(head_flops / peak, 2.0 * w.vocab_out * h / tp / npu.memory_bw_gbps)
    t_fwd = layers * t_layer + t_head
    t_bwd = 2.0 * t_fwd + (t_fwd if recompute else 0.0)
    act = 2.0 * b * s * h
    requests: dict[str, Request] = {}
    if tp > 1:
        r = request("all_reduce", network, tp_parts, act, design)
        if isinstance(r, str):
            return [f"tensor-parallel all-reduce: {r}"]
        requests["tp"] = r
    psi = (layers * w.layer_params + w.embedding_params) / tp
    if dp > 1:
        grads = "all_reduce" if zero == 0 else "reduce_scatter"
        r = request(grads, network, dp_parts, 2.0 * psi, design)
        if isinstance(r, str):
            return [f"data-parallel {grads}: {r}"]
        requests["dp"] = r
        if zero >= 1:
            r = request("all_gather", network, dp_parts, 2.0 * psi, design)
            if isinstance(r, str):
                return [f"data-parallel all_gather: {r}"]
            requests["dp_gather"] = r
    t_pp = 0.0
    if pp > 1:
        topo, _, bw, lat, _ = network[pp_parts[0][0]]
        t_pp = 2.0 * point_to_point_ns(topo, bw, lat, act)
    in_flight = min(pp, m)
    activations = layers * in_flight * w.layer_activation_bytes(b, tp, recompute)
    if recompute:  # one layer's full activations while it is recomputed
        activations += w.layer_activation_bytes(b, tp, False)
    memory = model_state_bytes(psi, dp, zero) + activations
    model_flops = 3.0 * (w.layers * w.layer_forward_flops(w.batch) + w.head_forward_flops(w.batch))
    metrics = {
        "npus": float(total),
        "peak_memory_gb": memory / 1e9,
        "model_state_gb": model_state_bytes(psi, dp, zero) / 1e9,
        "activation_gb": activations / 1e9,
        "bubble_fraction": (pp - 1) / (m + pp - 1),
        "model_flops": model_flops,
    }
    return Plan(requests, metrics, t_fwd, t_bwd, t_pp, m, pp, layers, zero, recompute)


def finish_iteration(plan: Plan, times: Mapping[str, float]) -> dict[str, float]:
    """Iteration metrics from a plan and its collectives' times (ns)."""
    # Two all-reduces per layer forward, two backward (two more when recomputing).
    t_tp = times.get("tp", 0.0) * (6.0 if plan.recompute else 4.0) * plan.layers
    t_mb = plan.t_fwd + plan.t_bwd + t_tp + plan.t_pp
    gather = times.get("dp_gather", 0.0)
    if plan.zero == 3:
        t_mb += max(0.0, gather - plan.t_fwd) + max(0.0, gather - plan.t_bwd)
    pipeline = (plan.microbatches + plan.pp - 1) * t_mb
    exposed_dp = max(0.0, times.get("dp", 0.0) - plan.t_bwd)
    if plan.zero in (1, 2):
        exposed_dp += gather
    iteration = pipeline + exposed_dp
    m = dict(plan.metrics)
    compute = (plan.microbatches + plan.pp - 1) * (plan.t_fwd + plan.t_bwd)
    flops = m.pop("model_flops")
    m.update(
        {
            "iteration_time_ms": iteration / 1e6,
            "compute_time_ms": compute / 1e6,
            "exposed_comm_ms": (iteration - compute) / 1e6,
            "tp_comm_ms": times.get("tp", 0.0) / 1e6,
            "dp_comm_ms": times.get("dp", 0.0) / 1e6,
            "model_tflops_per_npu": flops / (m["npus"] * iteration) / 1e3,
        }
    )
    return m
