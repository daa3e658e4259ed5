"""Stored baselines: the indicator histories of the shipped agents on a suite.

``dsegym/experiments/bench/baselines/<suite>.csv.gz`` holds the histories (columns of
:data:`.histories.COLUMNS`; floats written with full precision, gzip without a time
stamp so the same histories give the same bytes) and ``<suite>.json`` their
provenance: the suite's hash, the dsegym version, every instance's cost model and
version, and per agent the command that made its rows, its hyperparameters and the
CPU time it took. Rows of another suite hash or cost-model version are never mixed
in: :func:`load` refuses them.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import filelock
import pandas as pd

from dsegym.errors import ConfigError
from dsegym.experiments.bench.histories import COLUMNS, read_table
from dsegym.experiments.bench.suite import Suite

FORMAT = "dsegym-bench-baselines/1"


def baselines_dir() -> Path:
    """The folder of the baselines shipped with dsegym."""
    return Path(str(resources.files("dsegym.experiments.bench") / "baselines"))


def paths(suite: Suite, folder: Path | None = None) -> tuple[Path, Path]:
    """(histories, provenance) file paths of ``suite``'s baselines."""
    folder = Path(folder) if folder is not None else baselines_dir()
    return folder / f"{suite.suite}.csv.gz", folder / f"{suite.suite}.json"


def current_models(suite: Suite) -> dict[str, dict[str, Any]]:
    """Each instance's cost model and version in today's registry, and the digest of
    the reference front it is scored against (see :class:`.histories.InstanceBox`).
    """
    from dsegym.costmodels.registry import problem_spec
    from dsegym.experiments.bench.histories import instance_box

    out = {}
    for inst in suite.instances:
        spec = problem_spec(inst.problem)
        out[inst.id] = {
            "cost_model": spec.cost_model,
            "cost_model_version": int(spec.version),
            "reference_front": instance_box(inst).digest,
        }
    return out


def load(suite: Suite, folder: Path | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The stored histories and provenance of ``suite`` (empty when none are stored).

    Raises:
        ConfigError: if the stored baselines belong to another suite hash or cost-model
            version than ``suite`` and today's registry.
    """
    table_path, meta_path = paths(suite, folder)
    if not table_path.is_file() or not meta_path.is_file():
        return pd.DataFrame(columns=COLUMNS), {}
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("suite_hash") != suite.content_hash():
        raise ConfigError(
            f"{meta_path.name}: stored baselines of suite {suite.suite} hash "
            f"{meta.get('suite_hash')}, but the suite file now has hash "
            f"{suite.content_hash()}: a released suite must not change"
        )
    if meta.get("cost_models") != current_models(suite):
        raise ConfigError(
            f"{meta_path.name}: stored baselines were made with other cost-model versions "
            "or reference fronts than today's; they are not comparable (a new cost-model "
            "version needs a new suite version)"
        )
    return read_table(table_path), meta


def store(
    suite: Suite,
    histories: pd.DataFrame,
    agents: dict[str, dict[str, Any]],
    command: str,
    folder: Path | None = None,
) -> tuple[Path, Path]:
    """Adds (or replaces) the rows of ``agents`` in the stored baselines of ``suite``.

    Args:
        suite: The suite.
        histories: The new agents' histories (full seeds and budgets).
        agents: Per agent label: ``name``, ``params``, ``cpu_seconds``.
        command: The command line that made them (recorded as provenance).
        folder: Where to store (default: the package's baselines folder).
    """
    table_path, meta_path = paths(suite, folder)
    table_path.parent.mkdir(parents=True, exist_ok=True)
    # Several `bench baselines` processes (one agent each) may store into one file.
    with filelock.FileLock(str(meta_path) + ".lock"):
        return _store(suite, histories, agents, command, folder)


def _store(
    suite: Suite,
    histories: pd.DataFrame,
    agents: dict[str, dict[str, Any]],
    command: str,
    folder: Path | None,
) -> tuple[Path, Path]:
    from dsegym import __version__

    table_path, meta_path = paths(suite, folder)
    old, meta = load(suite, folder)
    kept = old[~old["agent"].isin(list(agents))]
    table = pd.concat([kept, histories[COLUMNS]], ignore_index=True)
    table = table.sort_values(COLUMNS[:5], kind="stable").reset_index(drop=True)
    table.to_csv(
        table_path, index=False, compression={"method": "gzip", "mtime": 0}, lineterminator="\n"
    )
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    recorded = dict(meta.get("agents", {}))
    for label, info in agents.items():
        recorded[label] = {**info, "command": command, "dsegym_version": __version__}
        recorded[label]["created"] = stamp
    meta = {
        "format": FORMAT,
        "suite": suite.suite,
        "suite_hash": suite.content_hash(),
        "seeds": list(suite.seeds),
        "budgets": {i.id: i.budget for i in suite.instances},
        "cost_models": current_models(suite),
        "regenerate": f"dsegym bench baselines {suite.suite} --agents "
        + ",".join(sorted(recorded)),
        "agents": {k: recorded[k] for k in sorted(recorded)},
    }
    meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return table_path, meta_path


def reproduce(
    suite: Suite,
    agent: str,
    instance_id: str,
    seeds: list[int],
    out: Path,
    folder: Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-runs stored baseline cells and returns (stored rows, fresh rows) to compare.

    A cell is (instance, agent, seed); it is run exactly as ``dsegym bench baselines``
    ran it (the suite's budget, the agent's default hyperparameters), into ``out``.

    Raises:
        ConfigError: if the baselines hold no such cell.
    """
    from dsegym.experiments.analysis import load_evaluations
    from dsegym.experiments.bench import histories
    from dsegym.experiments.bench.running import instance_config, plan
    from dsegym.experiments.config import parse_config
    from dsegym.experiments.launch import run_experiment

    stored, meta = load(suite, folder)
    recorded = meta.get("agents", {}).get(agent)
    keep = (stored["agent"] == agent) & (stored["instance"] == instance_id)
    stored = stored[keep & stored["seed"].isin(seeds)]
    if recorded is None or stored["seed"].nunique() != len(set(seeds)):
        raise ConfigError(
            f"the stored baselines of {suite.suite} hold no {agent} runs of {instance_id} "
            f"for every seed of {seeds}"
        )
    bp = replace(plan(suite, quick=False), seeds=list(seeds))
    params = dict(recorded.get("params", {}))
    raw = instance_config(suite, instance_id, recorded["name"], params, agent, bp)
    run_experiment(parse_config(raw, instance_id), results_dir=Path(out), show_progress=False)
    fresh = histories.folder_histories(
        load_evaluations(Path(out)), suite.instance(instance_id), agent
    )
    order = COLUMNS[:5]
    return (
        stored.sort_values(order).reset_index(drop=True),
        fresh.sort_values(order).reset_index(drop=True),
    )
