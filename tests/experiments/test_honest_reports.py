"""Reports that never lie and never crash (issue 9): the hypervolume rule, best-value
summaries, sweep labels, the progress bar, and runs that fail or find nothing."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dsegym.cli import main
from dsegym.experiments import launch
from dsegym.experiments.analysis import analyse, problem_references, run_metrics
from dsegym.experiments.config import expand_runs, parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.experiments.report import write_report
from dsegym.pareto import Normaliser, hypervolume
from dsegym.search import AskTellAgent

DRAM = {"workload": "cloud-1", "n_requests": 200}


def _frame(fronts: dict[str, list[list[float]]], problem="dram-mo", params=DRAM) -> pd.DataFrame:
    """The tidy table of runs whose feasible evaluations are the given points, in order."""
    rows = []
    for run_id, points in fronts.items():
        for i, f in enumerate(points, start=1):
            labels = ["a", "b", "c"][: len(f)]
            rows.append(
                {
                    "run_id": run_id,
                    "problem": problem,
                    "problem_name": problem,
                    "problem_params": json.dumps(params, sort_keys=True),
                    "objectives": labels,
                    "agent": run_id.split("-")[0],
                    "seed": 0,
                    "proposal_index": i,
                    "eval_index": i,
                    "cached": False,
                    "feasible": True,
                    **{f"objective.{label}": v for label, v in zip(labels, f, strict=True)},
                }
            )
    return pd.DataFrame(rows)


def test_a_run_dominated_by_another_still_gets_a_positive_hypervolume():
    # The old rule normalised by the ideal and nadir of the *combined* front, which
    # here is run "good"'s front only: every point of run "poor" fell outside the
    # 1.1 box and it scored exactly 0.
    df = _frame(
        {
            "good-0": [[1.0, 10.0, 5.0], [10.0, 1.0, 5.0]],
            "poor-0": [[100.0, 100.0, 50.0], [120.0, 90.0, 60.0]],
        }
    )
    refs = problem_references(df)
    ref = refs["dram-mo"]
    np.testing.assert_allclose(ref.normaliser.ideal, [1.0, 1.0, 5.0])
    np.testing.assert_allclose(ref.normaliser.nadir, [120.0, 100.0, 60.0])
    assert "union of the runs' own Pareto fronts" in ref.rule
    runs, _, _ = run_metrics(df, refs)
    hv = dict(zip(runs["run_id"], runs["hypervolume"], strict=True))
    assert hv["poor-0"] > 0 and hv["good-0"] > hv["poor-0"]
    # The rule as stated: poor's front (100, 100, 50) and (120, 90, 60) normalised.
    norm = ref.normaliser(np.array([[100.0, 100.0, 50.0], [120.0, 90.0, 60.0]]))
    assert hv["poor-0"] == pytest.approx(hypervolume(norm, np.full(3, 1.1)))


def test_log_scale_normalises_in_decades():
    df = _frame({"x-0": [[1.0, 1000.0, 1.0], [1000.0, 1.0, 1.0]], "y-0": [[10.0, 10.0, 10.0]]})
    ref = problem_references(df, "log")["dram-mo"]
    assert ref.to_dict()["log_scaled"] == ["a", "b", "c"]
    np.testing.assert_allclose(ref.normaliser(np.array([[10.0, 10.0, 10.0]])), [[1 / 3, 1 / 3, 1]])
    assert "in log10 for a, b, c" in ref.rule


def test_normaliser_from_fronts_keeps_non_positive_objectives_linear():
    n = Normaliser.from_fronts([np.array([[-1.0, 1.0]]), np.array([[1.0, 100.0]])], "log")
    np.testing.assert_array_equal(n.log, [False, True])
    np.testing.assert_allclose(n(np.array([[0.0, 10.0]])), [[0.5, 0.5]])
    with pytest.raises(ValueError, match="unknown scale"):
        Normaliser.from_fronts([np.ones((1, 2))], "cubic")  # type: ignore[arg-type]


def test_ideal_equal_to_nadir_is_summarised_by_best_value():
    df = _frame(
        {"a-0": [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]], "b-0": [[9.0, 9.0, 9.0], [5.0, 5.0, 5.0]]}
    )
    ref = problem_references(df)["dram-mo"]
    assert ref.measure == "best" and "ideal equals the nadir" in ref.rule
    runs, histories, _ = run_metrics(df, {"dram-mo": ref})
    assert histories.empty and "hypervolume" not in runs
    assert runs.set_index("run_id")["evals_to_best"].to_dict() == {"a-0": 1.0, "b-0": 2.0}


@pytest.fixture(scope="module")
def odd_runs(tmp_path_factory):
    """One finished problem, a single-objective one, and runs that fail in every way."""
    out = tmp_path_factory.mktemp("odd")
    cfg = parse_config(
        {
            "name": "odd",
            "budget": 12,
            "seeds": [0, 1],
            "max_proposals_factor": 2,
            "problems": [
                "toy-accelerator-1obj",
                {
                    "name": "accelerator-systolic",
                    "params": {"area_budget_mm2": 1e-6, "objectives": ["latency_cycles"]},
                    "label": "tiny",
                },
            ],
            "agents": [
                "random",
                f"{__name__}:Constant",
                f"{__name__}:Crasher",
                {"name": "random_walk", "params": {"n_changes": [1, 2]}},
                {"name": "random_walk", "params": {"n_changes": 3}},
            ],
        }
    )
    with pytest.raises(SystemExit) as exc:
        main(["run", _write(out / "c.yaml", cfg), "--output", str(out / "r"), "--quiet"])
    assert exc.value.code == 1  # the crashing runs failed; the rest finished
    return out / "r"


def _write(path, cfg):
    import yaml

    path.write_text(yaml.safe_dump(cfg.model_dump(mode="json")))
    return str(path)


class Constant(AskTellAgent):
    """Proposes one design for ever: stops at the proposal limit."""

    name = "constant"

    def ask(self, n):
        return [self.space.sample(np.random.default_rng(0))]

    def tell(self, outcomes):
        pass


class Crasher(AskTellAgent):
    """Crashes on its fourth round."""

    name = "crasher"

    def __init__(self, space, **kwargs):
        super().__init__(space, **kwargs)
        self.rounds = 0

    def ask(self, n):
        self.rounds += 1
        if self.rounds == 4:
            raise RuntimeError("the [bold]agent[/] broke")
        return self.space.sample_many(self.rng, 1)

    def tell(self, outcomes):
        pass


def test_failed_and_infeasible_runs_are_shown_as_such(odd_runs):
    runs = pd.read_csv(odd_runs / "runs.csv")
    assert len(runs) == 2 * 6 * 2
    status = runs.groupby("agent")["status"].agg(set).to_dict()
    assert status[f"{__name__}:Constant"] == {"proposal limit"}
    assert status[f"{__name__}:Crasher"] == {"error"}
    crashed = runs[runs["status"] == "error"]
    assert (crashed["evaluations"] == 3).all()
    assert crashed["error"].str.contains("RuntimeError: the \\[bold\\]agent\\[/\\] broke").all()
    error_file = (odd_runs / "runs" / f"{crashed['run_id'].iloc[0]}.error.txt").read_text()
    assert "evaluations recorded: 3" in error_file and "Traceback" in error_file
    tiny = runs[runs["problem"] == "tiny"]
    assert (tiny["feasible_evaluations"] == 0).all()
    md = (odd_runs / "summary.md").read_text()
    assert "no feasible design" in md and "proposal limit" in md and "RuntimeError" in md


def test_single_objective_is_summarised_by_best_value(odd_runs):
    summary = pd.read_csv(odd_runs / "summary.csv")
    row = summary[(summary["problem"] == "toy-accelerator-1obj") & (summary["agent"] == "random")]
    runs = pd.read_csv(odd_runs / "runs.csv")
    mine = runs[(runs["problem"] == "toy-accelerator-1obj") & (runs["agent"] == "random")]
    assert row["measure"].iloc[0] == "best"
    refs = json.loads((odd_runs / "reference_points.json").read_text())
    assert refs["toy-accelerator-1obj"]["measure"] == "best"
    (label,) = refs["toy-accelerator-1obj"]["objectives"]
    assert row["best_mean"].iloc[0] == pytest.approx(mine[f"best_{label}"].mean())
    assert row["evals_to_best_mean"].iloc[0] == pytest.approx(mine["evals_to_best"].mean())
    assert (mine["evals_to_best"] <= 12).all() and (mine["evals_to_best"] >= 1).all()


def test_sweep_settings_are_told_apart_in_every_table(odd_runs):
    summary = pd.read_csv(odd_runs / "summary.csv")
    walks = sorted(a for a in summary["agent"].unique() if a.startswith("random_walk"))
    assert walks == [
        "random_walk[n_changes=1]",
        "random_walk[n_changes=2]",
        "random_walk[n_changes=3]",
    ]
    assert not summary.duplicated(["problem", "agent"]).any()


def test_report_of_a_folder_whose_runs_all_failed(tmp_path, capsys):
    cfg = parse_config(
        {"name": "f", "budget": 5, "problems": ["zdt1"], "agents": [f"{__name__}:Crasher"]}
    )
    run_experiment(cfg, results_dir=tmp_path, show_progress=False)
    # The run recorded three evaluations before it crashed; remove them too.
    for path in (tmp_path / "runs").glob("*.jsonl"):
        path.unlink()
    write_report(tmp_path)
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert runs["status"].tolist() == ["error"]
    with pytest.raises(SystemExit) as exc:
        main(["report", str(tmp_path)])
    assert exc.value.code == 0


def test_progress_bar_ends_at_what_was_done(tmp_path, monkeypatch):
    bars = []
    real = launch._progress_bar

    def spy(enabled):
        bar = real(False)
        bars.append(bar)
        return bar

    monkeypatch.setattr(launch, "_progress_bar", spy)
    cfg = parse_config(
        {
            "name": "p",
            "budget": 500,
            "problems": [{"name": "zdt1", "params": {"n_var": 2}}],
            "agents": ["grid", "random"],
        }
    )
    summaries = run_experiment(cfg, results_dir=tmp_path, show_progress=True)
    task = bars[0].tasks[0]
    assert summaries[0].evaluations == 25  # grid: 5 x 5 designs, then done
    assert task.completed == task.total == 25 + 500


@pytest.mark.slow
def test_the_quick_start_dram_case_has_no_zero_hypervolume(tmp_path):
    """Random search on dram-mo scored 0 in the quick start though every design was
    feasible, because NSGA-II's front set the box (issue 9)."""
    cfg = parse_config(
        {
            "name": "qs-dram",
            "budget": 300,
            "seeds": [0],
            "problems": [{"name": "dram-mo", "params": {"workload": "cloud-1"}}],
            "agents": ["random", {"name": "nsga2", "params": {"population_size": 30}}],
        }
    )
    run_experiment(cfg, results_dir=tmp_path, show_progress=False)
    tables = analyse(tmp_path)
    runs = tables["runs"]
    assert (runs["feasible_evaluations"] > 0).all()
    assert (runs["hypervolume"] > 0).all(), runs[["run_id", "hypervolume"]]
    # Under the old rule (the box of the combined front) some of these runs scored 0.
    combined = Normaliser.from_points(np.vstack(list(tables["fronts"].values())))
    old = [hypervolume(combined(f), combined.reference_point) for f in tables["fronts"].values()]
    assert min(old) == 0.0


def test_expand_runs_labels_are_unique_per_problem():
    cfg = parse_config(
        {
            "name": "l",
            "budget": 5,
            "problems": ["zdt1"],
            "agents": [
                {"name": "nsga2", "params": {"population_size": [8, 16], "crossover": "sbx"}},
                {"name": "nsga2", "params": {"population_size": 8, "crossover": "uniform"}},
            ],
        }
    )
    labels = [s.agent_label for s in expand_runs(cfg)]
    assert labels == [
        "nsga2[population_size=8,crossover=sbx]",
        "nsga2[population_size=16,crossover=sbx]",
        "nsga2[population_size=8,crossover=uniform]",
    ]
