"""Suite dsegym-v1's instances: each builds, has the model version it names and a reference
front of the kind it names; best-known fronts pooled with designs from recorded runs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import yaml

import dsegym
from dsegym.costmodels.registry import make_problem
from dsegym.experiments.fronts.regenerate import pool_with_designs
from dsegym.experiments.reference_fronts import find_front, shipped_dir
from dsegym.experiments.scoreboard import PRIMARY
from dsegym.pareto import nondominated

SUITE = shipped_dir().parent / "bench" / "suites" / "dsegym-v1.yaml"
KEYS = ["id", "problem", "params", "budget", "indicator", "reference", "cost_model_version", "why"]


def test_pooled_front_keeps_the_design_of_every_point(tmp_path: Path):
    config = {
        "name": "pool",
        "budget": 40,
        "seeds": [0, 1],
        "problems": [{"name": "toy-accelerator", "params": {"objectives": ["latency_cycles"]}}]
        + [{"name": "toy-accelerator", "label": "toy3", "params": {}}],
        "agents": ["random"],
    }
    results = dsegym.run(config, output=tmp_path / "res", report=False)
    front = pool_with_designs("toy-accelerator", {}, [tmp_path / "res"])
    table = results.evaluations
    mine = table[(table["problem"] == "toy3") & table["feasible"].astype(bool)]
    expected = nondominated(mine[["objective.latency_cycles", "objective.area_mm2"]].to_numpy())
    assert front.kind == "best-known" and front.provenance["runs"] == 2  # one problem's runs
    assert sorted(map(tuple, front.points.tolist())) == sorted(map(tuple, expected.tolist()))
    problem = make_problem("toy-accelerator", {})
    for design, point in zip(front.designs, front.points, strict=True):
        assert problem.evaluate(design).F.tolist() == point.tolist()


def test_suite_instances_build_and_have_their_reference_fronts():
    suite = yaml.safe_load(SUITE.read_text())
    assert suite["suite"] == "dsegym-v1" and len(suite["seeds"]) >= 10
    instances = suite["instances"]
    assert 12 <= len(instances) <= 16
    assert len({i["id"] for i in instances}) == len(instances)
    for inst in instances:
        assert list(inst) == KEYS, inst["id"]
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9.]+)*", inst["id"])
        assert inst["indicator"] == PRIMARY and inst["budget"] in (100, 300, 1000)
        problem = make_problem(inst["problem"], inst["params"])
        assert problem.n_objectives >= 2  # the scoreboard's indicator needs two or more
        model = problem.cost_model
        assert inst["cost_model_version"] == int(model.version), inst["id"]
        if problem.known_front is not None:  # ZDT, DTLZ: the analytic front
            assert inst["reference"] == "exact"
            continue
        stored, notes = find_front(inst["problem"], inst["params"], model.name, str(model.version))
        assert stored is not None, (inst["id"], notes)
        assert stored.kind == inst["reference"], inst["id"]
        assert np.isfinite(stored.points).all() and len(stored.points) >= 2
