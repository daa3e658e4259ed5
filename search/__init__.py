"""Search agents behind one interface, their registry, and Pareto tools."""

from dsegym.search.agent import INFEASIBLE_PENALTY, Agent, AskTellAgent, Evaluator
from dsegym.search.registry import AGENTS, agent_names, get_agent_class, make_agent

__all__ = [
    "AGENTS",
    "INFEASIBLE_PENALTY",
    "Agent",
    "AskTellAgent",
    "Evaluator",
    "agent_names",
    "get_agent_class",
    "make_agent",
]
