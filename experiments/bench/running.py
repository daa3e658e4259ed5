"""``dsegym bench run``: one agent on every instance and seed of a suite.

Each instance becomes an ordinary experiment config (one problem, one agent, the
suite's seeds, the instance's budget) run by the ordinary runner into its own results
folder ``OUT/<instance id>/`` (resumable, under Ray with ``workers > 1``): the instances
have different budgets, and a config has one. ``OUT/bench.json`` records the suite
(name, hash), the cost-model version of every instance, the agent, and whether the
run was ``--quick``; ``OUT/histories.csv`` holds the runs' indicator histories
(:mod:`.histories`), which is all the leaderboard reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dsegym.errors import ConfigError, shorten
from dsegym.experiments.bench import histories
from dsegym.experiments.bench.suite import Suite

BENCH_FILE = "bench.json"
HISTORIES = "histories.csv"
FORMAT = "dsegym-bench-run/1"


@dataclass(frozen=True)
class BenchPlan:
    """What a bench run covers: seeds and per-instance budgets."""

    quick: bool
    seeds: list[int]
    budgets: dict[str, int]


def plan(suite: Suite, quick: bool) -> BenchPlan:
    """The seeds and budgets of a full or ``--quick`` run of ``suite``."""
    if quick:
        fraction = suite.quick.budget_fraction
        budgets = {i.id: i.quick_budget(fraction) for i in suite.instances}
        return BenchPlan(True, list(suite.quick.seeds), budgets)
    return BenchPlan(False, list(suite.seeds), {i.id: i.budget for i in suite.instances})


def agent_label(name: str) -> str:
    """How an agent is named in tables: a registered name, or ``Class`` of ``module:Class``."""
    return name.rsplit(":", 1)[-1] if ":" in name else name


def instance_config(
    suite: Suite, instance_id: str, agent: str, params: dict[str, Any], label: str, bp: BenchPlan
) -> dict[str, Any]:
    """The ordinary experiment config of one instance (see the module docstring)."""
    inst = suite.instance(instance_id)
    return {
        "name": f"{suite.suite}-{inst.id}-{label}".replace(":", "-")[:200],
        "description": f"suite {suite.suite} ({suite.content_hash()}), instance {inst.id}",
        "budget": bp.budgets[inst.id],
        "seeds": bp.seeds,
        "problems": [{"name": inst.problem, "params": dict(inst.params), "label": inst.id}],
        "agents": [{"name": agent, "params": dict(params), "label": label}],
    }


def bench_info(
    suite: Suite, agent: str, params: dict[str, Any], label: str, bp: BenchPlan
) -> dict[str, Any]:
    """What ``bench.json`` records about a bench run."""
    from dsegym import __version__
    from dsegym.costmodels.registry import problem_spec

    instances = {}
    for inst in suite.instances:
        spec = problem_spec(inst.problem)
        instances[inst.id] = {
            "problem": inst.problem,
            "params": inst.params,
            "budget": bp.budgets[inst.id],
            "indicator": inst.column,
            "cost_model": spec.cost_model,
            "cost_model_version": int(spec.version),
            "reference_front": histories.instance_box(inst).digest,
        }
    return {
        "format": FORMAT,
        "suite": suite.suite,
        "suite_hash": suite.content_hash(),
        "quick": bp.quick,
        "seeds": bp.seeds,
        "agent": {"name": agent, "params": params, "label": label},
        "dsegym_version": __version__,
        "instances": instances,
    }


def read_info(folder: Path) -> dict[str, Any]:
    """``bench.json`` of a bench results folder.

    Raises:
        ConfigError: if the folder is not one ``dsegym bench run`` wrote.
    """
    path = Path(folder) / BENCH_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{shorten(str(folder))!r} has no {BENCH_FILE}: not a folder of `dsegym bench run`"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{shorten(str(path))}: cannot read ({shorten(exc)})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{shorten(str(path))}: not a {FORMAT} file")
    return data


def _check_existing(out: Path, info: dict[str, Any], resume: bool) -> None:
    """A folder holding another bench run is refused; one holding this one needs resume."""
    if not (out / BENCH_FILE).exists():
        return
    old = read_info(out)
    keys = ("suite_hash", "quick", "seeds", "agent")
    same = {k: old.get(k) for k in keys} == {k: info.get(k) for k in keys}
    if not same:
        raise ConfigError(
            f"--out {shorten(str(out))!r} holds a bench run of another suite, agent or "
            "mode; choose another --out"
        )
    if not resume:
        raise ConfigError(
            f"--out {shorten(str(out))!r} already holds this bench run; pass --resume to "
            "finish it, or choose another --out"
        )


def run_suite(
    suite: Suite,
    agent: str,
    params: dict[str, Any],
    out: Path,
    *,
    quick: bool = False,
    workers: int | None = None,
    resume: bool = False,
    label: str | None = None,
    suite_ref: str | None = None,
    show_progress: bool = True,
    on_instance: Callable[[str, int, int], None] | None = None,
    replace_changed: bool = False,
) -> dict[str, Any]:
    """Runs ``agent`` on every instance and seed of ``suite`` into ``out``.

    Every config is validated before the first run starts, so a bad agent name or
    hyperparameter fails at once. ``suite_ref`` (the shipped name, or the suite file's
    absolute path) is recorded so that ``dsegym bench compare`` finds the suite again.
    With ``replace_changed`` (used by ``dsegym bench baselines --resume``), an instance
    folder whose runs were made from other settings is started again instead of refused.

    Returns:
        The ``bench.json`` contents.

    Raises:
        ConfigError: for a bad agent, parameter or output folder.
    """
    from dsegym.experiments.config import parse_config
    from dsegym.experiments.launch import run_experiment

    bp = plan(suite, quick)
    label = label or agent_label(agent)
    info = bench_info(suite, agent, params, label, bp)
    info["suite_ref"] = suite_ref or suite.suite
    configs = {}
    for inst in suite.instances:
        raw = instance_config(suite, inst.id, agent, params, label, bp)
        configs[inst.id] = parse_config(raw, f"instance {inst.id}")
        histories.instance_box(inst)  # a missing reference front fails before any run
    out = Path(out)
    if not replace_changed:
        _check_existing(out, info, resume)
    out.mkdir(parents=True, exist_ok=True)
    (out / BENCH_FILE).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    for k, inst in enumerate(suite.instances):
        if on_instance is not None:
            on_instance(inst.id, k, len(suite.instances))
        folder = out / inst.id
        again = resume and folder.exists()
        try:
            run_experiment(
                configs[inst.id],
                results_dir=folder,
                workers=workers,
                resume=again,
                show_progress=show_progress,
            )
        except ConfigError as exc:
            if not (again and replace_changed and "the config changed" in str(exc)):
                raise
            run_experiment(
                configs[inst.id],
                results_dir=folder,
                workers=workers,
                overwrite=True,
                show_progress=show_progress,
            )
    write_histories(out, suite)
    return info


def folder_histories(out: Path, suite: Suite) -> pd.DataFrame:
    """The indicator histories of a bench run, computed from its records."""
    from dsegym.experiments.analysis import load_evaluations

    info = read_info(out)
    label = str(info["agent"]["label"])
    parts = []
    for inst in suite.instances:
        folder = Path(out) / inst.id
        if not folder.is_dir():
            raise ConfigError(f"{shorten(str(folder))!r} is missing: the bench run is incomplete")
        parts.append(histories.folder_histories(load_evaluations(folder), inst, label))
    return pd.concat(parts, ignore_index=True)


def write_histories(out: Path, suite: Suite) -> pd.DataFrame:
    """Computes and writes ``OUT/histories.csv``; returns it."""
    table = folder_histories(out, suite)
    table.to_csv(Path(out) / HISTORIES, index=False)
    return table


def read_histories(out: Path, suite: Suite) -> pd.DataFrame:
    """``OUT/histories.csv`` (computed from the records when missing)."""
    path = Path(out) / HISTORIES
    if not path.is_file():
        return write_histories(out, suite)
    return histories.read_table(path)


def finished_histories(out: Path, suite: Suite, agent: str) -> tuple[pd.DataFrame, list[str]]:
    """Histories of the instances whose runs all finished, from this suite's settings.

    For storing the baselines of an agent that could not run the whole suite in time:
    an instance counts when its folder's fingerprint is that of the suite's config and
    its ``summary.json`` (written when every run ended) exists.

    Returns:
        (the histories, the instance ids they cover).
    """
    from dsegym.experiments.analysis import load_evaluations
    from dsegym.experiments.config import fingerprint, parse_config
    from dsegym.experiments.results_folder import FINGERPRINT, SUMMARIES

    bp = plan(suite, quick=False)
    parts, covered = [], []
    for inst in suite.instances:
        folder = Path(out) / inst.id
        if not (folder / SUMMARIES).is_file() or not (folder / FINGERPRINT).is_file():
            continue
        config = parse_config(instance_config(suite, inst.id, agent, {}, agent, bp), inst.id)
        stored = json.loads((folder / FINGERPRINT).read_text())
        if stored.get("sha256") != fingerprint(config)["sha256"]:
            continue
        parts.append(histories.folder_histories(load_evaluations(folder), inst, agent))
        covered.append(inst.id)
    table = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=histories.COLUMNS)
    )
    return table, covered
