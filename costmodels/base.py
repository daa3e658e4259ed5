"""Cost-model interface: a pure function from (design, workload) to metrics."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

from dsegym.costmodels.space import DesignSpace


@dataclass(frozen=True)
class Metric:
    """A metric a cost model reports.

    Attributes:
        name: Metric name with its unit in it (``latency_cycles``, ``energy_pj``).
        unit: Unit, spelled out for tables and plots.
        description: One line for ``dsegym list``.
    """

    name: str
    unit: str
    description: str = ""


@dataclass(frozen=True)
class Evaluation:
    """The outcome of costing one design on one workload.

    Attributes:
        metrics: Metric values keyed by metric name (may be partial when infeasible).
        feasible: Whether the design can work at all.
        violations: Human-readable reasons a design is infeasible.
    """

    metrics: Mapping[str, float] = field(default_factory=dict)
    feasible: bool = True
    violations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "metrics",
            MappingProxyType(
                dict(zip(self.metrics.keys(), map(float, self.metrics.values()), strict=True))
            ),
        )
        object.__setattr__(self, "violations", tuple(self.violations))

    @classmethod
    def infeasible(
        cls, reasons: str | Sequence[str], metrics: Mapping[str, float] | None = None
    ) -> Evaluation:
        """Builds an infeasible evaluation with its reasons."""
        reasons = (reasons,) if isinstance(reasons, str) else tuple(reasons)
        return cls(metrics=metrics or {}, feasible=False, violations=reasons)


class CostModel(ABC):
    """A hardware (or reference) cost model.

    Subclasses set ``name``, ``version`` and ``metrics`` and implement ``space`` and
    ``evaluate``. Bump ``version`` whenever the numbers a model returns change, so old
    records are never mistaken for new ones.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = ()

    @property
    @abstractmethod
    def space(self) -> DesignSpace:
        """The design space this model accepts."""

    @abstractmethod
    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        """Costs one design; never raises for an impossible design."""

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        """Costs many designs; models override this with a vectorised version."""
        return [self.evaluate(d, workload) for d in designs]

    @property
    def parameter_groups(self) -> dict[str, list[str]]:
        """Named groups of parameters (e.g. controller subsystems), for multi-agent RL.

        The default puts each parameter in its own group.
        """
        return {name: [name] for name in self.space.names}

    def metric(self, name: str) -> Metric:
        """Looks a metric up by name."""
        for m in self.metrics:
            if m.name == name:
                return m
        from dsegym.errors import UnknownNameError

        raise UnknownNameError(f"metric of cost model {self.name!r}", name, self.metric_names)

    @property
    def metric_names(self) -> list[str]:
        return [m.name for m in self.metrics]
