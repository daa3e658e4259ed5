"""Exact Pareto fronts of finite design spaces by enumeration (``dsegym front compute``).

Every design is costed, in chunks: a cost model with a vectorised ``metric_arrays``
(the accelerator tiles) is asked for arrays of metrics, any other through the problem's
``evaluate_batch``. Each chunk's non-dominated feasible points are merged into a
running front (moocore), so memory stays bounded by the chunk and the front. Finally
the front's designs are costed again through the ordinary ``Problem.evaluate`` path,
so the stored numbers are bit-identical to what a run records (the array path may sum
in another order and differ in the last bit), and exact front recall compares like with
like.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from dsegym import __version__
from dsegym.costmodels.problem import Problem
from dsegym.costmodels.registry import make_problem
from dsegym.errors import ConfigError
from dsegym.experiments.reference_fronts import ReferenceFront, canonical_params
from dsegym.pareto import nondominated_mask

#: Spaces larger than this are not enumerated (a best-known front is built instead).
MAX_ENUMERATION = 20_000_000
CHUNK = 500  # measured on accelerator-systolic: 500 designs beat 1,000 by ~30%, 2,000 by ~40%

Progress = Callable[[int], None]


def objective_arrays(
    problem: Problem, designs: Sequence[Mapping[str, Any]]
) -> tuple[np.ndarray, np.ndarray]:
    """``F`` of every design and which are feasible (model accepts, every spec holds)."""
    fast = getattr(problem.cost_model, "metric_arrays", None)
    if fast is None:
        outcomes = problem.evaluate_batch(designs)
        F = np.array([o.F for o in outcomes], dtype=float).reshape(len(designs), -1)
        return F, np.array([o.feasible for o in outcomes], dtype=bool)
    metrics, ok = fast(designs, problem.workload)
    columns = []
    for objective in problem.objectives:
        values = np.asarray(metrics[objective.metric], dtype=float)
        columns.append(-values if objective.sense == "max" else values)
    F = np.stack(columns, axis=1)
    feasible = ok & np.isfinite(F).all(axis=1)
    for c in problem.constraints:
        v = np.asarray(metrics[c.metric], dtype=float)
        if c.upper is not None:
            feasible &= v <= c.upper
        if c.lower is not None:
            feasible &= v >= c.lower
    return F, feasible


def _chunks(problem: Problem, size: int, first: int, stop: int) -> Iterator[list[dict[str, Any]]]:
    designs = itertools.islice(problem.space.grid(real_levels=1), first, stop)
    while batch := list(itertools.islice(designs, size)):
        yield batch


Scan = tuple[np.ndarray, list[dict[str, Any]], int, int]


def _scan(
    problem: Problem, first: int, stop: int, chunk: int, progress: Progress | None = None
) -> Scan:
    """Designs ``first`` to ``stop`` (enumeration order): (front F, its designs, designs
    costed, feasible designs).
    """
    front_F = np.empty((0, problem.n_objectives))
    front_designs: list[dict[str, Any]] = []
    done = feasible_count = 0
    for designs in _chunks(problem, chunk, first, stop):
        F, feasible = objective_arrays(problem, designs)
        feasible_count += int(feasible.sum())
        done += len(designs)
        if feasible.any():
            idx = np.flatnonzero(feasible)
            front_F, front_designs = _merge(
                front_F, front_designs, F[idx], [designs[i] for i in idx]
            )
        if progress is not None:
            progress(done)
    return front_F, front_designs, done, feasible_count


def _merge(
    F1: np.ndarray, d1: list[dict[str, Any]], F2: np.ndarray, d2: list[dict[str, Any]]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """The non-dominated points of two fronts (ties kept) with their designs."""
    pooled = np.vstack([F1, F2])
    keep = nondominated_mask(pooled)
    return pooled[keep], [d for d, k in zip(d1 + d2, keep, strict=True) if k]


def _scan_slice(name: str, params: dict[str, Any], first: int, stop: int, chunk: int) -> Scan:
    """A worker process's share: it rebuilds the problem from its name."""
    return _scan(make_problem(name, params), first, stop, chunk)


def _scan_parallel(
    problem: Problem,
    params: dict[str, Any],
    chunk: int,
    workers: int,
    progress: Progress | None,
) -> Scan:
    """The space cut into ``workers`` contiguous slices, each scanned by a process."""
    size = int(problem.space.size)
    bounds = np.linspace(0, size, workers + 1).round().astype(int)
    context = multiprocessing.get_context("spawn")  # no forked locks or Ray state
    front_F = np.empty((0, problem.n_objectives))
    front_designs: list[dict[str, Any]] = []
    done = feasible_count = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs = [
            pool.submit(_scan_slice, problem.name, params, int(a), int(b), chunk)
            for a, b in itertools.pairwise(bounds)
        ]
        for job in jobs:  # in slice order, so ties keep the first design enumerated
            F, designs, n, feasible = job.result()
            front_F, front_designs = _merge(front_F, front_designs, F, designs)
            done, feasible_count = done + n, feasible_count + feasible
            if progress is not None:
                progress(done)
    return front_F, front_designs, done, feasible_count


def compute_exact(
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    chunk: int = CHUNK,
    progress: Progress | None = None,
    workers: int = 1,
) -> ReferenceFront:
    """Enumerates the finite space of problem ``name`` and returns its exact front.

    Args:
        name: A registered problem.
        params: Its parameters (defaults filled in for the record).
        chunk: Designs costed per vectorised call.
        progress: Called with the number of designs costed so far.
        workers: Processes sharing the enumeration (1: this process alone).

    Raises:
        ConfigError: if the space is not finite or larger than ``MAX_ENUMERATION``,
            or no design is feasible.
    """
    full = canonical_params(name, params)
    problem = make_problem(name, full)
    return enumerate_front(problem, full, chunk=chunk, progress=progress, workers=workers)


def enumerate_front(
    problem: Problem,
    params: dict[str, Any],
    *,
    chunk: int = CHUNK,
    progress: Progress | None = None,
    workers: int = 1,
) -> ReferenceFront:
    """Costs every design of ``problem`` and returns its exact front (see
    :func:`compute_exact`; ``params`` are recorded as the instance's parameters; with
    ``workers > 1`` the problem must be the registered one, which workers rebuild).

    Raises:
        ConfigError: if the space is not finite, too large, or has no feasible design.
    """
    name, space = problem.name, problem.space
    if not space.is_finite:
        raise ConfigError(
            f"problem {name!r} has real-valued parameters and cannot be enumerated; "
            "build a best-known front from recorded runs with `dsegym front compute "
            f"{name} --from RESULTS_DIR`"
        )
    if space.size > MAX_ENUMERATION:
        raise ConfigError(
            f"problem {name!r} has {space.size:.3g} designs, more than the "
            f"{MAX_ENUMERATION:,} dsegym enumerates; build a best-known front from "
            f"recorded runs with `dsegym front compute {name} --from RESULTS_DIR`"
        )
    start = time.perf_counter()
    if workers > 1:
        front_F, front_designs, done, feasible_count = _scan_parallel(
            problem, params, chunk, workers, progress
        )
    else:
        front_F, front_designs, done, feasible_count = _scan(
            problem, 0, int(space.size), chunk, progress
        )
    if not front_designs:
        raise ConfigError(f"no design of problem {name!r} is feasible: it has no front")
    points, designs = _exact_values(problem, front_designs)
    return ReferenceFront(
        problem=name,
        params=params,
        cost_model=problem.cost_model.name,
        cost_model_version=str(problem.cost_model.version),
        objectives=problem.objective_labels,
        kind="exact",
        points=points,
        designs=designs,
        provenance={
            "source": "enumeration",
            "designs_enumerated": done,
            "feasible_designs": feasible_count,
            "seconds": round(time.perf_counter() - start, 1),
            "workers": workers,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "dsegym_version": __version__,
            "workload": problem.workload_name,
        },
    )


def _exact_values(
    problem: Problem, designs: list[dict[str, Any]]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """The front's designs costed the way runs cost them, non-dominated, sorted.

    Weakly dominated ties (equal objective vectors from different designs) keep one
    design each: the first in enumeration order.
    """
    outcomes = problem.evaluate_batch(designs)
    F = np.array([o.F for o in outcomes], dtype=float)
    ok = np.array([o.feasible for o in outcomes], dtype=bool) & np.isfinite(F).all(axis=1)
    F, kept = F[ok], [o.design for o, k in zip(outcomes, ok, strict=True) if k]
    mask = nondominated_mask(F)
    F, kept = F[mask], [d for d, k in zip(kept, mask, strict=True) if k]
    _, first = np.unique(F, axis=0, return_index=True)
    order = sorted(first.tolist(), key=lambda i: tuple(F[i]))
    return F[order], [kept[i] for i in order]


def space_size(name: str, params: Mapping[str, Any] | None = None) -> float:
    """Number of designs of the problem's space (``inf`` for real parameters)."""
    size = make_problem(name, dict(params or {})).space.size
    return size if math.isfinite(size) else math.inf
