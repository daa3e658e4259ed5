"""The agent registry: one explicit dict, plus ``module:Class`` for users' own agents."""

from __future__ import annotations

import functools
import inspect
import itertools
import typing
from collections.abc import Mapping
from typing import Any

import pydantic

from dsegym.costmodels.problem import Problem
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError, UnknownNameError, format_validation_error, shorten
from dsegym.loading import load_object
from dsegym.search.agent import Agent

AGENTS: dict[str, str] = {
    "random": "dsegym.search.random_search:RandomSearch",
    "grid": "dsegym.search.grid:GridSearch",
    "random_walk": "dsegym.search.random_walk:RandomWalk",
    "tpe": "dsegym.search.optuna_agents:TPE",
    "gp": "dsegym.search.bayesian:GP",
    "botorch": "dsegym.search.bayesian:BoTorch",
    "nsga2": "dsegym.search.pymoo_agents:NSGA2",
    "nsga3": "dsegym.search.pymoo_agents:NSGA3",
    "smsemoa": "dsegym.search.pymoo_agents:SMSEMOA",
    "moead": "dsegym.search.pymoo_agents:MOEAD",
    "optuna_nsga2": "dsegym.search.optuna_agents:OptunaNSGA2",
    "optuna_nsga3": "dsegym.search.optuna_agents:OptunaNSGA3",
    "ga": "dsegym.search.ga:GeneticAlgorithm",
    "cmaes": "dsegym.search.cmaes_agent:CMAES",
    "smac": "dsegym.search.smac_agent:SMAC",
    "ngopt": "dsegym.search.nevergrad_agents:NGOpt",
    "de": "dsegym.search.nevergrad_agents:DifferentialEvolution",
    "pso": "dsegym.search.nevergrad_agents:ParticleSwarm",
    "discrete_1p1": "dsegym.search.nevergrad_agents:DiscreteOnePlusOne",
    "aco": "dsegym.search.aco:AntColony",
    "ppo": "dsegym.search.rl:PPO",
    "a2c": "dsegym.search.rl:A2C",
    "dqn": "dsegym.search.rl:DQN",
    "marl": "dsegym.search.marl:MultiAgentPPO",
    "sac": "dsegym.search.sac:SAC",
}


def agent_names() -> list[str]:
    return sorted(AGENTS)


@functools.cache
def get_agent_class(name: str) -> type[Agent]:
    """Resolves a registered name, or a user's ``module:Class``, to an agent class.

    A run asks for its agent's class several times (config checks, sweeps, building):
    the answer is cached, so each name is resolved once per process (failures are not
    cached).

    Raises:
        UnknownNameError: for an unregistered name without a ``:``.
        ConfigError: if ``module:Class`` cannot be imported or is not an Agent.
    """
    if name in AGENTS:
        cls = load_object(AGENTS[name], what="agent")
    elif ":" in name:
        cls = load_object(name, what="agent")
    else:
        raise UnknownNameError("agent", name, [*AGENTS, "<module>:<Class>"])
    if not (isinstance(cls, type) and issubclass(cls, Agent)):
        raise ConfigError(f"agent {shorten(name)!r}: is not a subclass of dsegym.search.Agent")
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(getattr(cls, "__abstractmethods__", ())))
        raise ConfigError(
            f"agent {shorten(name)!r}: is an abstract class (it does not define {missing}); "
            "name a concrete agent"
        )
    return cls


def validate_hyperparameters(
    name: str, params: Mapping[str, Any] | None, where: str = "params"
) -> pydantic.BaseModel:
    """Validates one set of hyperparameters for agent ``name``."""
    cls = get_agent_class(name)
    try:
        return cls.Hyperparameters(**dict(params or {}))
    except pydantic.ValidationError as exc:
        fields = ", ".join(describe_hyperparameters(cls)) or "none"
        raise ConfigError(
            f"agent {name!r}: {format_validation_error(exc, where)} (hyperparameters: {fields})"
        ) from None


def describe_hyperparameters(cls: type[Agent]) -> list[str]:
    """``name: type = default`` for each declared hyperparameter."""
    out = []
    for field_name, info in cls.Hyperparameters.model_fields.items():
        ann = getattr(info.annotation, "__name__", str(info.annotation))
        out.append(f"{field_name}: {ann} = {info.default!r}")
    return out


def _is_list_field(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        return True
    return any(_is_list_field(a) for a in typing.get_args(annotation))


def expand_sweep(name: str, params: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Expands lists of values into the cartesian product of hyperparameter settings.

    A list value sweeps, except for a hyperparameter that is itself a list (such as a
    network architecture): there a list of lists sweeps.
    """
    params = dict(params or {})
    fields = get_agent_class(name).Hyperparameters.model_fields
    axes: list[list[tuple[str, Any]]] = []
    for key, value in params.items():
        is_list_field = key in fields and _is_list_field(fields[key].annotation)
        sweeps = isinstance(value, list) and (
            not is_list_field or (bool(value) and all(isinstance(v, list) for v in value))
        )
        axes.append([(key, v) for v in value] if sweeps else [(key, value)])
    return [dict(combo) for combo in itertools.product(*axes)] if axes else [{}]


def make_agent(
    name: str,
    space: DesignSpace,
    *,
    n_objectives: int,
    n_constraints: int = 0,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
) -> Agent:
    """Builds agent ``name`` with validated hyperparameters."""
    cls = get_agent_class(name)
    return cls(
        space,
        n_objectives=n_objectives,
        n_constraints=n_constraints,
        seed=seed,
        hyperparameters=validate_hyperparameters(name, params),
    )


def make_agent_for(
    name: str, problem: Problem, *, seed: int = 0, params: Mapping[str, Any] | None = None
) -> Agent:
    """Builds agent ``name`` sized to ``problem`` (its space, objectives, constraints)."""
    return make_agent(
        name,
        problem.space,
        n_objectives=problem.n_objectives,
        n_constraints=problem.n_constraints,
        seed=seed,
        params=params,
    )
