"""The ``dsegym`` command line: run, report, list, evaluate, validate.

Every user mistake (a bad config, an unknown name, an out-of-range value) ends in one
message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from dsegym.errors import ConfigError, DsegymError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="dsegym: design-space exploration for computer hardware.",
)
console = Console()
err_console = Console(stderr=True)

LIST_KINDS = ("problems", "envs", "agents", "costmodels", "workloads")


def _parse_assignments(items: list[str] | None, option: str) -> dict[str, Any]:
    """``["a=1", "b=ws"]`` -> ``{"a": 1, "b": "ws"}`` (values parsed as YAML scalars)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{option} {item!r}: expected the form name=value")
        try:
            out[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            out[key.strip()] = raw
    return out


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="experiment config (YAML)")],
    workers: Annotated[
        int | None, typer.Option(min=1, help="parallel runs under Ray (1: serial)")
    ] = None,
    eval_workers: Annotated[
        int | None, typer.Option(min=1, help="Ray workers costing each batch within a run")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="existing Ray cluster: 'auto' or host:port")
    ] = None,
    resume: Annotated[bool, typer.Option(help="finish an interrupted experiment")] = False,
    overwrite: Annotated[
        bool, typer.Option(help="delete the results folder's earlier runs first")
    ] = False,
    output: Annotated[Path | None, typer.Option(help="results folder (overrides config)")] = None,
    report: Annotated[bool, typer.Option(help="write the report when done")] = True,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Run every problem x agent x seed x hyperparameter combination of CONFIG."""
    from dsegym.experiments.config import expand_runs, load_config
    from dsegym.experiments.launch import run_experiment

    cfg = load_config(config)
    results_dir = output or cfg.results_dir()
    if resume and overwrite:
        raise ConfigError("--resume and --overwrite: choose one")
    runs_dir = results_dir / "runs"
    if overwrite and runs_dir.is_dir():
        shutil.rmtree(runs_dir)
    if not resume and runs_dir.is_dir() and any(runs_dir.iterdir()):
        raise ConfigError(
            f"results folder {str(results_dir)!r} already holds runs; pass --resume to "
            "finish them, --overwrite to start again, or --output to write elsewhere"
        )
    n_runs = len(expand_runs(cfg))
    console.print(f"[bold]{cfg.name}[/]: {n_runs} runs x budget {cfg.budget} -> {results_dir}")
    summaries = run_experiment(
        cfg,
        results_dir=results_dir,
        workers=workers,
        eval_workers=eval_workers,
        address=address,
        resume=resume,
        show_progress=not quiet,
    )
    failed = [s for s in summaries if s.error]
    if report:
        from dsegym.experiments.report import write_report

        md = write_report(results_dir)
        _print_summary(results_dir)
        console.print(f"report: {md}")
    for s in failed:
        err_console.print(f"[red]run {s.run_id} failed:[/] {s.error}")
    if failed:
        raise typer.Exit(1)


def _print_summary(results_dir: Path) -> None:
    import pandas as pd

    summary = pd.read_csv(results_dir / "summary.csv")
    columns = {
        "problem": "problem",
        "agent": "agent",
        "runs": "runs",
        "hv_mean": "HV mean",
        "hv_std": "HV std",
        "hv_ratio_mean": "HV / true",
        "evals_to_90pct": "evals to 90%",
    }
    columns = {k: v for k, v in columns.items() if k in summary}
    table = Table(title="final hypervolume (normalised objectives) over seeds")
    for header in columns.values():
        table.add_column(header, overflow="fold")
    for _, row in summary[list(columns)].iterrows():
        cells = [("—" if v != v else f"{v:.4g}") if isinstance(v, float) else str(v) for v in row]
        table.add_row(*cells)
    console.print(table)


@app.command("report")
def report_cmd(
    results_dir: Annotated[Path, typer.Argument(help="a results folder of `dsegym run`")],
) -> None:
    """Write summary tables (CSV, Markdown) and plots (PNG) for RESULTS_DIR."""
    from dsegym.experiments.report import write_report

    if not results_dir.is_dir():
        raise ConfigError(f"results folder {str(results_dir)!r} does not exist")
    md = write_report(results_dir)
    _print_summary(results_dir)
    console.print(f"report: {md}")


@app.command("list")
def list_cmd(
    kind: Annotated[str | None, typer.Argument(help="one of: " + ", ".join(LIST_KINDS))] = None,
) -> None:
    """List registered problems, envs, agents, cost models and workloads."""
    if kind is not None and kind not in LIST_KINDS:
        raise ConfigError(f"unknown list kind {kind!r}; allowed: {', '.join(LIST_KINDS)}")
    from dsegym.costmodels import registry as cm
    from dsegym.envs.registration import env_id
    from dsegym.search.registry import AGENTS, get_agent_class

    kinds = [kind] if kind else list(LIST_KINDS)
    for k in kinds:
        table = Table(title=k)
        if k == "problems":
            table.add_column("problem")
            table.add_column("parameters (defaults)")
            for name in cm.problem_names():
                params = ", ".join(f"{p}={v!r}" for p, v in cm.problem_parameters(name).items())
                table.add_row(name, params)
        elif k == "envs":
            table.add_column("env id")
            table.add_column("problem")
            for name in cm.problem_names():
                table.add_row(env_id(name), name)
        elif k == "agents":
            table.add_column("agent")
            table.add_column("hyperparameters")
            for name in sorted(AGENTS):
                fields = get_agent_class(name).Hyperparameters.model_fields
                table.add_row(name, ", ".join(f"{f}={i.default!r}" for f, i in fields.items()))
        elif k == "costmodels":
            table.add_column("cost model")
            table.add_column("version")
            for name in cm.cost_model_names():
                table.add_row(name, str(cm.get_cost_model_class(name).version))
        else:
            table.add_column("family")
            table.add_column("workloads")
            for family, names in cm.workload_names().items():
                table.add_row(family, ", ".join(names))
        console.print(table)


@app.command()
def evaluate(
    problem: Annotated[str, typer.Argument(help="registered problem name")],
    design: Annotated[
        list[str] | None, typer.Option("--design", "-d", help="name=value, once per parameter")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="problem parameter name=value")
    ] = None,
    random_seed: Annotated[
        int | None, typer.Option(help="evaluate a random design drawn with this seed")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Evaluate one design on one problem and print its metrics."""
    import numpy as np

    from dsegym.costmodels.registry import make_problem

    prob = make_problem(problem, _parse_assignments(param, "--param"))
    if random_seed is not None:
        chosen = prob.space.sample(np.random.default_rng(random_seed))
    else:
        chosen = _parse_assignments(design, "--design")
        problems = prob.space.violations(chosen)
        if problems:
            allowed = "; ".join(f"{p.name}: {p.describe()}" for p in prob.space)
            raise ConfigError(f"--design: {'; '.join(problems)} (parameters: {allowed})")
    outcome = prob.evaluate(chosen)
    if as_json:
        payload = {
            "design": outcome.design,
            **outcome.evaluation.to_dict(),
            "F": [f if np.isfinite(f) else None for f in outcome.F.tolist()],
            "feasible": outcome.feasible,
        }
        console.print_json(json.dumps(payload))
        return
    table = Table(title=f"{problem} ({prob.cost_model.name} v{prob.cost_model.version})")
    table.add_column("name")
    table.add_column("value")
    table.add_column("unit")
    for k, v in outcome.design.items():
        table.add_row(f"design.{k}", str(v), "")
    units = {m.name: m.unit for m in prob.cost_model.metrics}
    for k, v in outcome.evaluation.metrics.items():
        table.add_row(k, f"{v:.6g}", units.get(k, ""))
    table.add_row("feasible", str(outcome.feasible), "")
    for reason in outcome.evaluation.violations:
        table.add_row("violation", reason, "")
    console.print(table)


@app.command()
def validate(config: Annotated[Path, typer.Argument(help="experiment config (YAML)")]) -> None:
    """Check CONFIG without running it."""
    from dsegym.experiments.config import expand_runs, load_config

    cfg = load_config(config)
    runs = expand_runs(cfg)
    console.print(
        f"{config}: valid; {len(runs)} runs ({len(cfg.problems)} problems, "
        f"{len(cfg.agents)} agents, {len(cfg.seeds)} seeds), budget {cfg.budget} each"
    )

data_app = typer.Typer(
    no_args_is_help=True,
    help="External data sets (NAS-Bench-201, FARSI): what is installed, and installing them.",
)
app.add_typer(data_app, name="data")


@data_app.command("list")
def data_list() -> None:
    """List the catalogued data sets, where each is installed and its files' checksums."""
    from dsegym.costmodels import data

    console.print("data directories searched: " + ", ".join(str(d) for d in data.data_dirs()))
    table = Table(title="data sets")
    for column in ("data set", "state", "files", "folder"):
        table.add_column(column, overflow="fold")
    for name, dataset in sorted(data.datasets().items()):
        state = data.status(name)
        if state.folder is None:
            table.add_row(name, "not installed", str(len(dataset.files)), "—")
            continue
        bad = [f"{f.path}: {f.state}" for f in state.files if f.state != "ok"]
        verdict = "ok (sha256 verified)" if not bad else "; ".join(bad)
        table.add_row(name, verdict, str(len(state.files)), str(state.folder))
    console.print(table)
    for name, dataset in sorted(data.datasets().items()):
        console.print(f"{name}: {dataset.description}. Source: {dataset.source}. "
                      f"Licence: {dataset.licence}.", highlight=False)


@data_app.command("install")
def data_install(
    name: Annotated[str, typer.Argument(help="data set name (see `dsegym data list`)")],
    source: Annotated[str, typer.Argument(help="a folder, an archive or an http(s) URL")],
    to: Annotated[
        Path | None, typer.Option(help="data directory to install into (default: user cache)")
    ] = None,
) -> None:
    """Install data set NAME from SOURCE, verifying every file's sha256."""
    from dsegym.costmodels import data

    folder = data.install(name, source, root=to)
    console.print(f"installed {name} in {folder} (every file's sha256 verified)")
    if to is not None and to.resolve() not in data.data_dirs():
        console.print(f"set {data.DATA_DIR_ENV}={to} so that dsegym finds it")


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps user errors to one message and exit code 2.

    Click already reports usage errors (a missing argument, a bad option value) in
    one message with exit code 2; dsegym's own errors are handled here the same way.
    """
    try:
        app(args=argv)
    except DsegymError as exc:
        err_console.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted; finish with `dsegym run CONFIG --resume`")
        sys.exit(130)


if __name__ == "__main__":
    main()
