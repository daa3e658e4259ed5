"""Conformance checks for what users plug into dsegym, as dsegym checks its own.

``check_agent(AgentClass)``, ``check_cost_model(model)`` and ``check_problem(problem)``
run the rules dsegym's own conformance suites run over every registered agent, cost
model and problem; each failure is a :class:`ConformanceError` naming the rule broken
(an ``AssertionError``, so they drop into pytest). ``dsegym check module:Object`` runs
the right one from the command line. Anchors: Gymnasium's ``check_env``,
``optuna.testing``.
"""

from dsegym.testing.agents import check_agent
from dsegym.testing.failure import ConformanceError
from dsegym.testing.models import boundary_designs, check_cost_model, check_problem
from dsegym.testing.problems import agent_check_problems, mixed_problem, picky_problem

__all__ = [
    "ConformanceError",
    "agent_check_problems",
    "boundary_designs",
    "check_agent",
    "check_cost_model",
    "check_problem",
    "mixed_problem",
    "picky_problem",
]
