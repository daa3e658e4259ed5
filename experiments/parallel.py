"""Parallel evaluation inside a run: each batch an agent asks for, costed by Ray actors.

The runner still decides, in proposal order, which designs are new, cached or replayed
and charges the budget exactly as in a serial run (see ``experiments.runner``); only
the costing of the new designs of a batch is spread over ``eval_workers`` actors. The
outcomes come back through Ray's object store in proposal order, so the records are
identical to a serial run's; with them come the tracebacks of any design the cost model
raised on, which the run's problem collects, so the run's ``model_errors.txt`` loses none.

The pool is started once per experiment and shared by every run (its actor handles
travel to the Ray tasks of an across-run experiment), so actor start-up is paid once.
A problem is shipped to the actors as an object reference and unpickled once per actor,
not rebuilt from its name: a ``command`` problem then works on nodes that cannot read
the driver's spec file.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from typing import Any

from dsegym.costmodels.problem import Outcome, Problem
from dsegym.costmodels.space import Design
from dsegym.errors import DsegymError

#: Chunks per worker a batch is cut into: several, so that a slow design does not hold
#: a whole worker's share back, and few, so that cheap models do not pay a Ray call per
#: design.
CHUNKS_PER_WORKER = 4
#: Problems an actor keeps unpickled (the runs sharing the pool that run at once).
PROBLEMS_KEPT = 16
#: How long the pool may take to start before the launch gives up with a message.
START_TIMEOUT_S = 300.0


class _Evaluator:
    """A Ray actor that costs designs of any problem it is sent."""

    def __init__(self) -> None:
        # Each actor evaluates one design at a time; more threads only fight the others.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        self._problems: dict[str, Problem] = {}

    def evaluate(
        self, problem_ref: list[Any], designs: list[Design]
    ) -> tuple[list[Outcome], list[tuple[Design, str]]]:
        """The outcomes, and the tracebacks of the designs the cost model raised on."""
        import ray

        (ref,) = problem_ref  # wrapped in a list so Ray does not resolve it on every call
        key = ref.hex()
        if key not in self._problems:
            if len(self._problems) >= PROBLEMS_KEPT:  # runs sharing the pool interleave
                del self._problems[next(iter(self._problems))]
            self._problems[key] = ray.get(ref)
        problem = self._problems[key]
        outcomes = problem.evaluate_batch(designs)
        errors = list(problem.model_errors)
        problem.model_errors.clear()
        return outcomes, errors


class EvaluationPool:
    """``eval_workers`` Ray actors that cost the new designs of each batch.

    Ray must be initialised. The pool is picklable (it is a list of actor handles), so
    the runs of an across-run experiment share it.

    Args:
        workers: Number of actors (each takes one CPU).
    """

    def __init__(self, workers: int):
        import ray

        actor = ray.remote(num_cpus=1, max_restarts=0)(_Evaluator)
        self.actors: list[Any] = [actor.remote() for _ in range(workers)]

    def __len__(self) -> int:
        return len(self.actors)

    def warm_up(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Waits until every actor has started (so start-up is not charged to a run).

        Raises:
            DsegymError: if they do not start in time (the cluster lacks free CPUs).
        """
        import ray

        refs = [a.__ray_ready__.remote() for a in self.actors]
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout_s)
        if len(ready) < len(refs):
            cpus = ray.cluster_resources().get("CPU", 0)
            raise DsegymError(
                f"eval_workers: only {len(ready)} of {len(refs)} evaluation workers started "
                f"within {timeout_s:g} s; the Ray cluster has {cpus:g} CPUs in all, and "
                "each evaluation worker and each parallel run takes one"
            )
        ray.get(ready)

    def for_problem(self, problem: Problem) -> ParallelBatch:
        """The batch function of a run on ``problem`` (see ``RunEvaluator``)."""
        return ParallelBatch(self, problem)

    def shutdown(self) -> None:
        import ray

        for a in self.actors:
            ray.kill(a)


class ParallelBatch:
    """Costs a batch across the pool's actors, returning outcomes in batch order."""

    def __init__(self, pool: EvaluationPool, problem: Problem):
        import ray

        self.pool = pool
        self.problem = problem
        self._ref = [ray.put(problem)]

    def __call__(self, designs: Sequence[Design]) -> list[Outcome]:
        from ray.util import ActorPool

        designs = list(designs)
        if len(designs) <= 1:  # nothing to share out: skip the round trip
            return self.problem.evaluate_batch(designs)
        actors = self.pool.actors
        # Balanced chunks (sizes differ by at most one, larger first), so that the
        # workers' shares come out even when every design costs the same.
        n_chunks = min(len(designs), len(actors) * CHUNKS_PER_WORKER)
        size, extra = divmod(len(designs), n_chunks)
        bounds = [i * size + min(i, extra) for i in range(n_chunks + 1)]
        chunks = [designs[a:b] for a, b in itertools.pairwise(bounds)]
        # Ray's ActorPool hands each actor the next chunk as soon as it is free and
        # yields the results in submission order.
        pool = ActorPool(self.pool.actors)
        results = pool.map(lambda actor, chunk: actor.evaluate.remote(self._ref, chunk), chunks)
        outcomes: list[Outcome] = []
        for chunk_outcomes, errors in results:
            outcomes.extend(chunk_outcomes)
            # The run's own problem collects them, in batch order, as a serial run
            # would; the runner drains them into the run's model_errors.txt.
            self.problem.model_errors.extend(errors)
        return outcomes
