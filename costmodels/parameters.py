"""Parameter types of a design space, each owning its own behaviour.

:class:`Categorical`, :class:`Ordinal`, :class:`Integer` and :class:`Real` each know
how to sample, check, index, place on the unit cube, enumerate and convert their values
to and from the search libraries' own variable types (Optuna, pymoo, Nevergrad,
ConfigSpace), as variable types do in pymoo and Optuna.
:class:`~dsegym.costmodels.space.DesignSpace` applies them parameter by parameter.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

import numpy as np

Value = int | float | str | bool


def native(value: Any) -> Any:
    """Converts numpy scalars to Python scalars so designs serialise cleanly."""
    return value.item() if isinstance(value, np.generic) else value


P = TypeVar("P", bound="Parameter")


def described(parameter: P, description: str) -> P:
    """``parameter`` with its one line of meaning set (values unchanged)."""
    return replace(parameter, description=description)  # type: ignore[type-var]


def _clipped_index(value: Any, n_values: int) -> int:
    """A library's (possibly float) index, rounded and clipped to ``[0, n_values - 1]``."""
    return min(max(round(float(value)), 0), n_values - 1)


class Parameter(ABC):
    """What every parameter type provides; :class:`DesignSpace` relies on nothing else.

    A parameter encodes one value as a float twice: its *index* (:meth:`encode`; a real
    parameter keeps its value) and its position in ``[0, 1]`` (:meth:`to_unit`).
    """

    name: str
    #: One line of meaning (what the knob is, its unit), shown by ``dsegym show``.
    description: str
    #: Whether the parameter has finitely many values (every type but :class:`Real`).
    discrete: ClassVar[bool]
    #: How pymoo searches it: an integer index, a real, or a mixed-variable choice.
    pymoo_kind: ClassVar[Literal["integer", "real", "choice"]]

    @property
    @abstractmethod
    def n_values(self) -> int | None:
        """Number of values (``None`` for a real parameter)."""

    @abstractmethod
    def describe(self) -> str:
        """The allowed values, in words (for error messages)."""

    @abstractmethod
    def contains(self, value: Any) -> bool:
        """Whether ``value`` is allowed."""

    @abstractmethod
    def fast_check(self) -> Callable[[Any], bool]:
        """A cheap membership test for plain values of the right type (may say no to
        values :meth:`contains` accepts, never yes to one it rejects).
        """

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Any:
        """Draws one value uniformly (log-uniformly where asked)."""

    @abstractmethod
    def encode(self, value: Any) -> float:
        """The value's index (a real parameter: the value itself)."""

    @abstractmethod
    def decode(self, x: float) -> Any:
        """The value at (rounded, clipped) index ``x``."""

    @abstractmethod
    def to_unit(self, value: Any) -> float:
        """The value's position in ``[0, 1]``."""

    @abstractmethod
    def from_unit(self, u: float) -> Any:
        """The value at position ``u`` of ``[0, 1]`` (discrete values by bins)."""

    @abstractmethod
    def from_lattice(self, u: float) -> Any:
        """The value at position ``u`` of ``[0, 1]`` when discrete values sit on evenly
        spaced points, the ends included (a real parameter: as :meth:`from_unit`).
        """

    @abstractmethod
    def grid_values(self, levels: int) -> list[Any]:
        """Every value, or ``levels`` evenly spaced ones for a real parameter."""

    @abstractmethod
    def neighbour_values(self, value: Any) -> list[Any]:
        """Values one move away from ``value`` (none for a real parameter)."""

    @abstractmethod
    def pymoo_bounds(self) -> tuple[float, float]:
        """Bounds of the parameter in pymoo's vector encoding."""

    # Library encodings.
    @abstractmethod
    def optuna_distribution(self) -> Any: ...

    @abstractmethod
    def from_optuna(self, value: Any) -> Any: ...

    @abstractmethod
    def pymoo_variable(self) -> Any: ...

    @abstractmethod
    def from_pymoo(self, value: Any) -> Any: ...

    @abstractmethod
    def nevergrad_parameter(self) -> Any: ...

    @abstractmethod
    def from_nevergrad(self, value: Any) -> Any: ...

    @abstractmethod
    def configspace_hyperparameter(self) -> Any: ...

    def from_configspace(self, value: Any) -> Any:
        return native(value)


class DiscreteParameter(Parameter):
    """Shared behaviour of parameters with finitely many values, found by index."""

    discrete: ClassVar[bool] = True
    #: Whether neighbouring indices are neighbouring values (not for a categorical).
    ordered: ClassVar[bool] = True

    if TYPE_CHECKING:  # a field of some subclasses, a property of others

        @property
        def values(self) -> Sequence[Any]:
            """The allowed values, in index order."""
            ...

    @property
    def n_values(self) -> int:
        return len(self.values)

    @cached_property
    def _index(self) -> dict[Any, int]:
        return {v: i for i, v in enumerate(self.values)}

    def value_at(self, index: int) -> Any:
        """The value at ``index`` (``0 <= index < n_values``)."""
        return self.values[index]

    def index_of(self, value: Any) -> int:
        """The index of an allowed ``value``."""
        return self._index[value]

    def contains(self, value: Any) -> bool:
        try:
            return value in self._index
        except TypeError:  # unhashable value
            return False

    def fast_check(self) -> Callable[[Any], bool]:
        allowed = self._index
        return lambda v: type(v) is not bool and v in allowed

    def sample(self, rng: np.random.Generator) -> Any:
        return self.value_at(int(rng.integers(self.n_values)))

    def encode(self, value: Any) -> float:
        return float(self.index_of(value))

    def decode(self, x: float) -> Any:
        return self.value_at(_clipped_index(x, self.n_values))

    def to_unit(self, value: Any) -> float:
        return (self.index_of(value) + 0.5) / self.n_values

    def from_unit(self, u: float) -> Any:
        return self.value_at(min(int(u * self.n_values), self.n_values - 1))

    def from_lattice(self, u: float) -> Any:
        return self.value_at(int(np.round(u * (self.n_values - 1))))

    def grid_values(self, levels: int) -> list[Any]:
        return [self.value_at(i) for i in range(self.n_values)]

    def neighbour_values(self, value: Any) -> list[Any]:
        i = self.index_of(value)
        if self.ordered:
            targets = [j for j in (i - 1, i + 1) if 0 <= j < self.n_values]
        else:
            targets = [j for j in range(self.n_values) if j != i]
        return [self.value_at(j) for j in targets]

    def pymoo_bounds(self) -> tuple[float, float]:
        return (0, self.n_values - 1)


@dataclass(frozen=True)
class Categorical(DiscreteParameter):
    """An unordered choice among named values.

    Attributes:
        name: Parameter name.
        choices: The allowed values, in a fixed order that defines their indices.
        description: One line of meaning (what the knob is, its unit).
    """

    name: str
    choices: tuple[Value, ...]
    # Keyword-only and left out of equality: a knob's meaning does not change its values.
    description: str = field(default="", kw_only=True, compare=False)

    ordered: ClassVar[bool] = False
    pymoo_kind: ClassVar[Literal["integer", "real", "choice"]] = "choice"

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", tuple(native(c) for c in self.choices))
        if not self.choices:
            raise ValueError(f"parameter {self.name!r}: needs at least one choice")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError(f"parameter {self.name!r}: choices must be distinct")

    @property
    def values(self) -> tuple[Value, ...]:
        return self.choices

    def describe(self) -> str:
        return "one of " + ", ".join(map(repr, self.choices))

    # Library encodings: an unordered choice is a categorical everywhere.
    def optuna_distribution(self) -> Any:
        from optuna.distributions import CategoricalDistribution

        return CategoricalDistribution(self.choices)

    def from_optuna(self, value: Any) -> Value:
        return native(value)

    def pymoo_variable(self) -> Any:
        from pymoo.core.variable import Choice

        return Choice(options=list(self.choices))

    def from_pymoo(self, value: Any) -> Value:
        return native(value)

    def nevergrad_parameter(self) -> Any:
        import nevergrad as ng

        return ng.p.Choice(list(self.choices))

    def from_nevergrad(self, value: Any) -> Value:
        return native(value)

    def configspace_hyperparameter(self) -> Any:
        from ConfigSpace import CategoricalHyperparameter

        return CategoricalHyperparameter(self.name, list(self.choices))


@dataclass(frozen=True)
class Ordinal(DiscreteParameter):
    """An ordered choice among numeric values, such as powers of two.

    Attributes:
        name: Parameter name.
        values: Allowed values in increasing order.
        description: One line of meaning (what the knob is, its unit).
    """

    name: str
    values: tuple[float | int, ...]
    # Keyword-only and left out of equality: a knob's meaning does not change its values.
    description: str = field(default="", kw_only=True, compare=False)

    pymoo_kind: ClassVar[Literal["integer", "real", "choice"]] = "integer"

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(native(v) for v in self.values))
        if not self.values:
            raise ValueError(f"parameter {self.name!r}: needs at least one value")
        if list(self.values) != sorted(set(self.values)):
            raise ValueError(f"parameter {self.name!r}: values must be strictly increasing")

    def describe(self) -> str:
        return "one of " + ", ".join(map(str, self.values))

    # Library encodings keep the order: the value's index is an integer (Optuna, pymoo)
    # or an ordered choice (Nevergrad), so samplers see that 8 lies between 4 and 16.
    def optuna_distribution(self) -> Any:
        from optuna.distributions import IntDistribution

        return IntDistribution(0, self.n_values - 1)

    def from_optuna(self, value: Any) -> float | int:
        return self.values[int(value)]

    def pymoo_variable(self) -> Any:
        from pymoo.core.variable import Integer as PymooInteger

        return PymooInteger(bounds=(0, self.n_values - 1))

    def from_pymoo(self, value: Any) -> float | int:
        return self.values[_clipped_index(value, self.n_values)]

    def nevergrad_parameter(self) -> Any:
        import nevergrad as ng

        return ng.p.TransitionChoice(list(self.values))

    def from_nevergrad(self, value: Any) -> float | int:
        return native(value)

    def configspace_hyperparameter(self) -> Any:
        from ConfigSpace import OrdinalHyperparameter

        return OrdinalHyperparameter(self.name, list(self.values))

    @classmethod
    def powers_of_two(cls, name: str, low: int, high: int, *, description: str = "") -> Ordinal:
        """Builds an ordinal over the powers of two between ``low`` and ``high``."""
        start, stop = int(math.log2(low)), int(math.log2(high))
        return cls(name, tuple(2**k for k in range(start, stop + 1)), description=description)


@dataclass(frozen=True)
class Integer(DiscreteParameter):
    """An integer range ``low, low + step, ..., high`` (inclusive).

    Attributes:
        name: Parameter name.
        low: Smallest value.
        high: Largest value; ``high - low`` must be a multiple of ``step``.
        step: Spacing between allowed values.
        description: One line of meaning (what the knob is, its unit).
    """

    name: str
    low: int
    high: int
    step: int = 1
    # Keyword-only and left out of equality: a knob's meaning does not change its values.
    description: str = field(default="", kw_only=True, compare=False)

    pymoo_kind: ClassVar[Literal["integer", "real", "choice"]] = "integer"

    def __post_init__(self) -> None:
        if self.step < 1 or self.high < self.low or (self.high - self.low) % self.step:
            raise ValueError(
                f"parameter {self.name!r}: need low <= high with (high - low) a multiple "
                f"of step >= 1, got low={self.low}, high={self.high}, step={self.step}"
            )

    @property
    def values(self) -> range:
        return range(self.low, self.high + 1, self.step)

    @property
    def n_values(self) -> int:
        return (self.high - self.low) // self.step + 1

    # A range is found by arithmetic, not by a table of its (possibly many) values.
    def value_at(self, index: int) -> int:
        return self.low + index * self.step

    def index_of(self, value: Any) -> int:
        return (int(value) - self.low) // self.step

    def contains(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            return False
        return bool(self.low <= value <= self.high and (value - self.low) % self.step == 0)

    def fast_check(self) -> Callable[[Any], bool]:
        lo, hi, step = self.low, self.high, self.step
        return lambda v: type(v) is int and lo <= v <= hi and (v - lo) % step == 0

    def describe(self) -> str:
        step = f" in steps of {self.step}" if self.step != 1 else ""
        return f"an integer from {self.low} to {self.high}{step}"

    # Library encodings: Optuna takes the range as it is; pymoo and Nevergrad search the
    # value's index (an integer variable rounded by the library's own repair/casting).
    def optuna_distribution(self) -> Any:
        from optuna.distributions import IntDistribution

        return IntDistribution(self.low, self.high, step=self.step)

    def from_optuna(self, value: Any) -> int:
        return int(value)

    def pymoo_variable(self) -> Any:
        from pymoo.core.variable import Integer as PymooInteger

        return PymooInteger(bounds=(0, self.n_values - 1))

    def from_pymoo(self, value: Any) -> int:
        return self.value_at(_clipped_index(value, self.n_values))

    def nevergrad_parameter(self) -> Any:
        import nevergrad as ng

        return ng.p.Scalar(lower=0, upper=self.n_values - 1).set_integer_casting()

    def from_nevergrad(self, value: Any) -> int:
        return self.value_at(_clipped_index(value, self.n_values))

    def configspace_hyperparameter(self) -> Any:
        from ConfigSpace import OrdinalHyperparameter, UniformIntegerHyperparameter

        if self.step == 1:
            return UniformIntegerHyperparameter(self.name, self.low, self.high)
        return OrdinalHyperparameter(self.name, list(self.values))


@dataclass(frozen=True)
class Real(Parameter):
    """A continuous interval ``[low, high]``, optionally searched on a log scale.

    Attributes:
        name: Parameter name.
        low: Lower bound.
        high: Upper bound.
        log: Whether samplers should treat the parameter on a log scale.
        description: One line of meaning (what the knob is, its unit).
    """

    name: str
    low: float
    high: float
    log: bool = False
    # Keyword-only and left out of equality: a knob's meaning does not change its values.
    description: str = field(default="", kw_only=True, compare=False)

    discrete: ClassVar[bool] = False
    pymoo_kind: ClassVar[Literal["integer", "real", "choice"]] = "real"

    def __post_init__(self) -> None:
        if not self.low < self.high or (self.log and self.low <= 0):
            raise ValueError(
                f"parameter {self.name!r}: need low < high (and low > 0 for log), "
                f"got low={self.low}, high={self.high}"
            )

    @property
    def n_values(self) -> None:
        return None

    def describe(self) -> str:
        scale = " (log scale)" if self.log else ""
        return f"a real number from {self.low} to {self.high}{scale}"

    def contains(self, value: Any) -> bool:
        return isinstance(value, (int, float, np.number)) and bool(self.low <= value <= self.high)

    def fast_check(self) -> Callable[[Any], bool]:
        lo, hi = self.low, self.high
        return lambda v: type(v) is float and lo <= v <= hi

    def sample(self, rng: np.random.Generator) -> float:
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = float(rng.uniform(self.low, self.high))
        return self._clip(value)

    def encode(self, value: Any) -> float:
        return float(value)

    def decode(self, x: float) -> float:
        return float(self._clip(x))

    def _scaled_bounds(self) -> tuple[float, float]:
        """The bounds on the scale the parameter is searched on (log or linear)."""
        return (math.log(self.low), math.log(self.high)) if self.log else (self.low, self.high)

    def to_unit(self, value: Any) -> float:
        lo, hi = self._scaled_bounds()
        v = math.log(value) if self.log else float(value)
        return (v - lo) / (hi - lo)

    def from_unit(self, u: float) -> float:
        if self.log:
            lo, hi = self._scaled_bounds()
            return self._clip(math.exp(lo + u * (hi - lo)))
        return float(self.low + u * (self.high - self.low))

    def from_lattice(self, u: float) -> float:
        return self.from_unit(u)

    def grid_values(self, levels: int) -> list[float]:
        spaced = np.geomspace if self.log else np.linspace
        return [float(v) for v in spaced(self.low, self.high, levels)]

    def neighbour_values(self, value: Any) -> list[Any]:
        return []

    # Library encodings: pymoo searches log-scaled reals on their logarithm.
    def pymoo_bounds(self) -> tuple[float, float]:
        return self._scaled_bounds()

    def optuna_distribution(self) -> Any:
        from optuna.distributions import FloatDistribution

        return FloatDistribution(self.low, self.high, log=self.log)

    def from_optuna(self, value: Any) -> float:
        return self._clip(float(value))

    def pymoo_variable(self) -> Any:
        from pymoo.core.variable import Real as PymooReal

        return PymooReal(bounds=self.pymoo_bounds())

    def from_pymoo(self, value: Any) -> float:
        x = float(value)
        return self._clip(math.exp(x) if self.log else x)

    def nevergrad_parameter(self) -> Any:
        import nevergrad as ng

        if self.log:
            return ng.p.Log(lower=self.low, upper=self.high)
        return ng.p.Scalar(lower=self.low, upper=self.high)

    def from_nevergrad(self, value: Any) -> float:
        return self._clip(float(value))

    def configspace_hyperparameter(self) -> Any:
        from ConfigSpace import UniformFloatHyperparameter

        return UniformFloatHyperparameter(self.name, self.low, self.high, log=self.log)

    def from_configspace(self, value: Any) -> float:
        return self._clip(float(native(value)))

    def _clip(self, x: float) -> float:
        return min(max(x, self.low), self.high)
