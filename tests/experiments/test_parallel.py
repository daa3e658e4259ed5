"""The runner's batch-function seam: what a parallel backend sees and must return."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from ray import cloudpickle

from dsegym.costmodels.registry import PROBLEMS, make_problem
from dsegym.experiments.runner import RunEvaluator, RunSpec, execute_run

from .helpers import records


def test_batch_function_sees_only_new_designs_in_proposal_order(picky_problem):
    seen = []

    def batch(designs):
        seen.append(list(designs))
        return picky_problem.evaluate_batch(designs)

    ev = RunEvaluator(picky_problem, budget=3, evaluate_batch=batch)
    a = {"width": 2, "kind": "a", "knob": 0.1}
    b = {"width": 3, "kind": "b", "knob": 0.2}
    c = {"width": 7, "kind": "c", "knob": 0.3}  # rejected by the model
    d = {"width": 1, "kind": "a", "knob": 0.0}
    out = ev([a, b, a, c, d])  # a repeated: cached; d: over budget
    assert seen == [[a, b, c]]
    assert [o.design for o in out] == [a, b, a, c]
    assert not out[3].evaluation.feasible


class _ThreadedBatch:
    """Another parallel backend: threads. Records must not depend on the backend."""

    def __init__(self, problem):
        self.problem = problem

    def __call__(self, designs):
        with ThreadPoolExecutor(3) as pool:
            return list(pool.map(self.problem.evaluate, designs))


def test_records_do_not_depend_on_the_batch_function(tmp_path):
    spec = RunSpec("e", "toy-accelerator", {}, "nsga2", {"population_size": 8}, seed=1, budget=40)
    execute_run(spec, tmp_path / "serial")
    execute_run(spec, tmp_path / "threads", batch_factory=_ThreadedBatch)
    assert records(tmp_path / "serial") == records(tmp_path / "threads")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_every_problem_can_be_shipped_to_an_evaluation_worker(name):
    # The pool sends the problem itself (cloudpickle, as Ray does), not its name.
    problem = make_problem(name)
    copy = cloudpickle.loads(cloudpickle.dumps(problem))
    designs = problem.space.sample_many(np.random.default_rng(0), 3)
    here = [(o.F.tolist(), o.reasons) for o in problem.evaluate_batch(designs)]
    there = [(o.F.tolist(), o.reasons) for o in copy.evaluate_batch(designs)]
    assert here == there


@pytest.mark.parametrize(
    "extra, expected",
    [
        ("eval_workers: 0\n", "eval_workers: Input should be greater than or equal to 1"),
        (
            "problems: [{name: command, params: {spec: {name: s, parameters: []}}}]\n",
            "problems[0].params: spec: parameters: List should have at least 1 item",
        ),
    ],
)
def test_bad_eval_workers_or_command_spec_in_a_config_exit_2(extra, expected, tmp_path, capsys):
    from dsegym.cli import main

    config = tmp_path / "c.yaml"
    base = "name: t\nbudget: 4\nagents: [random]\n"
    if not extra.startswith("problems"):
        base += "problems: [zdt1]\n"
    config.write_text(base + extra)
    with pytest.raises(SystemExit) as exc:
        main(["run", str(config), "--quiet"])
    err = " ".join(capsys.readouterr().err.split())
    assert exc.value.code == 2 and expected in err and "Traceback" not in err
