"""The registries of cost models and problems: one explicit dict each.

Entries are ``module:attribute`` strings so that listing names never imports a heavy
model. A problem entry names a *factory*: a function with typed keyword arguments
(checked by pydantic) that returns a :class:`~dsegym.costmodels.problem.Problem`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import pydantic

from dsegym.costmodels.base import CostModel
from dsegym.costmodels.problem import Problem
from dsegym.errors import ConfigError, UnknownNameError, format_validation_error
from dsegym.loading import load_object

COST_MODELS: dict[str, str] = {
    "zdt": "dsegym.costmodels.reference.zdt:ZDT",
    "dtlz": "dsegym.costmodels.reference.dtlz:DTLZ",
    "toy-accelerator": "dsegym.costmodels.reference.toy_accelerator:ToyAccelerator",
    "synthetic": "dsegym.costmodels.reference.synthetic:Synthetic",
    "lut-accelerator": "dsegym.costmodels.lut.model:LUTAccelerator",
    "dram": "dsegym.costmodels.dram.model:DramController",
    "accelerator-systolic": "dsegym.costmodels.accelerator.model:SystolicArrayModel",
    "accelerator-eyeriss": "dsegym.costmodels.accelerator.model:EyerissLikeModel",
    "separable-discrete": "dsegym.costmodels.reference.separable:SeparableDiscrete",
    "nasbench201-hw": "dsegym.costmodels.nas.model:NasBench201Hardware",
    "nasbench201-device": "dsegym.costmodels.nas.model:NasBench201Device",
    "nasaic": "dsegym.costmodels.nas.nasaic:Nasaic",
    "soc-farsi": "dsegym.costmodels.soc.model:SocFarsi",
    "proxy": "dsegym.costmodels.proxy.model:ProxyCostModel",
    "command": "dsegym.costmodels.command.model:CommandModel",
    "collective": "dsegym.costmodels.distributed.model:CollectiveModel",
    "training-system": "dsegym.costmodels.distributed.model:TrainingSystemModel",
}

PROBLEMS: dict[str, str] = {
    "zdt1": "dsegym.costmodels.reference.zdt:zdt1",
    "zdt2": "dsegym.costmodels.reference.zdt:zdt2",
    "zdt3": "dsegym.costmodels.reference.zdt:zdt3",
    "zdt4": "dsegym.costmodels.reference.zdt:zdt4",
    "zdt6": "dsegym.costmodels.reference.zdt:zdt6",
    "dtlz1": "dsegym.costmodels.reference.dtlz:dtlz1",
    "dtlz2": "dsegym.costmodels.reference.dtlz:dtlz2",
    "dtlz3": "dsegym.costmodels.reference.dtlz:dtlz3",
    "dtlz4": "dsegym.costmodels.reference.dtlz:dtlz4",
    "toy-accelerator": "dsegym.costmodels.reference.toy_accelerator:toy_accelerator",
    "toy-accelerator-1obj": "dsegym.costmodels.reference.toy_accelerator:toy_accelerator_edp",
    "synthetic": "dsegym.costmodels.reference.synthetic:synthetic",
    "lut-accelerator": "dsegym.costmodels.lut.problems:lut_accelerator",
    "lut-accelerator-latency": "dsegym.costmodels.lut.problems:lut_accelerator_latency",
    "dram-target": "dsegym.costmodels.dram.problems:dram_target",
    "dram-mo": "dsegym.costmodels.dram.problems:dram_multiobjective",
    "accelerator-systolic": "dsegym.costmodels.accelerator.problems:accelerator_systolic",
    "accelerator-systolic-mapping": (
        "dsegym.costmodels.accelerator.problems:accelerator_systolic_mapping"
    ),
    "accelerator-eyeriss": "dsegym.costmodels.accelerator.problems:accelerator_eyeriss",
    "separable-discrete": "dsegym.costmodels.reference.separable:separable_discrete",
    "nasbench201-hw": "dsegym.costmodels.nas.problems:nasbench201_hw",
    "nasbench201-device": "dsegym.costmodels.nas.problems:nasbench201_device",
    "nasaic": "dsegym.costmodels.nas.problems:nasaic",
    "soc-farsi": "dsegym.costmodels.soc.problems:soc_farsi",
    "proxy": "dsegym.costmodels.proxy.model:proxy",
    "dram-target-archgym": "dsegym.costmodels.archgym:dram_target_archgym",
    "accelerator-eyeriss-target": "dsegym.costmodels.archgym:accelerator_eyeriss_target",
    "command": "dsegym.costmodels.command.problems:command_problem",
    "collective": "dsegym.costmodels.distributed.problems:collective",
    "training-system": "dsegym.costmodels.distributed.problems:training_system",
    "training-system-target": "dsegym.costmodels.distributed.problems:training_system_target",
}

# Workload catalogues: cost-model family -> "module:function" returning the names of the
# workloads shipped with the package for that family (shown by `dsegym list workloads`).
WORKLOADS: dict[str, str] = {
    "toy-accelerator": "dsegym.costmodels.reference.toy_accelerator:workload_names",
    "lut-accelerator": "dsegym.costmodels.lut.problems:workload_names",
    "dram": "dsegym.costmodels.dram.problems:workload_names",
    "accelerator": "dsegym.costmodels.accelerator.problems:workload_names",
    "soc": "dsegym.costmodels.soc.problems:workload_names",
    "training-system": "dsegym.costmodels.distributed.problems:workload_names",
}


def workload_names() -> dict[str, list[str]]:
    """Shipped workload names per cost-model family."""
    return {
        family: list(load_object(ref, what="workload catalogue")())
        for family, ref in sorted(WORKLOADS.items())
    }


def cost_model_names() -> list[str]:
    return sorted(COST_MODELS)


def problem_names() -> list[str]:
    return sorted(PROBLEMS)


def get_cost_model_class(name: str) -> type[CostModel]:
    """Returns the registered cost-model class ``name``."""
    if name not in COST_MODELS:
        raise UnknownNameError("cost model", name, list(COST_MODELS))
    cls: type[CostModel] = load_object(COST_MODELS[name], what="cost model")
    return cls


@functools.cache
def _validated_factory(reference: str) -> Callable[..., Problem]:
    factory = load_object(reference, what="problem factory")
    return pydantic.validate_call(config={"extra": "forbid", "strict": False})(factory)


def problem_factory(name: str) -> Callable[..., Problem]:
    """Returns the raw factory of problem ``name`` (for its signature and docstring)."""
    if name not in PROBLEMS:
        raise UnknownNameError("problem", name, list(PROBLEMS))
    factory: Callable[..., Problem] = load_object(PROBLEMS[name], what="problem factory")
    return factory


def problem_parameters(name: str) -> dict[str, Any]:
    """The factory's keyword parameters and their defaults."""
    sig = inspect.signature(problem_factory(name))
    return {
        p.name: (None if p.default is inspect.Parameter.empty else p.default)
        for p in sig.parameters.values()
    }


def make_problem(name: str, params: Mapping[str, Any] | None = None) -> Problem:
    """Builds the registered problem ``name`` with validated parameters.

    Raises:
        UnknownNameError: if ``name`` is not registered.
        ConfigError: if a parameter is unknown, of the wrong type or out of range.
    """
    if name not in PROBLEMS:
        raise UnknownNameError("problem", name, list(PROBLEMS))
    params = dict(params or {})
    try:
        problem = _validated_factory(PROBLEMS[name])(**params)
    except pydantic.ValidationError as exc:
        allowed = ", ".join(f"{k}={v!r}" for k, v in problem_parameters(name).items())
        raise ConfigError(
            f"problem {name!r}: " + format_validation_error(exc) + f" (parameters: {allowed})"
        ) from None
    problem.name = name
    problem.params = params
    return problem


__all__ = [
    "COST_MODELS",
    "PROBLEMS",
    "ConfigError",
    "cost_model_names",
    "get_cost_model_class",
    "make_problem",
    "problem_factory",
    "problem_names",
    "problem_parameters",
    "workload_names",
]
