"""Per-run indicator histories: what the leaderboard stores instead of raw records.

Every instance of a suite is scored in ONE fixed box: that of its stored reference
front alone (the problem's declared front, else the exact or best-known front stored
for its parameters and model version), never pooled with the runs being scored, so a
number does not depend on which other runs are in the comparison. Against a
best-known front a run may score ``hv_ratio`` above 1 (it found points beyond it).

A run's history is a step function: one row per evaluation after which the indicator
changed (the run's non-dominated archive of feasible, charged evaluations changed and
the value with it), plus one row at the run's last evaluation. The value at ``x``
evaluations is that of the last row at or before ``x``; before the first row it is the
value of an empty front (``hv_ratio`` 0, recall 0, IGD+ and epsilon ``inf``).
``hv_ratio`` is always recorded (the anytime curves are built on it); the instance's
main indicator too when it is another one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dsegym.errors import ConfigError
from dsegym.experiments import anytime
from dsegym.experiments.bench.suite import Instance
from dsegym.indicators import ReferenceBox, score

#: Columns of a history table, in order.
COLUMNS = ["instance", "agent", "seed", "indicator", "evaluations", "value"]
HV = "ref_hv_ratio"
#: Each indicator's value for a run without a feasible design (as :func:`score` gives).
EMPTY: dict[str, float] = {
    "ref_hv_ratio": 0.0,
    "igd_plus": float("inf"),
    "epsilon_additive": float("inf"),
    "recall_exact": 0.0,
    "recall_tol": 0.0,
}


@dataclass(frozen=True)
class InstanceBox:
    """The box an instance is scored in, where its front came from, and its digest."""

    box: ReferenceBox
    labels: list[str]
    source: str
    kind: str
    digest: str  # SHA-256 (16 hex digits) of the front's points: the same front, the same box


def _digest(points: np.ndarray) -> str:
    text = json.dumps(np.asarray(points, dtype=float).tolist())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def _box(problem: str, params_json: str, kind: str) -> InstanceBox:
    from dsegym.costmodels.registry import make_problem
    from dsegym.experiments.reference_fronts import instance_key, load_front, shipped_dir

    params = json.loads(params_json)
    built = make_problem(problem, params)
    labels = list(built.objective_labels)
    if len(labels) < 2:
        raise ConfigError(
            f"{problem}: the suite's indicators need at least two objectives (it has "
            f"{len(labels)}: {', '.join(labels)})"
        )
    if built.known_front is not None:
        front = np.asarray(built.known_front, dtype=float)
        box = ReferenceBox.from_front(front)
        return InstanceBox(box, labels, "declared front", "declared", _digest(box.front))
    # Only the fronts shipped with dsegym: a user's own (DSEGYM_FRONTS_DIR) front of the
    # same instance would change the box, and the leaderboard's numbers with it.
    path = shipped_dir() / f"{problem}__{instance_key(problem, params)}.json"
    if not path.is_file():
        raise ConfigError(
            f"{problem} {params_json}: no reference front shipped for these parameters "
            f"({path.name}); make one with `dsegym front compute {problem} -p ...` and add "
            "it to dsegym/experiments/fronts/"
        )
    stored = load_front(path)  # refuses a front of another cost-model version
    if stored.objectives != labels:
        raise ConfigError(f"{path.name}: objectives {stored.objectives}, the problem's {labels}")
    if kind != "declared" and stored.kind != kind:
        raise ConfigError(
            f"{problem} {params_json}: the suite names a {kind} reference front, but the "
            f"shipped one ({path.name}) is {stored.kind}"
        )
    box = ReferenceBox.from_front(stored.points)
    return InstanceBox(box, labels, stored.describe(), stored.kind, _digest(box.front))


def instance_box(instance: Instance) -> InstanceBox:
    """The fixed scoring box of a suite instance (cached per parameters).

    Raises:
        ConfigError: if no reference front of the suite's kind is stored.
    """
    params = json.dumps(instance.params, sort_keys=True, default=str)
    return _box(instance.problem, params, instance.reference)


def trajectory(
    F: np.ndarray, eval_index: np.ndarray, box: ReferenceBox, indicator: str
) -> tuple[np.ndarray, np.ndarray]:
    """The indicator after each evaluation that changed it.

    Args:
        F: Feasible charged evaluations in evaluation order (raw objective units).
        eval_index: The evaluation index of each row of ``F``.
        box: The reference box.
        indicator: A column of :func:`dsegym.indicators.score`.

    Returns:
        (evaluation indices, values), one entry per change.
    """
    if indicator == HV:  # incremental hypervolume: the anytime module's trajectory
        evals, hvs = anytime.hv_trajectory(F, eval_index, box)
        values = hvs / box.hypervolume
        keep = np.r_[True, np.diff(values) != 0] if len(values) else np.zeros(0, bool)
        return evals[keep], values[keep]
    archive = np.empty((0, F.shape[1] if F.ndim == 2 else 0))
    evals_out: list[float] = []
    values_out: list[float] = []
    last = EMPTY[indicator]
    for x, k in zip(F, eval_index, strict=True):
        if len(archive) and np.any(np.all(archive <= x, axis=1)):
            continue  # weakly dominated: the front does not change
        archive = np.vstack([archive[~np.all(x <= archive, axis=1)], x])
        value = score(archive, box)[indicator]
        if value != last:
            evals_out.append(float(k))
            values_out.append(value)
            last = value
    return np.array(evals_out, dtype=float), np.array(values_out, dtype=float)


def run_points(frame: pd.DataFrame, labels: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """One run's feasible charged evaluations: (F, eval indices, evaluations spent)."""
    charged = frame[~frame["cached"].astype(bool)]
    ok = charged[charged["feasible"].astype(bool)]
    cols = ["objective." + label for label in labels]
    F = ok[cols].to_numpy(dtype=float).reshape(len(ok), len(labels))
    spent = int(charged["eval_index"].max()) if len(charged) else 0
    return F, ok["eval_index"].to_numpy(dtype=float), spent


def run_history(
    F: np.ndarray, eval_index: np.ndarray, spent: int, box: ReferenceBox, indicators: Iterable[str]
) -> list[tuple[str, float, float]]:
    """(indicator, evaluations, value) rows of one run (see the module docstring)."""
    rows: list[tuple[str, float, float]] = []
    for indicator in indicators:
        evals, values = trajectory(F, eval_index, box, indicator)
        final = float(values[-1]) if len(values) else EMPTY[indicator]
        rows += [(indicator, float(e), float(v)) for e, v in zip(evals, values, strict=True)]
        rows.append((indicator, float(spent), final))
    return rows


def folder_histories(
    df: pd.DataFrame, instance: Instance, agent: str | None = None
) -> pd.DataFrame:
    """The history table of one instance's runs (a results folder's tidy table).

    Args:
        df: The tidy evaluations of the instance's results folder.
        instance: The suite instance the runs belong to.
        agent: The agent label to record (default: each run's own label).
    """
    ib = instance_box(instance)
    indicators = [HV] + ([instance.column] if instance.column != HV else [])
    rows: list[dict[str, Any]] = []
    for _, frame in df.groupby("run_id", sort=True):
        first = frame.iloc[0]
        F, idx, spent = run_points(frame, ib.labels)
        for indicator, e, v in run_history(F, idx, spent, ib.box, indicators):
            rows.append(
                {
                    "instance": instance.id,
                    "agent": agent or str(first["agent"]),
                    "seed": int(first["seed"]),
                    "indicator": indicator,
                    "evaluations": int(e),
                    "value": v,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def value_at(history: pd.DataFrame, evaluations: int) -> pd.DataFrame:
    """Per (instance, agent, seed, indicator): the value after ``evaluations`` at most.

    Rows of a run with no entry by then get the empty front's value.
    """
    keys = ["instance", "agent", "seed", "indicator"]
    if history.empty:
        return pd.DataFrame(columns=keys + ["value"])
    upto = history[history["evaluations"] <= evaluations]
    last = upto.sort_values("evaluations", kind="stable").groupby(keys, sort=True).tail(1)
    runs = history[keys].drop_duplicates()
    out = runs.merge(last[keys + ["value"]], on=keys, how="left")
    empty = np.array([EMPTY[str(i)] for i in out["indicator"]], dtype=float)
    out["value"] = np.where(out["value"].isna(), empty, out["value"].to_numpy(dtype=float))
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def truncate(history: pd.DataFrame, budgets: dict[str, int]) -> pd.DataFrame:
    """The histories cut at each instance's budget (a final row at the budget added).

    Used to compare ``--quick`` runs with the stored full-budget baselines: a history
    cut at ``b`` evaluations is exactly what the run had after ``b`` evaluations (for
    agents whose proposals do not depend on the budget they were given).
    """
    parts = []
    for inst, b in budgets.items():
        part = history[history["instance"] == inst]
        if part.empty:
            continue
        head = part[part["evaluations"] <= b]
        at = value_at(part, b)
        last = part.groupby(["instance", "agent", "seed", "indicator"])["evaluations"].max()
        at = at.merge(last.rename("spent").reset_index(), on=list(at.columns[:4]))
        at["evaluations"] = np.minimum(at["spent"], b).astype(int)
        parts += [head, at[COLUMNS]]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True).drop_duplicates()
    return out.sort_values(COLUMNS[:5], kind="stable").reset_index(drop=True)


def check_rows(history: pd.DataFrame, where: str) -> None:
    """Refuses a history table without the expected columns."""
    missing = [c for c in COLUMNS if c not in history.columns]
    if missing:
        raise ConfigError(f"{where}: not an indicator history table (missing {missing})")


def read_table(path: Path | str) -> pd.DataFrame:
    """A history CSV read back with every float exactly as written.

    pandas 3 parses floats round-trip by default (and deprecates the option); pandas 2
    needs ``float_precision="round_trip"``.
    """
    if int(pd.__version__.split(".")[0]) >= 3:
        table = pd.read_csv(path)
    else:
        table = pd.read_csv(path, float_precision="round_trip")
    check_rows(table, str(path))
    return table
