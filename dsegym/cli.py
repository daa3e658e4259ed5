"""The ``dsegym`` command line: run, report, export, list, evaluate, validate, show, check.

Every user mistake (a bad config, an unknown name, an out-of-range value) ends in one
message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dsegym import cli_tools
from dsegym.bench_cli import bench_app
from dsegym.cli_values import parse_assignments
from dsegym.errors import ConfigError, DsegymError, shorten
from dsegym.front_cli import front_app
from dsegym.proxy_cli import proxy_app

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


def _design_values(parsed: dict[str, Any], items: list[str] | None, space: Any) -> dict[str, Any]:
    """``-d`` values as the space has them: ``-d x=98.5`` picks the choice ``"98.5"``.

    A value is read as YAML (``98.5`` is a number); when that is not one of a discrete
    parameter's values but the text as written is, the text is meant.
    """
    raw = {k.strip(): v for k, _, v in (item.partition("=") for item in items or [])}
    out = dict(parsed)
    for p in space:
        values = getattr(p, "values", None)
        if p.name not in out or not values:
            continue
        same_type = [v for v in values if type(v) is type(out[p.name])]
        if out[p.name] not in same_type and raw.get(p.name) in values:
            out[p.name] = raw[p.name]
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

    Problems scored against a reference front show the scoreboard (hypervolume ratio
    in its box, exact recall, anytime area, rank-sum marks); other hypervolume problems
    show mean ± std over seeds, the ratio to the known front's and the evaluations to
    reach 90% of the best run; best-value problems show the best
    value and the evaluations to reach it. ``runs`` notes errors, runs stopped at the
    proposal limit and runs without a feasible design.
    """
    import pandas as pd

    from dsegym.experiments.escape import read_csv

    summary = read_csv(results_dir / "summary.csv")
    for problem, part in summary.groupby("problem", sort=True):
        measure = str(part["measure"].iloc[0]) if "measure" in part else "hypervolume"
        scored = measure == "hypervolume" and _scored(part)
        title = "means over seeds against the reference front" if scored else None
        title = title or _measure_title(measure)
        table = Table(title=Text(f"{problem}: {title}"), title_justify="left")
        table.add_column("agent", overflow="fold", max_width=28)
        table.add_column("runs", overflow="fold", max_width=12 if scored else 22)
        if scored:
            for column in ("HV/ref", "recall", "anytime", "vs best", "vs random"):
                table.add_column(column, no_wrap=True)
        elif measure == "hypervolume":
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
            if scored:
                cells += [_cell(row.get("ref_hv_ratio")), _cell(row.get("recall_exact"), 3)]
                cells += [_cell(row.get("anytime"), 3)]
                cells += [_mark(row.get("vs_best")), _mark(row.get("vs_random"))]
            elif measure == "hypervolume":
                cells.append(f"{_cell(row.get('hv_mean'))}±{_cell(row.get('hv_std'), 2)}")
                if len(table.columns) == 5:
                    cells.append(_cell(row.get("hv_ratio_mean")))
                cells.append(_cell(row.get("evals_to_90pct"), 3))
            elif measure == "best":
                cells.append(f"{_cell(row.get('best_mean'))}±{_cell(row.get('best_std'), 2)}")
                cells.append(_cell(row.get("evals_to_best_mean"), 3))
            table.add_row(*(Text(c) for c in cells))
        if scored:
            table.caption = Text("rank-sum marks; — = too few seeds to test (summary.md)")
        console.print(table)


def _scored(part: Any) -> bool:
    """Whether the summary rows carry the scoreboard's indicators."""
    return "ref_hv_ratio" in part and bool(part["ref_hv_ratio"].notna().any())


def _mark(value: Any) -> str:
    """``better (p=0.032)`` -> ``better``; untested (too few seeds) -> ``—``: the
    terminal table stays narrow (``summary.md`` has the p-values and the reasons).
    """
    if not isinstance(value, str) or value.startswith("too few"):
        return "—"
    return value.split(" (", 1)[0]


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


app.add_typer(front_app, name="front")

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
            table.add_column("cost model")
            table.add_column("parameters (defaults)")
            specs = cm.problem_specs()
            for name in cm.problem_names():
                params = ", ".join(f"{p}={v!r}" for p, v in cm.problem_parameters(name).items())
                table.add_row(name, f"{specs[name].cost_model} v{specs[name].version}", params)
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
    problem: Annotated[str, typer.Argument(help="problem name or module:function")],
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

    from dsegym.costmodels.registry import problem_spec
    from dsegym.experiments.config import build_problem

    problem_spec(problem)  # an unknown name is named before its parameters are read
    prob = build_problem(problem, parse_assignments(param, "--param"), "--param")
    if random_seed is not None:
        chosen = prob.space.sample(np.random.default_rng(random_seed))
    else:
        chosen = _design_values(parse_assignments(design, "--design"), design, prob.space)
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
    source: Annotated[
        str | None, typer.Argument(help="a folder, an archive or an http(s) URL")
    ] = None,
    to: Annotated[
        Path | None, typer.Option(help="data directory to install into (default: user cache)")
    ] = None,
    from_sources: Annotated[
        Path | None,
        typer.Option(help="build the files from the original public files in this folder"),
    ] = None,
) -> None:
    """Install data set NAME from SOURCE, or build it --from-sources; checks every sha256."""
    from dsegym.costmodels import data

    if (source is None) == (from_sources is None):
        raise ConfigError("data install: give exactly one of SOURCE and --from-sources DIR")
    folder = data.install(name, source, root=to, from_sources=from_sources)
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


app.add_typer(proxy_app, name="proxy")
app.add_typer(bench_app, name="bench")


def _exit_cleanly_on_sigterm() -> None:
    """Makes SIGTERM unwind like an interrupt, so that every ``finally`` runs.

    Simulators are then killed and staging and temporary folders removed.
    """

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate)


app.command()(cli_tools.show)
app.command()(cli_tools.check)
app.command()(cli_tools.example)


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps user errors to one message and exit code 2.

    Click already reports usage errors (a missing argument, a bad option value) in
    one message with exit code 2; dsegym's own errors are handled here the same way.
    """
    _exit_cleanly_on_sigterm()
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
