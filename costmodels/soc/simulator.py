"""Phase-driven simulation of a task graph on an SoC (FARSI's model, written for speed).

Written by hand because no library simulates this: FARSI's own simulator is a research
code base that is not packaged, and discrete-event libraries (SimPy) model processes,
not the fluid bandwidth sharing FARSI uses.

The model (after FARSI's ``gables_inspired`` software model): a task starts once all
its parents have finished. While it runs it needs ``demand[t, b]`` seconds of block
``b`` at that block's full rate (its processing element's compute time, and the time
its bytes take through each memory and bus it uses); reading, computing and writing
overlap, so the task progresses at the rate of its slowest block. A block shared by
``n`` running tasks gives each ``1/n`` of its rate (FARSI's equal split; bandwidth a task
cannot use is not redistributed), or, for the columns marked ``by_bytes``, a share in
proportion to its demand there (FARSI's split within one pipe). A processing element
runs one task at a time (FARSI's serialized DMA mode): a task keeps its PE until it
finishes, and a free PE takes the waiting task that became ready last, the first in
topological order on a tie (FARSI puts newly launched tasks ahead of those waiting).
``private[t]`` is a per-task bound that is not shared (the request queue, see
:mod:`dsegym.costmodels.soc.model`).
Between two events (a task finishing) every rate is constant: that interval is a
*phase*, and the simulation jumps from phase to phase, so its cost grows with the
number of tasks, not with time. Each task's energy is spent in proportion to its
progress, which gives the energy of every phase (FARSI's power windows need it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

#: A task whose remaining fraction of work is below this is done (absorbs rounding).
_DONE = 1e-12


@numba.njit(cache=True)
def _simulate(
    demand: np.ndarray,
    private: np.ndarray,
    energy: np.ndarray,
    task_pe: np.ndarray,
    by_bytes: np.ndarray,
    parent_ptr: np.ndarray,
    parents: np.ndarray,
    child_ptr: np.ndarray,
    children: np.ndarray,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, int, np.ndarray, np.ndarray
]:  # pragma: no cover - compiled
    n_tasks, n_blocks = demand.shape
    # Every phase ends with at least one task finishing: at most n_tasks phases.
    phase_s = np.zeros(n_tasks + 1)
    phase_j = np.zeros(n_tasks + 1)
    start = np.full(n_tasks, np.nan)
    finish = np.full(n_tasks, np.nan)
    busy = np.zeros(n_blocks)
    remaining = np.ones(n_tasks)
    waiting = np.empty(n_tasks, np.int64)
    state = np.zeros(n_tasks, np.int64)  # 0 blocked, 1 running, 2 done
    for t in range(n_tasks):
        waiting[t] = parent_ptr[t + 1] - parent_ptr[t]
    now = 0.0
    for t in range(n_tasks):
        if waiting[t] == 0:
            state[t] = 1
            start[t] = 0.0
    done_count = 0
    phases = 0
    users = np.zeros(n_blocks)
    load = np.zeros(n_blocks)
    rate = np.zeros(n_tasks)
    holder = np.full(n_blocks, -1, np.int64)  # the task each PE runs, -1: free
    fresh = np.zeros(n_blocks, np.bool_)  # PE given to a task in this pass
    while done_count < n_tasks:
        # Tasks that need nothing finish the moment they start (FARSI's dummies).
        progressed = True
        while progressed:
            progressed = False
            for t in range(n_tasks):
                if state[t] != 1:
                    continue
                empty = private[t] <= 0.0
                for b in range(n_blocks):
                    if demand[t, b] > 0.0:
                        empty = False
                        break
                if empty:
                    state[t] = 2
                    finish[t] = now
                    done_count += 1
                    progressed = True
                    for k in range(child_ptr[t], child_ptr[t + 1]):
                        c = children[k]
                        waiting[c] -= 1
                        if waiting[c] == 0:
                            state[c] = 1
                            start[c] = now
        if done_count == n_tasks:
            break
        # FARSI runs one task at a time on a PE (its serialized DMA mode): a task keeps
        # its PE until it finishes; a free PE takes the waiting task that became ready
        # last (ties: the first in order), the others wait (state 3).
        fresh[:] = False
        for t in range(n_tasks):
            pe = task_pe[t]
            if pe >= 0 and holder[pe] >= 0 and state[holder[pe]] == 2:
                holder[pe] = -1
        for t in range(n_tasks):
            pe = task_pe[t]
            if (state[t] == 1 or state[t] == 3) and pe >= 0:
                h = holder[pe]
                if h < 0 or (fresh[pe] and start[t] > start[h]):
                    holder[pe] = t
                    fresh[pe] = True
        for t in range(n_tasks):
            pe = task_pe[t]
            if (state[t] == 1 or state[t] == 3) and pe >= 0:
                state[t] = 1 if holder[pe] == t else 3
        users[:] = 0.0
        load[:] = 0.0
        for t in range(n_tasks):
            if state[t] == 1:
                for b in range(n_blocks):
                    if demand[t, b] > 0.0:
                        users[b] += 1.0
                        load[b] += demand[t, b]
        step = np.inf
        for t in range(n_tasks):
            rate[t] = 0.0
            if state[t] != 1:
                continue
            slowest = private[t]
            for b in range(n_blocks):
                # A by-bytes column gives each task its share of all the running
                # tasks' bytes on it, so each needs the time of all of them.
                need = load[b] if by_bytes[b] and demand[t, b] > 0.0 else demand[t, b] * users[b]
                if need > slowest:
                    slowest = need
            rate[t] = 1.0 / slowest
            left = remaining[t] * slowest
            if left < step:
                step = left
        phase_s[phases] = step
        now += step
        for t in range(n_tasks):
            if state[t] != 1:
                continue
            work = rate[t] * step
            for b in range(n_blocks):
                busy[b] += work * demand[t, b]
            phase_j[phases] += work * energy[t]
            remaining[t] -= work
        phases += 1
        for t in range(n_tasks):
            if state[t] == 1 and remaining[t] <= _DONE:
                state[t] = 2
                finish[t] = now
                done_count += 1
                for k in range(child_ptr[t], child_ptr[t + 1]):
                    c = children[k]
                    waiting[c] -= 1
                    if waiting[c] == 0:
                        state[c] = 1
                        start[c] = now
    return start, finish, busy, phases, phase_s[:phases], phase_j[:phases]


@dataclass(frozen=True)
class Schedule:
    """When each task ran and how busy each block was.

    Attributes:
        start_s: Start time of each task.
        finish_s: Finish time of each task.
        busy_s: Seconds of full-rate work each block did.
        phases: Number of phases simulated.
        phase_s: Duration of each phase.
        phase_j: Energy spent in each phase (each task's energy spread over its
            progress).
    """

    start_s: np.ndarray
    finish_s: np.ndarray
    busy_s: np.ndarray
    phases: int
    phase_s: np.ndarray
    phase_j: np.ndarray

    @property
    def latency_s(self) -> float:
        return float(self.finish_s.max()) if self.finish_s.size else 0.0

    def utilisation(self) -> np.ndarray:
        """Busy fraction of each block over the workload's latency."""
        latency = self.latency_s
        return self.busy_s / latency if latency > 0 else np.zeros_like(self.busy_s)


@dataclass(frozen=True)
class Precedence:
    """A task graph's parent and child lists in compressed form (built once per workload)."""

    parent_ptr: np.ndarray
    parents: np.ndarray
    child_ptr: np.ndarray
    children: np.ndarray

    @classmethod
    def from_edges(cls, n_tasks: int, edges: list[tuple[int, int]]) -> Precedence:
        def compress(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
            pairs = sorted(set(pairs))
            ptr = np.zeros(n_tasks + 1, np.int64)
            for a, _ in pairs:
                ptr[a + 1] += 1
            return np.cumsum(ptr), np.array([b for _, b in pairs], np.int64)

        parent_ptr, parents = compress([(c, p) for p, c in edges])
        child_ptr, children = compress(list(edges))
        return cls(parent_ptr, parents, child_ptr, children)


def simulate(
    demand: np.ndarray,
    private: np.ndarray,
    precedence: Precedence,
    energy: np.ndarray | None = None,
    task_pe: np.ndarray | None = None,
    by_bytes: np.ndarray | None = None,
) -> Schedule:
    """Runs the phase-driven simulation.

    Args:
        demand: ``(tasks, blocks)`` seconds each task needs of each block at full rate.
        private: Per-task seconds of a bound that is not shared (0: none).
        precedence: The task graph's parents and children.
        energy: Per-task joules, spent in proportion to the task's progress (FARSI's
            per-phase energy); zeros when not given.
        task_pe: Per-task column of its processing element, which runs one task at a
            time (-1: a task that needs none); when not given, no PE is exclusive.
        by_bytes: Columns shared among the running tasks in proportion to their demand
            (each then needs the time of all of them), not equally; none when not given.
    """
    if energy is None:
        energy = np.zeros(demand.shape[0])
    if task_pe is None:
        task_pe = np.full(demand.shape[0], -1, np.int64)
    if by_bytes is None:
        by_bytes = np.zeros(demand.shape[1], np.bool_)
    start, finish, busy, phases, phase_s, phase_j = _simulate(
        np.ascontiguousarray(demand, dtype=np.float64),
        np.ascontiguousarray(private, dtype=np.float64),
        np.ascontiguousarray(energy, dtype=np.float64),
        np.ascontiguousarray(task_pe, dtype=np.int64),
        np.ascontiguousarray(by_bytes, dtype=np.bool_),
        precedence.parent_ptr,
        precedence.parents,
        precedence.child_ptr,
        precedence.children,
    )
    return Schedule(start, finish, busy, int(phases), phase_s, phase_j)


#: FARSI's power-collection period (``settings/config.py``: ``PCP = .01``), seconds.
POWER_WINDOW_S = 0.01
#: Empty phases FARSI's simulator records before the first task runs (its dummy
#: source); they shift its windows (see :func:`peak_power`).
FARSI_LEADING_EMPTY_PHASES = 2


def peak_power(phase_s: np.ndarray, phase_j: np.ndarray) -> float:
    """FARSI's power: the highest average power over its power-collection windows.

    Written by hand after FARSI's ``slice_phases_with_PWP`` (``design_utils/
    common_design_utils.py``), which no library provides. Walking the phases in order, a
    window closes on the first phase longer than what is left of
    :data:`POWER_WINDOW_S` (that phase included); the last window takes the rest.
    FARSI counts only non-empty phases when it places the window bounds but slices its
    full phase list with them, whose first :data:`FARSI_LEADING_EMPTY_PHASES` entries
    are empty: every window after the first therefore starts that many phases early.
    That is reproduced here, so that the figure is FARSI's.
    """
    durations = np.concatenate([np.zeros(FARSI_LEADING_EMPTY_PHASES), phase_s])
    energies = np.concatenate([np.zeros(FARSI_LEADING_EMPTY_PHASES), phase_j])
    bounds: list[tuple[int, int]] = []
    low = high = 0
    left = POWER_WINDOW_S
    for duration in durations:
        if duration == 0:
            continue
        if duration > left:
            left = POWER_WINDOW_S
            bounds.append((low, high + 1))
            low = high + 1
        else:
            left -= duration
        high += 1
    if not bounds:
        bounds.append((0, len(durations)))
    elif bounds[-1][1] != len(durations):
        bounds.append((bounds[-1][1], len(durations)))
    powers = [
        float(energies[a:b].sum() / durations[a:b].sum()) if durations[a:b].sum() > 0 else 0.0
        for a, b in bounds
    ]
    return max(powers)
