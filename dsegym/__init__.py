"""dsegym: a design-space exploration gym for computer hardware.

The public API re-exports the core types and the notebook API (:func:`run`,
:func:`load`); subpackages live in the top-level folders ``costmodels/``, ``envs/``,
``search/`` and ``experiments/``.
"""

from dsegym.api import Results, load, run
from dsegym.costmodels import (
    Categorical,
    Constraint,
    CostModel,
    DesignSpace,
    Evaluation,
    Integer,
    Metric,
    Objective,
    Ordinal,
    Outcome,
    Problem,
    ProblemSpec,
    Real,
    make_problem,
)
from dsegym.envs import registration as _registration  # noqa: F401  (registers the envs)
from dsegym.errors import ConfigError, DsegymError

__version__ = "0.1.0"

__all__ = [
    "Categorical",
    "ConfigError",
    "Constraint",
    "CostModel",
    "DesignSpace",
    "DsegymError",
    "Evaluation",
    "Integer",
    "Metric",
    "Objective",
    "Ordinal",
    "Outcome",
    "Problem",
    "ProblemSpec",
    "Real",
    "Results",
    "__version__",
    "load",
    "make_problem",
    "run",
]
