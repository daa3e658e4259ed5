"""Exact fronts by enumeration against brute force; stored fronts and their versions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dsegym.costmodels.accelerator.layers import workload_arrays
from dsegym.costmodels.accelerator.model import SystolicArrayModel
from dsegym.costmodels.problem import Constraint, Objective, Problem
from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import Categorical, Ordinal
from dsegym.errors import ConfigError
from dsegym.experiments.front_compute import compute_exact, enumerate_front, objective_arrays
from dsegym.experiments.reference_fronts import (
    find_front,
    instance_key,
    load_front,
    read_front,
    save_front,
    shipped_dir,
)
from dsegym.pareto import nondominated


def brute_force(problem: Problem) -> np.ndarray:
    outcomes = [problem.evaluate(d) for d in problem.space.enumerate()]
    return nondominated(np.array([o.F for o in outcomes if o.feasible]))


def _rows(a: np.ndarray) -> list[tuple[float, ...]]:
    return sorted(map(tuple, np.asarray(a).tolist()))


def test_toy_accelerator_front_is_brute_force_and_the_declared_one():
    params = {"objectives": ["latency_cycles", "energy_pj", "area_mm2"]}
    front = compute_exact("toy-accelerator", params)
    problem = make_problem("toy-accelerator", params)
    assert _rows(front.points) == _rows(brute_force(problem))
    assert _rows(front.points) == _rows(nondominated(problem.known_front))
    assert front.kind == "exact" and front.provenance["designs_enumerated"] == 3000
    assert len(front.designs) == len(front.points)
    for design, point in zip(front.designs, front.points, strict=True):
        assert problem.evaluate(design).F.tolist() == point.tolist()


class SmallSystolic(SystolicArrayModel):
    """The systolic model on 2 x 2 x 3 x 2 x 2 x 2 x 2 = 192 designs."""

    def _hardware_parameters(self):
        return [
            Ordinal("rows", (4, 32)),
            Ordinal("cols", (8, 64)),
            Categorical("dataflow", ("ws", "os", "is")),
            Ordinal("ifmap_kib", (8, 256)),
            Ordinal("weight_kib", (8, 512)),
            Ordinal("ofmap_kib", (8, 128)),
            Ordinal("dram_words_per_cycle", (1, 16)),
        ]


def test_vectorised_accelerator_front_is_brute_force():
    problem = Problem(
        name="accelerator-systolic",
        cost_model=SmallSystolic(),
        objectives=[Objective(m) for m in ("latency_cycles", "energy_pj", "area_mm2")],
        constraints=[Constraint("area_mm2", upper=1.0)],
        workload=workload_arrays("resnet18"),
    )
    designs = list(problem.space.enumerate())
    F, feasible = objective_arrays(problem, designs)
    outcomes = problem.evaluate_batch(designs)
    assert feasible.tolist() == [o.feasible for o in outcomes]
    assert 0 < feasible.sum() < len(designs)  # the area spec rules some out
    expected = np.array([o.F for o in outcomes])
    np.testing.assert_allclose(F[feasible], expected[feasible], rtol=1e-12)
    front = enumerate_front(problem, {}, chunk=50)
    assert _rows(front.points) == _rows(brute_force(problem))


def test_parallel_enumeration_gives_the_serial_front():
    serial = compute_exact("toy-accelerator", chunk=128)
    parallel = compute_exact("toy-accelerator", chunk=128, workers=2)
    assert parallel.points.tolist() == serial.points.tolist()
    assert parallel.designs == serial.designs
    assert parallel.provenance["designs_enumerated"] == 3000


def test_real_spaces_are_refused():
    with pytest.raises(ConfigError, match="cannot be enumerated"):
        compute_exact("zdt1")


def test_stored_fronts_refuse_another_model_version(tmp_path, monkeypatch):
    monkeypatch.setenv("DSEGYM_FRONTS_DIR", str(tmp_path))
    front = compute_exact("toy-accelerator")
    path = save_front(front)
    assert load_front(path).points.tolist() == front.points.tolist()
    found, notes = find_front("toy-accelerator", {}, "toy-accelerator", "1")
    assert found is not None and found.kind == "exact" and not notes
    data = json.loads(path.read_text())
    data["cost_model_version"] = "0"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="version 0"):
        load_front(path)
    found, notes = find_front("toy-accelerator", {}, "toy-accelerator", "1")
    assert found is None and "version 0" in notes[0]


def test_malformed_front_files_get_one_message(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "dsegym-reference-front/1", "problem": 3}')
    with pytest.raises(ConfigError, match="field 'problem'"):
        read_front(path)
    path.write_text("not json")
    with pytest.raises(ConfigError, match="cannot read"):
        read_front(path)


def test_defaults_are_part_of_the_instance():
    assert instance_key("accelerator-systolic", {}) == instance_key(
        "accelerator-systolic", {"workload": "resnet18"}
    )
    assert instance_key("accelerator-systolic", {}) != instance_key(
        "accelerator-systolic", {"workload": "alexnet"}
    )


def test_shipped_fronts_match_todays_models():
    paths = sorted(shipped_dir().glob("*.json"))
    assert paths, "dsegym ships at least one reference front"
    for path in paths:
        front = load_front(path)  # refuses a stale model version
        assert path.name == front.file_name
        if front.kind == "exact":
            assert front.provenance["designs_enumerated"] > 0
        else:  # the suite's best-known fronts, pooled from recorded runs with designs
            assert front.kind == "best-known" and front.provenance["runs"] > 0
        assert len(front.designs) == len(front.points)
        # golden: today's model gives every stored point again, to the bit
        problem = make_problem(front.problem, front.params)
        outcomes = problem.evaluate_batch(front.designs)
        assert [o.F.tolist() for o in outcomes] == front.points.tolist()
