"""Ray: across-run and within-run parallelism give the serial records, and only the
driver (through its record sink) opens files in the results folder.

One Ray instance serves the whole module: a two-node ``Cluster`` whose worker processes
run an audit hook that refuses any file opened under the driver's folder, except by the
record sink; so a run that still wrote its own records would fail here.
"""

import os
import sys
from pathlib import Path

import pytest
import ray

from dsegym.errors import ConfigError
from dsegym.experiments.config import parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.experiments.results_folder import ResultsFolder
from dsegym.experiments.sink import SINK_NAME, start_sink
from dsegym.search import AGENTS

from .helpers import records
from .test_misbehaving_models import flaky_registered  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow  # a Ray cluster: CI runs these in its second pass

AGENTS_WITH_BATCHES = [
    "random",
    {"name": "nsga2", "params": {"population_size": 8}},
    {"name": "tpe", "params": {"batch_size": 4, "n_startup_trials": 6}},
]


def _driver_only_hook(root):
    """A worker setup hook (pickled by value) that guards the driver's folder."""

    def install():
        def _is_sink():
            try:
                name = ray.get_runtime_context().get_actor_name()
            except Exception:  # noqa: BLE001 - not an actor, or Ray not ready
                return False
            return bool(name) and name.startswith(SINK_NAME)

        def hook(event, args):
            if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
                path = os.path.abspath(os.fsdecode(args[0]))
                if path.startswith(root) and not _is_sink():
                    raise PermissionError(f"worker {os.getpid()} opened {path} on the driver")

        sys.addaudithook(hook)

    return install


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two nodes of two CPUs each, shared by every test of the module."""
    from ray.cluster_utils import Cluster

    root = str(tmp_path_factory.mktemp("driver-only"))
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 2})
    cluster.add_node(num_cpus=2)
    try:
        cluster.wait_for_nodes()
        ray.init(
            address=cluster.address,
            runtime_env={"worker_process_setup_hook": _driver_only_hook(root)},
            log_to_driver=False,
        )
        yield root
    finally:
        ray.shutdown()
        cluster.shutdown()


def _config(agents, budget=20, problems=None):
    return parse_config(
        {
            "name": "ray-identity",
            "budget": budget,
            "seeds": [0, 1],
            "problems": problems or ["toy-accelerator", {"name": "zdt1", "params": {"n_var": 4}}],
            "agents": agents,
        }
    )


def test_workers_cannot_open_the_driver_folder(cluster):
    @ray.remote(num_cpus=0)
    def touch(path):
        with open(path, "w") as f:
            f.write("x")

    with pytest.raises(ray.exceptions.RayTaskError, match="opened .* on the driver"):
        ray.get(touch.remote(os.path.join(cluster, "intruder.txt")))
    sink = start_sink(Path(cluster) / "sink-check")
    assert ray.get(sink.node_id.remote()) == ray.get_runtime_context().get_node_id()
    ray.kill(sink)


def test_serial_across_run_and_within_run_records_are_identical(cluster):
    root = Path(cluster)
    cfg = _config(AGENTS_WITH_BATCHES)
    run_experiment(cfg, results_dir=root / "serial", show_progress=False)
    reference = records(root / "serial")
    assert sum(len(rows) for rows in reference.values()) >= 12 * 20
    for name, kwargs in {
        "across": {"workers": 2},
        "within": {"eval_workers": 2},
        "both": {"workers": 2, "eval_workers": 2},
    }.items():
        summaries = run_experiment(cfg, results_dir=root / name, show_progress=False, **kwargs)
        assert not [s.error for s in summaries if s.error], name
        assert records(root / name) == reference, name


def test_resume_across_runs_is_prepared_on_the_driver(cluster):
    root = Path(cluster) / "resume"
    cfg = _config(["random", "nsga2"])
    run_experiment(cfg, results_dir=root, workers=2, show_progress=False)
    complete = records(root)
    # Cut one run short as a kill would (a torn last line included), and resume.
    run_id = sorted(complete)[1]
    record, marker = ResultsFolder(root).record(run_id), ResultsFolder(root).done(run_id)
    lines = record.read_text().splitlines(keepends=True)
    record.write_text("".join(lines[:7]) + lines[7][:25])
    marker.unlink()
    summaries = run_experiment(cfg, results_dir=root, workers=2, resume=True, show_progress=False)
    assert not [s.error for s in summaries if s.error]
    assert records(root) == complete


def _usable(agent):
    """Validation rejects an agent that refuses a space or misses its optional extra."""
    try:
        _config([agent])
    except ConfigError:
        return False
    return True


def test_every_agent_gives_the_same_records_under_ray(cluster):
    root = Path(cluster) / "every-agent"
    agents = [a for a in sorted(AGENTS) if _usable(a)]
    assert {"random", "nsga2", "tpe", "ga", "aco"} <= set(agents)
    cfg = _config(agents, budget=12)
    run_experiment(cfg, results_dir=root / "serial", show_progress=False)
    summaries = run_experiment(
        cfg, results_dir=root / "ray", workers=2, eval_workers=2, show_progress=False
    )
    assert not [s.error for s in summaries if s.error]
    assert records(root / "serial") == records(root / "ray")


@pytest.mark.usefixtures("flaky_registered")
def test_failures_and_model_errors_are_saved_by_the_driver_in_every_mode(cluster):
    # An agent that crashes after 3 evaluations, and a cost model that raises on x = 3:
    # the error files and the cost-model tracebacks are the serial run's in every mode,
    # although the workers (and the pool's actors) may open nothing in the folder.
    root = Path(cluster) / "failures"
    cfg = parse_config(
        {
            "name": "failures",
            "budget": 24,
            "seeds": [0, 1],
            "problems": ["flaky"],
            "agents": [
                {"name": "random", "params": {"batch_size": 4}},
                "tests.experiments.test_honest_reports:Crasher",
            ],
        }
    )

    def files(folder, suffix):
        return {p.name: p.read_text() for p in sorted((folder / "runs").glob(f"*{suffix}"))}

    run_experiment(cfg, results_dir=root / "serial", show_progress=False)
    serial = root / "serial"
    errors, tracebacks = files(serial, ".error.txt"), files(serial, ".model_errors.txt")
    assert len(errors) == 2 and len(tracebacks) >= 2  # both random runs met x = 3
    for text in errors.values():
        assert text.startswith("RuntimeError: the [bold]agent[/] broke")
        assert "evaluations recorded: 3" in text and "Traceback" in text
    raised = [
        r
        for rows in records(serial).values()
        for r in rows
        if not r["cached"] and "ZeroDivisionError" in " ".join(r["violations"])
    ]
    assert sum(t.count("Traceback") for t in tracebacks.values()) == len(raised) > 0
    for name, kwargs in {
        "across": {"workers": 2},
        "within": {"eval_workers": 2},
        "both": {"workers": 2, "eval_workers": 2},
    }.items():
        summaries = run_experiment(cfg, results_dir=root / name, show_progress=False, **kwargs)
        failed = [s for s in summaries if s.error]
        assert [(s.evaluations, s.error) for s in failed] == [
            (3, "RuntimeError: the [bold]agent[/] broke (after 3 evaluations)")
        ] * 2, name
        assert records(root / name) == records(serial), name
        assert files(root / name, ".error.txt") == errors, name
        assert files(root / name, ".model_errors.txt") == tracebacks, name


SIM_SPEC = """
name: inline-sim
parameters:
  - {name: x, type: integer, low: 0, high: 40}
  - {name: y, type: real, low: 0.0, high: 1.0}
metrics: [{name: f1}, {name: f2}]
command: ["{{ python }}", "-c", "import sys; x, y = int(sys.argv[1]), float(sys.argv[2]);
  sys.exit(5) if x == 13 else print(f'f1={x * y} f2={(40 - x) * (1 - y)}')",
  "{{ x }}", "{{ y }}"]
output:
  format: stdout
  patterns: {f1: 'f1=(\\S+)', f2: 'f2=(\\S+)'}
timeout_s: 30
"""


def test_command_model_within_and_across_runs_on_the_cluster(cluster):
    # The second spec lies in the driver-only folder: a node that read it would fail.
    root = Path(cluster) / "command"
    root.mkdir()
    (root / "sim.yaml").write_text(SIM_SPEC)
    cfg = _config(
        # nsga2 batches designs (within-run parallelism); random's seed-0 run meets a
        # design the toy simulator cannot run (exit code 3).
        [{"name": "nsga2", "params": {"population_size": 6}}, "random"],
        budget=12,
        problems=[
            {"name": "command"},
            {"name": "command", "label": "inline", "params": {"spec": str(root / "sim.yaml")}},
        ],
    )
    run_experiment(cfg, results_dir=root / "serial", show_progress=False)
    summaries = run_experiment(
        cfg, results_dir=root / "ray", workers=2, eval_workers=2, show_progress=False
    )
    assert not [s.error for s in summaries if s.error]
    reference = records(root / "serial")
    assert reference == records(root / "ray")
    rows = [r for rs in reference.values() for r in rs]
    assert any(not r["feasible"] and "exited with code 3" in r["violations"][0] for r in rows)
    assert {r["cost_model"] for r in rows} == {"toy-systolic-sim", "inline-sim"}


def test_runs_are_prepared_only_a_window_ahead(cluster, monkeypatch):
    # The driver reads a resumed run's replay when it submits the run, so it holds the
    # replays of the runs in flight only, not of the whole sweep.
    from dsegym.experiments import launch

    prepared, finished, most = [], [], [0]

    def counting(real, seen):
        def wrapper(spec, *args, **kwargs):
            result = real(spec, *args, **kwargs)
            seen.append(spec.run_id)
            most[0] = max(most[0], len(prepared) - len(finished))
            return result

        return wrapper

    monkeypatch.setattr(launch, "prepare_run", counting(launch.prepare_run, prepared))
    monkeypatch.setattr(launch, "finish_run", counting(launch.finish_run, finished))
    monkeypatch.setattr(launch, "IN_FLIGHT_PER_CPU", 1)  # 4 CPUs: 4 runs out at a time
    cfg = _config(AGENTS_WITH_BATCHES, budget=8)
    root = Path(cluster) / "window"
    summaries = run_experiment(cfg, results_dir=root, workers=2, show_progress=False)
    assert not [s.error for s in summaries if s.error]
    assert len(prepared) == len(finished) == 12 and most[0] <= 4
    assert records(root) == records(_serial(cfg, Path(cluster) / "window-serial"))


def _serial(cfg, out):
    run_experiment(cfg, results_dir=out, show_progress=False)
    return out
