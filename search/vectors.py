"""Mixed vectors for numeric optimisers (GA, CMA-ES), built on ``DesignSpace``.

A discrete parameter is its value index in ``[0, n - 1]`` (rounded before decoding);
a real parameter is its position in ``[0, 1]`` on its own (possibly log) scale. Decoding
goes through ``DesignSpace.from_unit``, so the space stays the one owner of encodings.
"""

from __future__ import annotations

import numpy as np

from dsegym.costmodels.space import Design, DesignSpace, Real


class MixedVectors:
    """Bounds and conversions for index-or-unit vectors of one design space.

    Attributes:
        discrete: Mask of discrete coordinates.
        n_values: Number of values per coordinate (1 for real ones, unused).
        lower: Lower bound per coordinate (0).
        upper: Upper bound per coordinate (``n - 1`` or 1).
    """

    def __init__(self, space: DesignSpace):
        self.space = space
        self.discrete = np.array([not isinstance(p, Real) for p in space], dtype=bool)
        self.n_values = np.array(
            [1 if isinstance(p, Real) else p.n_values for p in space], dtype=np.int64
        )
        self.lower = np.zeros(len(space))
        self.upper = np.where(self.discrete, self.n_values - 1, 1.0).astype(float)

    def round(self, X: np.ndarray) -> np.ndarray:
        """Rounds the discrete coordinates and clips every coordinate to its bounds."""
        X = np.clip(np.asarray(X, dtype=float), self.lower, self.upper)
        return np.where(self.discrete, np.round(X), X)

    def to_design(self, x: np.ndarray) -> Design:
        """Decodes one vector."""
        x = self.round(x)
        unit = np.where(self.discrete, (x + 0.5) / self.n_values, x)
        return self.space.from_unit(unit)

    def from_design(self, design: Design) -> np.ndarray:
        """Encodes one design."""
        unit = self.space.to_unit(design)
        return np.where(self.discrete, np.floor(unit * self.n_values), unit)
