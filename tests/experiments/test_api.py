"""The notebook API: dsegym.run and dsegym.load."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import dsegym
from dsegym.experiments.storage import read_records
from dsegym.pareto import nondominated_mask

from .conftest import REPORT_CONFIG


def test_run_returns_every_table(finished):
    assert finished.errors == {}
    assert finished.report_html.is_file() and (finished.path / "summary.md").is_file()
    n_records = sum(len(read_records(p)) for p in (finished.path / "runs").glob("*.jsonl"))
    assert len(finished.evaluations) == n_records
    assert len(finished.summary) == 4 * 2  # problems x agents
    assert set(finished.summary["agent"]) == {"random", "nsga2"}
    assert len(finished.runs) == len(finished.fronts) == 4 * 2 * 2
    assert set(finished.history["problem"]) >= {"toy-accelerator", "zdt1"}


def test_front_is_feasible_and_non_dominated(finished):
    front = finished.front("toy-accelerator")
    F = front[["objective.latency_cycles", "objective.energy_pj", "objective.area_mm2"]]
    assert front["feasible"].all() and not front["cached"].any()
    assert nondominated_mask(F.to_numpy()).all()
    assert {"design.pe_rows", "metric.utilisation"} <= set(front.columns)
    assert "design.x1" not in front  # another problem's knob
    # nothing feasible of this problem dominates a front point
    ev = finished.evaluations
    rows = ev[(ev["problem"] == "toy-accelerator") & ev["feasible"]]
    all_F = rows[F.columns].to_numpy()
    for point in F.to_numpy():
        assert not np.any(np.all(all_F <= point, axis=1) & np.any(all_F < point, axis=1))
    one = finished.front("toy-accelerator", agent="nsga2")
    assert set(one["agent"]) == {"nsga2"}


def test_front_names_what_is_allowed(finished):
    with pytest.raises(dsegym.ConfigError, match="allowed: separable-discrete"):
        finished.front("nope")
    with pytest.raises(dsegym.ConfigError, match="allowed: nsga2, random"):
        finished.front("zdt1", agent="tpe")


def test_load_gives_the_same_tables(finished):
    again = dsegym.load(finished.path)
    pd.testing.assert_frame_equal(again.summary, finished.summary)
    assert len(again.evaluations) == len(finished.evaluations)


def test_load_recomputes_tables_older_than_the_records(finished, tmp_path):
    copy = tmp_path / "res"
    shutil.copytree(finished.path, copy)
    (copy / "summary.csv").unlink()
    (copy / "evaluations.parquet").unlink()
    res = dsegym.load(copy)
    pd.testing.assert_frame_equal(res.summary, finished.summary)
    record = next((copy / "runs").glob("*.jsonl"))
    written = (copy / "summary.csv").stat().st_mtime_ns
    dsegym.load(copy)
    assert (copy / "summary.csv").stat().st_mtime_ns == written  # up to date: not redone
    later = written / 1e9 + 10
    os.utime(record, (later, later))
    dsegym.load(copy)
    assert (copy / "summary.csv").stat().st_mtime_ns > written


def test_run_refuses_a_folder_with_runs(finished):
    with pytest.raises(dsegym.ConfigError, match="already holds runs"):
        dsegym.run(REPORT_CONFIG, output=finished.path)
    with pytest.raises(dsegym.ConfigError, match="choose one"):
        dsegym.run(REPORT_CONFIG, output=finished.path, resume=True, overwrite=True)


def test_run_accepts_a_path_and_resumes(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "name: tiny\nbudget: 20\nseeds: [0]\nworkers: 1\nproblems: [zdt1]\nagents: [random]\n"
    )
    first = dsegym.run(cfg, output=tmp_path / "out", report=False)
    assert not first.report_html.exists()  # tables only
    again = dsegym.run(cfg, output=tmp_path / "out", resume=True, report=False)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    assert len(first.evaluations) == 20


def test_load_of_a_missing_folder():
    with pytest.raises(dsegym.ConfigError, match="does not exist"):
        dsegym.load("/nonexistent/results")


def test_import_stays_light():
    heavy = ("pandas", "plotly", "optuna", "ray", "matplotlib", "pyarrow", "torch")
    code = f"import sys, dsegym; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
