"""``dsegym proxy``: train surrogate cost models and convert old ones (attached in :mod:`.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dsegym.cli_values import parse_assignments
from dsegym.errors import ConfigError

console = Console()

proxy_app = typer.Typer(
    no_args_is_help=True,
    help="Proxy cost models: surrogates learnt from records, usable as the 'proxy' problem.",
)


@proxy_app.command("train")
def proxy_train(
    out: Annotated[Path, typer.Argument(help="file to write the surrogate to (.proxy)")],
    problem: Annotated[
        str | None, typer.Option(help="registered problem to sample (or its label in --results)")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="problem parameter name=value")
    ] = None,
    results: Annotated[
        Path | None, typer.Option(help="learn from this results folder's records")
    ] = None,
    samples: Annotated[int, typer.Option(min=2, help="fresh uniform samples")] = 2000,
    kind: Annotated[str, typer.Option(help="random_forest or lightgbm")] = "random_forest",
    seed: Annotated[int, typer.Option(help="sampling, split and training seed")] = 0,
) -> None:
    """Train a surrogate of PROBLEM (fresh samples) or of a results folder's records.

    Prints its held-out accuracy per metric (80/20 split), then trains on every record
    and writes it with its provenance; search it with `{name: proxy, params: {model: OUT}}`.
    """
    from dsegym.costmodels.proxy import (
        KINDS,
        fit_surrogate,
        holdout_accuracy,
        results_data,
        sample_data,
    )
    from dsegym.costmodels.registry import make_problem

    if kind not in KINDS:
        raise ConfigError(f"--kind {kind!r}: allowed: {', '.join(KINDS)}")
    if results is not None:
        data = results_data(results, problem)
    elif problem is not None:
        built = make_problem(problem, parse_assignments(param, "--param"))
        data = sample_data(built, samples, seed)
    else:
        raise ConfigError("give --problem (fresh samples) or --results (a results folder)")
    table = Table(title=f"held-out accuracy ({kind}, {len(data)} records)")
    for column in ("metric", "relative RMSE", "R^2"):
        table.add_column(column)
    for row in holdout_accuracy(data, kind, seed=seed):
        table.add_row(row["metric"], f"{row['relative_rmse']:.3%}", f"{row['r2']:.4f}")
    console.print(table)
    path = fit_surrogate(data, kind, seed=seed).save(out)
    console.print(f"wrote {path} (trained on all {len(data)} records)")


@proxy_app.command("convert")
def proxy_convert(
    old: Annotated[Path, typer.Argument(help="pickled proxy written by older dsegym (.joblib)")],
    new: Annotated[Path, typer.Argument(help="file to write in the safe format (.proxy)")],
    trust_pickle: Annotated[
        bool, typer.Option(help="required: reading a pickle runs any code it holds")
    ] = False,
) -> None:
    """Re-write an older pickled proxy model in the format that cannot run code."""
    from dsegym.costmodels.proxy.file import convert_pickle

    if not trust_pickle:
        raise ConfigError(
            "--trust-pickle: required; reading a pickle runs any code in it, so convert only "
            "a file you made or whose source you trust"
        )
    if not old.is_file():
        raise ConfigError(f"OLD {str(old)!r}: does not exist")
    console.print(f"wrote {convert_pickle(old, new)}")
