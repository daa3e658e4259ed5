"""Few-shot device latency: the predictor, the samples CSV and the custom device."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import spearmanr

from dsegym.cli import main
from dsegym.costmodels.nas import fewshot_latency
from dsegym.costmodels.nas.fewshot import (
    PREDICTOR_VERSION,
    ExpertFits,
    adapt,
    build_prior,
    expert_weights,
    measured_prior,
    network_sizes,
)
from dsegym.costmodels.nas.fewshot_select import draw_cells
from dsegym.costmodels.nas.samples import read_samples
from dsegym.costmodels.nas.tables import frame, latency_ms
from dsegym.costmodels.registry import make_problem
from dsegym.errors import ConfigError

CELL_1 = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+"
    "|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
)


def rho(a, b) -> float:
    return float(spearmanr(a, b).statistic)


def synthetic_devices(n_cells: int = 400, n_devices: int = 6):
    """Devices that are an overhead plus a device-specific mix of two cell costs."""
    rng = np.random.default_rng(0)
    flops = rng.uniform(10, 200, n_cells)
    params = flops * rng.uniform(0.8, 1.2, n_cells)
    memory = rng.uniform(1, 50, n_cells)
    devices = {
        f"d{j}": rng.uniform(1, 5) + rng.uniform(0.01, 0.1) * flops + rng.uniform(0, 0.2) * memory
        for j in range(n_devices)
    }
    return devices, flops, params, memory


def test_a_device_like_a_measured_one_is_recovered_from_ten_samples():
    devices, flops, params, _ = synthetic_devices()
    prior = build_prior(devices, flops, params)
    new = 3.0 * devices["d2"] ** 1.1  # a faster clock and a little nonlinearity
    cells = np.random.default_rng(1).choice(len(flops), 10, replace=False)
    predicted = adapt(prior, cells.tolist(), new[cells].tolist())
    assert predicted.shape == new.shape and (predicted > 0).all()
    assert rho(predicted, new) > 0.999


def test_an_unseen_mix_beats_flops_from_samples():
    devices, flops, params, memory = synthetic_devices()
    prior = build_prior(devices, flops, params)
    new = 2.0 + 0.02 * flops + 0.4 * memory  # more memory-bound than any measured device
    cells = np.random.default_rng(2).choice(len(flops), 10, replace=False)
    predicted = adapt(prior, cells.tolist(), new[cells].tolist())
    assert rho(predicted, new) > rho(flops, new) + 0.05


def test_leave_one_device_out_golden():
    """Regenerate with ``dsegym study run nas-fewshot-latency`` (fewshot_draws.csv, the
    'shipped defaults' rows)."""
    truth = latency_ms("pixel2")
    cells = draw_cells(10, 0)
    prior = measured_prior(exclude=("pixel2",))
    assert rho(adapt(prior, cells.tolist(), truth[cells].tolist()), truth) == pytest.approx(
        0.89440, abs=1e-4
    )
    # fewshot-latency-2's settings (no prior mass on the proxies, one level).
    previous = adapt(
        prior, cells.tolist(), truth[cells].tolist(), proxy_prior=0.0, group_temperature=6.0
    )
    assert rho(previous, truth) == pytest.approx(0.88590, abs=1e-4)


def test_the_prior_on_the_work_proxies_keeps_a_flops_like_phone_at_flops():
    """samsung_a50 (millisecond clock): ten samples cannot single out FLOPs, which ranks
    it best; the default prior mass on the work proxies recovers FLOPs' ranking."""
    truth = latency_ms("samsung_a50")
    flops, _ = network_sizes()
    prior = measured_prior(exclude=("samsung_a50",))
    cells = draw_cells(10, 0)
    plain = adapt(
        prior, cells.tolist(), truth[cells].tolist(), proxy_prior=0.0, group_temperature=6.0
    )
    guarded = adapt(prior, cells.tolist(), truth[cells].tolist())
    assert rho(plain, truth) < rho(flops, truth) <= rho(guarded, truth)
    with pytest.raises(ConfigError, match="proxy_prior"):
        adapt(prior, cells.tolist(), truth[cells].tolist(), proxy_prior=1.0)
    with pytest.raises(ConfigError, match="temperature"):
        adapt(prior, cells.tolist(), truth[cells].tolist(), temperature=0.0)
    with pytest.raises(ConfigError, match="group_temperature"):
        adapt(prior, cells.tolist(), truth[cells].tolist(), group_temperature=math.inf)


def test_expert_weights_follow_prior_and_tempered_likelihood():
    fits = ExpertFits(
        log_latency=np.zeros((3, 3)),
        log_likelihood=np.array([0.0, 6.0, 0.0]),
        proxy=np.array([True, False, False]),
    )
    # Temperature 6, no prior mass: weights proportional to exp(0), exp(1), exp(0).
    expected = np.array([1.0, math.e, 1.0]) / (2 + math.e)
    assert expert_weights(fits, 6.0, 0.0) == pytest.approx(expected)
    # Half the prior mass on the one proxy, a quarter on each of the other two.
    expected = np.array([0.5, 0.25 * math.e, 0.25]) / (0.75 + 0.25 * math.e)
    assert expert_weights(fits, 6.0, 0.5) == pytest.approx(expected)
    # Two levels: the groups are weighed at temperature 3 by their members' mean
    # likelihood, exp(0) for the proxy and (exp(2) + exp(0)) / 2 for the others.
    e2 = math.exp(2)
    others = (e2 + 1) / (e2 + 3)
    expected = np.array([2 / (e2 + 3), others * math.e / (1 + math.e), others / (1 + math.e)])
    assert expert_weights(fits, 6.0, 0.5, 3.0) == pytest.approx(expected)
    assert expert_weights(fits, 6.0, 0.5, 6.0) == pytest.approx(expert_weights(fits, 6.0, 0.5))


def test_fewshot_latency_public_api():
    truth = latency_ms("raspi4")
    samples = {int(i): float(truth[i]) for i in (5, 77, 900, 4000, 15000)}
    everything = fewshot_latency(samples)
    assert everything.shape == (15625,) and np.isfinite(everything).all()
    assert (everything > 0).all()
    some = fewshot_latency(samples, [900, 3, 900])
    assert some.tolist() == [everything[900], everything[3], everything[900]]
    assert rho(everything, truth) > 0.8


@pytest.mark.parametrize(
    ("samples", "words"),
    [
        ({1: 2.0}, "at least 2"),
        ({1: 2.0, 2: -1.0}, "cell 2: latency must be a positive finite"),
        ({1: 2.0, 2: math.nan}, "cell 2: latency must be a positive finite"),
        ({1: 2.0, 2: math.inf}, "cell 2: latency must be a positive finite"),
        ({1: 2.0, 15625: 3.0}, "index 15625 is outside 0..15624"),
        ({1: 2.0, "x": 3.0}, "key 'x' is not a NAS-Bench-201 index"),
        ({True: 3.0, 2: 2.0}, "key True"),
        ({1: 2.0, 2: "fast"}, "cell 2: latency 'fast' is not a number"),
    ],
)
def test_bad_samples_are_named(samples, words):
    with pytest.raises(ConfigError, match=words):
        fewshot_latency(samples)


def test_bad_indices_are_refused():
    with pytest.raises(ConfigError, match="indices"):
        fewshot_latency({1: 2.0, 2: 3.0}, [0, 20000])


def write(tmp_path, text: str | bytes, name: str = "samples.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_samples_csv_reads_indices_strings_and_repeats(tmp_path):
    path = write(tmp_path, f"cell,latency_ms\n# pixel-like\n12,3.0\n{CELL_1},4.5\n\n12,5.0\n")
    samples = read_samples(path)
    index_1 = int(frame("accuracy_12epoch.csv").set_index("arch").loc[CELL_1, "index"])
    assert samples.latency_ms == {12: 4.0, index_1: 4.5}
    assert samples.k == 2 and len(samples.sha256) == 64


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("cell,latency_ms\n1,2\n|conv~0|,3\n", "row 3: unknown cell"),
        ("cell,latency_ms\n1,2\n20000,3\n", "row 3: unknown cell"),
        ("1,2\n2,-3\n", "row 2: latency must be a positive finite"),
        ("1,2\n2,nan\n", "row 2: latency must be a positive finite"),
        ("1,2\n2,inf\n", "row 2: latency must be a positive finite"),
        ("1,2\n2,3,4\n", "row 2: expected 2 fields"),
        ("1,2\n2,slow\n", "row 2: latency 'slow' is not a number"),
        ("cell,latency_ms\n1,2\n1,3\n", "needs at least 2 distinct measured cells, found 1"),
        (b"1,2\n2,\xff\n", "not UTF-8"),
    ],
)
def test_bad_samples_csv_names_file_and_row(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=words) as exc:
        read_samples(path)
    assert str(path) in str(exc.value)


def test_custom_device_searches_predicted_latency_with_provenance(tmp_path):
    truth = latency_ms("pixel3")
    rows = "\n".join(f"{i},{truth[i]:.4f}" for i in range(0, 15625, 1500))
    path = write(tmp_path, "cell,latency_ms\n" + rows + "\n")
    problem = make_problem("nasbench201-device", {"device": "custom", "samples": str(path)})
    samples = read_samples(path)
    assert f"K={samples.k}" in problem.workload_name
    assert samples.sha256[:16] in problem.workload_name
    assert PREDICTOR_VERSION in problem.workload_name
    got = problem.evaluate(problem.space.sample(np.random.default_rng(0))).evaluation
    assert got.feasible and got.metrics["latency_ms"] > 0


def test_samples_and_custom_go_together():
    with pytest.raises(ConfigError, match="device 'custom' needs a CSV"):
        make_problem("nasbench201-device", {"device": "custom"})
    with pytest.raises(ConfigError, match="only for device 'custom'"):
        make_problem("nasbench201-device", {"device": "pixel3", "samples": "x.csv"})


def test_cli_bad_samples_exit_2_naming_file_and_row(tmp_path, capsys):
    path = write(tmp_path, "cell,latency_ms\n1,2.0\n2,-1\n")
    with pytest.raises(SystemExit) as exc:
        main(
            ["evaluate", "nasbench201-device", "-p", "device=custom", "-p", f"samples={path}"]
            + ["--random-seed", "1"]
        )
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert exc.value.code == 2 and "Traceback" not in text
    assert f"samples file '{path}' row 3" in text.replace("\n", "")


def test_a_prior_from_duplicated_devices_still_adapts():
    """Two identical measured devices leave a factor at zero; the prior is still learnt."""
    devices, flops, params, _ = synthetic_devices(n_devices=3)
    devices["copy"] = devices["d0"].copy()
    prior = build_prior(devices, flops, params)
    cells = np.random.default_rng(3).choice(len(flops), 10, replace=False)
    predicted = adapt(prior, cells.tolist(), devices["d1"][cells].tolist())
    assert np.isfinite(predicted).all() and rho(predicted, devices["d1"]) > 0.99
