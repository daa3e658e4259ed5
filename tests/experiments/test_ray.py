"""Serial and Ray runs of the same config give identical records, on one node or two."""

import pytest

from dsegym.errors import ConfigError
from dsegym.experiments.config import parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.search import AGENTS

from .helpers import records


def _config(agents, budget=20):
    return parse_config(
        {
            "name": "ray-identity",
            "budget": budget,
            "seeds": [0, 1],
            "problems": ["toy-accelerator", {"name": "zdt1", "params": {"n_var": 4}}],
            "agents": agents,
        }
    )


def test_serial_and_ray_records_are_identical(tmp_path):
    cfg = _config(["random", "nsga2", "tpe"])
    run_experiment(cfg, results_dir=tmp_path / "serial", show_progress=False)
    summaries = run_experiment(cfg, results_dir=tmp_path / "ray", workers=2, show_progress=False)
    assert not [s.error for s in summaries if s.error]
    assert records(tmp_path / "serial") == records(tmp_path / "ray")


def _usable(agent):
    """Validation rejects an agent that refuses a space or misses its optional extra."""
    try:
        _config([agent])
    except ConfigError:
        return False
    return True


@pytest.mark.slow
def test_every_agent_gives_the_same_records_under_ray(tmp_path):
    agents = [a for a in sorted(AGENTS) if _usable(a)]
    assert {"random", "nsga2", "tpe", "ga", "aco"} <= set(agents)
    cfg = _config(agents, budget=12)
    run_experiment(cfg, results_dir=tmp_path / "serial", show_progress=False)
    summaries = run_experiment(cfg, results_dir=tmp_path / "ray", workers=2, show_progress=False)
    assert not [s.error for s in summaries if s.error]
    assert records(tmp_path / "serial") == records(tmp_path / "ray")


def test_multi_node_cluster(tmp_path):
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    try:
        cluster.wait_for_nodes()
        cfg = _config(["random", "nsga2"])
        run_experiment(cfg, results_dir=tmp_path / "serial", show_progress=False)
        summaries = run_experiment(
            cfg, results_dir=tmp_path / "cluster", address=cluster.address, show_progress=False
        )
        assert not [s.error for s in summaries if s.error]
        assert records(tmp_path / "serial") == records(tmp_path / "cluster")
    finally:
        cluster.shutdown()
