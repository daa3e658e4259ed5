"""Typed design spaces: the one place that knows how designs are encoded.

A design is a plain ``dict`` mapping parameter names to values. Every agent, env and
record goes through :class:`DesignSpace` to sample, check, encode and enumerate
designs, so no search algorithm or adapter writes its own encoder. Each parameter type
(``costmodels/parameters.py``) owns its own behaviour (sampling, membership, index and
unit-cube encodings, library distributions), as variable types do in pymoo and Optuna;
the space applies them parameter by parameter.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from dsegym.costmodels.parameters import (
    Categorical,
    DiscreteParameter,
    Integer,
    Ordinal,
    Parameter,
    Real,
    Value,
    native,
)
from dsegym.errors import DesignError

Design = dict[str, Any]

_PLAIN_TYPES = (int, float, str, bool)

__all__ = [
    "Categorical",
    "Design",
    "DesignSpace",
    "DiscreteParameter",
    "Integer",
    "Ordinal",
    "Parameter",
    "Real",
    "Value",
]


class DesignSpace:
    """An ordered collection of typed parameters.

    Encodings:
        * *index vector* (``encode``/``decode``): for a discrete parameter the index of
          its value; for a real parameter the value itself.
        * *unit vector* (``to_unit``/``from_unit``): every parameter mapped to [0, 1]
          (log-scaled where asked), used by continuous optimisers and Box envs.
        * *action* (``to_action``/``from_action``): what :meth:`to_gymnasium`'s space
          holds: the index vector of a finite space, else the unit vector.

    Args:
        parameters: The parameters, in the order used by every vector encoding.
    """

    def __init__(self, parameters: Sequence[Parameter]):
        names = [p.name for p in parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate parameter names in {names}")
        self.parameters: tuple[Parameter, ...] = tuple(parameters)
        self._by_name = {p.name: p for p in self.parameters}
        self._names = tuple(self.names)
        self._fast_checks = [(p.name, p.fast_check()) for p in self.parameters]

    # ----------------------------------------------------------------- basic facts
    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def __len__(self) -> int:
        return len(self.parameters)

    def __getitem__(self, name: str) -> Parameter:
        return self._by_name[name]

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters)

    def __repr__(self) -> str:
        return f"DesignSpace({list(self.parameters)!r})"

    @property
    def is_finite(self) -> bool:
        """True when every parameter is discrete."""
        return all(p.discrete for p in self.parameters)

    @property
    def is_continuous(self) -> bool:
        """True when every parameter is real-valued."""
        return not any(p.discrete for p in self.parameters)

    @property
    def nvec(self) -> np.ndarray:
        """Number of values of each discrete parameter (finite spaces only)."""
        if not self.is_finite:
            raise ValueError("nvec is defined only for spaces without real parameters")
        return np.array([p.n_values for p in self.parameters], dtype=np.int64)

    @property
    def size(self) -> float:
        """Number of distinct designs (``math.inf`` when a parameter is real)."""
        if not self.is_finite:
            return math.inf
        return float(math.prod(int(n) for n in self.nvec))

    # ---------------------------------------------------------------- membership
    def violations(self, design: Mapping[str, Any]) -> list[str]:
        """Lists why ``design`` is not a member of the space (empty when it is)."""
        if len(design) == len(self._names):
            try:
                if all(check(design[name]) for name, check in self._fast_checks):
                    return []
            except (KeyError, TypeError):
                pass  # missing name or unhashable value: the full check explains it
        problems = []
        missing = [n for n in self.names if n not in design]
        extra = [n for n in design if n not in self._by_name]
        if missing:
            problems.append(f"missing parameter(s): {', '.join(missing)}")
        if extra:
            problems.append(
                f"unknown parameter(s): {', '.join(map(str, extra))}; "
                f"allowed: {', '.join(self.names)}"
            )
        for p in self.parameters:
            if p.name in design and not p.contains(design[p.name]):
                problems.append(f"{p.name}={design[p.name]!r} is not {p.describe()}")
        return problems

    def contains(self, design: Mapping[str, Any]) -> bool:
        """Whether ``design`` names every parameter with an allowed value."""
        return not self.violations(design)

    def validate(self, design: Mapping[str, Any]) -> Design:
        """Returns ``design`` as a clean dict, or raises :class:`DesignError`."""
        problems = self.violations(design)
        if problems:
            raise DesignError("; ".join(problems))
        return self.clean(design)

    def clean(self, design: Mapping[str, Any]) -> Design:
        """``design`` in parameter order with Python scalars (membership not checked)."""
        out = {n: design[n] for n in self._names}
        for n, v in out.items():
            if type(v) not in _PLAIN_TYPES:
                out[n] = native(v)
        return out

    # ------------------------------------------------------------------ sampling
    def sample(self, rng: np.random.Generator) -> Design:
        """Draws one design uniformly (per parameter; log-uniform where asked)."""
        return {p.name: p.sample(rng) for p in self.parameters}

    def sample_many(self, rng: np.random.Generator, n: int) -> list[Design]:
        """Draws ``n`` designs independently."""
        return [self.sample(rng) for _ in range(n)]

    # ------------------------------------------------------------------ encodings
    def encode(self, design: Mapping[str, Any]) -> np.ndarray:
        """Maps a design to its index vector (real parameters keep their value)."""
        return np.array([p.encode(design[p.name]) for p in self.parameters], dtype=np.float64)

    def decode(self, vector: Sequence[float] | np.ndarray) -> Design:
        """Maps an index vector back to a design, clipping out-of-range entries."""
        xs = np.asarray(vector, dtype=np.float64)
        return {p.name: p.decode(x) for p, x in zip(self.parameters, xs, strict=True)}

    def to_unit(self, design: Mapping[str, Any]) -> np.ndarray:
        """Maps a design into the unit cube [0, 1]^d."""
        return np.array([p.to_unit(design[p.name]) for p in self.parameters], dtype=np.float64)

    def from_unit(self, unit: Sequence[float] | np.ndarray) -> Design:
        """Maps a point of the unit cube to a design (discrete values by bins)."""
        us = np.clip(np.asarray(unit, float), 0.0, 1.0)
        return {p.name: p.from_unit(u) for p, u in zip(self.parameters, us, strict=True)}

    def from_lattice(self, point: Sequence[float] | np.ndarray) -> Design:
        """Maps a point of [0, 1]^d to a design, each discrete parameter's values on
        evenly spaced points with the ends included (the lattice of integer steps that
        CMA-ES with margin searches); real parameters as in :meth:`from_unit`.
        """
        us = np.clip(np.asarray(point, float), 0.0, 1.0)
        return {p.name: p.from_lattice(u) for p, u in zip(self.parameters, us, strict=True)}

    def key(self, design: Mapping[str, Any]) -> tuple[Any, ...]:
        """A hashable identity for ``design`` (used by caches and de-duplication)."""
        return tuple(native(design[n]) for n in self.names)

    # -------------------------------------------------------------- enumeration
    def enumerate(self, limit: int = 1_000_000) -> Iterator[Design]:
        """Yields every design of a finite space in lexicographic index order.

        Raises:
            ValueError: if the space has a real parameter or more than ``limit`` designs.
        """
        if not self.is_finite:
            raise ValueError("cannot enumerate a space with real parameters")
        if self.size > limit:
            raise ValueError(f"space has {self.size:.3g} designs, more than limit={limit}")
        yield from self.grid(real_levels=1)

    def grid(self, real_levels: int) -> Iterator[Design]:
        """Yields the designs of the grid with ``real_levels`` values per real parameter
        (every value of a discrete one), in lexicographic index order.
        """
        for combo in itertools.product(*self.grid_values(real_levels)):
            yield dict(zip(self._names, combo, strict=True))

    def grid_values(self, real_levels: int) -> list[list[Any]]:
        """The grid's values of each parameter (see :meth:`grid`)."""
        return [p.grid_values(real_levels) for p in self.parameters]

    def neighbours(self, design: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """Lists single-parameter moves to adjacent values (discrete parameters only)."""
        return [
            (p.name, value) for p in self.parameters for value in p.neighbour_values(design[p.name])
        ]

    # ----------------------------------------------------------- library bridges
    def to_optuna_distributions(self) -> dict[str, Any]:
        """Optuna distributions, one per parameter (an ordinal one over its index).

        Trials' ``params`` are in this encoding: :meth:`from_optuna` decodes them.
        """
        return {p.name: p.optuna_distribution() for p in self.parameters}

    def from_optuna(self, params: Mapping[str, Any]) -> Design:
        """The design behind an Optuna trial's ``params``."""
        return {p.name: p.from_optuna(params[p.name]) for p in self.parameters}

    @property
    def pymoo_vector_ok(self) -> bool:
        """Whether pymoo can search this space as one plain vector.

        True when every parameter is real, or every one is an integer index (integer or
        ordinal): pymoo's float operators (and rounding repair) then apply. Spaces with
        a categorical parameter, or that mix reals with integers, need pymoo's
        mixed-variable operators over :meth:`to_pymoo_variables`.
        """
        kinds = {p.pymoo_kind for p in self.parameters}
        return len(kinds) <= 1 and "choice" not in kinds

    def to_pymoo_variables(self) -> dict[str, Any]:
        """Pymoo variables, one per parameter (for mixed-variable problems)."""
        return {p.name: p.pymoo_variable() for p in self.parameters}

    def pymoo_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the pymoo vector encoding (see :meth:`from_pymoo`)."""
        bounds = [p.pymoo_bounds() for p in self.parameters]
        return np.array([b[0] for b in bounds], float), np.array([b[1] for b in bounds], float)

    def from_pymoo(self, x: Any) -> Design:
        """The design behind a pymoo ``X``: a vector, or a dict of mixed variables."""
        if isinstance(x, Mapping):
            return {p.name: p.from_pymoo(x[p.name]) for p in self.parameters}
        return {p.name: p.from_pymoo(v) for p, v in zip(self.parameters, x, strict=True)}

    def to_nevergrad(self) -> Any:
        """A Nevergrad ``Dict`` parametrization, one parameter per design parameter."""
        import nevergrad as ng

        return ng.p.Dict(**{p.name: p.nevergrad_parameter() for p in self.parameters})

    def from_nevergrad(self, value: Mapping[str, Any]) -> Design:
        """The design behind a Nevergrad candidate's ``value``."""
        return {p.name: p.from_nevergrad(value[p.name]) for p in self.parameters}

    def to_configspace(self, seed: int = 0) -> Any:
        """A ConfigSpace ``ConfigurationSpace`` (for SMAC): ordinals as ordinal
        hyperparameters, stepped integers as ordinals over their values.
        """
        from ConfigSpace import ConfigurationSpace

        space = ConfigurationSpace(seed=seed)
        space.add([p.configspace_hyperparameter() for p in self.parameters])
        return space

    def from_configspace(self, config: Mapping[str, Any]) -> Design:
        """The design behind a ConfigSpace ``Configuration``."""
        return {p.name: p.from_configspace(config[p.name]) for p in self.parameters}

    def to_gymnasium(self) -> Any:
        """MultiDiscrete for finite spaces, else a Box over the unit cube."""
        from gymnasium import spaces

        if self.is_finite:
            return spaces.MultiDiscrete(self.nvec)
        return spaces.Box(0.0, 1.0, shape=(len(self.parameters),), dtype=np.float32)

    def to_action(self, design: Mapping[str, Any]) -> np.ndarray:
        """``design`` as an element of :meth:`to_gymnasium`'s space."""
        if self.is_finite:
            return self.encode(design).astype(np.int64)
        return self.to_unit(design).astype(np.float32)

    def from_action(self, action: Sequence[float] | np.ndarray) -> Design:
        """The design behind an element of :meth:`to_gymnasium`'s space."""
        return self.decode(action) if self.is_finite else self.from_unit(action)
