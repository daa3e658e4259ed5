"""Launches every run of an experiment, serially or in parallel under Ray.

Parallelism is across runs: each (problem, agent setting, seed) run is one Ray task
that executes the very same code as the serial path, so serial and Ray records are
identical (apart from wall-clock fields). Ray workers append to the run's record file
in the results folder; on a multi-node cluster that folder must be on storage every
node can write (a shared or network file system).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock
import yaml
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dsegym.errors import ConfigError
from dsegym.experiments.config import (
    ExperimentConfig,
    check_output_dir,
    describe_changes,
    expand_runs,
    fingerprint,
)
from dsegym.experiments.runner import (
    RunFailedError,
    RunSpec,
    RunSummary,
    execute_run,
    write_error,
)
from dsegym.experiments.storage import write_json

LOCK_NAME = ".dsegym.lock"
FINGERPRINT_NAME = "fingerprint.json"
# One lock object per folder and process: filelock's locks are re-entrant per object, so
# `dsegym run` can hold the folder across the run and its report.
_LOCKS: dict[Path, filelock.FileLock] = {}


@contextmanager
def results_lock(results_dir: Path) -> Iterator[None]:
    """Holds the results folder's lock; a second process is refused at once.

    The lock is an OS file lock (``filelock``), so the OS releases it when the holder
    dies, even by SIGKILL.

    Raises:
        ConfigError: if another process holds the folder, or it cannot be created.
    """
    results_dir = Path(results_dir)
    check_output_dir(results_dir, "results folder")
    try:
        results_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"results folder {str(results_dir)!r} cannot be created: {exc.strerror or exc}"
        ) from None
    key = results_dir.resolve()
    lock = _LOCKS.setdefault(key, filelock.FileLock(str(key / LOCK_NAME), timeout=0))
    try:
        lock.acquire()
    except filelock.Timeout:
        raise ConfigError(
            f"results folder {str(results_dir)!r} is in use by another dsegym process "
            f"(lock {LOCK_NAME}); wait for it to finish, or use --output to write elsewhere"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _has_runs(results_dir: Path) -> bool:
    runs = results_dir / "runs"
    return runs.is_dir() and any(runs.iterdir())


def prepare_results_dir(
    config: ExperimentConfig, results_dir: Path, *, resume: bool, overwrite: bool
) -> None:
    """Checks that ``results_dir`` may take this config's runs; clears it for overwrite.

    Call with the folder's lock held. A folder with runs needs ``resume`` (with the
    same config, compared by :func:`~dsegym.experiments.config.fingerprint`) or
    ``overwrite``.

    Raises:
        ConfigError: naming what changed, or what to pass.
    """
    if resume and overwrite:
        raise ConfigError("--resume and --overwrite: choose one")
    if overwrite:
        for name in ("runs", "fronts", "plots"):
            shutil.rmtree(results_dir / name, ignore_errors=True)
        (results_dir / FINGERPRINT_NAME).unlink(missing_ok=True)
        return
    if not _has_runs(results_dir):
        return
    if not resume:
        raise ConfigError(
            f"results folder {str(results_dir)!r} already holds runs; pass --resume to "
            "finish them, --overwrite to start again, or --output to write elsewhere"
        )
    path = results_dir / FINGERPRINT_NAME
    try:
        stored = json.loads(path.read_text())["settings"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError(
            f"results folder {str(results_dir)!r} holds runs but no readable "
            f"{FINGERPRINT_NAME}, so resuming cannot check they come from this config; "
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
    address = address or config.address
    specs = expand_runs(config)
    with results_lock(results_dir):
        prepare_results_dir(config, results_dir, resume=resume, overwrite=overwrite)
        resolved = config.model_dump(mode="json")
        resolved.update(workers=workers, address=address, output_dir=str(results_dir))
        (results_dir / "config.yaml").write_text(yaml.safe_dump(resolved, sort_keys=False))
        write_json(results_dir / FINGERPRINT_NAME, fingerprint(config))
        write_json(results_dir / "runs.json", [s.to_dict() | {"run_id": s.run_id} for s in specs])
        if workers == 1 and address is None:
            summaries = _run_serial(specs, results_dir, resume, show_progress)
        else:
            summaries = _run_ray(specs, results_dir, resume, show_progress, workers, address)
        write_json(results_dir / "summary.json", [vars(s) for s in summaries])
    return summaries


def _run_serial(
    specs: Sequence[RunSpec], results_dir: Path, resume: bool, show_progress: bool
) -> list[RunSummary]:
    summaries: list[RunSummary] = []
    done = 0
    with _progress_bar(show_progress) as bar:
        task = bar.add_task("evaluations", total=sum(s.budget for s in specs))
        for i, spec in enumerate(specs):
            bar.update(task, description=spec.run_id.rsplit("__", 1)[0])
            summaries.append(_guarded(spec, results_dir, resume, lambda n: bar.advance(task, n)))
            # Runs stop short of their budget (a finite space, the proposal limit, an
            # error) and resumed ones replay silently: the bar shows what was done.
            done += summaries[-1].evaluations
            remaining = sum(s.budget for s in specs[i + 1 :])
            bar.update(task, completed=done, total=done + remaining)
        bar.update(task, description="evaluations")
    return summaries


def _guarded(spec: RunSpec, results_dir: Path, resume: bool, progress: Any = None) -> RunSummary:
    """Runs one spec; an agent that crashes fails its own run, not the experiment."""
    try:
        return execute_run(spec, results_dir, resume=resume, progress=progress)
    except RunFailedError as failed:  # the runner saved the error file
        cause = failed.__cause__ or failed
        message = f"{type(cause).__name__}: {cause}".splitlines()[0]
        message += f" (after {failed.evaluations} evaluations)"
        return RunSummary(
            spec.run_id, failed.evaluations, failed.proposals, "error", 0.0, error=message
        )
    except Exception as exc:  # noqa: BLE001 - reported per run, the others go on
        message = write_error(results_dir, spec.run_id, exc, 0)
        return RunSummary(spec.run_id, 0, 0, "error", 0.0, error=message)


def _remote_run(spec: RunSpec, results_dir: str, resume: bool) -> RunSummary:
    # Workers run one evaluation loop each; more threads only fight over the cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return _guarded(spec, Path(results_dir), resume)


def _run_ray(
    specs: Sequence[RunSpec],
    results_dir: Path,
    resume: bool,
    show_progress: bool,
    workers: int,
    address: str | None,
) -> list[RunSummary]:
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        if address is None:
            ray.init(
                num_cpus=workers,
                include_dashboard=False,
                logging_level=logging.ERROR,
                log_to_driver=False,
            )
        else:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(_remote_run)
        refs = {
            remote.remote(s, str(results_dir.resolve()), resume): i for i, s in enumerate(specs)
        }
        done: dict[int, RunSummary] = {}
        with _progress_bar(show_progress) as bar:
            task = bar.add_task("runs", total=len(specs))
            pending = list(refs)
            while pending:
                ready, pending = ray.wait(pending, num_returns=1, timeout=1.0)
                for ref in ready:
                    done[refs[ref]] = ray.get(ref)
                    bar.advance(task)
        return [done[i] for i in range(len(specs))]
    finally:
        if started_here:
            ray.shutdown()
