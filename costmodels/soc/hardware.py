"""An SoC design: processing elements, memories, buses, and the mapping of tasks onto them.

:class:`SocDesign` is the explicit form (any number of blocks, any topology of buses);
the design space of :mod:`dsegym.costmodels.soc.model` decodes into it. :func:`check`
lists every reason a design cannot work (a task on an IP that is not allocated, a block
on a bus that does not exist, a memory no path reaches), and :func:`costs` turns a valid
design into the per-block demands the simulator runs and the energy and area it costs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from dsegym.costmodels.soc.library import BlockLibrary
from dsegym.costmodels.soc.workload import TaskGraph

#: FARSI's default request burst (bytes); with the queue size it bounds bytes in flight.
BURST_BYTES = 256
#: FARSI's technology-node factors, as its exploration flow sets them
#: (``FARSI_what_ifs_with_params.py``, ``tech_node_SF``): energy of everything but the
#: cores x0.064; area of IPs and buses x0.0374, of memories x0.07; cores x1. Its
#: parser divides each block's work-over-energy and work-over-area by them
#: (``parse_library.py``, ``gen_correction_values``), so energy and area scale by them.
TECH_ENERGY = {"gpp": 1.0, "non_gpp": 0.064}
TECH_AREA = {"gpp": 1.0, "non_mem": 0.0374, "mem": 0.07}


@dataclass(frozen=True)
class PE:
    """A processing element: a general-purpose core, or the dedicated IP of one task.

    Attributes:
        name: Instance name.
        kind: ``gpp`` or ``ip``.
        bus: Name of the bus it is attached to.
        task: The task an IP implements (IPs only).
        unroll: Loop-unrolling factor of an IP (1 for cores).
        freq_scale: Clock multiplier over the library's frequency.
    """

    name: str
    kind: str
    bus: str
    task: str | None = None
    unroll: int = 1
    freq_scale: float = 1.0


@dataclass(frozen=True)
class Memory:
    """A memory: ``sram`` or ``dram`` of a library width, attached to a bus."""

    name: str
    kind: str
    width: int
    bus: str
    freq_scale: float = 1.0


@dataclass(frozen=True)
class Bus:
    """An interconnect of a library width; ``links`` names the buses it bridges to."""

    name: str
    width: int
    links: tuple[str, ...] = ()
    freq_scale: float = 1.0


@dataclass(frozen=True)
class SocDesign:
    """Hardware and mapping.

    Attributes:
        pes: Processing elements.
        memories: Memories.
        buses: Interconnects.
        task_pe: Task -> PE name, for every task that does work.
        task_memory: Task -> memory its outputs are written to; tasks not listed (FARSI's
            dummy source) write to the first memory.
        queue_size: Requests each PE keeps in flight (each of :data:`BURST_BYTES`).
    """

    pes: tuple[PE, ...]
    memories: tuple[Memory, ...]
    buses: tuple[Bus, ...]
    task_pe: Mapping[str, str] = field(default_factory=dict)
    task_memory: Mapping[str, str] = field(default_factory=dict)
    queue_size: int = 16

    @property
    def block_names(self) -> list[str]:
        """PEs, then memories, then buses: the column order of the simulator's demand."""
        return (
            [p.name for p in self.pes]
            + [m.name for m in self.memories]
            + [b.name for b in self.buses]
        )


def _bus_paths(design: SocDesign) -> dict[str, dict[str, tuple[str, ...]]]:
    """Shortest bus path between every pair of connected buses (breadth-first search)."""
    adjacency: dict[str, set[str]] = {b.name: set() for b in design.buses}
    for b in design.buses:
        for other in b.links:
            if other in adjacency:
                adjacency[b.name].add(other)
                adjacency[other].add(b.name)
    paths: dict[str, dict[str, tuple[str, ...]]] = {}
    for origin in adjacency:
        found: dict[str, tuple[str, ...]] = {origin: (origin,)}
        queue = deque([origin])
        while queue:
            here = queue.popleft()
            for nxt in sorted(adjacency[here]):
                if nxt not in found:
                    found[nxt] = found[here] + (nxt,)
                    queue.append(nxt)
        paths[origin] = found
    return paths


def check(design: SocDesign, graph: TaskGraph, library: BlockLibrary) -> list[str]:
    """Every reason ``design`` cannot run ``graph`` (empty when it can)."""
    reasons: list[str] = []
    names = design.block_names
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        reasons.append(f"block names used twice: {duplicates}")
    buses = {b.name for b in design.buses}
    memories = {m.name: m for m in design.memories}
    pes = {p.name: p for p in design.pes}
    if not design.memories:
        reasons.append("no memory allocated")
    for b in design.buses:
        if b.width not in library.buses:
            reasons.append(f"bus {b.name!r}: no library bus of width {b.width} bytes")
        for other in b.links:
            if other not in buses:
                reasons.append(f"bus {b.name!r} links to absent bus {other!r}")
    for m in design.memories:
        if (m.kind, m.width) not in library.memories:
            reasons.append(f"memory {m.name!r}: no library {m.kind} of width {m.width} bytes")
    attached: list[PE | Memory] = [*design.pes, *design.memories]
    for blk in attached:
        if blk.bus not in buses:
            reasons.append(f"block {blk.name!r} is disconnected: bus {blk.bus!r} is absent")
    if design.queue_size < 1:
        reasons.append(f"queue size must be at least 1, got {design.queue_size}")
    for p in design.pes:
        if p.kind == "ip":
            if p.task not in graph.tasks:
                reasons.append(f"IP {p.name!r} implements unknown task {p.task!r}")
            elif not graph.has_ip[graph.index(p.task)]:
                reasons.append(f"IP {p.name!r}: task {p.task!r} has no IP in the database")
            elif not 1 <= p.unroll <= graph.iterations[graph.index(p.task)]:
                reasons.append(
                    f"IP {p.name!r}: unrolling {p.unroll} outside 1.."
                    f"{graph.iterations[graph.index(p.task)]} (the task's iterations)"
                )
        elif p.kind != "gpp":
            reasons.append(f"PE {p.name!r}: kind must be 'gpp' or 'ip', got {p.kind!r}")
    paths = _bus_paths(design)
    dummy = graph.is_dummy
    for i, task in enumerate(graph.tasks):
        if dummy[i]:
            continue
        pe_name = design.task_pe.get(task)
        pe = pes.get(pe_name) if pe_name else None
        if pe is None:
            reasons.append(f"task {task!r} is mapped to absent PE {pe_name!r}")
            continue
        if pe.kind == "ip" and pe.task != task:
            reasons.append(f"task {task!r} is mapped to {pe.name!r}, the IP of task {pe.task!r}")
        if pe.kind == "gpp" and not np.isfinite(graph.gpp_cycles[i]):
            reasons.append(
                f"task {task!r} is mapped to core {pe.name!r} but the database gives no "
                "cycles for it on a general-purpose core; map it to its IP"
            )
        mem_name = design.task_memory.get(task)
        if mem_name is not None and mem_name not in memories:
            reasons.append(f"task {task!r} writes to absent memory {mem_name!r}")
    for task in design.task_pe:
        if task not in graph.tasks:
            reasons.append(f"mapping names unknown task {task!r}")
    if reasons:
        return reasons
    # Every memory a task touches must be reachable from its PE's bus.
    for i, task in enumerate(graph.tasks):
        if dummy[i]:
            continue
        pe = pes[design.task_pe[task]]
        for touched in _memories_touched(design, graph, i):
            if memories[touched].bus not in paths.get(pe.bus, {}):
                reasons.append(
                    f"task {task!r}: no bus path from PE {pe.name!r} (bus {pe.bus!r}) to "
                    f"memory {touched!r} (bus {memories[touched].bus!r})"
                )
    return reasons


def _write_memory(design: SocDesign, task: str) -> str:
    return design.task_memory.get(task, design.memories[0].name)


def _memories_touched(design: SocDesign, graph: TaskGraph, t: int) -> set[str]:
    touched = {_write_memory(design, graph.tasks[t])}
    for p in graph.producers[t]:
        touched.add(_write_memory(design, graph.tasks[p]))
    return touched


@dataclass(frozen=True)
class Costs:
    """What the simulator needs, and the design's energy and area.

    Attributes:
        demand: ``(tasks, columns)`` seconds of each column each task needs at full rate;
            the columns are the PEs, then the read channels of the memories and buses,
            then their write channels (in :attr:`SocDesign.block_names` order).
        private: Per-task seconds bounded by the request queue.
        task_pe: Column of each task's PE (-1 for tasks that need none).
        by_bytes: Columns shared in proportion to each task's bytes (the memories'
            channels); the others are shared equally.
        task_energy_j: Energy of each task (its PE's, plus its memory and bus
            traffic's when those are costed), spent as the task progresses.
        energy_j: Energy by block.
        area_mm2: Area by block.
        traffic_bytes: Bytes through each block (0 for PEs).
    """

    demand: np.ndarray
    private: np.ndarray
    task_pe: np.ndarray
    by_bytes: np.ndarray
    task_energy_j: np.ndarray
    energy_j: np.ndarray
    area_mm2: np.ndarray
    traffic_bytes: np.ndarray


def costs(
    design: SocDesign, graph: TaskGraph, library: BlockLibrary, memory_costs: str = "excluded"
) -> Costs:
    """Demands, energy and area of a design that :func:`check` accepted."""
    names = design.block_names
    col = {n: i for i, n in enumerate(names)}
    n_pe, n_mem, n_bus = len(design.pes), len(design.memories), len(design.buses)
    pes = {p.name: p for p in design.pes}
    mem_index = {m.name: j for j, m in enumerate(design.memories)}
    bus_index = {b.name: j for j, b in enumerate(design.buses)}
    mem_blocks = [library.memory(m.kind, m.width) for m in design.memories]
    mem_bw = np.array(
        [b.bandwidth * m.freq_scale for b, m in zip(mem_blocks, design.memories, strict=True)]
    )
    mem_rtt = np.array(
        [
            b.request_latency_s / m.freq_scale
            for b, m in zip(mem_blocks, design.memories, strict=True)
        ]
    )
    bus_blocks = [library.bus(b.width) for b in design.buses]
    bus_bw = np.array(
        [lb.bandwidth * b.freq_scale for lb, b in zip(bus_blocks, design.buses, strict=True)]
    )
    bus_rtt = np.array(
        [
            lb.request_latency_s / b.freq_scale
            for lb, b in zip(bus_blocks, design.buses, strict=True)
        ]
    )
    # on_route[a, m, k]: bus k lies on the path from bus a to memory m.
    paths = _bus_paths(design)
    on_route = np.zeros((n_bus, n_mem, n_bus), dtype=bool)
    for a, bus in enumerate(design.buses):
        for m, memory in enumerate(design.memories):
            for hop in paths[bus.name].get(memory.bus, ()):
                on_route[a, m, bus_index[hop]] = True
    n_tasks = graph.n_tasks
    # Memories and buses have separate read and write channels, each at the full rate
    # (FARSI's pipe clusters, with its read/write consolidation switched off): the
    # write channel of block column k is column k + `writes`.
    writes = n_mem + n_bus
    demand = np.zeros((n_tasks, len(names) + writes))
    private = np.zeros(n_tasks)
    task_energy = np.zeros(n_tasks)
    energy = np.zeros(len(names))
    area = np.zeros(len(names))
    traffic = np.zeros(len(names))
    in_flight = design.queue_size * BURST_BYTES
    gpp = library.gpp
    dummy = graph.is_dummy

    # Per task: its PE's bus and the memory it writes to (-1 for dummies' PEs).
    first = design.memories[0].name
    task_mem = np.array([mem_index[design.task_memory.get(t, first)] for t in graph.tasks])
    task_bus = np.array(
        [
            -1 if dummy[i] else bus_index[pes[design.task_pe[t]].bus]
            for i, t in enumerate(graph.tasks)
        ]
    )
    src, dst, nbytes = graph.edge_arrays
    # Each edge is a read by its consumer and a write by its producer, both of the
    # producer's memory; dummies move nothing.
    reads, writes_ = ~dummy[dst], ~dummy[src]
    xfer_task = np.concatenate([dst[reads], src[writes_]])
    xfer_mem = np.concatenate([task_mem[src[reads]], task_mem[src[writes_]]])
    channel = np.concatenate([np.zeros(reads.sum(), int), np.full(writes_.sum(), writes)])
    size = np.concatenate([nbytes[reads], nbytes[writes_]])
    route = on_route[task_bus[xfer_task], xfer_mem]  # (transfers, buses)
    np.add.at(demand, (xfer_task, n_pe + xfer_mem + channel), size / mem_bw[xfer_mem])
    traffic[n_pe : n_pe + n_mem] = np.bincount(xfer_mem, size, minlength=n_mem)
    bus_time = route * (size[:, None] / bus_bw[None, :])
    for k in range(n_bus):
        np.add.at(demand, (xfer_task, n_pe + n_mem + k + channel), bus_time[:, k])
    traffic[n_pe + n_mem :] = (route * size[:, None]).sum(axis=0)
    # Little's law: with `in_flight` bytes outstanding and a round trip of `rtt`, a
    # transfer cannot go faster than in_flight / rtt bytes per second.
    rtt = mem_rtt[xfer_mem] + route @ bus_rtt
    np.add.at(private, xfer_task, size * rtt / in_flight)
    for t, task in enumerate(graph.tasks):
        if dummy[t]:
            continue
        pe = pes[design.task_pe[task]]
        if pe.kind == "gpp":
            cycles = graph.gpp_cycles[t]
            demand[t, col[pe.name]] += cycles / (gpp.freq_hz * pe.freq_scale)
            joules = cycles * gpp.ipc / gpp.inst_per_joule * TECH_ENERGY["gpp"]
        else:
            demand[t, col[pe.name]] += graph.ip_cycles[t] / (
                library.ip.freq_hz * pe.freq_scale * pe.unroll
            )
            # FARSI scales an unrolled IP's energy and area with the unrolling factor.
            joules = graph.ip_energy_j[t] * pe.unroll * TECH_ENERGY["non_gpp"]
        energy[col[pe.name]] += joules
        task_energy[t] += joules
    for i, p in enumerate(design.pes):
        if p.kind == "gpp":
            area[i] = gpp.area_mm2 * TECH_AREA["gpp"]
        else:
            unrolled = graph.ip_area_mm2[graph.index(p.task or "")] * p.unroll
            area[i] = unrolled * TECH_AREA["non_mem"]
    if memory_costs == "library":
        stored = np.bincount(task_mem[src], nbytes, minlength=n_mem)
        scale = TECH_ENERGY["non_gpp"]
        for j, block in enumerate(mem_blocks):
            energy[n_pe + j] = traffic[n_pe + j] / block.bytes_per_joule * scale
            area[n_pe + j] = stored[j] / block.bytes_per_m2 * 1e6 * TECH_AREA["mem"]
        per_byte = scale / np.array([b.bytes_per_joule for b in mem_blocks])
        np.add.at(task_energy, xfer_task, size * per_byte[xfer_mem])
        for j, bus_block in enumerate(bus_blocks):
            k = n_pe + n_mem + j
            energy[k] = traffic[k] / bus_block.bytes_per_joule * scale
            np.add.at(
                task_energy, xfer_task, route[:, j] * size / bus_block.bytes_per_joule * scale
            )
    task_pe = np.array(
        [-1 if dummy[i] else col[design.task_pe[t]] for i, t in enumerate(graph.tasks)],
        dtype=np.int64,
    )
    # FARSI shares a channel equally per master's pipe, and a pipe among its tasks by
    # their bytes (`alotted_work_rate_equal_pipe`, `proportional_to_kernel`). Writes
    # reach a memory through one pipe, so its write channel is shared by bytes; its
    # read channel and the buses, one pipe per master, equally (a PE runs one task).
    # Checked against FARSI: the all-IP audio decoder is exact only with this split.
    by_bytes = np.zeros(demand.shape[1], dtype=bool)
    by_bytes[n_pe + writes : n_pe + writes + n_mem] = True
    return Costs(demand, private, task_pe, by_bytes, task_energy, energy, area, traffic)
