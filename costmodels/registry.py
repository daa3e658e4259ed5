"""The registries of cost models and problems: one explicit dict each.

Entries are ``module:attribute`` strings so that listing names never imports a heavy
model. A problem entry is a :class:`ProblemSpec`, as Gymnasium's ``EnvSpec``: it names
the problem's *factory* (a function with typed keyword arguments, checked by pydantic,
that returns a :class:`~dsegym.costmodels.problem.Problem`), the cost model it is built
on and that model's version, from which the Gymnasium id comes
(``dsegym/<Name>-v<version>``).

Problems come from three places, all named the same way in configs, the command line
and ``gymnasium.make``: the built-ins below, installed packages (entry point group
``dsegym.problems``, each naming a :class:`ProblemSpec`), and a user's own factory named
``module:function`` (importable from the current folder or the config's).
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pydantic

from dsegym.costmodels.base import CostModel
from dsegym.costmodels.problem import Problem
from dsegym.errors import ConfigError, DsegymError, UnknownNameError, format_validation_error
from dsegym.loading import load_object

ENTRY_POINT_GROUP = "dsegym.problems"


@dataclass(frozen=True)
class ProblemSpec:
    """What a registry entry says about a problem (Gymnasium's ``EnvSpec`` for dsegym).

    Attributes:
        factory: ``"module:function"`` (imported only when the problem is built), or the
            function itself.
        cost_model: Name of the cost model the problem is built on (a key of
            :data:`COST_MODELS` for the built-ins), shown by ``dsegym list`` and ``show``.
        version: The cost model's ``version`` as an integer; bumped whenever the model's
            numbers change, it ends the Gymnasium id, so an id names the numbers it gives.
    """

    factory: str | Callable[..., Problem]
    cost_model: str
    version: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise DsegymError(f"problem spec {self.factory!r}: version must be an integer")
        if self.version < 0:
            raise DsegymError(f"problem spec {self.factory!r}: version must be >= 0")

    def load_factory(self) -> Callable[..., Problem]:
        """The factory function (imports its module on first use)."""
        if callable(self.factory):
            return self.factory
        factory: Callable[..., Problem] = load_object(self.factory, what="problem factory")
        return factory


def _ours(reference: str, cost_model: str, version: int) -> ProblemSpec:
    """A built-in entry: ``reference`` is relative to ``dsegym.costmodels``."""
    return ProblemSpec(f"dsegym.costmodels.{reference}", cost_model, version)


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

PROBLEMS: dict[str, ProblemSpec] = {
    "zdt1": _ours("reference.zdt:zdt1", "zdt", 1),
    "zdt2": _ours("reference.zdt:zdt2", "zdt", 1),
    "zdt3": _ours("reference.zdt:zdt3", "zdt", 1),
    "zdt4": _ours("reference.zdt:zdt4", "zdt", 1),
    "zdt6": _ours("reference.zdt:zdt6", "zdt", 1),
    "dtlz1": _ours("reference.dtlz:dtlz1", "dtlz", 1),
    "dtlz2": _ours("reference.dtlz:dtlz2", "dtlz", 1),
    "dtlz3": _ours("reference.dtlz:dtlz3", "dtlz", 1),
    "dtlz4": _ours("reference.dtlz:dtlz4", "dtlz", 1),
    "toy-accelerator": _ours("reference.toy_accelerator:toy_accelerator", "toy-accelerator", 1),
    "toy-accelerator-1obj": _ours(
        "reference.toy_accelerator:toy_accelerator_edp", "toy-accelerator", 1
    ),
    "synthetic": _ours("reference.synthetic:synthetic", "synthetic", 1),
    "lut-accelerator": _ours("lut.problems:lut_accelerator", "lut-accelerator", 1),
    "lut-accelerator-latency": _ours("lut.problems:lut_accelerator_latency", "lut-accelerator", 1),
    "dram-target": _ours("dram.problems:dram_target", "dram", 1),
    "dram-mo": _ours("dram.problems:dram_multiobjective", "dram", 1),
    "accelerator-systolic": _ours(
        "accelerator.problems:accelerator_systolic", "accelerator-systolic", 1
    ),
    "accelerator-systolic-mapping": _ours(
        "accelerator.problems:accelerator_systolic_mapping", "accelerator-systolic", 1
    ),
    "accelerator-eyeriss": _ours(
        "accelerator.problems:accelerator_eyeriss", "accelerator-eyeriss", 1
    ),
    "separable-discrete": _ours("reference.separable:separable_discrete", "separable-discrete", 1),
    "nasbench201-hw": _ours("nas.problems:nasbench201_hw", "nasbench201-hw", 2),
    "nasbench201-device": _ours("nas.problems:nasbench201_device", "nasbench201-device", 1),
    "nasaic": _ours("nas.problems:nasaic", "nasaic", 1),
    "soc-farsi": _ours("soc.problems:soc_farsi", "soc-farsi", 3),
    "proxy": _ours("proxy.model:proxy", "proxy", 1),
    "dram-target-archgym": _ours("archgym:dram_target_archgym", "dram", 1),
    "accelerator-eyeriss-target": _ours(
        "archgym:accelerator_eyeriss_target", "accelerator-eyeriss", 1
    ),
    "command": _ours("command.problems:command_problem", "command", 1),
    "collective": _ours("distributed.problems:collective", "collective", 1),
    "training-system": _ours("distributed.problems:training_system", "training-system", 1),
    "training-system-target": _ours(
        "distributed.problems:training_system_target", "training-system", 1
    ),
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


def _declares_problems() -> bool:
    """Whether an installed distribution may declare ``dsegym.problems`` entry points.

    A substring test over the ``entry_points.txt`` files of the distributions on
    ``sys.path``, so that ``import dsegym`` (which registers every problem's env) does not
    import :mod:`importlib.metadata` (about 50 ms) for the usual answer, none. The entry
    points themselves are read by :mod:`importlib.metadata`.
    """
    for folder in sys.path:
        try:
            entries = list(os.scandir(folder or "."))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(entry.path, "entry_points.txt"), "rb") as f:
                    if ENTRY_POINT_GROUP.encode() in f.read():
                        return True
            except OSError:
                continue
    return False


@functools.cache
def installed_problems() -> dict[str, ProblemSpec]:
    """Problems that installed packages add through the ``dsegym.problems`` entry points.

    Each entry point names a :class:`ProblemSpec` (or a factory, taken as version 1 of a
    cost model named after the entry point). A built-in name cannot be replaced. An
    entry point that fails to load is left out with a warning, so one broken package
    does not stop dsegym.
    """
    if not _declares_problems():
        return {}
    import warnings
    from importlib.metadata import entry_points

    found: dict[str, ProblemSpec] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in PROBLEMS or ":" in ep.name:
            warnings.warn(
                f"entry point {ep.name!r} ({ep.value}): a built-in problem name or a name "
                "with ':' cannot be registered; left out",
                stacklevel=2,
            )
            continue
        try:
            target = ep.load()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a package may raise anything
            warnings.warn(
                f"entry point {ep.name!r} ({ep.value}) failed to load: {exc!r}", stacklevel=2
            )
            continue
        if isinstance(target, ProblemSpec):
            found[ep.name] = target
        elif callable(target):
            found[ep.name] = ProblemSpec(target, ep.name, 1)
        else:
            warnings.warn(
                f"entry point {ep.name!r} ({ep.value}) is neither a ProblemSpec nor a "
                "factory function; left out",
                stacklevel=2,
            )
    return found


def problem_specs() -> dict[str, ProblemSpec]:
    """Every registered problem, built-in and installed, by name."""
    return {**installed_problems(), **PROBLEMS}


def problem_names() -> list[str]:
    """Registered problem names (built-in and installed; not ``module:function`` ones)."""
    return sorted(problem_specs())


def problem_spec(name: str) -> ProblemSpec:
    """The spec of problem ``name``: registered, installed, or a ``module:function``.

    A ``module:function`` problem is version 1 of a cost model named after it.

    Raises:
        UnknownNameError: if ``name`` is neither registered nor a ``module:function``.
    """
    specs = problem_specs()
    if name in specs:
        return specs[name]
    if ":" in name:
        return ProblemSpec(name, name, 1)
    raise UnknownNameError("problem", name, [*specs, "<module>:<function>"])


def get_cost_model_class(name: str) -> type[CostModel]:
    """Returns the registered cost-model class ``name``."""
    if name not in COST_MODELS:
        raise UnknownNameError("cost model", name, list(COST_MODELS))
    cls: type[CostModel] = load_object(COST_MODELS[name], what="cost model")
    return cls


@functools.cache
def _validated_factory(factory: Callable[..., Problem]) -> Callable[..., Problem]:
    return pydantic.validate_call(config={"extra": "forbid", "strict": False})(factory)


def problem_factory(name: str) -> Callable[..., Problem]:
    """Returns the raw factory of problem ``name`` (for its signature and docstring).

    Raises:
        UnknownNameError: if ``name`` is not registered (nor a ``module:function``).
        ConfigError: if a ``module:function`` cannot be imported or is not a function.
    """
    factory = problem_spec(name).load_factory()
    if not callable(factory) or isinstance(factory, type) and not issubclass(factory, Problem):
        raise ConfigError(
            f"problem {name!r}: is not a factory (a function returning a dsegym Problem)"
        )
    return factory


def problem_parameters(name: str) -> dict[str, Any]:
    """The factory's keyword parameters and their defaults."""
    sig = inspect.signature(problem_factory(name))
    return {
        p.name: (None if p.default is inspect.Parameter.empty else p.default)
        for p in sig.parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def make_problem(name: str, params: Mapping[str, Any] | None = None) -> Problem:
    """Builds problem ``name`` with parameters validated against its factory's signature.

    ``name`` is a registered or installed problem (``dsegym list problems``) or a
    user's factory, ``module:function``.

    Raises:
        UnknownNameError: if ``name`` is not registered.
        ConfigError: if a parameter is unknown, of the wrong type or out of range, or a
            ``module:function`` factory cannot be imported or returns no Problem.
    """
    factory = problem_factory(name)
    params = dict(params or {})
    try:
        validated = _validated_factory(factory)
    except pydantic.PydanticUserError as exc:  # a signature pydantic cannot check
        raise ConfigError(f"problem {name!r}: factory signature: {exc}") from None
    try:
        problem = validated(**params)
    except pydantic.ValidationError as exc:
        allowed = ", ".join(f"{k}={v!r}" for k, v in problem_parameters(name).items())
        raise ConfigError(
            f"problem {name!r}: " + format_validation_error(exc) + f" (parameters: {allowed})"
        ) from None
    if not isinstance(problem, Problem):
        raise ConfigError(
            f"problem {name!r}: its factory returned {type(problem).__name__}, not a dsegym Problem"
        )
    problem.name = name
    problem.params = params
    return problem


__all__ = [
    "COST_MODELS",
    "ENTRY_POINT_GROUP",
    "PROBLEMS",
    "ConfigError",
    "ProblemSpec",
    "cost_model_names",
    "get_cost_model_class",
    "installed_problems",
    "make_problem",
    "problem_factory",
    "problem_names",
    "problem_parameters",
    "problem_spec",
    "problem_specs",
    "workload_names",
]
