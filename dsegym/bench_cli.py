"""``dsegym bench``: versioned benchmark suites and their leaderboard (attached in :mod:`.cli`)."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dsegym.cli_values import parse_assignments
from dsegym.errors import ConfigError

if TYPE_CHECKING:
    from dsegym.experiments.bench.compare import Comparison

bench_app = typer.Typer(
    no_args_is_help=True,
    help="Benchmark suites: run an agent on a suite, place it on the leaderboard.",
)
console = Console()


@bench_app.command("list")
def list_cmd() -> None:
    """List the shipped suites: instances, budgets, seeds and stored baselines."""
    from dsegym.experiments.bench import baselines
    from dsegym.experiments.bench.suite import load_suite, suite_names

    for name in suite_names():
        suite = load_suite(name)
        stored, meta = baselines.load(suite)
        agents = ", ".join(sorted(meta.get("agents", {}))) or "none stored"
        table = Table(
            title=f"{suite.suite} (hash {suite.content_hash()}): {len(suite.instances)} "
            f"instances, seeds {suite.seeds}; baselines: {agents}",
            title_justify="left",
        )
        for column in ("instance", "problem", "params", "budget", "indicator", "reference"):
            table.add_column(column, overflow="fold")
        for inst in suite.instances:
            params = ", ".join(f"{k}={v}" for k, v in inst.params.items())
            table.add_row(
                inst.id, inst.problem, Text(params), str(inst.budget), inst.column, inst.reference
            )
        console.print(table)
        if suite.description:
            console.print(Text(suite.description))


def _print_board(cmp: Comparison, out: Path) -> None:
    from dsegym.experiments.bench import leaderboard_report as lr

    ranks = lr.ranks_table(cmp.board)
    table = Table(title=f"leaderboard: {cmp.sources[0]}", title_justify="left")
    table.add_column("place")
    table.add_column("agent")
    table.add_column("mean rank")
    table.add_column("anytime")
    for place, row in enumerate(ranks.itertuples(index=False), start=1):
        new = row.agent in cmp.new_agents
        style = "bold green" if new else ""
        rank = getattr(row, "mean_rank", float("nan"))
        table.add_row(
            str(place),
            Text(str(row.agent) + (" (new)" if new else ""), style=style),
            f"{rank:.2f}",
            f"{row.anytime:.3f}",
        )
    console.print(table)
    console.print(Text(lr.friedman_sentence(cmp.board)))
    per = cmp.board.per_instance
    for agent in sorted(cmp.new_agents - {"random"}):
        if per.empty:
            continue
        marks = per.loc[per["agent"] == agent, "vs_random"].fillna("").astype(str)
        if not marks.str.len().any():
            continue  # no random runs to compare with
        words = ("better", "worse", "tied", "too few")
        counts = {w: int(marks.str.startswith(w).sum()) for w in words}
        console.print(
            Text(
                f"{agent} against random (rank-sum, Holm): better on {counts['better']}, "
                f"worse on {counts['worse']}, tied on {counts['tied']}, too few seeds to "
                f"test on {counts['too few']} of {len(marks)} instances"
            )
        )
    for note in cmp.board.notes:
        console.print(Text(f"note: {note}"))
    console.print(Text(f"leaderboard: {out / lr.MD} (and {lr.HTML}, plots/)"))


def _write_board(cmp: Comparison, out: Path) -> None:
    from dsegym.experiments.bench import leaderboard_report as lr

    title = f"Leaderboard of {cmp.suite.suite}" + (" (--quick)" if cmp.quick else "")
    lr.write(cmp.board, cmp.suite, out, title=title, sources=cmp.sources, highlight=cmp.new_agents)
    _print_board(cmp, out)


@bench_app.command("run")
def run_cmd(
    suite: Annotated[str, typer.Argument(help="suite name (see `dsegym bench list`) or YAML path")],
    agent: Annotated[str, typer.Option(help="registered agent name or module:Class")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="agent hyperparameter name=value")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="parallel runs under Ray (1: serial)")
    ] = None,
    quick: Annotated[
        bool, typer.Option(help="the suite's quick seeds and a fraction of each budget")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="results folder (default results/bench-SUITE-AGENT)")
    ] = None,
    resume: Annotated[bool, typer.Option(help="finish an interrupted bench run")] = False,
    label: Annotated[str | None, typer.Option(help="agent name in tables")] = None,
    report: Annotated[
        bool, typer.Option(help="also write each instance folder's ordinary report")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="no progress bars")] = False,
) -> None:
    """Run AGENT on every instance and seed of SUITE, then place it on the leaderboard."""
    from dsegym.experiments.bench.compare import compare
    from dsegym.experiments.bench.running import agent_label, run_suite
    from dsegym.experiments.bench.suite import load_suite, suite_names

    s = load_suite(suite)
    ref = suite if suite in suite_names() else str(Path(suite).resolve())
    params = parse_assignments(param, "--param")
    name = label or agent_label(agent)
    folder = out or Path("results") / f"bench-{s.suite}-{name}{'-quick' if quick else ''}"

    def announce(instance: str, k: int, n: int) -> None:
        console.print(Text(f"[{k + 1}/{n}] {instance}", style="bold"))

    start = time.perf_counter()
    cpu = time.process_time()
    run_suite(
        s,
        agent,
        params,
        folder,
        quick=quick,
        workers=workers,
        resume=resume,
        label=label,
        suite_ref=ref,
        show_progress=not quiet,
        on_instance=announce,
    )
    console.print(
        Text(
            f"ran in {time.perf_counter() - start:.0f} s wall, "
            f"{time.process_time() - cpu:.0f} s CPU in this process -> {folder}"
        )
    )
    if report:
        from dsegym.experiments.report import write_report

        for inst in s.instances:
            write_report(folder / inst.id)
    _write_board(compare([folder]), folder / "leaderboard")


@bench_app.command("compare")
def compare_cmd(
    results: Annotated[list[Path], typer.Argument(help="folders of `dsegym bench run`")],
    out: Annotated[
        Path | None, typer.Option(help="where to write (default: FIRST/leaderboard)")
    ] = None,
    baselines: Annotated[
        bool, typer.Option(help="place the folders among the stored baselines")
    ] = True,
    baselines_dir: Annotated[
        Path | None, typer.Option(help="stored baselines folder (default: the package's)")
    ] = None,
) -> None:
    """Place RESULTS among the stored baselines: tables, ranks, CD diagram, anytime curves."""
    from dsegym.experiments.bench.compare import compare

    cmp = compare(list(results), with_baselines=baselines, baselines_folder=baselines_dir)
    _write_board(cmp, out or Path(results[0]) / "leaderboard")


@bench_app.command("baselines")
def baselines_cmd(
    suite: Annotated[str, typer.Argument(help="a shipped suite name")],
    agents: Annotated[str, typer.Option(help="comma-separated registered agent names")],
    workers: Annotated[
        int | None, typer.Option(min=1, help="parallel runs under Ray (1: serial)")
    ] = None,
    out: Annotated[Path, typer.Option(help="where the runs' results folders go")] = Path(
        "results/baselines"
    ),
    store_in: Annotated[
        Path | None, typer.Option(help="baselines folder (default: the package's)")
    ] = None,
    resume: Annotated[bool, typer.Option(help="finish interrupted runs")] = False,
    finished_only: Annotated[
        bool,
        typer.Option(
            help="run nothing: store the instances whose runs finished (an agent that "
            "could not run the whole suite; its provenance lists them)"
        ),
    ] = False,
) -> None:
    """Run the shipped AGENTS on SUITE and store their indicator histories."""
    from dsegym.experiments.bench import baselines as bl
    from dsegym.experiments.bench.running import run_suite
    from dsegym.experiments.bench.suite import load_suite
    from dsegym.search.registry import AGENTS

    s = load_suite(suite)
    names = [a.strip() for a in agents.split(",") if a.strip()]
    unknown = [a for a in names if a not in AGENTS]
    if not names or unknown:
        raise ConfigError(
            f"--agents: unknown agent(s) {', '.join(unknown) or '(none given)'}; allowed: "
            + ", ".join(sorted(AGENTS))
        )
    command = "dsegym " + shlex.join(sys.argv[1:]) if sys.argv[1:2] == ["bench"] else ""
    command = command or f"dsegym bench baselines {suite} --agents {','.join(names)}"
    for name in names:
        folder = out / f"bench-{s.suite}-{name}"
        if finished_only:
            from dsegym.experiments.bench.running import finished_histories

            done, covered = finished_histories(folder, s, name)
            if not covered:
                console.print(Text(f"{name}: no finished instance in {folder}"))
                continue
            partial = {"name": name, "params": {}, "instances": covered}
            table, _ = bl.store(s, done, {name: partial}, command, store_in)
            console.print(Text(f"stored {name} ({len(covered)} instances) in {table}"))
            continue
        console.print(Text(f"baselines: {name} -> {folder}", style="bold"))
        start = time.process_time()
        wall = time.perf_counter()
        run_suite(
            s,
            name,
            {},
            folder,
            workers=workers,
            resume=resume and folder.exists(),
            show_progress=False,
            replace_changed=True,
        )
        from dsegym.experiments.bench.running import read_histories

        info = {
            "name": name,
            "params": {},
            "cpu_seconds_driver": round(time.process_time() - start, 1),
            "wall_seconds": round(time.perf_counter() - wall, 1),
            # Times of a resumed run count only what this call ran.
            "resumed": bool(resume),
        }
        table, meta = bl.store(s, read_histories(folder, s), {name: info}, command, store_in)
        console.print(Text(f"stored {name} in {table}"))


@bench_app.command("discrimination")
def discrimination_cmd(
    suite: Annotated[str, typer.Argument(help="a shipped suite name")],
) -> None:
    """Per instance, from the stored baselines: the best agent against random."""
    from dsegym.experiments.bench.discrimination import discrimination, markdown
    from dsegym.experiments.bench.suite import load_suite

    s = load_suite(suite)
    table = discrimination(s)
    console.print(Text("\n".join(markdown(table, s))), soft_wrap=True)


@bench_app.command("export")
def export_cmd(
    source: Annotated[
        str, typer.Argument(help="a folder of `dsegym bench run`, or a suite name (its baselines)")
    ],
    out: Annotated[Path, typer.Option(help="folder to write the IOHprofiler files to")],
) -> None:
    """Write anytime data in IOHprofiler format (HV gap 1 - hv_ratio, minimised)."""
    from dsegym.experiments.bench.ioh import export_source

    files = export_source(source, out)
    console.print(Text(f"{len(files)} .info files -> {out} (open the folder in IOHanalyzer)"))
