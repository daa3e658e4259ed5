"""Launches every run of an experiment, serially or in parallel under Ray.

Two kinds of parallelism, which combine:

- across runs (``workers``): each (problem, agent setting, seed) run is one Ray task
  that executes the very same code as the serial path (``runner.evaluate_run``);
- within a run (``eval_workers``): the new designs of each batch an agent asks for are
  costed by a pool of Ray actors (``experiments.parallel``).

Either way the driver alone writes the results folder: it prepares each run (reading
what a resume replays), the Ray tasks send their rows to the driver-side record sink
(``experiments.sink``), and the driver writes the completion markers. The nodes of a
cluster need no access to the results folder, and the records are identical to a
serial run's (apart from wall-clock fields).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dsegym.costmodels.problem import Problem
from dsegym.costmodels.registry import make_problem
from dsegym.experiments.config import ExperimentConfig, expand_runs
from dsegym.experiments.parallel import EvaluationPool
from dsegym.experiments.runner import (
    BatchFactory,
    RunSpec,
    RunSummary,
    evaluate_run,
    execute_run,
    finish_run,
    prepare_run,
)
from dsegym.experiments.storage import write_json


def _progress_bar(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not enabled,
        transient=False,
    )


def run_experiment(
    config: ExperimentConfig,
    *,
    results_dir: Path | None = None,
    workers: int | None = None,
    eval_workers: int | None = None,
    address: str | None = None,
    resume: bool = False,
    show_progress: bool = True,
) -> list[RunSummary]:
    """Runs (or resumes) every run of ``config`` and saves the resolved config.

    Args:
        config: A validated experiment config.
        results_dir: Where results go (default: the config's ``output_dir``).
        workers: Parallel Ray workers (default: the config's ``workers``; 1 is serial).
        eval_workers: Ray workers costing each batch within a run (default: the config's
            ``eval_workers``; 1 costs batches in the run's own process).
        address: An existing Ray cluster ('auto' or host:port); implies Ray.
        resume: Finish an interrupted experiment instead of starting afresh.
        show_progress: Draw a progress bar.

    Returns:
        One summary per run, in the config's order.
    """
    results_dir = Path(results_dir or config.results_dir())
    workers = workers or config.workers
    eval_workers = eval_workers or config.eval_workers
    address = address or config.address
    specs = expand_runs(config)
    results_dir.mkdir(parents=True, exist_ok=True)
    resolved = config.model_dump(mode="json")
    resolved.update(
        workers=workers, eval_workers=eval_workers, address=address, output_dir=str(results_dir)
    )
    (results_dir / "config.yaml").write_text(yaml.safe_dump(resolved, sort_keys=False))
    write_json(results_dir / "runs.json", [s.to_dict() | {"run_id": s.run_id} for s in specs])
    across_runs = workers > 1 or address is not None
    if not across_runs and eval_workers == 1:
        summaries = _run_serial(specs, results_dir, resume, show_progress, None)
    else:
        cpus = (workers if workers > 1 else 0) + (eval_workers if eval_workers > 1 else 0)
        with _ray_session(cpus, address), _pool(eval_workers) as pool:
            batch_factory = pool.for_problem if pool is not None else None
            if across_runs:
                summaries = _run_ray(specs, results_dir, resume, show_progress, pool)
            else:
                summaries = _run_serial(specs, results_dir, resume, show_progress, batch_factory)
    write_json(results_dir / "summary.json", [vars(s) for s in summaries])
    return summaries


@contextlib.contextmanager
def _ray_session(cpus: int, address: str | None) -> Iterator[None]:
    """Ray for the experiment: the caller's if initialised, else started (and stopped)."""
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        if address is None:
            ray.init(
                address="local",  # a fresh instance, never someone else's cluster
                num_cpus=cpus,
                include_dashboard=False,
                logging_level=logging.ERROR,
                log_to_driver=False,
            )
        else:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
    try:
        yield
    finally:
        if started_here:
            ray.shutdown()


@contextlib.contextmanager
def _pool(eval_workers: int) -> Iterator[EvaluationPool | None]:
    if eval_workers <= 1:
        yield None
        return
    pool = EvaluationPool(eval_workers)
    try:
        pool.warm_up()
        yield pool
    finally:
        pool.shutdown()


def _run_serial(
    specs: Sequence[RunSpec],
    results_dir: Path,
    resume: bool,
    show_progress: bool,
    batch_factory: BatchFactory | None,
) -> list[RunSummary]:
    summaries = []
    with _progress_bar(show_progress) as bar:
        task = bar.add_task("evaluations", total=sum(s.budget for s in specs))
        for spec in specs:
            bar.update(task, description=spec.run_id.rsplit("__", 1)[0])
            run = functools.partial(
                execute_run,
                spec,
                results_dir,
                resume=resume,
                progress=lambda n: bar.advance(task, n),
                batch_factory=batch_factory,
            )
            summaries.append(_guarded(spec, run))
            _write_errors(results_dir, summaries[-1:])
    return summaries


def _guarded(spec: RunSpec, run: Callable[[], RunSummary]) -> RunSummary:
    """Runs one spec; an agent that crashes fails its own run, not the experiment."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - reported per run, the others go on
        message = f"{type(exc).__name__}: {exc}"
        return RunSummary(spec.run_id, 0, 0, "error", 0.0, error=message)


def _write_errors(results_dir: Path, summaries: Sequence[RunSummary]) -> None:
    for s in summaries:
        if s.error:
            (results_dir / "runs").mkdir(parents=True, exist_ok=True)
            (results_dir / "runs" / f"{s.run_id}.error.txt").write_text(s.error + "\n")


def _remote_run(
    spec: RunSpec,
    problem: Problem,
    replay: list[dict[str, Any]],
    sink: Any,
    pool: EvaluationPool | None,
) -> RunSummary:
    """A Ray task: one run, its rows sent to the driver's sink; opens no results file."""
    from dsegym.experiments.sink import SinkWriter

    # Workers run one evaluation loop each; more threads only fight over the cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return _guarded(
        spec,
        lambda: evaluate_run(
            spec,
            replay,
            lambda static: SinkWriter(sink, spec.run_id, static),
            batch_factory=pool.for_problem if pool is not None else None,
            problem=problem,
        ),
    )


class _ProblemShipper:
    """Builds each distinct problem once, on the driver, and puts it in the object store.

    So no node reads a problem's files (a command model's spec file) and no problem is
    rebuilt per run. A problem that cannot be built fails its runs, not the experiment.
    """

    def __init__(self) -> None:
        self._refs: dict[str, Any] = {}

    def ref(self, spec: RunSpec) -> Any:
        """The problem's object reference, or the error message if it cannot be built."""
        import ray

        key = json.dumps([spec.problem, spec.problem_params], sort_keys=True, default=str)
        if key not in self._refs:
            try:
                self._refs[key] = ray.put(make_problem(spec.problem, spec.problem_params))
            except Exception as exc:  # noqa: BLE001 - reported per run, the others go on
                self._refs[key] = f"{type(exc).__name__}: {exc}"
        return self._refs[key]


def _run_ray(
    specs: Sequence[RunSpec],
    results_dir: Path,
    resume: bool,
    show_progress: bool,
    pool: EvaluationPool | None,
) -> list[RunSummary]:
    import ray

    from dsegym.experiments.sink import start_sink

    sink = start_sink(results_dir)
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(_remote_run)
        done: dict[int, RunSummary] = {}
        refs = {}
        problems = _ProblemShipper()
        for i, spec in enumerate(specs):
            start = prepare_run(spec, results_dir, resume)  # on the driver
            if start.finished is not None:
                done[i] = start.finished
                continue
            problem = problems.ref(spec)
            if isinstance(problem, str):
                done[i] = RunSummary(spec.run_id, 0, 0, "error", 0.0, error=problem)
                _write_errors(results_dir, [done[i]])
            else:
                refs[remote.remote(spec, problem, start.replay, sink, pool)] = i
        with _progress_bar(show_progress) as bar:
            task = bar.add_task("runs", total=len(specs), completed=len(done))
            pending = list(refs)
            while pending:
                ready, pending = ray.wait(pending, num_returns=1, timeout=1.0)
                for ref in ready:
                    i = refs[ref]
                    done[i] = ray.get(ref)
                    if not done[i].error:
                        finish_run(specs[i], results_dir, done[i])
                    _write_errors(results_dir, [done[i]])
                    bar.advance(task)
    finally:
        ray.get(sink.close_all.remote())
        ray.kill(sink)
    return [done[i] for i in range(len(specs))]
