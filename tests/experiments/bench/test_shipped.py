"""The shipped suites: pinned hashes, stored baselines that load and reproduce exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from dsegym.cli import main
from dsegym.experiments.bench import baselines
from dsegym.experiments.bench.suite import load_suite, suite_names

#: A released suite never changes: its hash (every field that can change a number).
RELEASED = {"dsegym-v1": "123200395648924c"}
#: Stored baseline cells re-run by the tests: (suite, agent, instance, seeds); cheap
#: agents on cheap instances.
CELLS = [
    ("dsegym-v1", "random", "systolic-resnet18-b100", [0, 1]),
    ("dsegym-v1", "nsga2", "systolic-resnet18-b100", [0]),
    ("dsegym-v1", "random_walk", "dtlz2", [3]),
]


def test_every_shipped_suite_is_released_with_its_hash():
    assert sorted(suite_names()) == sorted(RELEASED)
    for name, digest in RELEASED.items():
        assert load_suite(name).content_hash() == digest, f"suite {name} changed"


@pytest.mark.parametrize("name", sorted(RELEASED))
def test_stored_baselines_match_todays_versions(name):
    suite = load_suite(name)
    table, meta = baselines.load(suite)  # refuses other hashes and model versions
    assert len(table["agent"].unique()) >= 8
    assert set(table["instance"]) == set(suite.ids)
    assert set(table["seed"]) == set(suite.seeds)
    assert meta["regenerate"].startswith(f"dsegym bench baselines {name} --agents ")


@pytest.mark.parametrize(("name", "agent", "instance", "seeds"), CELLS)
def test_a_stored_baseline_cell_reproduces_exactly(tmp_path, name, agent, instance, seeds):
    stored, fresh = baselines.reproduce(load_suite(name), agent, instance, seeds, tmp_path)
    assert len(stored) > 2 * len(seeds)  # more than one change per run
    pd.testing.assert_frame_equal(stored, fresh, check_dtype=False, check_exact=True)


def test_bench_list_shows_the_suite(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["bench", "list"])
    assert exc.value.code in (0, None)
    out = capsys.readouterr().out
    assert "dsegym-v1 (hash 123200395648924c): 14 instances" in out
    assert "baselines: aco, ga, nsga2, nsga3, random, random_walk, smsemoa, tpe" in " ".join(
        out.split()
    )
