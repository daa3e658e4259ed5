"""The ``command`` problem: a user's simulator, its objectives and specs, from YAML."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from dsegym.costmodels.command.model import CommandModel
from dsegym.costmodels.command.spec import load_spec, parse_spec
from dsegym.costmodels.problem import Constraint, Objective, Problem

#: The shipped example: a small Python script standing in for a simulator (package data,
#: a real file wherever the package is installed: the command runs it by path).
EXAMPLE_SPEC = str(resources.files("dsegym.costmodels.command").joinpath("example", "toy_sim.yaml"))


def command_problem(spec: str | dict[str, Any] = EXAMPLE_SPEC) -> Problem:
    """A simulator run as a command, declared by a YAML spec file (or the same inline).

    Args:
        spec: Path of the spec file (relative paths from the current folder), or the
            spec itself as a mapping (``spec_dir`` is then the current folder); the
            default is the shipped example.
    """
    if isinstance(spec, dict):
        parsed, spec_dir = parse_spec(spec, "spec"), Path.cwd()
    else:
        parsed, spec_dir = load_spec(spec)
    model = CommandModel(parsed, spec_dir)
    objectives = [
        Objective(o) if isinstance(o, str) else Objective(o.metric, o.sense)
        for o in parsed.objectives
    ] or [Objective(m.name) for m in parsed.metrics]
    return Problem(
        name="command",
        cost_model=model,
        objectives=objectives,
        constraints=[Constraint(c.metric, c.upper, c.lower) for c in parsed.constraints],
        workload=None,
        workload_name=parsed.workload,
        description=parsed.description or f"simulator {parsed.name!r} run as a command",
    )
