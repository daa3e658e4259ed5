"""Ray Tune interoperability: a problem as a trainable, an agent as a Searcher."""

import numpy as np
import pytest

from dsegym.costmodels import make_problem
from dsegym.errors import ConfigError
from dsegym.experiments.tune import AgentSearcher, param_space, problem_trainable, report_of
from dsegym.search.registry import make_agent_for


def _direct_proposals(problem, agent, params, batches):
    """What the agent proposes when dsegym itself drives it."""
    a = make_agent_for(agent, problem, seed=3, params=params)
    out = []
    for _ in range(batches):
        designs = a.ask(a.batch_size)
        out += designs
        a.tell([problem.evaluate(d) for d in designs])
    return out


@pytest.mark.parametrize("name", ["toy-accelerator", "zdt1", "synthetic"])
def test_param_space_samples_are_designs_of_the_space(name):
    space = make_problem(name).space
    tune_space = param_space(space)
    np.random.seed(0)
    for _ in range(20):
        design = {k: domain.sample() for k, domain in tune_space.items()}
        assert space.contains(design), design


def test_searcher_tells_the_agent_in_proposal_order_whatever_finishes_first():
    problem = make_problem("toy-accelerator")
    params = {"population_size": 4}
    searcher = AgentSearcher("nsga2", problem, seed=3, params=params)
    proposed = []
    for batch in range(3):
        trials = {f"t{batch}-{i}": searcher.suggest(f"t{batch}-{i}") for i in range(4)}
        assert searcher.suggest("waiting") is None  # the batch is out
        proposed += list(trials.values())
        for trial_id in reversed(list(trials)):  # the last trial finishes first
            searcher.on_trial_complete(trial_id, report_of(problem.evaluate(trials[trial_id])))
    assert proposed == _direct_proposals(problem, "nsga2", params, 3)


def test_searcher_saved_mid_batch_and_restored_goes_on_the_same(tmp_path):
    problem = make_problem("zdt1", {"n_var": 3})
    params = {"population_size": 4}

    def finish(searcher, trials):
        for trial_id, design in trials.items():
            searcher.on_trial_complete(trial_id, report_of(problem.evaluate(design)))

    first = AgentSearcher("nsga2", problem, seed=3, params=params)
    trials = {f"a{i}": first.suggest(f"a{i}") for i in range(4)}
    finish(first, dict(list(trials.items())[:2]))
    first.save(str(tmp_path / "searcher.pkl"))
    second = AgentSearcher("nsga2", problem, seed=99, params=params)
    second.restore(str(tmp_path / "searcher.pkl"))
    for searcher in (first, second):
        finish(searcher, dict(list(trials.items())[2:]))
    assert [first.suggest(f"b{i}") for i in range(4)] == [second.suggest(f"b{i}") for i in range(4)]


def test_failed_or_rejected_trials_are_infeasible_outcomes():
    problem = make_problem("toy-accelerator")
    searcher = AgentSearcher("random", problem, params={"batch_size": 2})
    a, b = searcher.suggest("a"), searcher.suggest("b")
    assert searcher._outcome(a, None, True).reasons == ["the Tune trial failed"]
    rejected = searcher._outcome(b, {"rejected": True, "reasons": "too big"}, False)
    assert not rejected.feasible and rejected.reasons == ["too big"]


def test_agents_that_drive_their_own_loop_are_refused():
    pytest.importorskip("stable_baselines3")
    with pytest.raises(ConfigError, match="ask/tell"):
        AgentSearcher("ppo", make_problem("toy-accelerator"))


@pytest.mark.slow
def test_tune_runs_a_dsegym_agent_on_a_dsegym_problem(tmp_path):
    import logging

    import ray
    from ray import tune

    problem = make_problem("toy-accelerator")
    params = {"population_size": 4}
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level=logging.ERROR)
    try:
        tuner = tune.Tuner(
            problem_trainable("toy-accelerator"),
            param_space=param_space(problem.space),
            tune_config=tune.TuneConfig(
                search_alg=AgentSearcher("nsga2", problem, seed=3, params=params),
                num_samples=8,
                max_concurrent_trials=2,
            ),
            run_config=tune.RunConfig(storage_path=str(tmp_path), verbose=0),
        )
        frame = tuner.fit().get_dataframe()
    finally:
        ray.shutdown()
    names = problem.space.names
    trials = [
        dict(zip(names, row, strict=True))
        for row in frame[[f"config/{n}" for n in names]].values.tolist()
    ]
    expected = _direct_proposals(problem, "nsga2", params, 2)
    assert sorted(map(str, trials)) == sorted(map(str, expected))
    for trial, f0 in zip(trials, frame["F0"], strict=True):
        assert f0 == pytest.approx(problem.evaluate(trial).F[0])
