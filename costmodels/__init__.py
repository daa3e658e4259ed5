"""Cost models, design spaces, problems and workloads (no gymnasium import here)."""

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.problem import Constraint, Objective, Outcome, Problem
from dsegym.costmodels.registry import (
    ProblemSpec,
    cost_model_names,
    get_cost_model_class,
    make_problem,
    problem_names,
)
from dsegym.costmodels.space import (
    Categorical,
    Design,
    DesignSpace,
    Integer,
    Ordinal,
    Real,
)

__all__ = [
    "Categorical",
    "Constraint",
    "CostModel",
    "Design",
    "DesignSpace",
    "Evaluation",
    "Integer",
    "Metric",
    "Objective",
    "Ordinal",
    "Outcome",
    "Problem",
    "ProblemSpec",
    "Real",
    "cost_model_names",
    "get_cost_model_class",
    "make_problem",
    "problem_names",
]
