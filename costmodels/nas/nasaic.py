"""NASAIC (Yang et al., DAC 2020): several networks, one per task, and the heterogeneous
accelerator that runs them, explored together.

Design:

* per task (``cifar10``, ``cifar100``, ``imagenet16``): the six edge ops of its cell
  (``<task>_edge_i_j``) and the sub-accelerator it runs on (``<task>_subacc``);
* per sub-accelerator ``j`` (up to ``max_subaccs``): its template dataflow
  (``sa<j>_dataflow``: ``ws`` as NVDLA, ``os`` as ShiDianNao, ``rs`` as Eyeriss), PE
  array (``sa<j>_pe_rows`` x ``sa<j>_pe_cols``), global buffer (``sa<j>_glb_kib``) and
  off-chip bandwidth (``sa<j>_dram_words_per_cycle``).

A sub-accelerator no task is mapped to is not built: it costs nothing and counts in no
budget, so the mapping decides how many (1 to ``max_subaccs``) the system has. The
built ones must fit the total PE and bandwidth budgets (else the design is infeasible
with the reason). Tasks on one sub-accelerator run one after another, sub-accelerators
run in parallel: the system latency is the makespan, energy and area are sums.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from dsegym.costmodels.accelerator.energy import load_table
from dsegym.costmodels.accelerator.hardware import Tile
from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.nas.cells import EDGE_KNOBS, Cell, as_cell, cell_of, edge_parameters
from dsegym.costmodels.nas.hwcost import NetworkCoster, TileCosts
from dsegym.costmodels.nas.model import CellFigures
from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Ordinal
from dsegym.errors import ConfigError, UnknownNameError

TASKS: dict[str, str] = {
    "cifar10": "cifar10",
    "cifar100": "cifar100",
    "imagenet16": "imagenet16-120",
}
"""Task name (knob and metric prefix) -> NAS-Bench-201 dataset."""

TEMPLATES: dict[str, dict[str, Any]] = {
    # NVDLA-like: weights held in the PEs.
    "ws": {"dataflow": "ws", "rf_bytes": 16},
    # ShiDianNao-like: each PE accumulates its own output pixel.
    "os": {"dataflow": "os", "rf_bytes": 16},
    # Eyeriss-like: filter rows and partial sums in per-PE scratchpads.
    "rs": {"dataflow": "rs", "rf_bytes": 64, "rf_weight_words": 24, "rf_psum_words": 16},
}
"""The sub-accelerator templates: the fixed tile fields of each dataflow."""

PE_SIDES = (4, 8, 16, 32, 64)
GLB_KIB = (16, 32, 64, 128, 256, 512, 1024)
BANDWIDTHS = (1, 2, 4, 8, 16, 32)
SUBACC_KNOBS = ("dataflow", "pe_rows", "pe_cols", "glb_kib", "dram_words_per_cycle")


def _task_metrics(task: str) -> tuple[Metric, ...]:
    return (
        Metric(f"{task}_error", "%", f"{task}: 100 - top-1 validation accuracy"),
        Metric(f"{task}_latency_cycles", "cycles", f"{task}: latency on its sub-accelerator"),
        Metric(f"{task}_energy_pj", "pJ", f"{task}: energy on its sub-accelerator"),
    )


SYSTEM_METRICS: tuple[Metric, ...] = (
    Metric("mean_error", "%", "mean error over the tasks"),
    Metric("latency_cycles", "cycles", "makespan: the busiest sub-accelerator's total latency"),
    Metric("energy_pj", "pJ", "energy of all tasks"),
    Metric("area_mm2", "mm^2", "area of the sub-accelerators built"),
    Metric("subaccs", "count", "sub-accelerators built (those with a task)"),
    Metric("total_pes", "PEs", "PEs of the sub-accelerators built"),
    Metric("total_dram_words_per_cycle", "words/cycle", "off-chip bandwidth of those built"),
)


class Nasaic(CostModel):
    """Multi-task network x heterogeneous-accelerator co-exploration.

    Args:
        tasks: Task names (keys of :data:`TASKS`), each with its own cell.
        max_subaccs: Sub-accelerator slots (1 to 3).
        pe_budget: Total PEs of the built sub-accelerators, at most.
        bandwidth_budget: Total off-chip words per cycle of the built ones, at most.
        fidelity: Accuracy fidelity (``12epoch`` or ``200epoch``).
        energy_table: Energy/area table of the tiles.
        cells: Fixed cells for some tasks (task -> index or cell string); their edge
            knobs leave the space (a hardware-only search for given networks).
    """

    name: ClassVar[str] = "nasaic"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = SYSTEM_METRICS + tuple(
        m for task in TASKS for m in _task_metrics(task)
    )

    def __init__(
        self,
        tasks: Sequence[str] = tuple(TASKS),
        max_subaccs: int = 3,
        pe_budget: int = 4096,
        bandwidth_budget: float = 64,
        fidelity: str = "12epoch",
        energy_table: str = "horowitz-45nm",
        cells: Mapping[str, int | str] | None = None,
    ):
        tasks = list(dict.fromkeys(tasks))
        if not tasks:
            raise ConfigError("nasaic: tasks must name at least one task")
        for task in tasks:
            if task not in TASKS:
                raise UnknownNameError("nasaic task", task, list(TASKS))
        if not 1 <= max_subaccs <= 3:
            raise ConfigError(f"nasaic: max_subaccs must be 1, 2 or 3, got {max_subaccs}")
        self.tasks = tuple(tasks)
        self.fixed: dict[str, Cell] = {}
        for task, given in (cells or {}).items():
            if task not in self.tasks:
                raise ConfigError(
                    f"nasaic: cells names task {task!r}, which is not among the tasks "
                    f"{list(self.tasks)}"
                )
            try:
                self.fixed[task] = as_cell(given)
            except ConfigError as exc:
                raise ConfigError(f"nasaic: cells.{task}: {exc}") from None
        self.max_subaccs = max_subaccs
        self.pe_budget, self.bandwidth_budget = pe_budget, bandwidth_budget
        self.figures = {t: CellFigures(TASKS[t], fidelity) for t in self.tasks}
        self.coster = NetworkCoster([TASKS[t] for t in self.tasks], load_table(energy_table))
        params: list[Any] = []
        for task in self.tasks:
            if task not in self.fixed:
                params += edge_parameters(f"{task}_")
            params.append(
                Integer(
                    f"{task}_subacc",
                    0,
                    max_subaccs - 1,
                    description=f"sub-accelerator that runs the {task} network",
                )
            )
        for j in range(max_subaccs):
            params += [
                Categorical(
                    f"sa{j}_dataflow",
                    tuple(TEMPLATES),
                    description=f"sub-accelerator {j}'s dataflow",
                ),
                Ordinal(f"sa{j}_pe_rows", PE_SIDES, description=f"sub-accelerator {j}'s PE rows"),
                Ordinal(
                    f"sa{j}_pe_cols", PE_SIDES, description=f"sub-accelerator {j}'s PE columns"
                ),
                Ordinal(
                    f"sa{j}_glb_kib",
                    GLB_KIB,
                    description=f"sub-accelerator {j}'s global buffer, KiB",
                ),
                Ordinal(
                    f"sa{j}_dram_words_per_cycle",
                    BANDWIDTHS,
                    description=f"sub-accelerator {j}'s share of DRAM bandwidth, words/cycle",
                ),
            ]
        self._space = DesignSpace(params)

    @property
    def space(self) -> DesignSpace:
        return self._space

    @property
    def parameter_groups(self) -> dict[str, list[str]]:
        """One network agent per task (its cell), one hardware agent per sub-accelerator
        (its knobs) and a mapping agent (the task-to-sub-accelerator assignment).
        """
        groups = {
            f"network_{t}": [f"{t}_{k}" for k in EDGE_KNOBS]
            for t in self.tasks
            if t not in self.fixed
        }
        for j in range(self.max_subaccs):
            groups[f"hardware_sa{j}"] = [f"sa{j}_{k}" for k in SUBACC_KNOBS]
        groups["mapping"] = [f"{t}_subacc" for t in self.tasks]
        return groups

    def tile(self, design: Mapping[str, Any], j: int) -> Tile:
        """Sub-accelerator ``j``'s tile."""
        return Tile(
            rows=int(design[f"sa{j}_pe_rows"]),
            cols=int(design[f"sa{j}_pe_cols"]),
            glb_kib=float(design[f"sa{j}_glb_kib"]),
            dram_words_per_cycle=float(design[f"sa{j}_dram_words_per_cycle"]),
            **TEMPLATES[str(design[f"sa{j}_dataflow"])],
        )

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        built = [sorted({int(d[f"{t}_subacc"]) for t in self.tasks}) for d in designs]
        tiles = [{j: self.tile(d, j) for j in used} for d, used in zip(designs, built, strict=True)]
        costs = dict(
            zip(
                (all_tiles := [t for per in tiles for t in per.values()]),
                self.coster.tile_costs(all_tiles),
                strict=True,
            )
        )
        return [self._evaluate(d, per, costs) for d, per in zip(designs, tiles, strict=True)]

    def _evaluate(
        self, design: Mapping[str, Any], tiles: dict[int, Tile], costs: dict[Tile, TileCosts]
    ) -> Evaluation:
        metrics: dict[str, float] = {}
        problems: list[str] = []
        busy = dict.fromkeys(tiles, 0.0)
        energy = 0.0
        for task in self.tasks:
            cell = self.fixed.get(task) or cell_of(design, f"{task}_")
            figures, reason = self.figures[task].metrics(cell)
            if reason:
                problems.append(f"{task}: {reason}")
            metrics[f"{task}_error"] = figures.get("error", math.nan)
            j = int(design[f"{task}_subacc"])
            tile_costs = costs[tiles[j]]
            dataset = TASKS[task]
            totals = self.coster.network_totals(tile_costs, dataset, cell)
            metrics[f"{task}_latency_cycles"] = totals["latency_cycles"]
            metrics[f"{task}_energy_pj"] = totals["energy_pj"]
            busy[j] += totals["latency_cycles"]
            energy += totals["energy_pj"]
            problems += [
                f"{task} on sub-accelerator {j}: {p}"
                for p in self.coster.problems(tiles[j], tile_costs, dataset, cell)
            ]
        pes = sum(t.rows * t.cols for t in tiles.values())
        bandwidth = sum(t.dram_words_per_cycle for t in tiles.values())
        if pes > self.pe_budget:
            problems.append(
                f"the built sub-accelerators have {pes} PEs, over the budget of {self.pe_budget}"
            )
        if bandwidth > self.bandwidth_budget:
            problems.append(
                f"the built sub-accelerators need {bandwidth:g} DRAM words/cycle, over the "
                f"budget of {self.bandwidth_budget:g}"
            )
        errors = [metrics[f"{t}_error"] for t in self.tasks]
        metrics.update(
            mean_error=sum(errors) / len(errors),
            latency_cycles=max(busy.values()),
            energy_pj=energy,
            area_mm2=sum(costs[t].area_mm2 for t in tiles.values()),
            subaccs=float(len(tiles)),
            total_pes=float(pes),
            total_dram_words_per_cycle=bandwidth,
        )
        return Evaluation.infeasible(problems, metrics) if problems else Evaluation(metrics)
