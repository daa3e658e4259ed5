"""Experiment configs: YAML validated by pydantic, expanded into runs.

An experiment names problems x agents x seeds x hyperparameter settings and a budget.
A list given as an agent hyperparameter sweeps it (see
:func:`dsegym.search.registry.expand_sweep`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from dsegym.costmodels.registry import (
    PROBLEMS,
    format_validation_error,
    make_problem,
)
from dsegym.errors import ConfigError, UnknownNameError
from dsegym.experiments.runner import RunSpec
from dsegym.search.registry import expand_sweep, get_agent_class, validate_hyperparameters


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemEntry(_Strict):
    """A problem of the experiment: a registered name and its parameters."""

    name: str = Field(description="registered problem name (see `dsegym list problems`)")
    params: dict[str, Any] = Field(default_factory=dict)
    label: str | None = Field(None, description="name in tables (default: the problem name)")


class AgentEntry(_Strict):
    """An agent of the experiment: a registered name or ``module:Class``."""

    name: str = Field(description="registered agent name or 'module:Class'")
    params: dict[str, Any] = Field(
        default_factory=dict, description="hyperparameters; a list of values sweeps"
    )
    label: str | None = None


class ExperimentConfig(_Strict):
    """The whole experiment, as written in YAML."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    budget: Annotated[int, Field(ge=1, description="distinct evaluations per run")]
    seeds: list[Annotated[int, Field(ge=0)]] = Field(default_factory=lambda: [0], min_length=1)
    problems: Annotated[list[ProblemEntry | str], Field(min_length=1)]
    agents: Annotated[list[AgentEntry | str], Field(min_length=1)]
    output_dir: str | None = Field(None, description="default: results/<name>")
    max_proposals_factor: Annotated[int, Field(ge=1, le=1000)] = 10
    workers: Annotated[int, Field(ge=1)] = 1
    eval_workers: Annotated[
        int, Field(ge=1, le=1024, description="Ray workers costing each batch within a run")
    ] = 1
    address: str | None = Field(None, description="Ray cluster address ('auto' or host:port)")

    @pydantic.field_validator("problems", mode="after")
    @classmethod
    def _problem_objects(cls, v: list[ProblemEntry | str]) -> list[ProblemEntry]:
        return [ProblemEntry(name=p, label=None) if isinstance(p, str) else p for p in v]

    @pydantic.field_validator("agents", mode="after")
    @classmethod
    def _agent_objects(cls, v: list[AgentEntry | str]) -> list[AgentEntry]:
        return [AgentEntry(name=a, label=None) if isinstance(a, str) else a for a in v]

    @property
    def problem_entries(self) -> list[ProblemEntry]:
        return [p for p in self.problems if isinstance(p, ProblemEntry)]

    @property
    def agent_entries(self) -> list[AgentEntry]:
        return [a for a in self.agents if isinstance(a, AgentEntry)]

    def results_dir(self, base: Path | None = None) -> Path:
        return Path(self.output_dir) if self.output_dir else (base or Path("results")) / self.name


def parse_config(data: Any, source: str = "config") -> ExperimentConfig:
    """Validates a config mapping fully: schema, names, problem and agent parameters.

    Raises:
        ConfigError: naming the field and what is allowed.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys at the top level")
    try:
        config = ExperimentConfig.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{source}: {format_validation_error(exc)}") from None
    for i, p in enumerate(config.problem_entries):
        where = f"{source}: problems[{i}]"
        if p.name not in PROBLEMS:
            raise ConfigError(
                f"{where}.name: {UnknownNameError('problem', p.name, list(PROBLEMS))}"
            )
        try:
            make_problem(p.name, p.params)
        except ConfigError as exc:
            raise ConfigError(f"{where}.params: {exc}") from None
    for i, a in enumerate(config.agent_entries):
        where = f"{source}: agents[{i}]"
        try:
            get_agent_class(a.name)
            for setting in expand_sweep(a.name, a.params):
                validate_hyperparameters(a.name, setting)
        except UnknownNameError as exc:
            raise ConfigError(f"{where}.name: {exc}") from None
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    labels = [p.label or p.name for p in config.problem_entries]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"{source}: problems: give each repeated problem a distinct 'label'")
    return config


def load_config(path: Path | str) -> ExperimentConfig:
    """Reads and validates a YAML experiment config."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: malformed YAML{where}: {problem}") from None
    return parse_config(data, str(path))


def expand_runs(config: ExperimentConfig) -> list[RunSpec]:
    """Every (problem, agent setting, seed) combination, in a fixed order."""
    specs = []
    for p in config.problem_entries:
        for a in config.agent_entries:
            settings = expand_sweep(a.name, a.params)
            for setting in settings:
                label = a.label or a.name
                if len(settings) > 1:
                    label += "[" + ",".join(f"{k}={v}" for k, v in setting.items()) + "]"
                for seed in config.seeds:
                    specs.append(
                        RunSpec(
                            experiment=config.name,
                            problem=p.name,
                            problem_params=p.params,
                            agent=a.name,
                            agent_params=setting,
                            seed=seed,
                            budget=config.budget,
                            max_proposals_factor=config.max_proposals_factor,
                            problem_label=p.label or p.name,
                            agent_label=label,
                        )
                    )
    return specs
