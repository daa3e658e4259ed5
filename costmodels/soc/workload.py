"""FARSI workloads: task graphs with the bytes moved between tasks and per-task costs.

A workload is read from FARSI's database (data set ``farsi``, one folder per workload)
through :mod:`dsegym.costmodels.data`; nothing here opens a path itself. Every numeric
cell is checked, and a malformed one is reported with its file, row and column.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dsegym.costmodels.data import read_table
from dsegym.costmodels.data.store import DataCorruptError
from dsegym.errors import UnknownNameError

DATASET = "farsi"
#: Workloads with the full set of tables (graph, iterations, performance, energy, area).
WORKLOADS = (
    "audio_decoder",
    "edge_detection",
    "edge_detection_1",
    "edge_detection_2",
    "edge_detection_3",
    "edge_detection_4",
    "hpvm_cava",
)
#: FARSI spells its dummy tasks in several ways across the tables.
_ALIASES = {"source": "souurce", "sink": "siink"}
GPP_COLUMN = "A53"
IP_COLUMN = "IP0"
#: FARSI's unit conventions: IP energy in fJ, IP area in um^2.
IP_ENERGY_J = 1e-15
IP_AREA_MM2 = 1e-6


def _canonical(name: str) -> str:
    name = str(name).strip()
    return _ALIASES.get(name, name)


@dataclass(frozen=True)
class TaskGraph:
    """A workload's task graph and the cost of each task on each kind of processor.

    Attributes:
        name: Workload name.
        tasks: Task names in a topological order.
        edges: ``(producer, consumer, bytes)`` index triples.
        iterations: Loop iterations per task (bounds IP loop unrolling).
        gpp_cycles: Cycles on the reference general-purpose core (A53).
        ip_cycles: Cycles on the task's dedicated IP (NaN: no IP).
        ip_energy_j: Energy of one run on the IP (NaN: no IP).
        ip_area_mm2: Area of the IP (NaN: no IP).
    """

    name: str
    tasks: tuple[str, ...]
    edges: tuple[tuple[int, int, float], ...]
    iterations: np.ndarray
    gpp_cycles: np.ndarray
    ip_cycles: np.ndarray
    ip_energy_j: np.ndarray
    ip_area_mm2: np.ndarray

    @property
    def n_tasks(self) -> int:
        return len(self.tasks)

    def index(self, task: str) -> int:
        """Index of ``task``.

        Raises:
            UnknownNameError: if the graph has no such task.
        """
        try:
            return self.tasks.index(task)
        except ValueError:
            raise UnknownNameError(f"task of workload {self.name!r}", task, self.tasks) from None

    # Cached: the simulator's hot path asks for these on every evaluation.
    @functools.cached_property
    def has_ip(self) -> np.ndarray:
        return ~np.isnan(self.ip_cycles)

    @functools.cached_property
    def producers(self) -> tuple[tuple[int, ...], ...]:
        """For each task, the tasks whose outputs it reads."""
        found: list[list[int]] = [[] for _ in self.tasks]
        for p, c, _ in self.edges:
            found[c].append(p)
        return tuple(tuple(x) for x in found)

    @functools.cached_property
    def edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The edges as arrays: producers, consumers, bytes."""
        if not self.edges:
            return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
        p, c, b = zip(*self.edges, strict=True)
        return np.array(p, int), np.array(c, int), np.array(b, float)

    @functools.cached_property
    def is_dummy(self) -> np.ndarray:
        """Tasks that do no work (FARSI's source, sink and markers)."""
        return (self.gpp_cycles == 0) & ~self.has_ip

    @property
    def real_tasks(self) -> list[str]:
        """Tasks that do work, in topological order."""
        return [t for t, d in zip(self.tasks, self.is_dummy, strict=True) if not d]


def _numeric(
    frame: pd.DataFrame, column: str, source: str, allow_blank: bool, first_row: int = 0
) -> np.ndarray:
    """The column as floats; a cell that is not a non-negative number names file/row/column.

    ``first_row`` is the data-row index of the frame's first row (row numbers in messages
    count the header as row 1, as a spreadsheet does).
    """
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    for i, (cell, value) in enumerate(zip(raw, values, strict=True)):
        blank = cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell == ""
        if blank and allow_blank:
            continue
        if math.isnan(value) or value < 0 or math.isinf(value):
            raise DataCorruptError(
                f"{source}: row {first_row + i + 2}, column {column!r}: expected a "
                "non-negative number, "
                f"got {cell!r}"
            )
    return values


def _per_task(
    frame: pd.DataFrame, column: str, source: str, tasks: dict[str, int], allow_blank: bool
) -> np.ndarray:
    values = _numeric(frame, column, source, allow_blank)
    out = np.full(len(tasks), np.nan)
    for i, (name, value) in enumerate(zip(frame["Task Name"], values, strict=True)):
        task = _canonical(name)
        if task not in tasks:
            raise DataCorruptError(
                f"{source}: row {i + 2}, column 'Task Name': task {name!r} is not in the "
                "workload's task graph (task_data_movement.csv)"
            )
        out[tasks[task]] = value
    return out


def _topological(n: int, edges: list[tuple[int, int, float]], names: list[str], source: str):
    indegree = [0] * n
    children: list[list[int]] = [[] for _ in range(n)]
    for p, c, _ in edges:
        indegree[c] += 1
        children[p].append(c)
    ready = [i for i in range(n) if indegree[i] == 0]
    order = []
    while ready:
        i = ready.pop(0)
        order.append(i)
        for c in children[i]:
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    if len(order) != n:
        stuck = [names[i] for i in range(n) if indegree[i] > 0]
        raise DataCorruptError(f"{source}: the task graph has a cycle through {stuck}")
    return order


def parse_task_graph(
    name: str,
    movement: pd.DataFrame,
    iterations: pd.DataFrame,
    performance: pd.DataFrame,
    energy: pd.DataFrame,
    area: pd.DataFrame,
) -> TaskGraph:
    """Builds a :class:`TaskGraph` from FARSI's five tables (already read).

    Raises:
        DataCorruptError: naming the file, row and column of a malformed cell.
    """
    src = f"farsi/{name}/"
    mv = src + "task_data_movement.csv"
    rows = [_canonical(t) for t in movement["Task Name"]]
    index = {t: i for i, t in enumerate(rows)}
    raw_edges: list[tuple[int, int, float]] = []
    for column in movement.columns[1:]:
        child = _canonical(column)
        if child not in index:
            raise DataCorruptError(f"{mv}: column {column!r} names no task of the 'Task Name' rows")
        values = _numeric(movement, column, mv, allow_blank=True)
        for r, value in enumerate(values):
            if not math.isnan(value) and value > 0 and rows[r] != child:
                raw_edges.append((r, index[child], float(value)))
    order = _topological(len(rows), raw_edges, rows, mv)
    position = {old: new for new, old in enumerate(order)}
    tasks = [rows[i] for i in order]
    tindex = {t: i for i, t in enumerate(tasks)}
    edges = tuple((position[p], position[c], b) for p, c, b in raw_edges)

    itr = _per_task(iterations, "number of iterations", src + "task_itr_count.csv", tindex, True)
    perf_file = src + "task_pe_performance.csv"
    gpp = _per_task(performance, GPP_COLUMN, perf_file, tindex, True)
    ip = (
        _per_task(performance, IP_COLUMN, perf_file, tindex, True)
        if IP_COLUMN in performance.columns
        else np.full(len(tasks), np.nan)
    )
    energy_file, area_file = src + "task_pe_energy.csv", src + "task_pe_area.csv"
    ip_energy = (
        _per_task(energy, IP_COLUMN, energy_file, tindex, True)
        if IP_COLUMN in energy.columns
        else np.full(len(tasks), np.nan)
    )
    ip_area = (
        _per_task(area, IP_COLUMN, area_file, tindex, True)
        if IP_COLUMN in area.columns
        else np.full(len(tasks), np.nan)
    )
    # An IP exists when the database gives its cycles; its energy and area must then
    # be given too, otherwise the table is inconsistent.
    ip[ip == 0] = np.nan
    for i, t in enumerate(tasks):
        if not math.isnan(ip[i]) and (math.isnan(ip_energy[i]) or math.isnan(ip_area[i])):
            missing = energy_file if math.isnan(ip_energy[i]) else area_file
            raise DataCorruptError(
                f"{missing}: task {t!r} has IP cycles in {perf_file} but no {IP_COLUMN} value"
            )
        if math.isnan(gpp[i]) and math.isnan(ip[i]):
            gpp[i] = 0.0  # FARSI's dummy tasks: no work anywhere
    itr = np.where(np.isnan(itr), 1.0, itr)
    if (itr < 1).any():
        bad = tasks[int(np.argmax(itr < 1))]
        raise DataCorruptError(f"{src}task_itr_count.csv: task {bad!r} has fewer than 1 iteration")
    return TaskGraph(
        name=name,
        tasks=tuple(tasks),
        edges=edges,
        iterations=itr.astype(np.int64),
        gpp_cycles=np.where(np.isnan(gpp), np.inf, gpp),
        ip_cycles=ip,
        ip_energy_j=ip_energy * IP_ENERGY_J,
        ip_area_mm2=ip_area * IP_AREA_MM2,
    )


@functools.cache
def load_task_graph(name: str) -> TaskGraph:
    """Reads workload ``name`` from the FARSI data set (once per process).

    Raises:
        UnknownNameError: for a workload FARSI does not ship in full.
        DataMissingError: if the FARSI data set is not installed.
        DataCorruptError: on a wrong checksum or a malformed cell.
    """
    if name not in WORKLOADS:
        raise UnknownNameError("SoC workload", name, WORKLOADS)

    files = (
        "task_data_movement.csv",
        "task_itr_count.csv",
        "task_pe_performance.csv",
        "task_pe_energy.csv",
        "task_pe_area.csv",
    )
    try:
        tables = [_table(f"{name}/{file}") for file in files]
    except DataCorruptError as exc:
        # A file that fails its checksum may be malformed: parse it anyway to name the
        # cell, so the message says where to look, not only which file.
        raise DataCorruptError(str(exc) + _diagnose(name, files)) from None
    return parse_task_graph(name, *tables)


def _table(path: str, checked: bool = True) -> pd.DataFrame:
    return read_table(DATASET, path, checked=checked, dtype=str, keep_default_na=False)


def _diagnose(name: str, files: tuple[str, ...]) -> str:
    try:
        parse_task_graph(name, *(_table(f"{name}/{file}", checked=False) for file in files))
    except DataCorruptError as exc:
        return f"; first malformed cell: {exc}"
    return ""


def load_budget(name: str) -> dict[str, float]:
    """FARSI's published budgets for ``name``: ``latency_ms``, ``power_mw``, ``area_mm2``."""
    if name not in WORKLOADS:
        raise UnknownNameError("SoC workload", name, WORKLOADS)
    frame = _table("misc/budget.csv")
    source = "farsi/misc/budget.csv"
    rows = {str(w).strip(): i for i, w in enumerate(frame["Workload"])}
    if name not in rows:
        raise DataCorruptError(f"{source}: no row for workload {name!r}")
    values = {}
    for column, key, scale in (
        ("latency", "latency_ms", 1e3),
        ("power", "power_mw", 1e3),
        ("area", "area_mm2", 1e6),
    ):
        row = frame.iloc[[rows[name]]]
        cell = _numeric(row, column, source, allow_blank=False, first_row=rows[name])[0]
        values[key] = float(cell) * scale
    return values
