"""Every registered agent, on every kind of space: budget, determinism, membership,
infeasible designs. New agents in ``AGENTS`` are picked up automatically."""

import numpy as np
import pytest

from dsegym.costmodels import make_problem
from dsegym.errors import ConfigError
from dsegym.experiments.runner import RunEvaluator
from dsegym.search import AGENTS
from dsegym.search.registry import make_agent_for

BUDGET = 24

# Model-based samplers cost about a second per proposal on CPU (the GP sampler, BoTorch,
# SMAC's forest and acquisition search): their cases run in the slow pass.
SLOW_AGENTS = {"gp", "botorch", "smac"}
AGENT_PARAMS = [
    pytest.param(name, marks=pytest.mark.slow) if name in SLOW_AGENTS else name
    for name in sorted(AGENTS)
]


def _problems(picky):
    return {
        "mixed-with-rejections": picky,
        "discrete-2obj": make_problem("toy-accelerator"),
        "real-2obj": make_problem("zdt1", {"n_var": 5}),
        "discrete-1obj-constrained": make_problem("toy-accelerator-1obj"),
    }


def _run(agent_name, problem, seed=0, budget=BUDGET):
    try:
        agent = make_agent_for(agent_name, problem, seed=seed)
    except ConfigError as exc:  # the agent declares this kind of space unsupported
        pytest.skip(f"{agent_name} does not support this space: {exc}")
    evaluator = RunEvaluator(problem, budget)
    agent.run(evaluator)
    return evaluator


@pytest.mark.parametrize(
    "kind", ["mixed-with-rejections", "discrete-2obj", "real-2obj", "discrete-1obj-constrained"]
)
@pytest.mark.parametrize("agent_name", AGENT_PARAMS)
def test_agent_conformance(agent_name, kind, picky_problem):
    problem = _problems(picky_problem)[kind]
    first = _run(agent_name, problem)
    # Exact budget: distinct evaluations equal the budget, never more.
    assert first.charged == BUDGET, first.stop_reason
    # Proposals inside the space.
    for outcome in first.history:
        assert problem.space.contains(outcome.design), outcome.design
    # Same seed, same proposals.
    second = _run(agent_name, problem)
    keys = [problem.space.key(o.design) for o in first.history]
    assert keys == [problem.space.key(o.design) for o in second.history]
    if kind == "mixed-with-rejections":
        # Rejected designs were told to the agent as infeasible outcomes, not crashes.
        assert all(np.isinf(o.F).all() for o in first.history if not o.evaluation.feasible)
