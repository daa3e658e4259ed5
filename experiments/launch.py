"""Launches every run of an experiment, serially or in parallel under Ray.

Two kinds of parallelism, which combine:

- across runs (``workers``): each (problem, agent setting, seed) run is one Ray task
  that executes the very same code as the serial path (``runner.evaluate_run``);
- within a run (``eval_workers``): the new designs of each batch an agent asks for are
  costed by a pool of Ray actors (``experiments.parallel``).

Either way the driver alone writes the results folder: it holds the folder's lock,
checks its fingerprint, prepares each run (reading what a resume replays), the Ray
tasks send their rows and cost-model tracebacks to the driver-side record sink
(``experiments.sink``), and the driver writes the completion markers and the error
files (a failed run sends its error file's text back with its summary). The nodes of a
cluster need no access to the results folder, and the records are identical to a
serial run's (apart from wall-clock fields).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dsegym.costmodels.problem import Problem
from dsegym.costmodels.registry import make_problem
from dsegym.errors import ConfigError
from dsegym.experiments.config import (
    ExperimentConfig,
    describe_changes,
    expand_runs,
    fingerprint,
    problem_key,
)
from dsegym.experiments.parallel import EvaluationPool
from dsegym.experiments.results_folder import (
    CONFIG,
    FINGERPRINT,
    PLAN,
    SUMMARIES,
    ResultsFolder,
    StopReason,
)
from dsegym.experiments.runner import (
    BatchFactory,
    RunSpec,
    RunStart,
    RunSummary,
    error_report,
    evaluate_run,
    execute_run,
    finish_run,
    guarded_run,
    prepare_run,
    write_error,
)
from dsegym.experiments.storage import EvaluationRecord, read_records, write_json


def prepare_results_dir(
    config: ExperimentConfig, results_dir: Path, *, resume: bool, overwrite: bool
) -> None:
    """Checks that ``results_dir`` may take this config's runs; clears it for overwrite.

    Call with the folder's lock held. A folder with runs needs ``resume`` (with the
    same config, compared by :func:`~dsegym.experiments.config.fingerprint`) or
    ``overwrite``, which removes the files dsegym wrote there and nothing else; a folder
    that is not dsegym's is refused (see :mod:`.results_folder`).

    Raises:
        ConfigError: naming what changed, or what to pass.
    """
    if resume and overwrite:
        raise ConfigError("--resume and --overwrite: choose one")
    folder = ResultsFolder(results_dir)
    folder.take_over()  # refuses a folder that is not dsegym's
    if overwrite:
        folder.remove_owned()
        return
    if not folder.has_runs():
        return
    if not resume:
        raise ConfigError(
            f"results folder {str(results_dir)!r} already holds runs; pass --resume to "
            "finish them, --overwrite to start again, or --output to write elsewhere"
        )
    path = folder.file(FINGERPRINT)
    try:
        stored = json.loads(path.read_text())["settings"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError(
            f"results folder {str(results_dir)!r} holds runs but no readable "
            f"{FINGERPRINT}, so resuming cannot check they come from this config; "
            "pass --overwrite to start again, or --output to write elsewhere"
        ) from None
    changes = describe_changes(stored, fingerprint(config)["settings"])
    if changes:
        raise ConfigError(
            f"cannot resume {str(results_dir)!r}: the config changed since its runs were "
            f"made ({'; '.join(changes)}); pass --overwrite to start again with this "
            "config, or --output to write elsewhere"
        )


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
    overwrite: bool = False,
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
        resume: Finish an interrupted experiment (made from the same config).
        overwrite: Discard the folder's earlier runs first.
        show_progress: Draw a progress bar.

    Returns:
        One summary per run, in the config's order.

    Raises:
        ConfigError: if the folder is in use, cannot be created, holds runs and neither
            ``resume`` nor ``overwrite`` is given, or holds runs of another config.
    """
    results_dir = Path(results_dir or config.results_dir())
    workers = workers or config.workers
    eval_workers = eval_workers or config.eval_workers
    address = address or config.address
    specs = expand_runs(config)
    folder = ResultsFolder(results_dir)
    with folder.lock():
        prepare_results_dir(config, results_dir, resume=resume, overwrite=overwrite)
        # Every file the runs may write is claimed at once (one marker write), so a file
        # of the user's in the way is refused before any run starts.
        fixed = [folder.file(n) for n in (CONFIG, FINGERPRINT, PLAN, SUMMARIES)]
        folder.claim(fixed + [p for s in specs for p in folder.run_paths(s.run_id)])
        resolved = config.model_dump(mode="json")
        resolved.update(
            workers=workers,
            eval_workers=eval_workers,
            address=address,
            output_dir=str(results_dir),
        )
        folder.file(CONFIG).write_text(yaml.safe_dump(resolved, sort_keys=False))
        # Parallelism (workers, eval_workers, address) is not in the fingerprint: records
        # do not depend on it, so a resume may use other settings.
        write_json(folder.file(FINGERPRINT), fingerprint(config))
        write_json(folder.file(PLAN), [s.to_dict() | {"run_id": s.run_id} for s in specs])
        across_runs = workers > 1 or address is not None
        if not across_runs and eval_workers == 1:
            summaries = _run_serial(config, specs, results_dir, resume, show_progress, None)
        else:
            cpus = (workers if workers > 1 else 0) + (eval_workers if eval_workers > 1 else 0)
            with _ray_session(cpus, address), _pool(eval_workers) as pool:
                if across_runs:
                    summaries = _run_ray(config, specs, results_dir, resume, show_progress, pool)
                else:
                    factory = pool.for_problem if pool is not None else None
                    summaries = _run_serial(
                        config, specs, results_dir, resume, show_progress, factory
                    )
        write_json(folder.file(SUMMARIES), [vars(s) for s in summaries])
    return summaries


def _user_modules_env() -> dict[str, Any] | None:
    """Local workers import users' modules from the folders the driver imports them from."""
    from dsegym.loading import folders_in_use

    folders = folders_in_use()
    if not folders:
        return None
    path = [*folders, *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"env_vars": {"PYTHONPATH": os.pathsep.join(path)}}


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
                runtime_env=_user_modules_env(),
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
    config: ExperimentConfig,
    specs: Sequence[RunSpec],
    results_dir: Path,
    resume: bool,
    show_progress: bool,
    batch_factory: BatchFactory | None,
) -> list[RunSummary]:
    summaries: list[RunSummary] = []
    done = 0
    with _progress_bar(show_progress) as bar:
        task = bar.add_task("evaluations", total=sum(s.budget for s in specs))
        for i, spec in enumerate(specs):
            bar.update(task, description=spec.run_id.rsplit("__", 1)[0])
            run = functools.partial(
                execute_run,
                spec,
                results_dir,
                resume=resume,
                progress=lambda n: bar.advance(task, n),
                batch_factory=batch_factory,
                # The problem parse_config built and checked, not a second build.
                problem=config.built_problem(spec.problem, spec.problem_params),
            )
            summary, report = guarded_run(spec, run)
            # execute_run saved a failed agent's error file already; this also covers a
            # run that failed before its agent started (the same text either way).
            _save_error(results_dir, summary, report)
            summaries.append(summary)
            # Runs stop short of their budget (a finite space, the proposal limit, an
            # error) and resumed ones replay silently: the bar shows what was done.
            done += summary.evaluations
            remaining = sum(s.budget for s in specs[i + 1 :])
            bar.update(task, completed=done, total=done + remaining)
        bar.update(task, description="evaluations")
    return summaries


def _save_error(results_dir: Path, summary: RunSummary, report: str | None) -> None:
    """Driver side: a failed run's error file (message, evaluations, traceback)."""
    if summary.error:
        write_error(results_dir, summary.run_id, report or summary.error + "\n")


def _remote_run(
    spec: RunSpec,
    problem: Problem,
    start: RunStart,
    sink: Any,
    pool: EvaluationPool | None,
) -> tuple[RunSummary, str | None]:
    """A Ray task: one run, its rows sent to the driver's sink; opens no results file.

    Returns the run's summary and, if it failed, its error file's text for the driver.
    """
    from dsegym.experiments.sink import SinkWriter

    # Workers run one evaluation loop each; more threads only fight over the cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return guarded_run(
        spec,
        lambda: evaluate_run(
            spec,
            start.replay,
            lambda formatter: SinkWriter(sink, spec.run_id, formatter),
            batch_factory=pool.for_problem if pool is not None else None,
            problem=problem,
            first_line=start.first_line,
        ),
    )


class _ProblemShipper:
    """Builds each distinct problem once, on the driver, and puts it in the object store.

    So no node reads a problem's files (a command model's spec file) and no problem is
    rebuilt per run; the problems :func:`parse_config` built are not built again. A
    problem that cannot be built fails its runs, not the experiment.
    """

    def __init__(self, config: ExperimentConfig) -> None:
        self._config = config
        self._refs: dict[str, Any] = {}

    def ref(self, spec: RunSpec) -> Any:
        """The problem's object reference, or the exception if it cannot be built."""
        import ray

        key = problem_key(spec.problem, spec.problem_params)
        if key not in self._refs:
            try:
                problem = self._config.built_problem(spec.problem, spec.problem_params)
                if problem is None:
                    problem = make_problem(spec.problem, spec.problem_params)
                self._refs[key] = ray.put(problem)
            except Exception as exc:  # noqa: BLE001 - reported per run, the others go on
                self._refs[key] = exc
        return self._refs[key]


def _failed(spec: RunSpec, exc: BaseException, evaluations: int = 0) -> tuple[RunSummary, str]:
    message, report = error_report(exc, evaluations)
    summary = RunSummary(spec.run_id, evaluations, 0, StopReason.ERROR, 0.0, error=message)
    return summary, report


def _recorded(results_dir: Path, spec: RunSpec) -> int:
    """Distinct evaluations in a run's record (what a task that died had sent)."""
    record = ResultsFolder(results_dir).record(spec.run_id)
    return sum(not r.cached for r in map(EvaluationRecord.from_row, read_records(record)))


#: Runs submitted ahead per CPU of the cluster: enough to keep every worker busy, few
#: enough that the driver holds the replays of a resumed sweep for those runs only (all
#: of them at once would grow with the sweep: a few KB per recorded evaluation).
IN_FLIGHT_PER_CPU = 2


def _run_ray(
    config: ExperimentConfig,
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
        refs: dict[Any, int] = {}
        problems = _ProblemShipper(config)
        todo = iter(enumerate(specs))
        window = max(2, IN_FLIGHT_PER_CPU * int(ray.cluster_resources().get("CPU", 1)))
        with _progress_bar(show_progress) as bar:
            task = bar.add_task("runs", total=len(specs))

            def submit() -> None:
                """Prepares runs (on the driver) and submits them until ``window`` are out."""
                while len(refs) < window and (item := next(todo, None)) is not None:
                    i, spec = item
                    start = prepare_run(spec, results_dir, resume)
                    if start.finished is not None:
                        done[i] = start.finished
                        bar.advance(task)
                        continue
                    problem = problems.ref(spec)
                    if isinstance(problem, BaseException):
                        done[i], report = _failed(spec, problem)
                        _save_error(results_dir, done[i], report)
                        bar.advance(task)
                    else:
                        refs[remote.remote(spec, problem, start, sink, pool)] = i

            submit()
            while refs:
                ready, _ = ray.wait(list(refs), num_returns=1, timeout=1.0)
                for ref in ready:
                    i = refs.pop(ref)
                    try:
                        done[i], report = ray.get(ref)
                    except ray.exceptions.RayError as exc:  # the task itself died
                        recorded = _recorded(results_dir, specs[i])
                        done[i], report = _failed(specs[i], exc, recorded)
                    if done[i].error:
                        _save_error(results_dir, done[i], report)
                    else:
                        finish_run(specs[i], results_dir, done[i])
                    bar.advance(task)
                submit()
    finally:
        ray.get(sink.close_all.remote())
        ray.kill(sink)
    return [done[i] for i in range(len(specs))]
