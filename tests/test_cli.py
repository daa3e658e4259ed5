import json
from pathlib import Path

import pytest

from dsegym.cli import main

CONFIGS = sorted((Path(__file__).parents[1] / "experiments" / "configs").glob("*.yaml"))


def _ok(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr().out
    assert exc.value.code == 0, out
    return out


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_shipped_configs_validate(config, capsys):
    assert "valid;" in _ok(["validate", str(config)], capsys)


def test_list_shows_every_registry(capsys):
    out = _ok(["list"], capsys)
    for word in ("zdt1", "dsegym/ToyAccelerator-v1", "nsga2", "toy-accelerator", "gemm-256"):
        assert word in out


def test_evaluate_prints_metrics(capsys):
    out = _ok(
        [
            "evaluate",
            "toy-accelerator",
            "-d",
            "pe_rows=16",
            "-d",
            "pe_cols=16",
            "-d",
            "dataflow=ws",
            "-d",
            "buffer_kib=64",
            "-d",
            "bandwidth_gbps=32",
        ],
        capsys,
    )
    assert "latency_cycles" in out and "feasible" in out
    payload = json.loads(
        _ok(["evaluate", "zdt1", "-p", "n_var=3", "--random-seed", "0", "--json"], capsys)
    )
    assert payload["feasible"] and len(payload["F"]) == 2 and len(payload["design"]) == 3
