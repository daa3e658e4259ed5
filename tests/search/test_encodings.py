"""Library encodings of design spaces: ordinals keep their order in every library."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Ordinal, Real
from dsegym.errors import ConfigError
from dsegym.experiments.runner import RunEvaluator
from dsegym.search.registry import make_agent_for
from dsegym.testing.problems import mixed_problem

SPACE = DesignSpace(
    [
        Ordinal.powers_of_two("o", 1, 64),
        Integer("n", 8, 64, step=8),
        Categorical("c", ("ws", "os", "is")),
        Real("r", 1e-3, 1.0, log=True),
        Real("x", -1.0, 1.0),
    ]
)


def test_optuna_sees_an_ordinal_as_the_index_of_its_value():
    from optuna.distributions import CategoricalDistribution, IntDistribution

    dists = SPACE.to_optuna_distributions()
    assert dists["o"] == IntDistribution(0, 6)
    assert dists["n"] == IntDistribution(8, 64, step=8)
    assert isinstance(dists["c"], CategoricalDistribution)
    design = SPACE.from_optuna({"o": 3, "n": 16, "c": "os", "r": 0.5, "x": 0.0})
    assert design == {"o": 8, "n": 16, "c": "os", "r": 0.5, "x": 0.0}


def test_pymoo_vector_and_mixed_encodings():
    from pymoo.core.variable import Choice
    from pymoo.core.variable import Integer as PInteger
    from pymoo.core.variable import Real as PReal

    assert not SPACE.pymoo_vector_ok  # a categorical: pymoo's mixed-variable operators
    variables = SPACE.to_pymoo_variables()
    assert isinstance(variables["o"], PInteger) and variables["o"].bounds == (0, 6)
    assert isinstance(variables["n"], PInteger) and variables["n"].bounds == (0, 7)
    assert isinstance(variables["c"], Choice)
    assert isinstance(variables["r"], PReal)
    assert variables["r"].bounds == pytest.approx((math.log(1e-3), 0.0))
    x = {"o": 2.0, "n": 7, "c": "is", "r": math.log(0.01), "x": 2.0}
    assert SPACE.from_pymoo(x) == pytest.approx({"o": 4, "n": 64, "c": "is", "r": 0.01, "x": 1.0})

    numeric = DesignSpace([p for p in SPACE if isinstance(p, (Ordinal, Integer))])
    assert numeric.pymoo_vector_ok
    xl, xu = numeric.pymoo_bounds()
    assert xl.tolist() == [0, 0] and xu.tolist() == [6, 7]
    assert numeric.from_pymoo(np.array([6.4, -0.2])) == {"o": 64, "n": 8}


def test_nevergrad_keeps_the_order_with_transition_choices():
    ng = pytest.importorskip("nevergrad")
    param = SPACE.to_nevergrad()
    assert isinstance(param["o"], ng.p.TransitionChoice)
    assert isinstance(param["c"], ng.p.Choice) and not isinstance(param["c"], ng.p.TransitionChoice)
    param.random_state = np.random.RandomState(0)
    for _ in range(50):
        assert SPACE.contains(SPACE.from_nevergrad(param.sample().value))


def test_configspace_uses_ordinal_hyperparameters():
    pytest.importorskip("ConfigSpace")
    from ConfigSpace import OrdinalHyperparameter

    cs = SPACE.to_configspace(seed=0)
    assert isinstance(cs["o"], OrdinalHyperparameter)
    assert list(cs["o"].sequence) == [1, 2, 4, 8, 16, 32, 64]
    assert isinstance(cs["n"], OrdinalHyperparameter)  # a stepped integer
    for config in cs.sample_configuration(50):
        assert SPACE.contains(SPACE.from_configspace(config))


def test_every_library_sample_decodes_into_the_space():
    import optuna

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    dists = SPACE.to_optuna_distributions()
    for _ in range(50):
        trial = study.ask(dists)
        assert SPACE.contains(SPACE.from_optuna(trial.params))
        study.tell(trial, 0.0)


@pytest.mark.parametrize(
    "agent, module, extra", [("ngopt", "nevergrad", "nevergrad"), ("smac", "smac", "smac")]
)
def test_missing_optional_library_names_its_extra(monkeypatch, agent, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    problem = mixed_problem()
    with pytest.raises(ConfigError, match=rf"dsegym\[{extra}\]"):
        agent_obj = make_agent_for(agent, problem)
        agent_obj.run(RunEvaluator(problem, 4))


def test_moead_refuses_a_categorical_space_and_names_alternatives():
    with pytest.raises(ConfigError, match="'nsga2'"):
        make_agent_for("moead", mixed_problem())
