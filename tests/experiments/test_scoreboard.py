"""The scoreboard in a results folder, and the `dsegym front` commands."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dsegym.cli import main
from dsegym.costmodels.registry import make_problem
from dsegym.experiments import scoreboard
from dsegym.experiments.reference_fronts import best_known, find_front, save_front
from dsegym.indicators import INDICATORS


def _ok(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0


def test_summary_leads_with_the_indicators(finished):
    summary = pd.read_csv(finished.path / "summary.csv")
    toy = summary[summary["problem"] == "toy-accelerator"]
    assert list(toy.columns[:5]) == ["problem", "agent", "rank", "ref_hv_ratio", "recall_exact"]
    assert sorted(toy["rank"]) == [1.0, 2.0]
    assert toy["ref_hv_ratio"].between(0, 1).all()
    runs = pd.read_csv(finished.path / "runs.csv")
    scored = runs[runs["problem"] == "toy-accelerator"]
    assert scored[list(INDICATORS)].notna().all().all()
    facts = json.loads((finished.path / "scoreboard.json").read_text())
    assert facts["problems"]["toy-accelerator"]["reference_front"] == scoreboard.DECLARED
    assert "Friedman" in facts["note"] or facts["friedman_p"] is not None
    md = (finished.path / "summary.md").read_text()
    assert f"Reference front: {scoreboard.DECLARED}." in md and "Per run:" in md
    page = (finished.path / "report.html").read_text()
    assert "Per run (4 runs)" in page and scoreboard.DECLARED in page  # toy and zdt1
    ecdf = pd.read_csv(finished.path / "anytime_ecdf.csv")
    assert ecdf["fraction"].between(0, 1).all()
    assert (ecdf.groupby(["problem", "agent"])["fraction"].diff().dropna() >= 0).all()


def test_front_compute_and_list(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DSEGYM_FRONTS_DIR", str(tmp_path))
    _ok(["front", "compute", "toy-accelerator", "-p", "objectives=[latency_cycles, area_mm2]"])
    out = capsys.readouterr().out
    assert "exact front" in out and "3,000 designs, 3,000 feasible" in out
    found, _ = find_front("toy-accelerator", {}, "toy-accelerator", "1")
    assert found is not None and found.kind == "exact"
    _ok(["front", "list"])
    listing = capsys.readouterr().out
    assert "yours" in listing and "shipped" in listing  # the toy front and the systolic one


def test_best_known_front_pools_recorded_runs(finished, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DSEGYM_FRONTS_DIR", str(tmp_path))
    _ok(["front", "compute", "zdt1", "-p", "n_var=3", "--from", str(finished.path)])
    assert "best-known front" in capsys.readouterr().out
    front, _ = find_front("zdt1", {"n_var": 3}, "zdt", "1")
    assert front is not None and front.kind == "best-known"
    assert len(front.provenance["sources"]) == 4  # 2 agents x 2 seeds of zdt1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["front", "compute", "zdt1"], "cannot be enumerated"),
        (["front", "compute", "zdt9"], "unknown problem 'zdt9'"),
        (["front", "compute", "zdt1", "--from", "/nonexistent"], "not a results folder"),
    ],
)
def test_front_mistakes_get_one_message(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DSEGYM_FRONTS_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = " ".join(capsys.readouterr().err.split())
    assert exc.value.code == 2 and message in err and "Traceback" not in err


def _rows(feasible, G, status="finished", agent="a", seed=0):
    """One row of the tidy evaluations table (see experiments/tidy.py)."""
    return {
        "problem": "p", "agent": agent, "seed": seed, "run_id": f"{agent}{seed}",
        "objectives": ["f1", "f2"], "objective.f1": 1.0, "objective.f2": 2.0,
        "constraint.x": G[0], "feasible": feasible, "cached": False,
        "design.x": G[0], "violations": [f"spec not met: x (got {G[0]})"],
    }  # fmt: skip


def test_warnings_for_no_feasible_design_and_early_stops():
    df = pd.DataFrame([_rows(False, [3.0]), _rows(False, [0.5]), _rows(False, [9.0])])
    summary = pd.DataFrame([{"problem": "p", "agent": "a"}])
    finals = pd.DataFrame(
        [
            {"problem": "p", "agent": "a", "seed": 0, "status": "finished", "evaluations": 50},
            {"problem": "p", "agent": "b", "seed": 0, "status": "proposal limit", "evaluations": 7},
        ]
    )
    (early, none) = scoreboard.warnings(summary, finals, df, "p")
    assert "1 runs stopped early" in early and "b seed 0 (proposal limit, 7 evaluations)" in early
    assert none.startswith("no run found a feasible design")
    # the closest design first: least total violation
    assert none.index("{'x': 0.5}") < none.index("{'x': 3.0}")
    assert "{'x': 9.0}" in none and "spec not met" in none


def _frame(problem, model):
    row = {
        "problem": problem, "problem_name": problem, "problem_params": {},
        "objectives": make_problem(problem, {}).objective_labels,
        "cost_model": model, "cost_model_version": "1",
    }  # fmt: skip
    return pd.DataFrame([row])


def test_reports_pick_the_stored_front_of_the_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("DSEGYM_FRONTS_DIR", str(tmp_path))
    frame = _frame("accelerator-systolic", "accelerator-systolic")
    ps = scoreboard._reference("sys", frame, np.array([[1.0, 1.0, 9.0]]))
    assert ps is not None and ps.source.startswith("exact front") and len(ps.box.front) == 244
    frame = _frame("dram-mo", "dram")
    stored = best_known("dram-mo", {}, [np.array([[1.0, 2.0, 3.0]])], ["somewhere"])
    save_front(stored)
    ps = scoreboard._reference("dram", frame, np.array([[2.0, 1.0, 3.0]]))
    assert ps is not None and "best-known" in ps.source and "pooled" in ps.source
    assert sorted(map(tuple, ps.box.front.tolist())) == [(1.0, 2.0, 3.0), (2.0, 1.0, 3.0)]
    older = frame.assign(cost_model_version="0")  # records of another model version
    ps = scoreboard._reference("dram", older, np.array([[2.0, 1.0, 3.0]]))
    assert ps is not None and ps.source.startswith("union of these runs")
