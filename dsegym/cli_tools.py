"""``dsegym show``, ``dsegym check`` and ``dsegym example``: see a problem, check what
you plugged in, copy a shipped example out. Attached to the main app in ``cli.py``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dsegym.cli_values import parse_assignments
from dsegym.errors import ConfigError, shorten

console = Console()
err_console = Console(stderr=True)

PARAM_HELP = "problem parameter (or agent hyperparameter) name=value"


def _assignments(items: list[str] | None, option: str) -> dict[str, Any]:

    out: dict[str, Any] = parse_assignments(items, option)
    return out


def _kind(parameter: Any) -> str:
    return type(parameter).__name__.lower()


def show(
    problem: Annotated[str, typer.Argument(help="problem name or module:function")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help=PARAM_HELP)] = None,
    samples: Annotated[
        int, typer.Option(min=1, max=100_000, help="random designs for the feasible fraction")
    ] = 200,
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help="seed of the sample")] = 0,
) -> None:
    """Show PROBLEM: knobs, objectives, constraints, space size, feasible fraction."""
    import numpy as np

    from dsegym.costmodels.registry import problem_parameters, problem_spec
    from dsegym.envs.registration import ANY_PROBLEM_ID, spec_env_id
    from dsegym.experiments.config import build_problem

    spec = problem_spec(problem)
    params = _assignments(param, "--param")
    built = build_problem(problem, params, "--param")
    model = built.cost_model
    registered = ":" not in problem
    env = (
        f'gymnasium.make("{spec_env_id(problem, spec)}")'
        if registered
        else f'gymnasium.make("{ANY_PROBLEM_ID}", problem="{problem}")'
    )
    console.print(Text(f"{problem}: {built.description or '(no description)'}", style="bold"))
    console.print(
        Text(
            f"cost model {model.name} v{model.version}; workload {built.workload_name or '-'}; "
            f"env {env}"
        )
    )
    defaults = problem_parameters(problem)
    shown = ", ".join(f"{k}={params.get(k, v)!r}" for k, v in defaults.items()) or "none"
    console.print(Text(f"problem parameters: {shown}"))

    knobs = Table(title=f"knobs ({len(built.space)})")
    for column in ("knob", "type", "values", "meaning"):
        knobs.add_column(column, overflow="fold")
    for p in built.space:
        knobs.add_row(p.name, _kind(p), p.describe(), p.description or "-")
    console.print(knobs)

    units = {m.name: m for m in model.metrics}
    objectives = Table(title="objectives")
    for column in ("metric", "direction", "unit", "meaning"):
        objectives.add_column(column, overflow="fold")
    for o in built.objectives:
        m = units[o.metric]
        objectives.add_row(
            o.metric, "minimise" if o.sense == "min" else "maximise", m.unit, m.description or "-"
        )
    console.print(objectives)
    if built.constraints:
        constraints = Table(title="constraints (budgets and specs; feasible iff met)")
        for column in ("spec", "unit", "meaning"):
            constraints.add_column(column, overflow="fold")
        for c in built.constraints:
            m = units[c.metric]
            constraints.add_row(c.describe(), m.unit, m.description or "-")
        console.print(constraints)
    else:
        console.print("constraints: none")

    counts = [p.n_values for p in built.space]
    if all(n is not None for n in counts):
        size = math.prod(int(n) for n in counts if n is not None)
        console.print(f"space size: {size:,} designs ({size:.3g})")
    else:
        reals = sum(n is None for n in counts)
        console.print(f"space size: infinite ({reals} real knobs)")
    designs = built.space.sample_many(np.random.default_rng(seed), samples)
    outcomes = built.evaluate_batch(designs)
    accepted = sum(o.evaluation.feasible for o in outcomes)
    feasible = sum(o.feasible for o in outcomes)
    console.print(
        f"feasible fraction: {feasible}/{samples} = {feasible / samples:.1%} of designs drawn "
        f"uniformly at random (seed {seed}); of the others, {samples - accepted} were "
        f"rejected by the model and {accepted - feasible} missed a spec"
    )


def check(
    target: Annotated[
        str,
        typer.Argument(
            help="module:Object (an agent class, a cost model, a problem or its factory), "
            "or a registered problem or agent name"
        ),
    ],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help=PARAM_HELP)] = None,
    budget: Annotated[int, typer.Option(min=2, help="evaluations per agent run")] = 24,
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help="agent seed")] = 0,
    partial_budget: Annotated[
        bool, typer.Option(help="let an agent stop before spending its budget")
    ] = False,
) -> None:
    """Run dsegym's conformance checks on TARGET; exit 1 naming the rule it breaks."""
    from dsegym.costmodels.base import CostModel
    from dsegym.costmodels.problem import Problem
    from dsegym.costmodels.registry import make_problem, problem_names
    from dsegym.loading import load_object
    from dsegym.search.agent import Agent
    from dsegym.search.registry import AGENTS, get_agent_class
    from dsegym.testing import ConformanceError, check_agent, check_cost_model, check_problem

    params = _assignments(param, "--param")
    if target in AGENTS:
        obj: Any = get_agent_class(target)
    elif target in problem_names():
        obj = None
    elif ":" in target:
        obj = load_object(target, what="object to check")
    else:
        raise ConfigError(
            f"{shorten(target)!r}: give module:Object, or a registered problem or agent name"
        )
    try:
        if isinstance(obj, type) and issubclass(obj, Agent):
            skipped = check_agent(
                obj, params, budget=budget, seed=seed, full_budget=not partial_budget
            )
            what = "agent"
            if skipped:
                reasons = "; ".join(f"{k}: {v}" for k, v in skipped.items())
                what += f" (spaces it declares unsupported: {reasons})"
        elif isinstance(obj, type) and issubclass(obj, CostModel):
            check_cost_model(obj(**params))
            what = "cost model"
        elif isinstance(obj, CostModel):
            check_cost_model(obj)
            what = "cost model"
        elif isinstance(obj, Problem):
            check_problem(obj)
            what = "problem"
        elif obj is None or callable(obj):
            check_problem(make_problem(target, params))
            what = "problem"
        else:
            raise ConfigError(
                f"{shorten(target)!r} is a {type(obj).__name__}: expected an Agent subclass, "
                "a CostModel, a Problem or a function returning one"
            )
    except ConformanceError as exc:
        err_console.print(Text.assemble(("FAILED ", "red"), str(exc)), highlight=False)
        raise typer.Exit(1) from None
    except TypeError as exc:
        raise ConfigError(f"{shorten(target)!r}: cannot build it: {shorten(exc)}") from None
    console.print(Text(f"{target}: every {what} check passed"))


def example(
    name: Annotated[
        str, typer.Argument(help="example to copy out, or 'list' to list them")
    ] = "list",
    dest: Annotated[Path, typer.Argument(help="folder to copy into")] = Path("."),
) -> None:
    """Copy shipped example NAME into DEST (overwrites nothing); `example list` lists them."""
    from dsegym.examples import EXAMPLES, copy_example

    if name != "list":
        for path in copy_example(name, dest):
            console.print(Text(f"wrote {path}"))
        return
    table = Table(title="examples (dsegym example NAME [DEST])")
    for column in ("example", "what it is", "needs"):
        table.add_column(column, overflow="fold")
    for key, ex in EXAMPLES.items():
        table.add_row(key, ex.description, f"data set {ex.needs}" if ex.needs else "-")
    console.print(table)
