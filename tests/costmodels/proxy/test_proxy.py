import numpy as np
import pytest

from dsegym.costmodels.proxy import (
    fit_surrogate,
    holdout_accuracy,
    load_surrogate,
    results_data,
    sample_data,
)
from dsegym.costmodels.registry import make_problem
from dsegym.errors import ConfigError
from dsegym.experiments.studies.common import run_config


@pytest.fixture(scope="module")
def smooth_data():
    # ZDT1 with two variables: f1 = x1 and f2 = g (1 - sqrt(f1 / g)), g = 1 + 9 x2: smooth.
    return sample_data(make_problem("zdt1", {"n_var": 2}), 400, seed=0)


@pytest.mark.golden
@pytest.mark.parametrize(
    ("kind", "f1_rel", "f2_rel"),
    [("random_forest", 0.0038573, 0.037261), ("lightgbm", 0.0080594, 0.032768)],
)
def test_rmse_on_a_smooth_known_answer_is_pinned(smooth_data, kind, f1_rel, f2_rel):
    rows = {r["metric"]: r for r in holdout_accuracy(smooth_data, kind, seed=0)}
    assert rows["f1"]["test"] == 80 and rows["f1"]["train"] == 320
    assert rows["f1"]["relative_rmse"] == pytest.approx(f1_rel, rel=0.02)
    assert rows["f2"]["relative_rmse"] == pytest.approx(f2_rel, rel=0.02)
    assert rows["f1"]["r2"] > 0.999 and rows["f2"]["r2"] > 0.99


def test_training_is_deterministic(smooth_data):
    a = holdout_accuracy(smooth_data, "lightgbm", seed=3)
    b = holdout_accuracy(smooth_data, "lightgbm", seed=3)
    assert a == b


def test_saved_proxy_round_trips_with_provenance(smooth_data, tmp_path):
    surrogate = fit_surrogate(smooth_data, "random_forest", seed=0)
    path = surrogate.save(tmp_path / "zdt1.proxy")
    loaded = load_surrogate(path)
    X = smooth_data.X[:7]
    for metric, values in surrogate.predict(X).items():
        np.testing.assert_array_equal(values, loaded.predict(X)[metric])
    prov = loaded.provenance
    assert prov["problem"] == "zdt1" and prov["problem_params"] == {"n_var": 2}
    assert prov["cost_model"] == "zdt" and prov["cost_model_version"] == "1"
    assert prov["records"] == 400 and prov["kind"] == "random_forest"
    assert prov["library"].startswith("scikit-learn")


def test_proxy_problem_answers_like_the_real_model(smooth_data, tmp_path):
    path = fit_surrogate(smooth_data, "lightgbm", seed=0).save(tmp_path / "m.proxy")
    proxy = make_problem("proxy", {"model": str(path)})
    real = make_problem("zdt1", {"n_var": 2})
    assert proxy.objective_labels == real.objective_labels
    designs = real.space.sample_many(np.random.default_rng(1), 50)
    got = np.array([o.F for o in proxy.evaluate_batch(designs)])
    want = np.array([o.F for o in real.evaluate_batch(designs)])
    assert np.abs(got - want).mean() < 0.05 * np.abs(want).mean()
    assert proxy.cost_model.name == "proxy"


@pytest.mark.slow
def test_any_agent_searches_a_proxy_and_a_proxy_learns_from_a_results_folder(tmp_path):
    real = run_config(
        {
            "name": "real",
            "budget": 60,
            "seeds": [0],
            "problems": [{"name": "toy-accelerator"}],
            "agents": ["random"],
        },
        tmp_path / "real",
        None,
    )
    data = results_data(tmp_path / "real")
    assert len(data) == int((~real["cached"]).sum())
    assert data.provenance["problem"] == "toy-accelerator"
    assert data.provenance["runs"] == sorted(real["run_id"].unique())
    on_proxy = run_config(
        {
            "name": "p",
            "budget": 30,
            "seeds": [0],
            "agents": ["tpe"],
            "problems": [
                {
                    "name": "proxy",
                    "params": {"problem": "toy-accelerator", "results": str(tmp_path / "real")},
                }
            ],
        },
        tmp_path / "proxy",
        None,
    )
    assert (~on_proxy["cached"]).sum() == 30
    assert set(on_proxy["cost_model"]) == {"proxy"}
    objectives = on_proxy[[c for c in on_proxy.columns if c.startswith("objective.")]]
    assert np.isfinite(objectives.to_numpy(dtype=float)).all()


def test_bad_inputs_are_one_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        make_problem("proxy", {"model": str(tmp_path / "missing.proxy")})
    (tmp_path / "junk.proxy").write_text("not a model")
    with pytest.raises(ConfigError, match="junk.proxy"):
        make_problem("proxy", {"model": str(tmp_path / "junk.proxy")})
    with pytest.raises(ConfigError, match="kind"):
        make_problem("proxy", {"kind": "xgboost"})
    with pytest.raises(ConfigError, match="objectives"):
        make_problem("proxy", {"objectives": ["nonsense"], "samples": 50})
    with pytest.raises(ConfigError, match="no runs"):
        results_data(tmp_path)


def test_proxy_train_command_writes_a_usable_model(tmp_path, capsys):
    from dsegym.cli import main

    path = tmp_path / "toy.proxy"
    argv = ["proxy", "train", str(path), "--problem", "toy-accelerator", "--samples", "200"]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--kind", "lightgbm"])
    assert exc.value.code == 0
    assert "held-out accuracy" in capsys.readouterr().out
    assert load_surrogate(path).provenance["records"] == 200
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--kind", "xgboost"])
    assert exc.value.code == 2
    assert "allowed: random_forest, lightgbm" in capsys.readouterr().err
