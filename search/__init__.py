"""Search agents behind one interface and their registry."""

from dsegym.costmodels.scalarise import Scalariser
from dsegym.search.agent import (
    INFEASIBLE_PENALTY,
    Agent,
    AskTellAgent,
    Evaluator,
    Hyperparameters,
    finite_objectives,
    finite_violation,
)
from dsegym.search.registry import AGENTS, agent_names, get_agent_class, make_agent, make_agent_for

__all__ = [
    "AGENTS",
    "INFEASIBLE_PENALTY",
    "Agent",
    "AskTellAgent",
    "Evaluator",
    "Hyperparameters",
    "Scalariser",
    "agent_names",
    "finite_objectives",
    "finite_violation",
    "get_agent_class",
    "make_agent",
    "make_agent_for",
]
