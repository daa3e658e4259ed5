"""Cost models, agents and designs that misbehave (issue 9): infeasible evaluations
with reasons, never a crash; resume sees them exactly as the live run did."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pytest

from dsegym.costmodels import (
    CostModel,
    DesignSpace,
    Evaluation,
    Integer,
    Metric,
    Objective,
    registry,
)
from dsegym.costmodels import Problem as ProblemType
from dsegym.experiments.runner import RunEvaluator, RunSpec, execute_run
from dsegym.experiments.storage import read_records
from tests.experiments.helpers import records


class Flaky(CostModel):
    """x in 0..9: raises for 3, NaN for 5, +inf for 7, -inf for 8, fine otherwise."""

    name: ClassVar[str] = "flaky"
    metrics: ClassVar[tuple[Metric, ...]] = (Metric("a", "1"), Metric("b", "1"))
    _space = DesignSpace([Integer("x", 0, 9), Integer("y", 0, 9)])

    @property
    def space(self) -> DesignSpace:
        return self._space

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        x = design["x"]
        if x == 3:
            raise ZeroDivisionError("x = 3 divides by zero")
        value = {5: math.nan, 7: math.inf, 8: -math.inf}.get(x, float(x))
        return Evaluation({"a": value, "b": float(design["y"] - x)})


def flaky_problem() -> ProblemType:
    return ProblemType("flaky", Flaky(), [Objective("a"), Objective("b")])


@pytest.fixture
def flaky_registered(monkeypatch):
    spec = registry.ProblemSpec(f"{__name__}:flaky_problem", "flaky", 1)
    monkeypatch.setitem(registry.PROBLEMS, "flaky", spec)
    registry._validated_factory.cache_clear()
    yield
    registry._validated_factory.cache_clear()


def test_model_exceptions_and_non_finite_metrics_are_infeasible_with_reasons():
    p = flaky_problem()
    outcomes = p.evaluate_batch([{"x": x, "y": 1} for x in range(10)])
    assert [o.feasible for o in outcomes] == [x not in (3, 5, 7, 8) for x in range(10)]
    assert "cost model raised ZeroDivisionError: x = 3 divides by zero" in outcomes[3].reasons
    assert outcomes[5].reasons == ["model returned no value for ['a']"]
    assert outcomes[7].reasons == ["model returned non-finite metrics {'a': inf}"]
    assert outcomes[8].reasons == ["model returned non-finite metrics {'a': -inf}"]
    assert all(np.isinf(outcomes[i].F).all() for i in (3, 5, 7, 8))
    # The batch path fell back to design-by-design, and kept the traceback.
    ((design, tb),) = p.model_errors
    assert design == {"x": 3, "y": 1} and "ZeroDivisionError" in tb
    assert p.evaluate({"x": 3, "y": 0}).reasons[0].startswith("cost model raised")


@pytest.mark.parametrize(
    ("design", "reason"),
    [
        ({"x": [1], "y": 1}, "parameter 'x': list value [1] is not a single parameter value"),
        ({"x": {"a": 1}, "y": 1}, "parameter 'x': dict value"),
        ({"x": None, "y": 1}, "parameter 'x': NoneType value None"),
        ([1, 2], "a design must be a mapping of parameter names to values, got list"),
        (None, "got NoneType None"),
        ({1: 2, "y": 1}, "parameter name 1 is not a string"),
    ],
)
def test_non_flat_designs_are_infeasible_with_a_reason(design, reason):
    p = flaky_problem()
    (outcome,) = p.evaluate_batch([design])
    assert not outcome.feasible and any(reason in r for r in outcome.reasons), outcome.reasons
    assert not p.evaluate(design).feasible
    # The runner keys, records and caches them without an unhashable-type crash.
    evaluator = RunEvaluator(p, budget=5)
    first, again = evaluator([design, design])
    assert not first.feasible and evaluator.charged == 1 and again is first


def test_a_run_on_a_misbehaving_model_goes_on_and_resumes_identically(tmp_path, flaky_registered):
    spec = RunSpec("e", "flaky", {}, "random", {"batch_size": 4}, seed=3, budget=40)
    full, partial = tmp_path / "full", tmp_path / "partial"
    summary = execute_run(spec, full)
    assert summary.evaluations == 40 and summary.stop_reason == "budget"
    rows = read_records(full / "runs" / f"{spec.run_id}.jsonl")
    raised = [r for r in rows if any("ZeroDivisionError" in v for v in r["violations"])]
    assert raised and not any(r["feasible"] for r in raised)
    log = (full / "runs" / f"{spec.run_id}.model_errors.txt").read_text()
    assert log.count("Traceback") == len([r for r in raised if not r["cached"]])
    # Kill it after 17 rows; the resumed run must give the very same records.
    execute_run(spec, partial)
    record = partial / "runs" / f"{spec.run_id}.jsonl"
    record.write_text("".join(record.read_text().splitlines(keepends=True)[:17]))
    (partial / "runs" / f"{spec.run_id}.done.json").unlink()
    execute_run(spec, partial, resume=True)
    assert records(partial) == records(full)


def test_an_agent_proposing_non_flat_designs_does_not_crash_the_run(tmp_path):
    from dsegym.search import AskTellAgent

    class Odd(AskTellAgent):
        name = "odd"

        def ask(self, n):
            return [{"x": [1, 2], "y": 1}, None, {"x": 1, "y": 1}]

        def tell(self, outcomes):
            pass

    p = flaky_problem()
    evaluator = RunEvaluator(p, budget=3)
    Odd(p.space, n_objectives=2, seed=0).run(evaluator)
    assert evaluator.charged == 3
    assert [o.feasible for o in evaluator.history[:3]] == [False, False, True]
