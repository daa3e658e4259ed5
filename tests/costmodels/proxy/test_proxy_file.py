"""Proxy files cannot run code: pickles refused, tree indices checked before predicting."""

import zipfile

import joblib
import numpy as np
import pytest

from dsegym.cli import main
from dsegym.costmodels.proxy import fit_surrogate, load_surrogate, sample_data
from dsegym.costmodels.registry import make_problem
from dsegym.errors import ConfigError


@pytest.fixture(scope="module")
def data():
    return sample_data(make_problem("zdt1", {"n_var": 2}), 120, seed=0)


@pytest.fixture(scope="module")
def forest(data):
    return fit_surrogate(data, "random_forest", seed=0)


@pytest.fixture(scope="module")
def boosted(data):
    return fit_surrogate(data, "lightgbm", seed=0)


class _RunsCode:
    """Unpickling this writes a file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_is_never_unpickled(tmp_path, capsys):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.joblib"
    joblib.dump({"format": "dsegym-proxy-1", "surrogate": _RunsCode(marker)}, evil)
    with pytest.raises(ConfigError, match="--trust-pickle"):
        load_surrogate(evil)
    config = tmp_path / "c.yaml"
    config.write_text(
        f"name: t\nbudget: 5\nproblems: [{{name: proxy, params: {{model: '{evil}'}}}}]\n"
        "agents: [random]\n"
    )
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(config)])
    assert exc.value.code == 2 and "--trust-pickle" in capsys.readouterr().err
    assert not marker.exists()


def test_a_trusted_old_pickle_converts_to_the_safe_format(forest, data, tmp_path, capsys):
    old, new = tmp_path / "old.joblib", tmp_path / "new.proxy"
    joblib.dump({"format": "dsegym-proxy-1", "surrogate": forest}, old)
    with pytest.raises(SystemExit) as exc:
        main(["proxy", "convert", str(old), str(new)])
    assert exc.value.code == 2 and "--trust-pickle" in capsys.readouterr().err
    assert not new.exists()
    with pytest.raises(SystemExit) as exc:
        main(["proxy", "convert", str(old), str(new), "--trust-pickle"])
    assert exc.value.code in (0, None)
    X = data.X[:5]
    np.testing.assert_array_equal(load_surrogate(new).predict(X)["f2"], forest.predict(X)["f2"])


def test_lightgbm_models_round_trip_through_the_checked_text(boosted, data, tmp_path):
    loaded = load_surrogate(boosted.save(tmp_path / "m.proxy"))
    X = data.X[:20]
    for metric, values in boosted.predict(X).items():
        np.testing.assert_allclose(loaded.predict(X)[metric], values, rtol=1e-12)


def _rewrite(path, member, change):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[member] = change(members[member])
    with zipfile.ZipFile(path, "w") as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)


def test_a_forest_with_an_index_out_of_range_is_refused(data, tmp_path):
    surrogate = fit_surrogate(data, "random_forest", seed=0)
    tree = surrogate.models["f1"].estimators_[3].tree_
    state = tree.__getstate__()
    state["nodes"]["left_child"][0] = 10**6  # predict would read far outside the array
    tree.__setstate__(state)
    path = surrogate.save(tmp_path / "bad.proxy")
    with pytest.raises(ConfigError, match="out of range"):
        load_surrogate(path)


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("left_child", "999", "out of range"),
        ("split_feature", "7", "outside the design space"),
        ("num_cat", "1", "categorical"),
    ],
)
def test_a_lightgbm_model_with_bad_indices_is_refused(boosted, tmp_path, field, value, expected):
    path = boosted.save(tmp_path / "bad.proxy")

    def corrupt(blob: bytes) -> bytes:
        lines = blob.decode().splitlines()
        i = next(k for k, line in enumerate(lines) if line.startswith(field + "="))
        old = lines[i].split("=", 1)[1].split()
        lines[i] = f"{field}=" + " ".join([value, *old[1:]])
        return "\n".join(lines).encode()

    _rewrite(path, "models/0.txt", corrupt)
    with pytest.raises(ConfigError, match=expected):
        load_surrogate(path)


def test_a_lightgbm_parameters_section_never_reaches_lightgbm(boosted, data, tmp_path):
    path = boosted.save(tmp_path / "m.proxy")
    secret = tmp_path / "splits.json"
    _rewrite(
        path,
        "models/0.txt",
        lambda blob: blob + f"\nparameters:\n[forcedsplits_filename: {secret}]\n".encode(),
    )
    loaded = load_surrogate(path)
    assert np.isfinite(loaded.predict(data.X[:3])["f1"]).all()


def test_single_leaf_lightgbm_trees_are_read():
    import lightgbm

    from dsegym.costmodels.proxy.lightgbm_text import checked_model_text

    X = np.random.default_rng(0).random((30, 2))
    model = lightgbm.LGBMRegressor(n_estimators=3, verbose=-1).fit(X, np.ones(30))
    booster = lightgbm.Booster(model_str=checked_model_text(model.booster_.model_to_string(), 2))
    np.testing.assert_array_equal(booster.predict(X[:3]), model.predict(X[:3]))
