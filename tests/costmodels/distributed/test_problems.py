"""The problems: bad input named by field, multi-agent groups, and a small search whose
best design is checkable by hand."""

from __future__ import annotations

import numpy as np
import pytest

from dsegym.cli import main
from dsegym.costmodels.archgym import SubspaceModel
from dsegym.costmodels.distributed.model import CollectiveModel
from dsegym.costmodels.parameters import Categorical, Ordinal
from dsegym.costmodels.problem import Objective, Problem
from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError
from dsegym.experiments.runner import RunEvaluator
from dsegym.search.registry import make_agent_for


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"collective": "broadcast"}, "collective"),
        ({"size_bytes": 0}, "size_bytes"),
        ({"size_bytes": 2**63}, "size_bytes"),
        ({"total_npus": 12}, "total_npus: 12 does not factor"),
        ({"dims": 5}, "dims"),
        ({"tiers": ["node"]}, "tiers: give one tier per dimension"),
    ],
)
def test_bad_collective_parameters_name_their_field(params, field):
    with pytest.raises(ConfigError, match=field):
        make_problem("collective", params)


def test_bad_input_on_the_command_line_is_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "training-system", "-p", "workload=gpt5", "--random-seed", "0"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "workload" in err and "llama-7b" in err
    assert "Traceback" not in err


def test_designs_outside_the_space_are_infeasible_with_the_field_named():
    problem = make_problem("collective", {"dims": 1})
    design = problem.space.sample(np.random.default_rng(0))
    outcome = problem.evaluate({**design, "topology_1": "torus"})
    assert not outcome.feasible and "topology_1='torus'" in outcome.reasons[0]


def test_problem_literals_name_every_preset():
    from typing import get_args

    from dsegym.costmodels.distributed import problems, workload

    assert set(get_args(problems.Workload)) == set(workload.PRESETS)
    assert set(get_args(problems.NpuName)) == set(workload.NPUS)


def test_groups_split_network_agents_from_parallelism_agents():
    groups = make_problem("training-system").cost_model.parameter_groups
    assert set(groups) == {"network_1", "network_2", "schedule", "parallelism"}
    assert groups["parallelism"] == ["dp", "tp", "pp", "zero", "microbatches", "recompute"]
    assert groups["network_2"][0] == "topology_2"


def test_exhaustive_search_finds_the_design_a_reader_derives_by_hand():
    # 64 MiB all-reduce on 8 NPUs, 500 ns links: which topology, algorithm and bandwidth?
    # By hand: the fastest links, and a fully connected dimension with direct sends,
    # 2 (a + S / (8 B)) = 2 (500 + 67108864 / 6400) ns = 21.972 us; ring on the same
    # links needs 7x that, halving-doubling 2 (3a + 7 S / (8 B)).
    inner = CollectiveModel(1)
    space = DesignSpace(
        [
            Categorical("topology_1", ("ring", "fully_connected", "switch")),
            Categorical("algorithm_1", ("ring", "direct", "halving_doubling")),
            Ordinal("bandwidth_gbps_1", (100, 400, 800)),
        ]
    )
    fixed = {
        "npus_1": 8,
        "latency_ns_1": 500,
        "scheduling": "baseline",
        "chunks": 1,
        "active_chunks": 1,
    }
    problem = Problem(
        name="collective",
        cost_model=SubspaceModel(inner, space, fixed),
        objectives=[Objective("time_us")],
        workload=("all_reduce", 64 * 2**20),
    )
    evaluator = RunEvaluator(problem, budget=int(space.size))
    make_agent_for("grid", problem).run(evaluator)
    assert len(evaluator.history) == space.size == 27
    best = min(evaluator.history, key=lambda o: o.F[0])
    assert best.design == {
        "topology_1": "fully_connected",
        "algorithm_1": "direct",
        "bandwidth_gbps_1": 800,
    }
    assert best.F[0] == pytest.approx(2 * (500 + 64 * 2**20 / 6400) / 1e3)
    assert evaluator.remaining == 0


def test_multi_agent_env_has_network_and_parallelism_agents():
    from pettingzoo.test import parallel_api_test, parallel_seed_test

    from dsegym.envs.multiagent import MultiAgentProblemEnv

    env = MultiAgentProblemEnv("training-system")
    assert env.possible_agents == ["network_1", "network_2", "schedule", "parallelism"]
    parallel_api_test(env, num_cycles=10)
    parallel_seed_test(lambda: MultiAgentProblemEnv("training-system"))
