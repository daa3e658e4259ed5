"""Choosing the few-shot predictor's settings by leave-one-device-out."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from dsegym.costmodels.nas import fewshot
from dsegym.costmodels.nas.fewshot import network_sizes
from dsegym.costmodels.nas.fewshot_select import (
    GRID,
    choose,
    draw_cells,
    select_settings,
    spearman_to,
)
from dsegym.costmodels.nas.tables import device_names, latency_ms


def test_spearman_to_matches_scipy_with_ties():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 5, 200).astype(float)  # a coarse clock: many ties
    predicted = np.column_stack([truth + rng.normal(0, s, 200) for s in (0.1, 1.0, 5.0)])
    predicted[:, 2] = np.round(predicted[:, 2])  # ties in a prediction too
    from scipy.stats import rankdata

    got = spearman_to(rankdata(truth), predicted)
    want = [spearmanr(truth, predicted[:, j]).statistic for j in range(3)]
    assert got == pytest.approx(want, abs=1e-12)


def test_choose_follows_the_targets_in_order():
    # Rows: devices; columns: settings. Setting 0 has the best mean (0.966) but ranks
    # device 2 below FLOPs; setting 1 (mean 0.962) and setting 2 (0.940, under the
    # 0.96 target) rank every device at least as well as FLOPs.
    scores = np.array([[0.999, 0.97, 0.93], [0.999, 0.965, 0.94], [0.899, 0.95, 0.95]])
    flops = np.array([0.9, 0.9, 0.9])
    assert choose(scores, flops) == 1
    # Every setting below FLOPs on device 2: the mean decides among those reaching 0.96.
    assert choose(scores, np.array([0.9, 0.9, 0.96])) == 0
    # No setting reaches the mean target: the most devices at FLOPs, then the mean.
    assert choose(scores - 0.1, flops - 0.1) == 1
    assert choose(scores - 0.2, flops) == 0


def test_the_grid_holds_one_and_two_level_settings():
    assert len(GRID) == len(set(GRID)) == 4 * 6 + 3 * 5
    assert (6.0, 0.0, 6.0) in GRID and (6.0, 0.65, 3.0) in GRID


def test_draws_are_seeded_by_k_and_draw_alone():
    assert draw_cells(10, 3).tolist() == draw_cells(10, 3).tolist()
    assert len(set(draw_cells(10, 3).tolist())) == 10
    assert draw_cells(10, 3).tolist() != draw_cells(10, 4).tolist()


@pytest.mark.slow
def test_adapt_defaults_are_the_rule_on_all_devices():
    """The defaults of ``adapt`` are what the selection rule picks on all 25 devices."""
    flops, params = network_sizes()
    selection = select_settings({d: latency_ms(d) for d in device_names()}, flops, params)
    assert selection.setting == (
        fewshot.TEMPERATURE,
        fewshot.PROXY_PRIOR,
        fewshot.GROUP_TEMPERATURE,
    )
    assert selection.scores.shape == (25, len(GRID))
    mean, at_flops = selection.summary()
    assert mean == pytest.approx(0.96336, abs=1e-4) and at_flops == 25
    # One level (fewshot-latency-2's form): the best setting with every device at FLOPs.
    assert selection.summary((6.0, 0.5, 6.0)) == (pytest.approx(0.96001, abs=1e-4), 25)
