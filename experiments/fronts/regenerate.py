"""Recomputes the reference fronts shipped in this folder (after a model version bump).

    python -m dsegym.experiments.fronts.regenerate                 # exact fronts only
    python -m dsegym.experiments.fronts.regenerate --best-known    # and best-known ones

Each file names its problem and parameters. An **exact** front is enumerated again with
today's cost model (``dsegym front compute``'s code) and written back in place. A
**best-known** front (a space too large to enumerate) is rebuilt from runs: the configs
under ``experiments/bench/selection/`` that hold its instance (the long runs of
``fronts-long.yaml`` and the instance's discrimination config)
are run into ``results/`` (resumable, so an interrupted rebuild continues), and every
feasible point of every matching run is pooled; the non-dominated points are stored with
the design of each, so the shipped-front test re-costs them like an exact front's.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dsegym.experiments.reference_fronts import (
    ReferenceFront,
    canonical_params,
    current_version,
    read_front,
    save_front,
    shipped_dir,
)

#: Where the runs of a best-known front's configs go (ignored by git).
RUNS_DIR = Path("results")


def selection_dir() -> Path:
    """The folder of the configs that made the suite's best-known fronts."""
    return shipped_dir().parent / "bench" / "selection"


def _configs_for(problem: str, params: dict[str, Any]) -> list[Path]:
    """The selection configs that run this instance (same problem, same parameters)."""
    from dsegym.experiments.config import load_config

    wanted = canonical_params(problem, params)
    found = []
    for path in sorted(selection_dir().glob("*.yaml")):
        config = load_config(path)
        for entry in config.problem_entries:
            if entry.name == problem and canonical_params(problem, entry.params) == wanted:
                found.append(path)
                break
    return found


def pool_with_designs(
    problem: str, params: dict[str, Any], folders: Sequence[Path]
) -> ReferenceFront:
    """The non-dominated feasible points (with designs) of the matching runs in ``folders``.

    Unlike ``dsegym front compute --from`` (objective vectors only), each point keeps the
    design that produced it, so that the stored front can be re-costed by a test. Equal
    objective vectors keep the design met first (folders, then runs, in sorted order).
    """
    from dsegym.costmodels.registry import make_problem
    from dsegym.experiments.front_pooling import recorded_fronts
    from dsegym.experiments.results_folder import ResultsFolder
    from dsegym.experiments.storage import read_evaluations
    from dsegym.pareto import nondominated_mask

    wanted = canonical_params(problem, params)
    model = current_version(problem, wanted)
    _, sources = recorded_fronts(problem, wanted, model, folders)  # the same run filter
    F: list[list[float]] = []
    designs: list[dict[str, Any]] = []
    for folder in folders:
        for path in ResultsFolder(Path(folder)).record_files():
            if f"{folder}/runs/{path.name}" not in sources:
                continue
            for item in read_evaluations(path):
                if item.record.feasible and not item.record.cached:
                    F.append(list(item.record.F))
                    designs.append(item.record.design)
    points = np.array(F, dtype=float)
    mask = nondominated_mask(points)
    points, kept = points[mask], [d for d, k in zip(designs, mask, strict=True) if k]
    _, first = np.unique(points, axis=0, return_index=True)
    order = sorted(first.tolist(), key=lambda i: tuple(points[i]))
    built = make_problem(problem, wanted)
    return ReferenceFront(
        problem=problem,
        params=wanted,
        cost_model=built.cost_model.name,
        cost_model_version=str(built.cost_model.version),
        objectives=built.objective_labels,
        kind="best-known",
        points=points[order],
        designs=[kept[i] for i in order],
        provenance={
            "source": "union of recorded fronts",
            "sources": sorted({s.rsplit("/runs/", 1)[0] for s in sources}),
            "runs": len(sources),
            "evaluations_pooled": len(F),
        },
    )


def rebuild_best_known(old: ReferenceFront) -> ReferenceFront:
    """Runs the selection configs of ``old``'s instance and pools their runs."""
    from dsegym.experiments.config import load_config
    from dsegym.experiments.launch import run_experiment

    folders = []
    for path in _configs_for(old.problem, old.params):
        config = load_config(path)
        folder = RUNS_DIR / config.name
        run_experiment(config, results_dir=folder, resume=folder.is_dir())
        folders.append(folder)
    return pool_with_designs(old.problem, old.params, folders)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--best-known", action="store_true", help="also rebuild best-known fronts (long runs)"
    )
    args = parser.parse_args(argv)
    from dsegym.experiments.front_compute import compute_exact

    for path in sorted(shipped_dir().glob("*.json")):
        old = read_front(path)
        if old.kind == "exact":
            front = compute_exact(old.problem, old.params)
        elif args.best_known:
            front = rebuild_best_known(old)
        else:
            print(f"{path.name}: best-known, kept (rebuild with --best-known)")
            continue
        save_front(front, shipped_dir())
        print(f"{path.name}: {front.describe()}")


if __name__ == "__main__":
    main()
