import json
import shutil

import numpy as np
import pytest

from dsegym.experiments.config import expand_runs, parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.experiments.record_writer import RecordWriter
from dsegym.experiments.results_folder import MARKER_NAME, ResultsFolder
from dsegym.experiments.runner import (
    ResumeDivergedError,
    RunEvaluator,
    RunFailedError,
    RunSpec,
    execute_run,
)
from dsegym.experiments.storage import read_records, repair

from .helpers import records


def test_budget_counts_distinct_designs_and_cache_answers_repeats(picky_problem):
    ev = RunEvaluator(picky_problem, budget=3)
    a = {"width": 2, "kind": "a", "knob": 0.1}
    b = {"width": 3, "kind": "b", "knob": 0.2}
    out = ev([a, a, b])
    assert len(out) == 3 and ev.charged == 2 and ev.proposals == 3
    assert out[0] is out[1]
    out = ev([a, {"width": 4, "kind": "c", "knob": 0.3}, {"width": 5, "kind": "c", "knob": 0.3}])
    # The budget runs out after the third distinct design: the fourth is not evaluated.
    assert len(out) == 2 and ev.charged == 3 and ev.exhausted and ev.stop_reason == "budget"
    assert ev([a]) == []


def test_proposal_limit_stops_an_agent_that_repeats_itself(picky_problem):
    ev = RunEvaluator(picky_problem, budget=5, max_proposals_factor=2)
    design = {"width": 2, "kind": "a", "knob": 0.1}
    while not ev.exhausted:
        ev([design])
    assert ev.charged == 1 and ev.proposals == 10
    assert ev.stop_reason.startswith("proposal limit")


def test_space_exhaustion_ends_a_grid_run(tmp_path):
    spec = RunSpec("e", "toy-accelerator", {}, "grid", {}, seed=0, budget=5000)
    summary = execute_run(spec, tmp_path)
    assert summary.evaluations == 3000 and summary.stop_reason == "space exhausted"


def test_every_evaluation_is_recorded_with_its_context(tmp_path):
    spec = RunSpec(
        "exp",
        "toy-accelerator-1obj",
        {"area_budget_mm2": 1.0},
        "random",
        {"batch_size": 4},
        seed=3,
        budget=40,
    )
    execute_run(spec, tmp_path)
    rows = read_records(tmp_path / "runs" / f"{spec.run_id}.jsonl")
    first = rows[0]
    for key in (
        "run_id",
        "experiment",
        "problem",
        "problem_params",
        "cost_model",
        "cost_model_version",
        "workload",
        "design",
        "metrics",
        "feasible",
        "violations",
        "agent",
        "hyperparameters",
        "seed",
        "eval_index",
        "eval_time_s",
    ):
        assert key in first, key
    assert first["hyperparameters"] == {"batch_size": 4}
    assert first["cost_model"] == "toy-accelerator" and first["workload"] == "gemm-256"
    fresh = [r for r in rows if not r["cached"]]
    assert [r["eval_index"] for r in fresh] == list(range(1, 41))
    infeasible = [r for r in rows if not r["feasible"]]
    assert infeasible and all(
        "spec not met: area_mm2 <= 1.0" in r["violations"][0] for r in infeasible
    )


def test_torn_last_line_is_ignored_and_repaired(tmp_path):
    spec = RunSpec("e", "zdt1", {"n_var": 4}, "random", {}, seed=1, budget=3)
    execute_run(spec, tmp_path)
    path = tmp_path / "runs" / f"{spec.run_id}.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:3]) + lines[3][:40])  # run header, 2 rows, torn
    assert [r["eval_index"] for r in read_records(path)] == [1, 2]
    assert repair(path) == 2 and path.read_text().endswith("}\n")


def test_infinite_values_are_recorded_as_null(tmp_path, picky_problem):
    path = tmp_path / "r.jsonl"
    with RecordWriter(path, {}) as w:
        ev = RunEvaluator(picky_problem, budget=1, writer=w)
        ev([{"width": 8, "kind": "a", "knob": 0.0}])
    row = json.loads(path.read_text())
    assert row["F"] == [None, None] and row["feasible"] is False


def test_resume_replays_without_repeating_or_losing(tmp_path):
    spec = RunSpec("e", "zdt1", {"n_var": 4}, "nsga2", {"population_size": 8}, seed=1, budget=60)
    full = tmp_path / "full"
    execute_run(spec, full)
    partial = tmp_path / "partial"
    (partial / "runs").mkdir(parents=True)
    shutil.copy(full / MARKER_NAME, partial / MARKER_NAME)  # the killed run's folder
    lines = (full / "runs" / f"{spec.run_id}.jsonl").read_text().splitlines(keepends=True)
    (partial / "runs" / f"{spec.run_id}.jsonl").write_text("".join(lines[:23]) + lines[23][:17])
    summary = execute_run(spec, partial, resume=True)
    assert summary.evaluations == 60
    assert records(partial) == records(full)


def test_resume_detects_a_diverging_agent(tmp_path):
    spec = RunSpec("e", "zdt1", {"n_var": 4}, "random", {}, seed=1, budget=20)
    execute_run(spec, tmp_path)
    other = RunSpec("e", "zdt1", {"n_var": 4}, "random", {}, seed=2, budget=20)
    src = tmp_path / "runs" / f"{spec.run_id}.jsonl"
    ResultsFolder(tmp_path).claim(ResultsFolder(tmp_path).run_paths(other.run_id))
    src.rename(tmp_path / "runs" / f"{other.run_id}.jsonl")
    with pytest.raises(RunFailedError) as failed:
        execute_run(other, tmp_path, resume=True)
    assert isinstance(failed.value.__cause__, ResumeDivergedError)
    assert "resume diverged at proposal 1" in str(failed.value.__cause__)
    error = (tmp_path / "runs" / f"{other.run_id}.error.txt").read_text()
    assert error.startswith("ResumeDivergedError: resume diverged at proposal 1")
    assert "evaluations recorded: 0" in error and "Traceback" in error


def test_sweeps_and_seeds_expand_to_runs():
    cfg = parse_config(
        {
            "name": "s",
            "budget": 5,
            "seeds": [0, 1],
            "problems": ["zdt1", {"name": "toy-accelerator", "label": "toy"}],
            "agents": [
                {"name": "nsga2", "params": {"population_size": [8, 16], "crossover": "sbx"}},
                "random",
            ],
        }
    )
    specs = expand_runs(cfg)
    assert len(specs) == 2 * (2 + 1) * 2
    assert len({s.run_id for s in specs}) == len(specs)
    assert {s.agent_label for s in specs} == {
        "nsga2[population_size=8]",
        "nsga2[population_size=16]",
        "random",
    }


def test_same_config_same_records(tmp_path):
    cfg = parse_config(
        {
            "name": "d",
            "budget": 30,
            "seeds": [4],
            "problems": ["toy-accelerator"],
            "agents": ["tpe", "nsga2"],
        }
    )
    run_experiment(cfg, results_dir=tmp_path / "a", show_progress=False)
    run_experiment(cfg, results_dir=tmp_path / "b", show_progress=False)
    assert records(tmp_path / "a") == records(tmp_path / "b")
    assert np.all([len(v) >= 30 for v in records(tmp_path / "a").values()])


def test_runs_use_the_problems_parse_config_built(tmp_path, monkeypatch):
    cfg = parse_config(
        {
            "name": "once",
            "budget": 4,
            "seeds": [0, 1],
            "problems": [{"name": "zdt1", "params": {"n_var": 3}}],
            "agents": ["random"],
        }
    )
    built = cfg.built_problem("zdt1", {"n_var": 3})
    assert built is not None and built.params == {"n_var": 3}

    def no_second_build(*args, **kwargs):
        raise AssertionError("the problem was built again")

    monkeypatch.setattr("dsegym.experiments.runner.make_problem", no_second_build)
    monkeypatch.setattr("dsegym.experiments.launch.make_problem", no_second_build)
    summaries = run_experiment(cfg, results_dir=tmp_path, show_progress=False)
    assert [s.evaluations for s in summaries] == [4, 4] and not any(s.error for s in summaries)
