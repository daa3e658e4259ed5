"""Anytime data in the IOHprofiler format, which IOHanalyzer and iohinspector read.

IOHanalyzer analyses single-objective traces, so each run is exported as the
trace of one value to minimise: the **hypervolume gap** ``1 - hv_ratio`` of the run's
front in its instance's reference box (1 before the first point inside the box, 0
when the run's front covers the reference front's hypervolume; below 0 against a
best-known front that the run improved on). The targets of IOHanalyzer's ECDFs are
then gaps, as in :mod:`dsegym.experiments.anytime`.

Layout (IOHprofiler's, one folder per agent): ``OUT/<agent>/IOHprofiler_f<k>_<instance
id>.info`` with one three-line block, and ``OUT/<agent>/data_f<k>_<instance id>/
IOHprofiler_f<k>_DIM<d>.dat`` with one block per seed, each starting with the
separation line ``"function evaluation" "best-so-far f(x)"``, a line at the first
evaluation, a line per improvement and a last line at the run's final evaluation.
``<k>`` is the instance's position in the suite (from 1) and ``<d>`` the number of
design parameters.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from dsegym.errors import ConfigError
from dsegym.experiments.bench.histories import HV
from dsegym.experiments.bench.suite import Suite

HEADER = '"function evaluation" "best-so-far f(x)"'


@cache
def _dimension(problem: str, params_json: str) -> int:
    import json

    from dsegym.costmodels.registry import make_problem

    return len(list(make_problem(problem, json.loads(params_json)).space))


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def export(history: pd.DataFrame, suite: Suite, out: Path) -> list[Path]:
    """Writes the ``hv_ratio`` histories of ``history`` under ``out``; returns the .info files."""
    import json

    written = []
    hv = history[history["indicator"] == HV]
    for k, inst in enumerate(suite.instances, start=1):
        dim = _dimension(inst.problem, json.dumps(inst.params, sort_keys=True, default=str))
        for agent, part in hv[hv["instance"] == inst.id].groupby("agent", sort=True):
            folder = Path(out) / _safe(str(agent))
            data_dir = folder / f"data_f{k}_{inst.id}"
            data_dir.mkdir(parents=True, exist_ok=True)
            dat = data_dir / f"IOHprofiler_f{k}_DIM{dim}.dat"
            lines, runs = [], []
            for _seed, run in part.groupby("seed", sort=True):
                run = run.sort_values("evaluations", kind="stable")
                lines.append(HEADER)
                gaps = 1.0 - run["value"].to_numpy(dtype=float)
                evals = run["evaluations"].to_numpy(dtype=int)
                if evals[0] > 1:  # the first evaluation, before any point in the box: gap 1
                    lines.append(f"1 {1.0:.10e}")
                for e, g in zip(evals, gaps, strict=True):
                    lines.append(f"{max(int(e), 1)} {g:.10e}")
                runs.append(f"1:{max(int(evals[-1]), 1)}|{gaps[-1]:.5e}")
            dat.write_text("\n".join(lines) + "\n", encoding="utf-8")
            info = folder / f"IOHprofiler_f{k}_{inst.id}.info"
            head = (
                f"suite = '{suite.suite}', funcId = {k}, funcName = '{inst.id}', DIM = {dim}, "
                f"maximization = 'F', algId = '{agent}', algInfo = 'value: 1 - hv_ratio'"
            )
            rel = dat.relative_to(folder).as_posix()
            info.write_text(f"{head}\n%\n{rel}, {', '.join(runs)}\n", encoding="utf-8")
            written.append(info)
    return written


def export_source(source: str, out: Path) -> list[Path]:
    """Exports a bench results folder, or the stored baselines of a suite name.

    Raises:
        ConfigError: for a source that is neither.
    """
    from dsegym.experiments.bench import baselines, running
    from dsegym.experiments.bench.suite import load_suite

    path = Path(source)
    if path.is_dir():
        info = running.read_info(path)
        suite = load_suite(info.get("suite_ref") or info["suite"])
        return export(running.read_histories(path, suite), suite, out)
    suite = load_suite(source)
    table, _ = baselines.load(suite)
    if table.empty:
        raise ConfigError(f"no stored baselines for suite {suite.suite} to export")
    return export(table, suite, out)
