"""Multi-dimensional networks: per-dimension collective algorithms and network cost.

A network has 1 to 4 dimensions. Dimension ``d`` joins ``p_d`` NPUs by a ``ring``
(bidirectional), ``fully_connected`` (a link per pair) or ``switch`` (one link per NPU
to a switch) topology, with a link bandwidth ``B`` (GB/s = bytes/ns, each direction)
and a link latency ``a`` (ns).

Message time is ASTRA-sim 2.0's congestion-unaware analytical backend
(``BasicTopology::compute_communication_delay``): ``hops * a + bytes / B``, with hops
1 between ring neighbours and on a fully connected dimension and 2 through a switch
(``Switch::compute_hops_count``). Each algorithm below is a closed form
``time = A + K * S`` for a buffer of ``S`` bytes per NPU (the reduce-scatter input, the
all-gather output, the all-reduce buffer, the all-to-all send buffer), built from the
steps ASTRA-sim's system layer issues (``astra-sim/system/collective/*.cc``).

One rule is ours and differs from the congestion-unaware backend: where several
messages of one step share a link (an NPU's single switch port, a ring link crossed by
multi-hop messages), their bytes are serialised on that link (the step's bandwidth
term is the most loaded link's bytes / B), whereas the congestion-unaware backend lets
them pass as if each had the link alone. On the ring algorithm over a ring (the case
ASTRA-sim's papers use) the two agree exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

TOPOLOGIES = ("ring", "fully_connected", "switch")
ALGORITHMS = ("ring", "direct", "halving_doubling", "double_binary_tree")
COLLECTIVES = ("all_reduce", "reduce_scatter", "all_gather", "all_to_all")
TIERS = ("tile", "package", "node", "pod")

# ASTRA-sim analytical backend's network cost table (analytical/topology/CostModel.cc,
# after LIBRA, Won et al. 2022): dollars per GB/s of bandwidth of a link, per switch
# port and per NIC, by the packaging tier the dimension lives in. None: not available.
COST_TABLE: dict[str, tuple[float, float | None, float | None]] = {
    "tile": (1.0, None, None),
    "package": (4.0, 13.0, 0.0),
    "node": (4.0, 13.0, 0.0),
    "pod": (7.4, 23.7, 47.8),
}


def _hops(topology: str, stride: int) -> int:
    """Hops between logical neighbours; a ring sub-group spaced ``stride`` apart."""
    return {"ring": stride, "fully_connected": 1, "switch": 2}[topology]


def is_power_of_two(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


def _ring_direct_link_load(p: int) -> float:
    """Messages per directed ring link when every NPU sends one to every other, by the
    shortest way (antipodal messages split over both directions).
    """
    load = sum(range(1, (p - 1) // 2 + 1))
    return load + (p / 4 if p % 2 == 0 else 0.0)


def phase_coefficients(
    collective: str,
    algorithm: str,
    topology: str,
    p: int,
    bandwidth_gbps: float,
    latency_ns: float,
    stride: int = 1,
) -> tuple[float, float] | str:
    """``(A ns, K ns/byte)`` of one collective on one dimension, or why it cannot run.

    ``stride`` > 1 is a sub-group of a ring whose members are ``stride`` hops apart;
    its ``stride`` interleaved sub-rings run at once, so they share every link.

    Equations (``B`` bandwidth, ``a`` latency, ``h`` hops between neighbours, ``c``
    link sharing, ``L = log2 p``):

    - ``ring`` (ASTRA-sim ``Ring``): reduce-scatter and all-gather take ``p-1`` steps of
      ``S/p``: ``(p-1)(h a + c S/(p B))``; all-reduce twice that, the issue's
      ``2(p-1)(a + S/(p B))`` on a ring; all-to-all ``p(p-1)/2`` steps of ``S/p``
      (``Ring``'s stream count for ``All_to_All``).
    - ``direct`` (ASTRA-sim ``AllToAll`` with direct sends): one step, ``S/p`` to every
      peer at once: ``a + S/(p B)`` on a fully connected dimension (a link per peer),
      ``2a + (p-1) S/(p B)`` through a switch (one port), ``floor(p/2) h a +
      load S/(p B)`` on a ring (``load``: messages on the busiest link); all-reduce is
      a reduce-scatter then an all-gather.
    - ``halving_doubling`` (``HalvingDoubling``, Rabenseifner; ``p`` a power of two):
      reduce-scatter in ``L`` steps, step ``j`` exchanging ``S/2^j`` with the NPU
      ``p/2^j`` ranks away: ``L a + (p-1) S/(p B)`` fully connected, twice the latency
      through a switch, ``(p-1) h a + sum_j (p/2^j)(S/2^j)/B`` on a ring;
      all-to-all as Bruck's ``L`` steps of ``S/2``.
    - ``double_binary_tree`` (``DoubleBinaryTreeAllReduce``; all-reduce only): reduce
      up and broadcast down two trees of depth ``D = floor(log2 p)``, each carrying
      ``S/2``: ``2 D a + D S/B`` fully connected; through a switch a parent's one port
      takes both children (``2 D 2a + 2 D S/B``). Tree edges are not ring neighbours,
      so a ring dimension cannot run it here.
    """
    if p <= 1:
        return 0.0, 0.0
    b, a = float(bandwidth_gbps), float(latency_ns)
    h = _hops(topology, stride)
    c = stride if topology == "ring" else 1
    pair = collective == "all_reduce"  # all-reduce = reduce-scatter + all-gather
    if algorithm == "ring":
        if collective == "all_to_all":
            steps = p * (p - 1) / 2
            return steps * h * a, c * steps / (p * b)
        A, K = (p - 1) * h * a, c * (p - 1) / (p * b)
    elif algorithm == "direct":
        if topology == "fully_connected":
            A, K = a, 1.0 / (p * b)
        elif topology == "switch":
            A, K = 2 * a, (p - 1) / (p * b)
        else:
            A, K = (p // 2) * h * a, c * _ring_direct_link_load(p) / (p * b)
    elif algorithm == "halving_doubling":
        if not is_power_of_two(p):
            return f"halving_doubling needs a power-of-two NPU count, got {p}"
        steps = int(math.log2(p))
        if collective == "all_to_all":
            if topology == "ring":
                return (p - 1) * h * a, c * (p - 1) / (2 * b)
            return steps * h * a, steps / (2 * b)
        if topology == "ring":
            A = (p - 1) * h * a
            K = c * sum((p / 2**j) / 2**j for j in range(1, steps + 1)) / b
        else:
            A, K = steps * h * a, (p - 1) / (p * b)
    elif algorithm == "double_binary_tree":
        if collective != "all_reduce":
            return f"double_binary_tree runs all_reduce only (as in ASTRA-sim), not {collective}"
        if topology == "ring":
            return "double_binary_tree needs a fully_connected or switch dimension, not ring"
        depth = int(math.log2(p))
        port = 2 if topology == "switch" else 1  # a switch port takes both children
        return 2 * depth * h * a, port * depth / b
    else:
        return f"unknown algorithm {algorithm!r}; allowed: {', '.join(ALGORITHMS)}"
    return (2 * A, 2 * K) if pair else (A, K)


def point_to_point_ns(
    topology: str, bandwidth_gbps: float, latency_ns: float, size: float
) -> float:
    """One message between neighbouring NPUs of a dimension: ``h a + S / B``."""
    return _hops(topology, 1) * latency_ns + size / bandwidth_gbps


def network_cost(
    topologies: Sequence[str],
    npus: Sequence[int],
    bandwidths_gbps: Sequence[float],
    tiers: Sequence[str],
) -> float | str:
    """Network cost in ASTRA-sim/LIBRA dollars, or why the network cannot be built.

    As ASTRA-sim's ``HierarchicalTopology`` counts resources, with ``N`` NPUs in all and
    one link of bandwidth ``B`` per neighbour: a ring dimension has ``N`` links, a fully
    connected one ``N (p-1) / 2``, a switch dimension ``N`` links, ``N`` switch ports
    and ``N`` NICs; each costs its tier's dollars per GB/s times ``B``.
    """
    total_npus = math.prod(npus)
    cost = 0.0
    for d, (topo, p, b, tier) in enumerate(
        zip(topologies, npus, bandwidths_gbps, tiers, strict=True), start=1
    ):
        if p <= 1:
            continue
        link, port, nic = COST_TABLE[tier]
        if topo == "ring":
            cost += total_npus * b * link
        elif topo == "fully_connected":
            cost += total_npus * (p - 1) / 2 * b * link
        else:
            if port is None or nic is None:
                return f"dimension {d}: a {tier}-tier dimension cannot have a switch"
            cost += total_npus * b * (link + port + nic)
    return cost
