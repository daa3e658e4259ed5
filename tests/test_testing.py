"""dsegym.testing: the checks pass on dsegym's own objects and name the rule a faulty
model, problem or agent breaks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pytest

from dsegym.costmodels import make_problem
from dsegym.costmodels.base import Evaluation, Metric
from dsegym.costmodels.problem import Objective, Problem
from dsegym.search import AskTellAgent, Hyperparameters
from dsegym.search.random_search import RandomSearch
from dsegym.testing import (
    ConformanceError,
    boundary_designs,
    check_agent,
    check_cost_model,
    check_problem,
    mixed_problem,
    picky_problem,
)
from dsegym.testing.problems import PickyModel


class RaisesAtTheTop(PickyModel):
    """Raises on the largest width instead of rejecting it."""

    name: ClassVar[str] = "raises-at-the-top"

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        if design["width"] == 8:
            raise ZeroDivisionError("width 8")
        return super().evaluate(design, workload)


class SilentRejection(PickyModel):
    name: ClassVar[str] = "silent"

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        if design["width"] > 6:
            return Evaluation({}, feasible=False)
        return super().evaluate(design, workload)


class Forgetful(PickyModel):
    name: ClassVar[str] = "forgetful"
    metrics: ClassVar[tuple[Metric, ...]] = (*PickyModel.metrics, Metric("power", "W"))


class GlobalRandom(AskTellAgent[Hyperparameters]):
    """Draws its designs from numpy's global random state."""

    name = "global_random"

    def ask(self, n: int) -> list[dict[str, Any]]:
        return [self.space.from_unit(np.random.random(len(self.space))) for _ in range(n)]  # noqa: NPY002

    def tell(self, outcomes: Any) -> None:
        pass


class Greedy(RandomSearch):
    """Stops after half the budget."""

    def ask(self, n: int) -> list[dict[str, Any]]:
        return [] if self._asked >= 12 else self._count(super().ask(n))

    _asked = 0

    def _count(self, designs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self._asked += len(designs)
        return designs


def test_boundary_designs_cover_each_knob_at_both_ends():
    space = picky_problem().space
    designs = boundary_designs(space)
    assert {d["width"] for d in designs} == {1, 8}
    assert {d["kind"] for d in designs} == {"a", "c"}
    assert len(designs) == len({space.key(d) for d in designs})


@pytest.mark.parametrize("name", ["toy-accelerator", "zdt1"])
def test_checks_pass_on_dsegym_objects(name):
    problem = make_problem(name)
    check_problem(problem)
    check_cost_model(problem.cost_model, problem.workload)


@pytest.mark.parametrize(
    ("model", "rule", "says"),
    [
        (RaisesAtTheTop(), "no-exception", "ZeroDivisionError: width 8"),
        (SilentRejection(), "infeasible-has-reasons", "without a reason"),
        (Forgetful(), "declared-metrics", "['power'] not returned"),
    ],
)
def test_a_faulty_model_fails_with_the_rule_named(model, rule, says):
    with pytest.raises(ConformanceError, match=rule) as info:
        check_cost_model(model)
    assert info.value.rule == rule and says in str(info.value)


def test_a_problem_naming_an_unknown_metric_fails():
    problem = Problem("p", PickyModel(), [Objective("cost")])
    problem.objectives = [Objective("speed")]
    with pytest.raises(ConformanceError, match="problem-declaration"):
        check_problem(problem)


def test_an_agent_drawing_from_the_global_random_state_fails():
    with pytest.raises(ConformanceError, match="no-global-random-state") as info:
        check_agent(GlobalRandom, problems={"mixed": mixed_problem()})
    assert "self.rng" in str(info.value)


def test_an_agent_stopping_early_fails_the_budget_rule_unless_allowed():
    with pytest.raises(ConformanceError, match="budget-respected"):
        check_agent(Greedy, problems={"mixed": mixed_problem()})
    assert check_agent(Greedy, problems={"mixed": mixed_problem()}, full_budget=False) == {}


def test_a_class_that_is_not_an_agent_fails():
    with pytest.raises(ConformanceError, match="agent-class"):
        check_agent(dict)  # type: ignore[arg-type]


def test_a_space_the_agent_declares_unsupported_is_skipped_with_its_reason():
    from dsegym.search.registry import get_agent_class

    skipped = check_agent(get_agent_class("cmaes"), problems={"mixed": mixed_problem()})
    assert "categorical" in skipped["mixed"]
