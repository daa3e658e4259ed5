"""``dsegym bench compare``: bench results folders placed among the stored baselines.

Folders are compared only when they ran the same suite (name and hash), in the same
mode (full or ``--quick``), with the same cost-model version of every instance, and
when those versions are today's and the stored baselines'. Otherwise one message says
what differs. A ``--quick`` run is compared with the baselines' histories cut at the
quick budget and restricted to the quick seeds (see :func:`.histories.truncate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dsegym.errors import ConfigError, shorten
from dsegym.experiments.bench import baselines, histories, running
from dsegym.experiments.bench.leaderboard import Leaderboard, leaderboard
from dsegym.experiments.bench.suite import Suite, load_suite


@dataclass
class Comparison:
    """The leaderboard and what went into it."""

    suite: Suite
    quick: bool
    board: Leaderboard
    sources: list[str]
    new_agents: set[str] = field(default_factory=set)


def _versions(info: dict[str, Any]) -> dict[str, Any]:
    """Per instance: (cost model, version, reference front digest)."""
    return {
        k: (v.get("cost_model"), v.get("cost_model_version"), v.get("reference_front"))
        for k, v in sorted(info.get("instances", {}).items())
    }


def check_same(infos: list[tuple[Path, dict[str, Any]]]) -> None:
    """Refuses folders of different suites, modes or cost-model versions.

    Raises:
        ConfigError: naming the first two folders that differ, and how.
    """
    first_path, first = infos[0]
    for path, info in infos[1:]:
        why = []
        if (info.get("suite"), info.get("suite_hash")) != (first.get("suite"), first["suite_hash"]):
            why.append(
                f"suite {info.get('suite')} ({info.get('suite_hash')}) vs "
                f"{first.get('suite')} ({first.get('suite_hash')})"
            )
        if info.get("quick") != first.get("quick"):
            why.append("one is --quick, the other full")
        if _versions(info) != _versions(first):
            diff = [
                f"{k}: {v} vs {_versions(first).get(k)}"
                for k, v in _versions(info).items()
                if _versions(first).get(k) != v
            ]
            why.append(
                "cost-model versions or reference fronts differ (" + "; ".join(diff[:3]) + ")"
            )
        if why:
            raise ConfigError(
                f"cannot compare {shorten(str(path))!r} with {shorten(str(first_path))!r}: "
                + "; ".join(why)
                + ". Results of different suites or cost-model versions are never mixed"
            )


def _check_today(suite: Suite, info: dict[str, Any], where: str) -> None:
    if info.get("suite_hash") != suite.content_hash():
        raise ConfigError(
            f"{where}: made with suite {info.get('suite')} hash {info.get('suite_hash')}, "
            f"but that suite now has hash {suite.content_hash()}"
        )
    now = {
        k: (v["cost_model"], v["cost_model_version"], v["reference_front"])
        for k, v in baselines.current_models(suite).items()
    }
    if _versions(info) != dict(sorted(now.items())):
        raise ConfigError(
            f"{where}: made with other cost-model versions or reference fronts than "
            "today's; its numbers are not comparable with the stored baselines"
        )


def _unique_labels(tables: list[tuple[Path, pd.DataFrame]]) -> list[pd.DataFrame]:
    """Agent labels made unique: a repeated label gets its folder's name appended."""
    labels = [str(t["agent"].iloc[0]) if len(t) else "" for _, t in tables]
    out = []
    for (path, table), label in zip(tables, labels, strict=True):
        if labels.count(label) > 1:
            table = table.assign(agent=f"{label} [{path.name}]")
        out.append(table)
    return out


def compare(
    folders: list[Path], *, with_baselines: bool = True, baselines_folder: Path | None = None
) -> Comparison:
    """The leaderboard of ``folders`` (bench results) among the stored baselines.

    Raises:
        ConfigError: for a folder that is not a bench run, or folders (or baselines)
            of different suites, modes or cost-model versions.
    """
    if not folders:
        raise ConfigError("bench compare: give at least one results folder of `dsegym bench run`")
    infos = [(Path(f), running.read_info(Path(f))) for f in folders]
    check_same(infos)
    info = infos[0][1]
    suite = load_suite(info.get("suite_ref") or info["suite"])
    for path, i in infos:
        _check_today(suite, i, shorten(str(path)))
    bp = running.plan(suite, bool(info.get("quick")))
    tables = [(path, running.read_histories(path, suite)) for path, _ in infos]
    new = _unique_labels(tables)
    new_agents = {str(a) for t in new for a in t["agent"].unique()}
    sources = [
        f"{t['agent'].iloc[0]}: {path}" for (path, _), t in zip(tables, new, strict=True) if len(t)
    ]
    parts = list(new)
    if with_baselines:
        stored, meta = baselines.load(suite, baselines_folder)
        if len(stored):
            stored = stored[~stored["agent"].isin(new_agents) & stored["seed"].isin(bp.seeds)]
            if bp.quick:
                stored = histories.truncate(stored, bp.budgets)
            parts.append(stored)
            shown = sorted(stored["agent"].unique())
            versions = sorted({a.get("dsegym_version", "?") for a in meta["agents"].values()})
            sources.append(
                f"stored baselines ({', '.join(shown)}), dsegym {', '.join(versions)}"
                + (", cut at the quick budget" if bp.quick else "")
            )
        else:
            sources.append(f"no stored baselines for suite {suite.suite}")
    history = pd.concat(parts, ignore_index=True)
    board = leaderboard(history, suite, bp.budgets)
    mode = "quick" if bp.quick else "full"
    sources.insert(
        0, f"suite {suite.suite} (hash {suite.content_hash()}), {mode}: seeds {bp.seeds}"
    )
    return Comparison(suite, bp.quick, board, sources, new_agents)
