"""Every registered study's --quick mode, through the command line, and its outputs."""

import json
import math

import pandas as pd
import pytest

from dsegym.cli import main
from dsegym.costmodels.accelerator.model import EYERISS
from dsegym.costmodels.registry import make_problem
from dsegym.experiments.studies.registry import STUDIES, study_description, study_names

VERDICTS = {"AGREES", "DIFFERS", "PARTLY"}


def cli(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return exc.value.code


def run_quick(name, tmp_path):
    out = tmp_path / name
    assert cli(["study", "run", name, "--quick", "--output", str(out)]) == 0
    summary = (out / "summary.md").read_text()
    if name == "lut-conclusions":  # analytical: quick = full
        assert "Quick version, the same as the full version" in summary
    else:
        assert "Quick (reduced) version" in summary
        assert "not the paper-level result" in summary and "seed" in summary
    assert "already complete" not in summary  # a first run resumes nothing
    verdicts = json.loads((out / "verdicts.json").read_text())
    assert verdicts, "every study states at least one verdict"
    for v in verdicts:
        assert v["verdict"] in VERDICTS and v["reproduces"]
        assert (out / v["figure"]).is_file()
        assert f"Verdict: **{v['verdict']}**" in summary
        assert v["rule"] and f"Rule: {v['rule']}" in summary
    return out


def finite(values):
    return all(math.isfinite(float(v)) for v in values)


def test_study_list_names_every_study(capsys):
    assert cli(["study", "list"]) == 0
    printed = capsys.readouterr().out
    for name in study_names():
        assert name in printed
    assert {
        "hyperparameter-lottery",
        "lut-conclusions",
        "archgym-agents",
        "marl-dse",
        "proxy-models",
        "nasaic",
    } <= set(STUDIES)
    assert all(study_description(n) for n in study_names())


def test_unknown_study_and_bad_workers_are_exit_2(capsys, tmp_path):
    assert cli(["study", "run", "no-such-study"]) == 2
    assert "unknown study 'no-such-study'" in capsys.readouterr().err
    assert cli(["study", "run", "lut-conclusions", "--workers", "0"]) == 2


def test_archgym_problem_shapes():
    dram = make_problem("dram-target-archgym")
    counts = {p.name: p.n_values for p in dram.space}
    assert counts == {
        "PagePolicy": 4,
        "Scheduler": 3,
        "SchedulerBuffer": 3,
        "RequestBufferSize": 6,
        "RespQueue": 2,
        "RefreshPolicy": 2,
        "RefreshMaxPostponed": 4,
        "RefreshMaxPulledin": 4,
        "Arbiter": 3,
        "MaxActiveTransactions": 8,
    }
    assert dram.cost_model.parameter_groups == {n: [n] for n in dram.space.names}
    eyeriss = make_problem("accelerator-eyeriss-target")
    assert eyeriss.evaluate(EYERISS).F[0] == 0.0
    assert eyeriss.evaluate({**EYERISS, "num_pes": 256}).F[0] > 0.0


@pytest.mark.slow
def test_lut_conclusions_study(tmp_path):
    out = run_quick("lut-conclusions", tmp_path)
    for node in ("16nm", "28nm"):
        table = pd.read_csv(out / node / "area_efficiency.csv")
        assert len(table) == 5 and finite(table["lut_um2_per_mac"])


@pytest.mark.slow
def test_hyperparameter_lottery_study(tmp_path):
    out = run_quick("hyperparameter-lottery", tmp_path)
    table = pd.read_csv(out / "lottery.csv")
    assert set(table["agent"]) == {"random", "ga", "aco", "tpe"}
    assert finite(table["best_setting"]) and (table["best_setting"] > 0).all()


@pytest.mark.slow
def test_archgym_agents_study(tmp_path):
    out = run_quick("archgym-agents", tmp_path)
    table = pd.read_csv(out / "agents.csv")
    agents = {"random", "random_walk", "ga", "aco", "tpe", "ppo"}
    assert len(table) == 2 * len(agents)
    assert set(table["problem"]) == {"dram", "eyeriss"} and set(table["agent"]) == agents
    assert finite(table["best_distance"]) and (table["best_distance"] >= 0).all()
    assert table["tuned_fraction_met"].between(0, 1).all()
    runs = pd.read_csv(out / "runs_best.csv")
    assert len(runs) == 2 * 9  # 2 problems x 9 settings x 1 seed
    summary = (out / "summary.md").read_text()
    assert "40 evaluations per run" in summary and "300 evaluations" not in summary


@pytest.mark.slow
def test_marl_dse_study(tmp_path):
    out = run_quick("marl-dse", tmp_path)
    final = pd.read_csv(out / "final.csv")
    assert len(final) == 3 * 4
    assert set(final["agent"]) == {"marl", "ppo", "sac", "random"}
    assert finite(final["median_best"])
    curve = pd.read_csv(out / "sample_efficiency.csv")
    assert curve["evaluations"].max() == 48
    for _, frame in curve.groupby(["target", "agent"]):
        assert frame["median"].is_monotonic_decreasing


@pytest.mark.slow
def test_proxy_models_study(tmp_path):
    out = run_quick("proxy-models", tmp_path)
    acc = pd.read_csv(out / "accuracy.csv")
    assert len(acc) == 2 * (4 + 3)  # two kinds x (4 DRAM + 3 accelerator metrics)
    assert finite(acc["relative_rmse"]) and (acc["r2"] <= 1).all()
    speed = pd.read_csv(out / "speed.csv")
    assert list(speed["model"]) == ["real (dram)", "proxy (random_forest)", "proxy (lightgbm)"]
    assert finite(speed["speedup_batch"])
    search = pd.read_csv(out / "proxy_search.csv")
    assert len(search) == 3 and search["hypervolume_ratio"].between(0, 1 + 1e-9).all()
    assert (out / "proxy.proxy").is_file()


def test_nasaic_study(tmp_path):
    out = run_quick("nasaic", tmp_path)
    assert (out / "report.html").is_file() and (out / "runs").is_dir()
    runs = pd.read_csv(out / "nasaic_runs.csv")
    assert set(runs["method"]) == {"nas_first", "joint"}
    summary = pd.read_csv(out / "nasaic_summary.csv")
    assert finite(summary["latency_reduction_pct"]) and finite(summary["energy_ratio"])


def test_themis_scheduling_study(tmp_path):
    out = run_quick("themis-scheduling", tmp_path)
    table = pd.read_csv(out / "themis_speedups.csv")
    asym = table[table["kind"] == "asymmetric"]
    # Themis never loses to the baseline and, at the study's setting, stays within the
    # bandwidth-bound limit of any reordering policy.
    assert (asym["speedup"] >= 1 - 1e-9).all()
    assert (asym["speedup"] <= asym["ideal_bound"] + 1e-9).all()
    assert (out / "themis_sensitivity.csv").is_file()


def test_judge_states_agrees_partly_differs_by_effect():
    from dsegym.experiments.studies.common import judge, judge_rule

    # Ratios: the effect is the distance from 1.
    assert judge(2.0, 2.49, 0.5, neutral=1.0) == "AGREES"  # 1.0 vs 1.49: within 50%
    assert judge(1.32, 2.32, 0.5, neutral=1.0) == "PARTLY"  # lower, but still a saving
    assert judge(0.9, 2.32, 0.5, neutral=1.0) == "DIFFERS"  # the direction differs
    assert judge(float("nan"), 2.32, 0.5, neutral=1.0) == "DIFFERS"
    # Reductions: the effect is the value itself.
    assert judge(10.95, 17.77, 0.5) == "AGREES" and judge(-3.0, 17.77, 0.5) == "DIFFERS"
    assert "within 50%" in judge_rule(0.5, "the ratio is above 1", 1.0)


def test_nas_fewshot_latency_study(tmp_path):
    out = run_quick("nas-fewshot-latency", tmp_path)
    by_k = pd.read_csv(out / "fewshot_by_k.csv")
    assert set(by_k["K"]) == {0, 3, 10}
    assert by_k["mean"].between(-1, 1).all()
    draws = pd.read_csv(out / "fewshot_draws.csv")
    # 5 devices x 2 K x 2 draws, each under the nested, shipped and previous settings.
    assert len(draws) == 5 * 2 * 2 * 3 and finite(draws["spearman"])
    assert set(draws["setting"]) == {"nested", "shipped defaults", "previous default"}
    settings = pd.read_csv(out / "fewshot_settings.csv")
    assert len(settings) == 5 and settings["proxy_prior"].between(0, 1).all()
