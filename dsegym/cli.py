"""The ``dsegym`` command line: run, report, export, list, evaluate, validate.

Every user mistake (a bad config, an unknown name, an out-of-range value) ends in one
message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dsegym.errors import ConfigError, DsegymError, shorten

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="dsegym: design-space exploration for computer hardware.",
)
console = Console()
err_console = Console(stderr=True)

LIST_KINDS = ("problems", "envs", "agents", "costmodels", "workloads")
MAX_SEED = 2**32 - 1
MAX_MESSAGE = 4000  # characters of an error message shown; the rest is cut


def _parse_assignments(items: list[str] | None, option: str) -> dict[str, Any]:
    """``["a=1", "b=ws"]`` -> ``{"a": 1, "b": "ws"}`` (values parsed as YAML scalars)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{option} {shorten(item)!r}: expected the form name=value")
        try:
            out[key.strip()] = yaml.safe_load(raw)
        except (yaml.YAMLError, RecursionError):
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
    from dsegym.experiments.launch import prepare_results_dir, run_experiment
    from dsegym.experiments.results_folder import ResultsFolder

    cfg = load_config(config)
    results_dir = output or cfg.results_dir()
    n_runs = len(expand_runs(cfg))
    with ResultsFolder(results_dir).lock():
        prepare_results_dir(cfg, results_dir, resume=resume, overwrite=overwrite)
        console.print(
            Text.assemble(
                (cfg.name, "bold"), f": {n_runs} runs x budget {cfg.budget} -> {results_dir}"
            )
        )
        summaries = run_experiment(
            cfg,
            results_dir=results_dir,
            workers=workers,
            eval_workers=eval_workers,
            address=address,
            resume=resume,
            show_progress=not quiet,
        )
        if report:
            from dsegym.experiments.report import write_report

            md = write_report(results_dir)
            _print_summary(results_dir)
            console.print(Text(f"report: {md}"))
            console.print(Text(f"interactive report: {results_dir / 'report.html'}"))
    failed = [s for s in summaries if s.error]
    for s in failed:
        err_console.print(Text.assemble(("run failed: ", "red"), f"{s.run_id}: {s.error}"))
        err_console.print(Text(f"  traceback: {results_dir / 'runs' / (s.run_id + '.error.txt')}"))
    if failed:
        raise typer.Exit(1)


def _cell(value: Any, digits: int = 4) -> str:
    if isinstance(value, float):
        return "—" if value != value else f"{value:.{digits}g}"
    return str(value)


def _print_summary(results_dir: Path) -> None:
    """One table per problem, narrow enough for an 80-column terminal, every figure whole.

    Hypervolume problems show mean ± std over seeds, the ratio to the known front's and
    the evaluations to reach 90% of the best run; best-value problems show the best
    value and the evaluations to reach it. ``runs`` notes errors, runs stopped at the
    proposal limit and runs without a feasible design.
    """
    import pandas as pd

    summary = pd.read_csv(results_dir / "summary.csv")
    for problem, part in summary.groupby("problem", sort=True):
        measure = str(part["measure"].iloc[0]) if "measure" in part else "hypervolume"
        table = Table(title=Text(f"{problem}: {_measure_title(measure)}"), title_justify="left")
        table.add_column("agent", overflow="fold", max_width=28)
        table.add_column("runs", overflow="fold", max_width=22)
        if measure == "hypervolume":
            table.add_column("HV mean±std", no_wrap=True)
            if part.get("hv_ratio_mean", pd.Series(dtype=float)).notna().any():
                table.add_column("HV/true", no_wrap=True)
            table.add_column("evals→90%", no_wrap=True)
        elif measure == "best":
            table.add_column("best mean±std", no_wrap=True)
            table.add_column("evals→best", no_wrap=True)
        for _, row in part.iterrows():
            runs = str(row.get("notes") or row.get("runs"))
            cells = [str(row["agent"]), runs]
            if measure == "hypervolume":
                cells.append(f"{_cell(row.get('hv_mean'))}±{_cell(row.get('hv_std'), 2)}")
                if len(table.columns) == 5:
                    cells.append(_cell(row.get("hv_ratio_mean")))
                cells.append(_cell(row.get("evals_to_90pct"), 3))
            elif measure == "best":
                cells.append(f"{_cell(row.get('best_mean'))}±{_cell(row.get('best_std'), 2)}")
                cells.append(_cell(row.get("evals_to_best_mean"), 3))
            table.add_row(*(Text(c) for c in cells))
        console.print(table)


def _measure_title(measure: str) -> str:
    if measure == "hypervolume":
        return "final hypervolume over seeds (normalised objectives)"
    if measure == "best":
        return "best value over seeds (one objective, or ideal = nadir)"
    return "no feasible design in any run"


@app.command("report")
def report_cmd(
    results_dir: Annotated[Path, typer.Argument(help="a results folder of `dsegym run`")],
    scale: Annotated[
        str | None,
        typer.Option(help="hypervolume normalisation: linear or log (default: the config's)"),
    ] = None,
) -> None:
    """Write summary tables (CSV, Markdown) and plots (PNG) for RESULTS_DIR."""
    from dsegym.experiments.report import write_report
    from dsegym.experiments.results_folder import ResultsFolder

    if not results_dir.is_dir():
        raise ConfigError(f"results folder {str(results_dir)!r} does not exist")
    with ResultsFolder(results_dir).lock():
        md = write_report(results_dir, scale=scale)
        _print_summary(results_dir)
    console.print(Text(f"report: {md}"))
    console.print(Text(f"interactive report: {results_dir / 'report.html'}"))


export_app = typer.Typer(
    no_args_is_help=True, help="Write a results folder in another tool's format."
)
app.add_typer(export_app, name="export")


@export_app.command("optuna")
def export_optuna_cmd(
    results_dir: Annotated[Path, typer.Argument(help="a results folder of `dsegym run`")],
    per: Annotated[
        str, typer.Option(help="a study per 'run', or per 'agent' (problem x agent, all seeds)")
    ] = "run",
    output: Annotated[
        Path | None, typer.Option(help="journal file (default RESULTS_DIR/optuna-journal.log)")
    ] = None,
) -> None:
    """Write RESULTS_DIR's evaluations as Optuna studies in a journal file."""
    from dsegym.experiments.export_optuna import export_optuna

    if per not in ("run", "agent"):
        raise ConfigError(f"--per {per!r}: allowed: run, agent")
    if not results_dir.is_dir():
        raise ConfigError(f"results folder {str(results_dir)!r} does not exist")
    result = export_optuna(results_dir, output, per="run" if per == "run" else "agent")
    trials = sum(result.studies.values())
    console.print(f"{len(result.studies)} studies, {trials} trials -> {result.path}")
    console.print(f"open it with: optuna-dashboard {result.path}", highlight=False)


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
        int | None,
        typer.Option(min=0, max=MAX_SEED, help="evaluate a random design drawn with this seed"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Evaluate one design on one problem and print its metrics."""
    import numpy as np

    from dsegym.costmodels.registry import PROBLEMS
    from dsegym.errors import UnknownNameError
    from dsegym.experiments.config import build_problem

    if problem not in PROBLEMS:
        raise UnknownNameError("problem", problem, list(PROBLEMS))
    prob = build_problem(problem, _parse_assignments(param, "--param"), "--param")
    if random_seed is not None:
        chosen = prob.space.sample(np.random.default_rng(random_seed))
    else:
        chosen = _parse_assignments(design, "--design")
        problems = prob.space.violations(chosen)
        if problems:
            allowed = "; ".join(f"{p.name}: {p.describe()}" for p in prob.space)
            raise ConfigError(
                f"--design: {shorten('; '.join(problems), 1000)} (parameters: {allowed})"
            )
    outcome = prob.evaluate(chosen)
    if as_json:
        from dsegym.experiments.storage import EvaluationRecord

        record = EvaluationRecord.from_outcome(outcome)
        console.print_json(json.dumps(record.outcome_fields(), allow_nan=False))
        return
    table = Table(title=f"{problem} ({prob.cost_model.name} v{prob.cost_model.version})")
    table.add_column("name")
    table.add_column("value")
    table.add_column("unit")
    for k, v in outcome.design.items():
        table.add_row(Text(f"design.{k}"), Text(str(v)), "")
    units = {m.name: m.unit for m in prob.cost_model.metrics}
    for k, v in outcome.evaluation.metrics.items():
        table.add_row(k, f"{v:.6g}", units.get(k, ""))
    table.add_row("feasible", str(outcome.feasible), "")
    for reason in outcome.evaluation.violations:
        table.add_row("violation", Text(reason), "")
    console.print(table)


@app.command()
def validate(
    config: Annotated[Path, typer.Argument(help="experiment config (YAML)")],
    output: Annotated[Path | None, typer.Option(help="results folder (overrides config)")] = None,
) -> None:
    """Check CONFIG without running it: everything a run would reject, before it starts."""
    from dsegym.experiments.config import check_output_dir, expand_runs, load_config
    from dsegym.experiments.results_folder import ResultsFolder

    cfg = load_config(config)
    runs = expand_runs(cfg)
    results_dir = output or cfg.results_dir()
    check_output_dir(results_dir, "--output" if output else "output_dir")
    ResultsFolder(results_dir).check_ours()
    console.print(
        Text(
            f"{config}: valid; {len(runs)} runs ({len(cfg.problems)} problems, "
            f"{len(cfg.agents)} agents, {len(cfg.seeds)} seeds), budget {cfg.budget} each, "
            f"results in {results_dir}"
        )
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
        console.print(
            f"{name}: {dataset.description}. Source: {dataset.source}. Licence: {dataset.licence}.",
            highlight=False,
        )


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


study_app = typer.Typer(
    no_args_is_help=True,
    help="Reproducible studies of the field's papers: list them, run one.",
)
app.add_typer(study_app, name="study")


@study_app.command("list")
def study_list() -> None:
    """List the registered studies."""
    from dsegym.experiments.studies.registry import study_description, study_names

    table = Table(title="studies (dsegym study run NAME [--quick] [--output DIR] [--workers N])")
    table.add_column("study")
    table.add_column("what it reproduces", overflow="fold")
    for name in study_names():
        table.add_row(name, study_description(name))
    console.print(table)


@study_app.command("run")
def study_run(
    name: Annotated[str, typer.Argument(help="study name (see `dsegym study list`)")],
    quick: Annotated[bool, typer.Option(help="reduced version, under two minutes")] = False,
    output: Annotated[
        Path | None, typer.Option(help="results folder (default: results/study-NAME)")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="parallel runs under Ray (1: serial)")
    ] = None,
) -> None:
    """Run study NAME: its experiments, then its summary (summary.md), tables and plots."""
    from dsegym.experiments.studies.registry import run_study

    argv = ["--quick"] if quick else []
    if output is not None:
        argv += ["--output", str(output)]
    if workers is not None:
        argv += ["--workers", str(workers)]
    run_study(name, argv)


proxy_app = typer.Typer(
    no_args_is_help=True,
    help="Proxy cost models: surrogates learnt from records, usable as the 'proxy' problem.",
)
app.add_typer(proxy_app, name="proxy")


@proxy_app.command("train")
def proxy_train(
    out: Annotated[Path, typer.Argument(help="file to write the surrogate to (.joblib)")],
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
        built = make_problem(problem, _parse_assignments(param, "--param"))
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


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps user errors to one message and exit code 2.

    Click already reports usage errors (a missing argument, a bad option value) in
    one message with exit code 2; dsegym's own errors are handled here the same way.
    """
    try:
        app(args=argv)
    except DsegymError as exc:
        # User text is printed literally (never as markup) and never at length.
        message = Text.assemble(("error: ", "red"), shorten(exc, MAX_MESSAGE))
        err_console.print(message, highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted; finish with `dsegym run CONFIG --resume`")
        sys.exit(130)


if __name__ == "__main__":
    main()
