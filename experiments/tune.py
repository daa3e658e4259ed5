"""Ray Tune interoperability, both ways.

- A dsegym problem in Tune: :func:`param_space` turns its design space into a Tune
  search space and :func:`problem_trainable` gives the function Tune trains, which
  costs one design and reports its metrics, minimised objectives (``F0``, ``F1``...),
  feasibility and total violation. Any Tune searcher or scheduler then explores it.
- A dsegym agent in Tune: :class:`AgentSearcher` is a Tune ``Searcher`` that proposes
  what a dsegym ask/tell agent asks for and tells it the results in proposal order, so
  NSGA-II, CMA-ES, ACO or a user's agent drive a Tune experiment, with Tune running the
  trials (on a cluster, with its own fault tolerance and logging).

    tuner = tune.Tuner(
        problem_trainable("toy-accelerator"),
        param_space=param_space(make_problem("toy-accelerator").space),
        tune_config=tune.TuneConfig(
            search_alg=AgentSearcher("nsga2", make_problem("toy-accelerator"), seed=0),
            num_samples=100,
        ),
    )

Tune owns the loop here, so dsegym's runner (budget, cache, records) is not involved;
use ``dsegym run`` for reproducible records.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from dsegym.costmodels.base import Evaluation
from dsegym.costmodels.problem import Outcome, Problem
from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import Categorical, Design, DesignSpace, Integer, Ordinal, Real
from dsegym.errors import ConfigError
from dsegym.search.agent import AskTellAgent, finite_objectives, finite_violation
from dsegym.search.registry import make_agent_for

try:  # Tune's base class when Tune is importable; dsegym works without it.
    from ray.tune.search import Searcher as _Searcher
except ImportError:  # pragma: no cover - ray[tune] is a dependency
    _Searcher = object  # type: ignore[assignment,misc]


def param_space(space: DesignSpace) -> dict[str, Any]:
    """The Tune search space of a dsegym design space (same values, same log scales)."""
    from ray import tune

    out: dict[str, Any] = {}
    for p in space:
        if isinstance(p, Categorical):
            out[p.name] = tune.choice(list(p.choices))
        elif isinstance(p, Ordinal):
            out[p.name] = tune.choice(list(p.values))
        elif isinstance(p, Integer):
            # qrandint rounds to multiples of q from 0, not from low: list the values.
            values = range(p.low, p.high + 1, p.step)
            out[p.name] = tune.randint(p.low, p.high + 1) if p.step == 1 else tune.choice(values)
        elif isinstance(p, Real):
            sample = tune.loguniform if p.log else tune.uniform
            out[p.name] = sample(p.low, p.high)
        else:  # pragma: no cover - every parameter type is handled above
            raise ConfigError(f"parameter {p.name!r}: no Tune equivalent")
    return out


def report_of(outcome: Outcome) -> dict[str, Any]:
    """What a trial reports: metrics, finite ``F0..`` (minimised), feasibility.

    ``rejected`` says the cost model refused the design (``reasons`` says why);
    ``feasible`` is false also when a spec is missed.
    """
    report: dict[str, Any] = {
        k: v for k, v in outcome.evaluation.metrics.items() if math.isfinite(v)
    }
    report.update({f"F{i}": f for i, f in enumerate(finite_objectives(outcome))})
    report["feasible"] = outcome.feasible
    report["rejected"] = not outcome.evaluation.feasible
    report["violation"] = finite_violation(outcome)
    report["reasons"] = "; ".join(outcome.reasons)
    return report


def problem_trainable(
    name: str, params: Mapping[str, Any] | None = None
) -> Callable[[dict[str, Any]], None]:
    """A Tune function trainable that costs the design it is given on problem ``name``.

    The problem is built in each trial's process from its registered name, so the
    trainable is cheap to ship to a cluster.
    """
    params = dict(params or {})
    make_problem(name, params)  # fail here, on the driver, if the name or params are bad

    def trainable(config: dict[str, Any]) -> None:
        from ray import tune

        tune.report(report_of(make_problem(name, params).evaluate(config)))

    trainable.__name__ = f"dsegym_{name.replace('-', '_')}"
    return trainable


class AgentSearcher(_Searcher):  # type: ignore[misc,valid-type]
    """A dsegym ask/tell agent as a Tune ``Searcher``.

    The agent asks for its natural batch; Tune runs those trials (concurrently, up to
    its limits); once every trial of the batch is complete the agent is told their
    outcomes in proposal order, so its behaviour does not depend on which trial ends
    first. A trial that errors, or reports no value for an objective, is an infeasible
    outcome.

    Args:
        agent: Registered agent name or ``module:Class`` (ask/tell agents only).
        problem: The problem whose space and objectives the agent searches; the trials
            must report its metrics (as :func:`problem_trainable` does).
        seed: The agent's seed.
        params: The agent's hyperparameters.
    """

    def __init__(
        self,
        agent: str,
        problem: Problem,
        *,
        seed: int = 0,
        params: Mapping[str, Any] | None = None,
    ):
        super().__init__(metric="F0", mode="min")
        self.problem = problem
        made = make_agent_for(agent, problem, seed=seed, params=dict(params or {}))
        if not isinstance(made, AskTellAgent):
            raise ConfigError(
                f"agent {agent!r} drives its own loop; a Tune searcher needs an ask/tell agent"
            )
        self.agent: AskTellAgent[Any] = made
        self._batch: list[Design] = []
        self._next = 0
        self._trials: dict[str, int] = {}
        self._outcomes: dict[int, Outcome] = {}
        self._finished = False

    def set_search_properties(
        self, metric: str | None, mode: str | None, config: dict[str, Any], **spec: Any
    ) -> bool:
        # The agent searches the problem's own space; Tune's param_space (if any) only
        # has to describe the same parameters.
        unknown = sorted(set(config) - set(self.problem.space.names))
        if unknown:
            raise ConfigError(f"param_space: {unknown} are not parameters of the problem")
        return True

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:  # type: ignore[override]
        if self._finished:
            return self.FINISHED
        if self._next == len(self._batch):
            if len(self._outcomes) < len(self._batch):
                return None  # the batch is out; wait for its results
            self._start_batch()
            if not self._batch:
                self._finished = True
                return self.FINISHED
        index = self._next
        self._next += 1
        self._trials[trial_id] = index
        return dict(self._batch[index])

    def on_trial_complete(
        self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False
    ) -> None:
        index = self._trials.pop(trial_id, None)
        if index is None:
            return
        self._outcomes[index] = self._outcome(self._batch[index], result, error)
        if len(self._outcomes) == len(self._batch) and self._next == len(self._batch):
            self.agent.tell([self._outcomes[i] for i in range(len(self._batch))])
            self._outcomes.clear()
            self._batch, self._next = [], 0

    def save(self, checkpoint_path: str) -> None:
        """Saves the agent and the batch in flight (Tune checkpoints the experiment)."""
        from ray import cloudpickle

        with open(checkpoint_path, "wb") as f:
            cloudpickle.dump(self.__dict__, f)

    def restore(self, checkpoint_path: str) -> None:
        """Restores what :meth:`save` wrote (Tune resumes the experiment)."""
        from ray import cloudpickle

        with open(checkpoint_path, "rb") as f:
            self.__dict__.update(cloudpickle.load(f))

    def _start_batch(self) -> None:
        self._batch = [dict(d) for d in self.agent.ask(max(1, self.agent.batch_size))]
        self._next = 0
        self._outcomes.clear()

    def _outcome(self, design: Design, result: dict[str, Any] | None, error: bool) -> Outcome:
        if error or not result:
            return self.problem.outcome(design, Evaluation.infeasible("the Tune trial failed"))
        if result.get("rejected"):  # the cost model refused the design
            return self.problem.outcome(design, Evaluation.infeasible(result["reasons"]))
        names = self.problem.cost_model.metric_names
        metrics = {k: float(result[k]) for k in names if isinstance(result.get(k), int | float)}
        return self.problem.outcome(design, Evaluation(metrics))
