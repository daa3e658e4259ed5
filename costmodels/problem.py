"""Problems: a cost model bound to a workload, objectives to minimise and constraints."""

from __future__ import annotations

import json
import math
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from dsegym.costmodels.base import CostModel, Evaluation
from dsegym.costmodels.space import Design, DesignSpace
from dsegym.errors import ConfigError, shorten

_SCALAR_TYPES = (int, float, str, bool)


def coerce_design(design: Any) -> tuple[Design, list[str]]:
    """A design as a flat ``{name: scalar}`` dict, with the reasons it is not one.

    Agents and users may propose anything; a value that is not a single parameter value
    (a list, a dict, ``None``...) or a design that is not a mapping at all makes the
    design infeasible with a reason, never an exception. The returned dict is JSON-safe
    (odd values become their JSON form or ``repr``), so it can be recorded and keyed;
    coercing it again gives the same dict.
    """
    if isinstance(design, Mapping):
        out = dict(design)
        if all(type(v) in _SCALAR_TYPES for v in out.values()) and all(type(k) is str for k in out):
            return out, []  # the hot path: nothing to check further
        problems = []
        clean: Design = {}
        for k, v in out.items():
            name = k if isinstance(k, str) else str(k)
            if isinstance(v, np.generic) and not isinstance(v, np.void):
                clean[name] = v.item()
            elif v is None or not isinstance(v, _SCALAR_TYPES):
                problems.append(
                    f"parameter {shorten(name)!r}: {type(v).__name__} value "
                    f"{shorten(repr(v))} is not a single parameter value"
                )
                clean[name] = _json_safe(v)
            else:
                clean[name] = v
            if not isinstance(k, str):
                problems.append(f"parameter name {shorten(repr(k))} is not a string")
        return clean, problems
    reason = (
        f"a design must be a mapping of parameter names to values, got "
        f"{type(design).__name__} {shorten(repr(design))}"
    )
    return {"<design>": _json_safe(design)}, [reason]


def _json_safe(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, default=repr, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return shorten(repr(value))


@dataclass(frozen=True)
class Objective:
    """One objective; ``F`` is always minimised, so ``max`` objectives are negated.

    Attributes:
        metric: Name of the cost-model metric.
        sense: ``"min"`` or ``"max"``.
    """

    metric: str
    sense: Literal["min", "max"] = "min"

    def value(self, metrics: Mapping[str, float]) -> float:
        v = metrics.get(self.metric, math.nan)
        return -v if self.sense == "max" else v

    @property
    def label(self) -> str:
        return self.metric if self.sense == "min" else f"-{self.metric}"


@dataclass(frozen=True)
class Constraint:
    """A spec on one metric: ``lower <= metric <= upper`` (either bound optional).

    ``g = metric - upper`` (or ``lower - metric``), so the design meets the spec iff
    ``g <= 0``: the pymoo and Optuna convention.
    """

    metric: str
    upper: float | None = None
    lower: float | None = None

    def __post_init__(self) -> None:
        if self.upper is None and self.lower is None:
            raise ConfigError(f"constraint on {self.metric!r}: give 'upper' or 'lower'")

    def g(self, metrics: Mapping[str, float]) -> float:
        v = metrics.get(self.metric, math.nan)
        if math.isnan(v):
            return math.inf
        parts = []
        if self.upper is not None:
            parts.append(v - self.upper)
        if self.lower is not None:
            parts.append(self.lower - v)
        return max(parts)

    def describe(self) -> str:
        if self.upper is not None and self.lower is not None:
            return f"{self.lower} <= {self.metric} <= {self.upper}"
        if self.upper is not None:
            return f"{self.metric} <= {self.upper}"
        return f"{self.metric} >= {self.lower}"


@dataclass(frozen=True)
class Outcome:
    """A design with its evaluation, minimised objectives ``F`` and constraints ``G``.

    For a design the cost model rejects, ``F`` and ``G`` are ``+inf``.
    """

    design: Design
    evaluation: Evaluation
    F: np.ndarray
    G: np.ndarray
    feasible: bool

    @property
    def violation(self) -> float:
        """Total constraint violation (0 when feasible, ``inf`` if the model rejected it)."""
        if not self.evaluation.feasible:
            return math.inf
        return float(np.clip(self.G, 0.0, None).sum()) if self.G.size else 0.0

    @property
    def reasons(self) -> list[str]:
        return list(self.evaluation.violations)


@dataclass
class Problem:
    """A cost model, a workload, objectives (minimised) and constraints (specs).

    Attributes:
        name: Registered problem name.
        cost_model: The model that costs designs.
        objectives: Objectives, minimised in ``F``.
        constraints: Specs; feasible iff the model accepts the design and every g <= 0.
        workload: The workload object passed to the model (model-specific).
        workload_name: Name of the workload, for records.
        known_front: The exact Pareto front in ``F`` space, when known.
        reference_point: A reference point for hypervolume in ``F`` space, when the
            problem declares one (otherwise the report derives it; see ``dsegym.pareto``).
        description: One line for ``dsegym list``.
    """

    name: str
    cost_model: CostModel
    objectives: Sequence[Objective]
    constraints: Sequence[Constraint] = ()
    workload: Any = None
    workload_name: str = ""
    known_front: np.ndarray | None = None
    reference_point: np.ndarray | None = None
    description: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    # (design, traceback) of every design the cost model raised on; the runner drains
    # it into a file beside the run's record.
    model_errors: list[tuple[Design, str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.objectives = tuple(self.objectives)
        self.constraints = tuple(self.constraints)
        if not self.objectives:
            raise ConfigError(f"problem {self.name!r}: needs at least one objective")
        known = set(self.cost_model.metric_names)
        metrics_used = [o.metric for o in self.objectives] + [c.metric for c in self.constraints]
        for metric in metrics_used:
            if metric not in known:
                raise ConfigError(
                    f"problem {self.name!r}: unknown metric {metric!r}; "
                    f"allowed: {', '.join(sorted(known))}"
                )

    @property
    def space(self) -> DesignSpace:
        return self.cost_model.space

    @property
    def n_objectives(self) -> int:
        return len(self.objectives)

    @property
    def n_constraints(self) -> int:
        return len(self.constraints)

    @property
    def objective_labels(self) -> list[str]:
        return [o.label for o in self.objectives]

    def outcome(self, design: Design, evaluation: Evaluation) -> Outcome:
        """Derives ``F``, ``G`` and feasibility from an evaluation."""
        if not evaluation.feasible:
            return Outcome(
                design,
                evaluation,
                np.full(self.n_objectives, np.inf),
                np.full(self.n_constraints, np.inf),
                False,
            )
        values = [o.value(evaluation.metrics) for o in self.objectives]
        if not all(math.isfinite(v) for v in values):
            missing = [o.metric for o, v in zip(self.objectives, values, strict=True) if v != v]
            if missing:
                reason = f"model returned no value for {missing}"
            else:
                bad = {
                    o.metric: evaluation.metrics[o.metric]
                    for o, v in zip(self.objectives, values, strict=True)
                    if not math.isfinite(v)
                }
                reason = f"model returned non-finite metrics {bad}"
            return self.outcome(design, Evaluation.infeasible(reason))
        F = np.array(values, dtype=float)
        g_values = [c.g(evaluation.metrics) for c in self.constraints]
        G = np.array(g_values, dtype=float)
        feasible = all(g <= 0 for g in g_values)
        if not feasible:
            reasons = [
                f"spec not met: {c.describe()} (got {evaluation.metrics[c.metric]:.6g})"
                for c, g in zip(self.constraints, G, strict=True)
                if g > 0
            ]
            evaluation = Evaluation(evaluation.metrics, True, tuple(reasons))
        return Outcome(design, evaluation, F, G, feasible)

    def evaluate(self, design: Mapping[str, Any]) -> Outcome:
        """Costs one design; a design outside the space is an infeasible outcome."""
        d, problems = coerce_design(design)
        problems = problems or self.space.violations(d)
        if problems:
            return self.outcome(d, Evaluation.infeasible(problems))
        clean = self.space.clean(d)
        return self.outcome(clean, self._cost_one(clean))

    def evaluate_batch(self, designs: Sequence[Mapping[str, Any]]) -> list[Outcome]:
        """Costs many designs, using the model's vectorised path for valid ones.

        Never raises for a design: one outside the space, not a flat mapping, or on
        which the cost model raises or returns non-finite objectives is an infeasible
        outcome whose reasons say why (tracebacks go to ``model_errors``).
        """
        outcomes: list[Outcome | None] = [None] * len(designs)
        valid_idx, valid = [], []
        for i, raw in enumerate(designs):
            d, problems = coerce_design(raw)
            problems = problems or self.space.violations(d)
            if problems:
                outcomes[i] = self.outcome(d, Evaluation.infeasible(problems))
            else:
                valid_idx.append(i)
                valid.append(self.space.clean(d))
        if valid:
            evaluations = self._cost(valid)
            for i, d, e in zip(valid_idx, valid, evaluations, strict=True):
                outcomes[i] = self.outcome(d, e)
        return [o for o in outcomes if o is not None]

    def _cost(self, designs: list[Design]) -> list[Evaluation]:
        """The model's evaluations; where it raises, design by design, the error as reason."""
        try:
            evaluations = list(self.cost_model.evaluate_batch(designs, self.workload))
            if len(evaluations) == len(designs) and all(
                isinstance(e, Evaluation) for e in evaluations
            ):
                return evaluations
        except Exception:  # noqa: BLE001 - a misbehaving model must not end the run
            pass
        return [self._cost_one(design) for design in designs]

    def _cost_one(self, design: Design) -> Evaluation:
        try:
            evaluation = self.cost_model.evaluate(design, self.workload)
            if not isinstance(evaluation, Evaluation):
                raise TypeError(f"evaluate returned {type(evaluation).__name__}, not an Evaluation")
            return evaluation
        except Exception as exc:  # noqa: BLE001 - reported as an infeasible design
            self.model_errors.append((design, traceback.format_exc()))
            reason = f"cost model raised {type(exc).__name__}: {shorten(str(exc))}"
            return Evaluation.infeasible(reason)
