"""A trained surrogate as a cost model (``proxy``), and the ``proxy`` problem factory."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.problem import Objective, Problem
from dsegym.costmodels.proxy.data import TrainingData, results_data, sample_data
from dsegym.costmodels.proxy.surrogate import Surrogate, fit_surrogate, load_surrogate
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError


class ProxyCostModel(CostModel):
    """Answers with a surrogate's predictions instead of the real model's numbers.

    Records of a proxy run name the cost model ``proxy`` and carry, in the problem
    parameters, what the surrogate was trained on; ``provenance`` holds the full story
    (problem, its cost model and version, the records used, the library).
    """

    name: ClassVar[str] = "proxy"
    version: ClassVar[str] = "1"

    def __init__(self, surrogate: Surrogate):
        self.surrogate = surrogate
        units = surrogate.provenance.get("units", {})
        self.metrics = tuple(  # type: ignore[misc]
            Metric(m, units.get(m, ""), f"surrogate ({surrogate.kind}) prediction of {m}")
            for m in surrogate.metrics
        )

    @property
    def space(self) -> DesignSpace:
        return self.surrogate.space

    @property
    def provenance(self) -> dict[str, Any]:
        return self.surrogate.provenance

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        if not designs:
            return []
        predicted = self.surrogate.predict(self.surrogate.features([dict(d) for d in designs]))
        return [
            Evaluation({m: float(v[i]) for m, v in predicted.items()}) for i in range(len(designs))
        ]


@functools.lru_cache(maxsize=8)
def _trained(
    problem: str, params_json: str, results: str | None, samples: int, kind: str, seed: int
) -> Surrogate:
    """Trains (once per process) the surrogate a ``proxy`` problem asks for."""
    from dsegym.costmodels.registry import make_problem

    data: TrainingData
    if results is not None:
        data = results_data(results, problem)
    else:
        data = sample_data(make_problem(problem, json.loads(params_json)), samples, seed)
    return fit_surrogate(data, kind, seed=seed)


def proxy(
    model: str | None = None,
    problem: str = "toy-accelerator",
    problem_params: dict[str, Any] | None = None,
    results: str | None = None,
    samples: Annotated[int, Field(ge=2, le=1_000_000)] = 500,
    kind: Literal["random_forest", "lightgbm"] = "random_forest",
    objectives: list[str] | None = None,
    seed: int = 0,
) -> Problem:
    """A problem costed by a surrogate of another problem's cost model.

    Give ``model`` (a file written by ``Surrogate.save`` or ``dsegym proxy train``), or
    let the factory train one: on the records of ``results`` (a results folder; then
    ``problem`` is the problem's label there), or on ``samples`` fresh uniform samples of
    the registered ``problem`` with ``problem_params``.

    Args:
        model: Path of a saved surrogate.
        problem: The problem to imitate (a registered name, or a label in ``results``).
        problem_params: Its parameters, for fresh samples.
        results: A results folder to learn from instead of fresh samples.
        samples: Fresh samples to train on.
        kind: ``random_forest`` (ArchGym's choice) or ``lightgbm``.
        objectives: Predicted metrics to minimise (default: the imitated problem's
            objectives when they were learnt, else every learnt metric).
        seed: Sampling and training seed.
    """
    if model is not None:
        surrogate = load_surrogate(model)
    else:
        params = json.dumps(problem_params or {}, sort_keys=True)
        surrogate = _trained(problem, params, results, samples, kind, seed)
    cost_model = ProxyCostModel(surrogate)
    if objectives is None:
        wanted = surrogate.provenance.get("objectives") or _default_objectives(surrogate)
        objectives = [m for m in wanted if m in surrogate.metrics] or surrogate.metrics
    unknown = [m for m in objectives if m not in surrogate.metrics]
    if unknown:
        raise ConfigError(
            f"proxy objectives {unknown}: the surrogate predicts only {surrogate.metrics}"
        )
    source = surrogate.provenance.get("problem", problem)
    return Problem(
        name="proxy",
        cost_model=cost_model,
        objectives=[Objective(m) for m in objectives],
        workload_name=f"proxy of {source} ({surrogate.kind})",
        description=f"surrogate ({surrogate.kind}) of {source}, "
        f"{surrogate.provenance.get('records', '?')} records",
    )


# The saved model is a zip file, not text (see experiments.config.build_problem).
proxy.binary_file_parameters = ("model",)  # type: ignore[attr-defined]


def _default_objectives(surrogate: Surrogate) -> list[str]:
    from dsegym.costmodels.registry import make_problem

    prov = surrogate.provenance
    try:
        real = make_problem(prov["problem"], prov.get("problem_params", {}))
    except (ConfigError, KeyError):
        return surrogate.metrics
    return [o.metric for o in real.objectives]
