"""The FARSI-style SoC cost model: a design space after ArchGym's SoC env, costed by simulation.

The space is a fixed template, so agents see the same parameters on every design:
up to :data:`N_GPP` general-purpose cores, :data:`N_MEM` memory slots (kind, width,
bus), two buses (bus 1 bridges to bus 0), the task-to-memory mapping, clock multipliers
and the request-queue size; per task, where it runs (``pe_<t>``: a core or its own IP),
which core (``core_<t>``) and its IP's loop-unrolling factor (``ip_<t>``). A block
exists when something uses it: a task's IP exists when the task runs on it, as after
FARSI's clean-up of unused blocks. FARSI's dummy source data lives in memory slot 0,
which always exists.

Version 3 encodes the mapping as FARSI's explorer moves it (migrate a task between a
core and its IP; unroll by steps of two). Version 2 had one categorical per task over
``gpp0``..``gpp3`` and ``ip`` (four symbols for identical cores, so a sampler proposed
a core four times as often as the IP), an unrolling knob whose 0 meant "no IP" (an IP
task with unrolling 0 was a rejected design) and IPs that existed without a task.
Version 3 drops those idle IPs (dominated: area for nothing) and the rejected
combinations; every other version-2 design is still a point of the space.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import numpy as np

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.parameters import described
from dsegym.costmodels.soc.hardware import BURST_BYTES, PE, Bus, Memory, SocDesign, check, costs
from dsegym.costmodels.soc.library import MEMORY_COSTS, BlockLibrary, load_library
from dsegym.costmodels.soc.simulator import Precedence, peak_power, simulate
from dsegym.costmodels.soc.workload import TaskGraph, load_task_graph
from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Ordinal, Parameter
from dsegym.errors import UnknownNameError

N_GPP = 4
N_MEM = 3
N_BUS = 2
#: Clock multipliers of IPs, memories and buses: FARSI's exploration flow offers these
#: (``FARSI_what_ifs_with_params.py``: ``freq_range = [1, 4, 6, 8]`` for all three).
FREQ_SCALES = (1, 4, 6, 8)
#: Core clock multipliers (ArchGym's SoC space; FARSI keeps the A53 at 1 GHz).
GPP_FREQ_SCALES = (0.5, 1.0, 1.5, 2.0)
#: Request-queue sizes FARSI's exploration flow offers (``queue_available_size``).
QUEUE_SIZES = (1, 2, 4, 8, 16)
BUDGET_METRICS = ("latency_ms", "power_mw", "area_mm2")
#: FARSI's IP unrolling ladder (``FARSI_what_ifs_with_params.py``: ``ip_loop_unrolling =
#: {"incr": 2, "max_spawn_ip": 17, "spawn_mode": "geometric"}``, expanded by
#: ``gen_loop_itr_range`` in ``parse_library.py``).
UNROLL_RATIO = 2
MAX_SPAWN_IP = 17


def unroll_levels(iterations: int) -> tuple[int, ...]:
    """FARSI's unrolling factors for a loop of ``iterations``.

    FARSI offers the powers of two up to the iterations; when there are more than
    :data:`MAX_SPAWN_IP` of them it keeps the first ``MAX_SPAWN_IP - 1``; then it adds the
    full unrolling (the iterations) if it is not already there. A loop of 1,638,400
    iterations thus offers 1 to 32,768 and 1,638,400, as in FARSI.
    """
    iterations = int(iterations)
    if iterations <= 1:
        return (1,)
    top = iterations.bit_length() - 1  # floor(log2), exactly
    powers = [UNROLL_RATIO**k for k in range(top + 1)]
    if len(powers) > MAX_SPAWN_IP:
        powers = powers[: MAX_SPAWN_IP - 1]
    if iterations not in powers:
        powers.append(iterations)
    return tuple(powers)


@dataclass(frozen=True)
class SocReport:
    """A full simulation result, for inspection beyond the metrics.

    Attributes:
        design: The explicit design simulated.
        blocks: Block names (PEs, memories, buses).
        utilisation: Busy fraction of each block over the latency (for a memory or
            bus, of its busier channel, read or write).
        energy_j: Energy by block.
        area_mm2: Area by block.
        start_s: Start time per task (NaN for none).
        finish_s: Finish time per task.
        traffic_bytes: Bytes through each block (0 for PEs).
        latency_s: Time until the last task finished.
        power_w: FARSI's power: the peak over its 10 ms power windows
            (:func:`~dsegym.costmodels.soc.simulator.peak_power`).
    """

    design: SocDesign
    blocks: tuple[str, ...]
    utilisation: np.ndarray
    energy_j: np.ndarray
    area_mm2: np.ndarray
    start_s: np.ndarray
    finish_s: np.ndarray
    traffic_bytes: np.ndarray
    latency_s: float
    power_w: float

    @property
    def energy_total_j(self) -> float:
        return float(self.energy_j.sum())

    @property
    def power_avg_w(self) -> float:
        """Energy over latency."""
        return self.energy_total_j / self.latency_s if self.latency_s > 0 else 0.0


def block_utilisation(columns: np.ndarray, n_pe: int) -> np.ndarray:
    """Folds the simulator's columns (PEs, read channels, write channels) into blocks."""
    n_channels = (len(columns) - n_pe) // 2
    reads = columns[n_pe : n_pe + n_channels]
    writes = columns[n_pe + n_channels :]
    return np.concatenate([columns[:n_pe], np.maximum(reads, writes)])


# One line of meaning per knob family (``<t>`` a task, ``<k>`` a memory or bus, ``<j>`` a
# core), matched by the knob's name; kept apart from the ranges above.
_KNOB_MEANINGS: tuple[tuple[str, str], ...] = (
    ("ip_bus", "bus (index) the IPs are attached to"),
    ("gpp_freq", "clock multiplier of the general-purpose cores over the library's"),
    ("ip_freq", "clock multiplier of the IPs over the library's"),
    ("mem_freq", "clock multiplier of the memories over the library's"),
    ("bus_freq", "clock multiplier of the buses over the library's"),
    ("queue_size", f"requests each processing element keeps in flight ({BURST_BYTES} B each)"),
    (r"mem(\d+)_kind", "memory {0}'s technology: on-chip SRAM or DRAM"),
    (r"mem(\d+)_width", "memory {0}'s port width, bytes"),
    (r"mem(\d+)_bus", "bus (index) memory {0} is attached to"),
    (r"gpp(\d+)_bus", "bus (index) general-purpose core {0} is attached to"),
    (r"bus(\d+)_width", "bus {0}'s width, bytes"),
    (r"pe_(.+)", "where task {0} runs: a general-purpose core or its dedicated IP"),
    (r"core_(.+)", "general-purpose core (index) running task {0} when it runs on a core"),
    (r"ip_(.+)", "loop-unrolling factor of task {0}'s dedicated IP, when it runs on it"),
    (r"mem_(.+)", "memory (index) holding task {0}'s data"),
)


def knob_meaning(name: str) -> str:
    """The line of meaning of SoC knob ``name`` (exact families first, as listed)."""
    for pattern, text in _KNOB_MEANINGS:
        match = re.fullmatch(pattern, name)
        if match:
            return text.format(*match.groups())
    return ""


class SocFarsi(CostModel):
    """FARSI-style SoC for one AR/VR workload: latency, power and area by simulation.

    Args:
        workload: A FARSI workload (``audio_decoder``, ``edge_detection``, ``hpvm_cava``...).
        memory_costs: ``excluded`` (default) leaves memories and buses out of power and
            area, because FARSI's per-byte values for them are placeholders it replaces
            with CACTI results; ``library`` takes them literally, as FARSI without CACTI.
        budgets: ``{latency_ms, power_mw, area_mm2}`` for ``budget_distance``.
    """

    name: ClassVar[str] = "soc-farsi"
    version: ClassVar[str] = "3"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("latency_ms", "ms", "time to run the workload's task graph once"),
        Metric("power_mw", "mW", "FARSI's power: the peak over its 10 ms power windows"),
        Metric("power_avg_mw", "mW", "average power: energy / latency"),
        Metric("area_mm2", "mm^2", "area of the allocated blocks"),
        Metric("energy_mj", "mJ", "energy of one run"),
        Metric("budget_distance", "1", "sum of max(0, metric / budget - 1) over the budgets"),
        Metric("gpp_count", "1", "general-purpose cores allocated"),
        Metric("ip_count", "1", "IPs allocated"),
        Metric("utilisation_max", "1", "busiest block's busy fraction"),
        Metric("traffic_mb", "MB", "bytes moved through memories"),
    )

    def __init__(
        self,
        workload: str = "audio_decoder",
        memory_costs: str = "excluded",
        budgets: Mapping[str, float] | None = None,
    ):
        if memory_costs not in MEMORY_COSTS:
            raise UnknownNameError("memory_costs", memory_costs, MEMORY_COSTS)
        self.graph: TaskGraph = load_task_graph(workload)
        self.library: BlockLibrary = load_library()
        self.memory_costs = memory_costs
        self.budgets = dict(budgets or {})
        self.precedence = Precedence.from_edges(
            self.graph.n_tasks, [(p, c) for p, c, _ in self.graph.edges]
        )
        self._tasks = self.graph.real_tasks
        self._ip_tasks = [t for t in self._tasks if self.graph.has_ip[self.graph.index(t)]]
        self._core_tasks = [
            t for t in self._tasks if np.isfinite(self.graph.gpp_cycles[self.graph.index(t)])
        ]
        self._space = self._build_space()

    def _build_space(self) -> DesignSpace:
        widths = tuple(self.library.widths)
        params: list[Parameter] = []
        # Where a task runs is one decision (core or IP), which core another: one
        # categorical over gpp0..gpp3 and ip (version 2) gave a sampler four symbols for
        # identical cores and one for the IP, so it proposed the IP a fifth of the time.
        for t in self._tasks:
            if t in self._core_tasks and t in self._ip_tasks:
                params.append(Categorical(f"pe_{t}", ("core", "ip")))
        for t in self._core_tasks:
            params.append(Integer(f"core_{t}", 0, N_GPP - 1))
        for t in self._ip_tasks:
            levels = unroll_levels(int(self.graph.iterations[self.graph.index(t)]))
            params.append(Ordinal(f"ip_{t}", levels))
        for t in self._tasks:
            params.append(Integer(f"mem_{t}", 0, N_MEM - 1))
        for k in range(N_MEM):
            params.append(Categorical(f"mem{k}_kind", ("sram", "dram")))
            params.append(Ordinal(f"mem{k}_width", widths))
            params.append(Integer(f"mem{k}_bus", 0, N_BUS - 1))
        for j in range(N_GPP):
            params.append(Integer(f"gpp{j}_bus", 0, N_BUS - 1))
        params.append(Integer("ip_bus", 0, N_BUS - 1))
        for k in range(N_BUS):
            params.append(Ordinal(f"bus{k}_width", widths))
        params.append(Ordinal("gpp_freq", GPP_FREQ_SCALES))
        params.append(Ordinal("ip_freq", FREQ_SCALES))
        params.append(Ordinal("mem_freq", FREQ_SCALES))
        params.append(Ordinal("bus_freq", FREQ_SCALES))
        params.append(Ordinal("queue_size", QUEUE_SIZES))
        return DesignSpace([described(p, knob_meaning(p.name)) for p in params])

    @property
    def space(self) -> DesignSpace:
        return self._space

    @property
    def parameter_groups(self) -> dict[str, list[str]]:
        """Agents for the multi-agent env: mapping, IPs, memories, interconnect, clocks."""
        clocks = ["gpp_freq", "ip_freq", "mem_freq", "bus_freq"]
        memory = [f"mem_{t}" for t in self._tasks] + [
            f"mem{k}_{knob}" for k in range(N_MEM) for knob in ("kind", "width", "bus")
        ]
        interconnect = [f"gpp{j}_bus" for j in range(N_GPP)] + ["ip_bus"]
        interconnect += [f"bus{k}_width" for k in range(N_BUS)] + ["queue_size"]
        mapping = [f"pe_{t}" for t in self._tasks if f"pe_{t}" in self.space.names]
        mapping += [f"core_{t}" for t in self._core_tasks]
        return {
            "mapping": mapping,
            "ips": [f"ip_{t}" for t in self._ip_tasks],
            "memory": memory,
            "interconnect": interconnect,
            "clocks": clocks,
        }

    def runs_on_ip(self, design: Mapping[str, Any], task: str) -> bool:
        """Whether ``task`` runs on its own IP in ``design`` (else on a core)."""
        if task not in self._core_tasks:
            return True
        if task not in self._ip_tasks:
            return False
        return bool(design[f"pe_{task}"] == "ip")

    def reference_design(self) -> dict[str, Any]:
        """FARSI's reference hardware graph: one A53, one 4-byte SRAM and bus, no IP.

        Tasks the database gives no core cycles for (none in FARSI's workloads) run on
        their IPs instead, unrolled once.
        """
        design: dict[str, Any] = {}
        for p in self.space:
            design[p.name] = p.low if isinstance(p, Integer) else cast(Categorical, p).values[0]
        design.update(gpp_freq=1.0, ip_freq=1, mem_freq=1, bus_freq=1, queue_size=16)
        return self.space.clean(design)

    def decode(self, design: Mapping[str, Any]) -> SocDesign:
        """The explicit SoC a point of the space stands for.

        Knobs of a choice not taken (``core_<t>`` of a task on its IP, ``ip_<t>`` of a
        task on a core) are ignored: both points stand for the same SoC.
        """
        d = design
        used_buses = {0}
        pes: list[PE] = []
        task_pe: dict[str, str] = {}
        on_ip = {t: self.runs_on_ip(d, t) for t in self._tasks}
        gpps_used = sorted({int(d[f"core_{t}"]) for t in self._tasks if not on_ip[t]})
        for j in gpps_used:
            bus = int(d[f"gpp{j}_bus"])
            used_buses.add(bus)
            pes.append(PE(f"gpp{j}", "gpp", f"bus{bus}", freq_scale=float(d["gpp_freq"])))
        for t in self._tasks:
            if on_ip[t]:
                bus = int(d["ip_bus"])
                used_buses.add(bus)
                unroll = int(d[f"ip_{t}"])
                pes.append(
                    PE(f"ip_{t}", "ip", f"bus{bus}", t, unroll, freq_scale=float(d["ip_freq"]))
                )
                task_pe[t] = f"ip_{t}"
            else:
                task_pe[t] = f"gpp{int(d[f'core_{t}'])}"
        slots = sorted({0} | {int(d[f"mem_{t}"]) for t in self._tasks})
        memories = []
        for k in slots:
            bus = int(d[f"mem{k}_bus"])
            used_buses.add(bus)
            memories.append(
                Memory(
                    f"mem{k}",
                    str(d[f"mem{k}_kind"]),
                    int(d[f"mem{k}_width"]),
                    f"bus{bus}",
                    float(d["mem_freq"]),
                )
            )
        buses = [
            Bus(
                f"bus{k}",
                int(d[f"bus{k}_width"]),
                () if k == 0 else ("bus0",),
                float(d["bus_freq"]),
            )
            for k in sorted(used_buses)
        ]
        return SocDesign(
            tuple(pes),
            tuple(memories),
            tuple(buses),
            task_pe,
            {t: f"mem{int(d[f'mem_{t}'])}" for t in self._tasks},
            int(d["queue_size"]),
        )

    def simulate(self, soc: SocDesign) -> SocReport | list[str]:
        """Simulates an explicit design; returns the reasons it cannot run, if any."""
        reasons = check(soc, self.graph, self.library)
        if reasons:
            return reasons
        c = costs(soc, self.graph, self.library, self.memory_costs)
        schedule = simulate(
            c.demand, c.private, self.precedence, c.task_energy_j, c.task_pe, c.by_bytes
        )
        return SocReport(
            design=soc,
            blocks=tuple(soc.block_names),
            utilisation=block_utilisation(schedule.utilisation(), len(soc.pes)),
            energy_j=c.energy_j,
            area_mm2=c.area_mm2,
            start_s=schedule.start_s,
            finish_s=schedule.finish_s,
            traffic_bytes=c.traffic_bytes,
            latency_s=schedule.latency_s,
            power_w=peak_power(schedule.phase_s, schedule.phase_j),
        )

    def evaluate_soc(self, soc: SocDesign) -> Evaluation:
        """Costs an explicit design (any topology); impossible ones are infeasible."""
        report = self.simulate(soc)
        if isinstance(report, list):
            return Evaluation.infeasible(report)
        n_pe, n_mem = len(soc.pes), len(soc.memories)
        memory_traffic = float(report.traffic_bytes[n_pe : n_pe + n_mem].sum())
        metrics = {
            "latency_ms": report.latency_s * 1e3,
            "power_mw": report.power_w * 1e3,
            "power_avg_mw": report.power_avg_w * 1e3,
            "area_mm2": float(report.area_mm2.sum()),
            "energy_mj": report.energy_total_j * 1e3,
            "gpp_count": float(sum(p.kind == "gpp" for p in soc.pes)),
            "ip_count": float(sum(p.kind == "ip" for p in soc.pes)),
            "utilisation_max": float(report.utilisation.max()) if report.blocks else 0.0,
            "traffic_mb": memory_traffic / 1e6,
        }
        metrics["budget_distance"] = sum(
            max(0.0, metrics[m] / b - 1.0) for m, b in self.budgets.items()
        )
        return Evaluation(metrics)

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.evaluate_soc(self.decode(design))
