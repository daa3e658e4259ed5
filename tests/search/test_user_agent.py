"""A user's own ask/tell agent, in one file outside dsegym, runs as ``module:Class``."""

from __future__ import annotations

import textwrap

from dsegym.experiments.runner import RunSpec, execute_run
from dsegym.experiments.storage import read_records

# The example of the README ("How to add a search algorithm").
USER_AGENT = '''
# my_agents.py
import pydantic

from dsegym.search import AskTellAgent, Hyperparameters


class ClimberHyperparameters(Hyperparameters):  # a pydantic model; unknown keys are errors
    neighbours: int = pydantic.Field(4, ge=1, description="designs per round")


class HillClimber(AskTellAgent[ClimberHyperparameters]):
    """Proposes neighbours of the best design seen so far."""

    name = "hill_climber"

    def __init__(self, space, **kwargs):
        super().__init__(space, **kwargs)       # sets self.space, self.hp, self.rng, ...
        self.batch_size = self.hp.neighbours    # typed: a ClimberHyperparameters
        self.best = None

    def ask(self, n):
        if self.best is None:
            return self.space.sample_many(self.rng, n)
        moves = self.space.neighbours(self.best.design)
        picks = self.rng.choice(len(moves), size=min(n, len(moves)), replace=False)
        return [{**self.best.design, moves[i][0]: moves[i][1]} for i in picks]

    def tell(self, outcomes):
        for o in outcomes:   # o.F (minimised), o.feasible, o.violation, o.evaluation.metrics
            if self.best is None or (o.violation, o.F[0]) < (self.best.violation, self.best.F[0]):
                self.best = o
'''


def test_user_agent_runs_from_a_config_name(tmp_path, monkeypatch):
    (tmp_path / "my_agents.py").write_text(textwrap.dedent(USER_AGENT))
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = RunSpec(
        experiment="user-agent",
        problem="toy-accelerator-1obj",
        problem_params={},
        agent="my_agents:HillClimber",
        agent_params={"neighbours": 3},
        seed=0,
        budget=30,
    )
    summary = execute_run(spec, tmp_path / "results")
    assert summary.evaluations == 30
    record = tmp_path / "results" / "runs" / f"{spec.run_id}.jsonl"
    rows = read_records(record)
    assert len(rows) >= 30
    assert all(r["agent_name"] == "my_agents:HillClimber" for r in rows)
    assert all(r["hyperparameters"] == {"neighbours": 3} for r in rows)
    feasible = [r["F"][0] for r in rows if r["feasible"]]
    assert min(feasible) < feasible[0]  # the climber improved on its first feasible design


def test_hyperparameters_declared_in_the_class_body_still_work():
    import pydantic

    from dsegym.costmodels import make_problem
    from dsegym.search import AskTellAgent

    class Nested(AskTellAgent):
        name = "nested"

        class Hyperparameters(pydantic.BaseModel):
            width: int = 3

        def ask(self, n):
            return self.space.sample_many(self.rng, n)

        def tell(self, outcomes):
            pass

    space = make_problem("toy-accelerator").space
    assert Nested(space, n_objectives=2, hyperparameters={"width": 5}).hp.width == 5
