"""``dsegym front``: compute, pool and list reference fronts (attached in :mod:`.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dsegym.cli_values import parse_assignments
from dsegym.errors import ConfigError

front_app = typer.Typer(
    no_args_is_help=True,
    help="Reference fronts: exact by enumeration, or best-known from recorded runs.",
)
console = Console()


@front_app.command("compute")
def compute_cmd(
    problem: Annotated[str, typer.Argument(help="a registered problem (see `dsegym list`)")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="problem parameter name=value")
    ] = None,
    from_: Annotated[
        list[Path] | None,
        typer.Option(
            "--from",
            help="results folders whose runs of this instance are pooled into a best-known "
            "front (for spaces too large to enumerate)",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(help="folder to write the front to (default: DSEGYM_FRONTS_DIR or cache)"),
    ] = None,
    chunk: Annotated[int, typer.Option(min=1, help="designs costed per vectorised call")] = 500,
    workers: Annotated[
        int, typer.Option(min=1, help="processes sharing the enumeration (1: this one)")
    ] = 1,
) -> None:
    """Store the exact front of PROBLEM (every design costed), or a best-known one (--from)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from dsegym.experiments import front_compute, front_pooling
    from dsegym.experiments.reference_fronts import save_front

    params = parse_assignments(param, "--param")
    if from_:
        front = front_pooling.pool_results(problem, params, from_)
    else:
        size = front_compute.space_size(problem, params)
        columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress("enumerating", *columns, console=console, transient=True) as bar:
            task = bar.add_task("designs", total=None if size == float("inf") else int(size))
            front = front_compute.compute_exact(
                problem,
                params,
                chunk=chunk,
                workers=workers,
                progress=lambda n: bar.update(task, completed=n),
            )
    path = save_front(front, output)
    facts = front.provenance
    console.print(f"{front.describe()}", highlight=False)
    if front.kind == "exact":
        console.print(
            f"{facts['designs_enumerated']:,} designs, {facts['feasible_designs']:,} feasible, "
            f"{facts['seconds']} s",
            highlight=False,
        )
    console.print(f"wrote {path}", highlight=False)


@front_app.command("list")
def list_cmd() -> None:
    """List stored reference fronts (yours, then those shipped with dsegym)."""
    from dsegym.experiments.reference_fronts import read_front, shipped_dir, user_dir

    table = Table(title="reference fronts", title_justify="left")
    for column in ("problem", "kind", "points", "model", "where", "file"):
        table.add_column(column, overflow="fold")
    for where, folder in (("yours", user_dir()), ("shipped", shipped_dir())):
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                f = read_front(path)
            except ConfigError as exc:
                table.add_row(path.name, "unreadable", "", "", where, str(exc))
                continue
            model = f"{f.cost_model} v{f.cost_model_version}"
            table.add_row(f.problem, f.kind, str(len(f.points)), model, where, path.name)
    console.print(table)
