"""dsegym export optuna: the records round-trip through Optuna's journal storage."""

import json
import sys
from wsgiref.util import setup_testing_defaults

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from dsegym.cli import main
from dsegym.experiments.storage import read_records


@pytest.fixture(scope="module")
def per_run(finished, tmp_path_factory):
    path = tmp_path_factory.mktemp("optuna") / "runs.log"
    result = finished.export_optuna(path)
    return result, JournalStorage(JournalFileBackend(str(path)))


def evaluated(finished, run_id):
    return [r for r in read_records(finished.path / "runs" / f"{run_id}.jsonl") if not r["cached"]]


def test_one_study_per_run_with_every_evaluation(finished, per_run):
    result, storage = per_run
    summaries = {s.study_name: s for s in optuna.get_all_study_summaries(storage)}
    assert set(summaries) == set(finished.runs["run_id"]) == set(result.studies)
    for run_id, summary in summaries.items():
        assert summary.n_trials == len(evaluated(finished, run_id)) == result.studies[run_id]


def test_trials_carry_design_objectives_and_constraints(finished, per_run):
    _, storage = per_run
    for run_id in finished.runs["run_id"]:
        study = optuna.load_study(study_name=run_id, storage=storage)
        rows = evaluated(finished, run_id)
        assert study.metric_names == rows[0]["objectives"]
        for trial, row in zip(study.trials, rows, strict=True):
            assert trial.user_attrs["eval_index"] == row["eval_index"]
            if any(f is None for f in row["F"]):  # the model rejected the design
                assert trial.state == TrialState.FAIL
                assert trial.user_attrs["violations"] == row["violations"]
                continue
            assert trial.state == TrialState.COMPLETE
            assert trial.params == row["design"]
            assert trial.values == pytest.approx(row["F"])
            assert list(trial.constraints.values()) == pytest.approx(row["G"])


def test_constrained_and_failed_trials_exist(finished, per_run):
    _, storage = per_run
    runs = finished.runs.set_index("run_id")
    trials = [
        t
        for run_id in runs.index[runs["problem"] == "separable-discrete"]
        for t in optuna.load_study(study_name=run_id, storage=storage).trials
    ]
    assert any(t.state == TrialState.FAIL for t in trials)
    assert any(t.constraints and max(t.constraints.values()) > 0 for t in trials)


def test_distributions_are_the_design_space(finished, per_run):
    _, storage = per_run
    runs = finished.runs.set_index("run_id")
    toy = runs.index[runs["problem"] == "toy-accelerator"][0]
    zdt = runs.index[runs["problem"] == "zdt1"][0]
    toy_dists = optuna.load_study(study_name=toy, storage=storage).trials[0].distributions
    assert isinstance(toy_dists["dataflow"], CategoricalDistribution)
    assert isinstance(toy_dists["bandwidth_gbps"], IntDistribution)
    zdt_dists = optuna.load_study(study_name=zdt, storage=storage).trials[0].distributions
    assert zdt_dists["x1"] == FloatDistribution(0.0, 1.0)


def test_optunas_pareto_front_is_ours(finished, per_run):
    """Optuna's best_trials of a study equal the run's front in fronts/<run>.csv."""
    _, storage = per_run
    for run_id in finished.runs.loc[finished.runs["problem"] == "zdt1", "run_id"]:
        study = optuna.load_study(study_name=run_id, storage=storage)
        optuna_front = np.unique([t.values for t in study.best_trials], axis=0)
        front = pd.read_csv(finished.path / "fronts" / f"{run_id}.csv")
        ours = front[[c for c in front.columns if c.startswith("objective.")]].to_numpy()
        assert np.allclose(optuna_front, np.unique(ours, axis=0))


def test_per_agent_pools_the_seeds(finished, tmp_path):
    result = finished.export_optuna(tmp_path / "agents.log", per="agent")
    storage = JournalStorage(JournalFileBackend(str(tmp_path / "agents.log")))
    names = {s.study_name: s.n_trials for s in optuna.get_all_study_summaries(storage)}
    assert len(names) == 8 and names == result.studies
    runs = finished.runs
    zdt_random = runs[(runs["problem"] == "zdt1") & (runs["agent"] == "random")]
    assert names["zdt1__random"] == sum(len(evaluated(finished, r)) for r in zdt_random["run_id"])
    study = optuna.load_study(study_name="zdt1__random", storage=storage)
    assert study.user_attrs["seeds"] == [0, 1]


def test_optuna_dashboard_serves_it(per_run):
    optuna_dashboard = pytest.importorskip("optuna_dashboard")
    result, storage = per_run
    app = optuna_dashboard.wsgi(storage)

    def get(path):
        status = []
        env = {"PATH_INFO": path}
        setup_testing_defaults(env)
        env["wsgi.errors"] = sys.stderr
        body = b"".join(app(env, lambda s, h, e=None: status.append(s)))
        assert status == ["200 OK"], (path, status)
        return json.loads(body)

    studies = get("/api/studies")["study_summaries"]
    assert len(studies) == len(result.studies)
    constrained = next(s for s in studies if s["study_name"].startswith("toy-accelerator-1obj"))
    detail = get(f"/api/studies/{constrained['study_id']}")
    assert len(detail["trials"]) == result.studies[constrained["study_name"]]
    assert all(len(t["constraints"]) == 1 for t in detail["trials"] if t["state"] == "Complete")
    assert get(f"/api/studies/{constrained['study_id']}/param_importances")["param_importances"]


def test_cli(finished, tmp_path, capsys):
    out = tmp_path / "cli.log"
    with pytest.raises(SystemExit) as exc:
        main(["export", "optuna", str(finished.path), "--per", "agent", "--output", str(out)])
    assert exc.value.code == 0 and out.is_file()
    assert "8 studies" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["export", "optuna", str(finished.path), "--per", "seed"])
    assert exc.value.code == 2
    assert "allowed: run, agent" in capsys.readouterr().err


def test_a_maximised_objective_is_exported_as_the_metric_with_direction_maximize():
    from dsegym.costmodels.space import DesignSpace, Real
    from dsegym.experiments.export_optuna import _direction, _ProblemInfo, _trial

    labels = ["-accuracy", "latency"]
    space = DesignSpace([Real("x", 0.0, 1.0)])
    info = _ProblemInfo(space, [_direction(lab) for lab in labels], ["accuracy", "latency"], [])
    assert info.directions == ["maximize", "minimize"]
    from dsegym.experiments.storage import EvaluationRecord, RecordedEvaluation, RunFields

    run = RunFields("e", "r", "p", "p", {}, "m", "1", "", labels, "a", "a", {}, 0, [])
    record = EvaluationRecord(
        {"x": 0.5}, {"accuracy": 0.9, "latency": 2.0}, [-0.9, 2.0], [], True, [], 1, 1,
        timestamp=1.7e9, eval_time_s=0.001,
    )  # fmt: skip
    row = RecordedEvaluation(run, record)
    trial = _trial(row, info, space.to_optuna_distributions())
    assert trial.values == [0.9, 2.0] and trial.params == {"x": 0.5}
