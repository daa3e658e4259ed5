"""Checks of a search agent: what the agent conformance suite runs on every agent.

Rules (each failure names one):

- ``agent-class``: a subclass of :class:`dsegym.search.Agent` whose ``Hyperparameters``
  derive from :class:`dsegym.search.Hyperparameters` and refuse unknown keys.
- ``no-exception``: a run on each check problem (mixed spaces, constraints, designs the
  model rejects) completes; an agent that cannot search a kind of space says so with a
  ``ConfigError`` from ``__init__`` (that problem is then skipped).
- ``designs-in-space``: every proposal is a member of the space.
- ``budget-respected``: the run costs no more distinct designs than the budget, and,
  with ``full_budget``, spends all of it.
- ``same-seed-same-proposals``: two runs with the same seed propose the same designs.
- ``no-global-random-state``: the proposals do not change when the global random state
  (``random``, ``numpy.random``) is seeded differently: randomness comes from ``self.rng``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np
import pydantic

from dsegym.costmodels.problem import Problem
from dsegym.errors import ConfigError
from dsegym.search.agent import Agent, Hyperparameters
from dsegym.testing.failure import require
from dsegym.testing.problems import agent_check_problems


def _proposals(
    cls: type[Agent],
    problem: Problem,
    params: Mapping[str, Any],
    *,
    seed: int,
    budget: int,
    global_seed: int,
    subject: str,
) -> tuple[list[tuple[Any, ...]], Any]:
    from dsegym.experiments.runner import RunEvaluator

    agent = cls(
        problem.space,
        n_objectives=problem.n_objectives,
        n_constraints=problem.n_constraints,
        seed=seed,
        hyperparameters=dict(params),
    )
    random.seed(global_seed)
    np.random.seed(global_seed)  # noqa: NPY002 - the global state is what is checked
    evaluator = RunEvaluator(problem, budget)
    try:
        agent.run(evaluator)
    except Exception as exc:  # noqa: BLE001 - the rule is that nothing is raised
        require(
            False,
            "no-exception",
            subject,
            f"run on {problem.name!r} raised {type(exc).__name__}: {exc}",
        )
    return [problem.space.key(o.design) for o in evaluator.history], evaluator


def check_agent(
    agent: type[Agent],
    params: Mapping[str, Any] | None = None,
    *,
    problems: Mapping[str, Problem] | None = None,
    budget: int = 24,
    seed: int = 0,
    full_budget: bool = True,
) -> dict[str, str]:
    """Checks an agent class on each problem (see the module's rules).

    Args:
        agent: The agent class.
        params: Its hyperparameters.
        problems: What to run it on, by label (default: :func:`agent_check_problems`).
        budget: Distinct evaluations per run.
        seed: The agent's seed.
        full_budget: Whether the agent must spend the whole budget.

    Returns:
        The problems the agent declared it cannot search: {label: its ConfigError}.

    Raises:
        ConformanceError: naming the first rule broken.
    """
    subject = f"agent {getattr(agent, '__name__', agent)!r}"
    require(
        isinstance(agent, type) and issubclass(agent, Agent),
        "agent-class",
        subject,
        "is not a subclass of dsegym.search.Agent",
    )
    require(
        issubclass(agent.Hyperparameters, Hyperparameters),
        "agent-class",
        subject,
        "Hyperparameters must derive from dsegym.search.Hyperparameters",
    )
    try:
        agent.Hyperparameters(not_a_hyperparameter=1)
    except pydantic.ValidationError:
        pass
    else:
        require(False, "agent-class", subject, "Hyperparameters accept an unknown key")
    params = dict(params or {})
    skipped: dict[str, str] = {}
    for label, problem in (problems or agent_check_problems()).items():
        where = f"{subject} on {label!r}"

        def proposals(global_seed: int) -> tuple[list[tuple[Any, ...]], Any]:
            return _proposals(
                agent,
                problem,  # noqa: B023 - called within this iteration only
                params,
                seed=seed,
                budget=budget,
                global_seed=global_seed,
                subject=where,  # noqa: B023
            )

        try:
            first, evaluator = proposals(1)
        except ConfigError as exc:
            skipped[label] = str(exc)
            continue
        for outcome in evaluator.history:
            require(
                problem.space.contains(outcome.design),
                "designs-in-space",
                where,
                f"proposed {outcome.design}, outside the space",
            )
        require(
            evaluator.charged <= budget,
            "budget-respected",
            where,
            f"{evaluator.charged} distinct designs costed for a budget of {budget}",
        )
        if full_budget:
            require(
                evaluator.charged == budget,
                "budget-respected",
                where,
                f"stopped after {evaluator.charged} of {budget} evaluations "
                f"({evaluator.stop_reason or 'the agent returned'})",
            )
        # Two runs with the same seed but differently seeded global random states agree
        # if the agent is deterministic and leaves the global state alone; a third run
        # tells which rule a disagreement breaks.
        perturbed, _ = proposals(2)
        if first != perturbed:
            again, _ = proposals(1)
            require(
                first == again,
                "same-seed-same-proposals",
                where,
                f"proposals differ from proposal {_first_difference(first, again)} on",
            )
            require(
                False,
                "no-global-random-state",
                where,
                "proposals change with the seed of the global random state (random / "
                f"numpy.random), from proposal {_first_difference(first, perturbed)} on; "
                "draw from self.rng (seeded by the runner) instead",
            )
    return skipped


def _first_difference(a: list[Any], b: list[Any]) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))
